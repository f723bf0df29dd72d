// Iterator targets (SEC("iter/<target>")): which objects a target visits, in Linux's order, and
// how each fills struct bpf_iter__<target> (member offsets as in src/kernel/progtypes ITER_TARGETS:
// meta at 0, then 8-byte slots).

import { EBADF, EINVAL, ENOENT, ErrnoError } from '../errno.js';
import type { Kernel } from '../kernel.js';
import type { BpfMap } from '../maps/bpf-map.js';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH,
} from '../maps/types.js';
import type { Cgroup, Task } from '../world/objects.js';

/** What a user passes when creating the iterator link (union bpf_iter_link_info). */
export interface IterLinkInfo {
  /** bpf_map_elem: the map to walk (required) */
  map?: BpfMap;
  /** task targets: only this process (all its threads) — link info task.pid */
  pid?: number;
  /** task targets: only this thread — link info task.tid */
  tid?: number;
  /** cgroup: where to start (default: the root) */
  cgroup?: Cgroup;
  /** cgroup: walk order — required: Linux refuses BPF_CGROUP_ITER_ORDER_UNSPEC with EINVAL */
  order?: 'self' | 'pre' | 'post' | 'up';
}

/** One visited object: writes the members after `meta` into the context at ctxOff. */
export type IterObject = (ctxOff: number) => void;

export interface IterSource {
  objects: IterObject[];
  /** what the final (stop) call sees besides meta (bpf_map_elem keeps the map) */
  stop: IterObject;
  /**
   * What a non-zero program return does. 'retry' (bpf_iter_run_prog's -EAGAIN: show the same
   * object again in the next read(); read() fails with EAGAIN if nothing came before it) for
   * every target but cgroup, whose show() ends the walk instead ('terminate').
   */
  onNonZero: 'retry' | 'terminate';
  /**
   * false for cgroup: its walk cannot continue in a later read() (cgroup_mutex was dropped), so
   * a read after one that stopped early fails with EOPNOTSUPP.
   */
  resumable: boolean;
  /** scratch memory to free when the session closes */
  release(): void;
}

/** Size of the context: meta + at most three 8-byte members. */
export const ITER_CTX_SIZE = 32;

export const ITER_TARGET_NAMES = ['task', 'task_file', 'task_vma', 'bpf_map', 'bpf_map_elem', 'cgroup'] as const;
export type IterTargetName = (typeof ITER_TARGET_NAMES)[number];

const ELEM_MAP_TYPES = new Set([
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH,
]);

/** Tasks a task-based target visits (task_seq_get_next with the link's pid/tid filter). */
function visitTasks(kernel: Kernel, info: IterLinkInfo, skipDupFiles: boolean): Task[] {
  if (info.tid !== undefined) {
    const t = kernel.taskByPid(info.tid);
    if (!t) throw new ErrnoError(ENOENT, `iterator: no task with tid ${info.tid}`);
    return [t];
  }
  if (info.pid !== undefined) {
    const t = kernel.taskByPid(info.pid);
    if (!t) throw new ErrnoError(ENOENT, `iterator: no process with pid ${info.pid}`);
    const threads = (t.leader.threads.length ? t.leader.threads : [t.leader]).filter((x) => !x.exited);
    return threads.filter((x) => !skipDupFiles || x.isLeader || x.files !== x.leader.files);
  }
  return kernel.world.iterTasks(skipDupFiles);
}

const nothing = (): void => undefined;

/** The objects of `target` for one iterator session. */
export function iterSource(kernel: Kernel, target: string, info: IterLinkInfo = {}): IterSource {
  const mem = kernel.mem;
  const put = (ctxOff: number, slot: number, v: bigint): void => mem.writeU64(ctxOff + 8 * slot, v);
  const plain = (objects: IterObject[], onNonZero: 'retry' | 'terminate' = 'retry'): IterSource => ({
    objects, stop: nothing, onNonZero, resumable: onNonZero === 'retry', release: nothing,
  });
  switch (target) {
    case 'task':
      return plain(visitTasks(kernel, info, false).map((t) => (c) => put(c, 1, t.ptr)));
    case 'task_file':
      return plain(visitTasks(kernel, info, true).flatMap((t) => (t.files ? t.files.sorted() : []).map(([fd, f]): IterObject => (c) => {
        put(c, 1, t.ptr);
        mem.writeU32(c + 16, fd);
        put(c, 3, f.ptr);
      })));
    case 'task_vma':
      return plain(visitTasks(kernel, info, true).flatMap((t) => (t.mm ? t.mm.vmas : []).map((v): IterObject => (c) => {
        put(c, 1, t.ptr);
        put(c, 2, v.ptr);
      })));
    case 'bpf_map':
      return plain(kernel.maps.all().map((m) => (c) => put(c, 1, m.ptr)));
    case 'cgroup': {
      const start = info.cgroup ?? kernel.rootCgroup;
      if (info.order === undefined) throw new ErrnoError(EINVAL, 'iter/cgroup needs a walk order (self, pre, post or up)');
      return plain(kernel.world.cgroupWalk(start, info.order).map((cg) => (c) => put(c, 1, cg.ptr)), 'terminate');
    }
    case 'bpf_map_elem':
      return mapElemSource(kernel, info.map);
    default:
      throw new ErrnoError(EINVAL, `unknown iterator target '${target}' (known: ${ITER_TARGET_NAMES.join(', ')})`);
  }
}

/**
 * bpf_map_elem: every element in the map's own order (get_next_key order for hash maps, index
 * order for arrays). key points to a copy; value points at the element itself, except for
 * per-CPU maps where it is a copy of every CPU's value (value_size rounded up to 8, per CPU).
 */
function mapElemSource(kernel: Kernel, map: BpfMap | undefined): IterSource {
  if (!map) throw new ErrnoError(EBADF, 'iter/bpf_map_elem needs a map (link info map_fd)');
  if (!ELEM_MAP_TYPES.has(map.type)) throw new ErrnoError(EINVAL, `iter/bpf_map_elem does not support map '${map.name}' of type ${map.type}`);
  const mem = kernel.mem;
  const stride = (map.valueSize + 7) & ~7;
  const keyOff = mem.alloc(Math.max(8, map.keySize));
  const valOff = mem.alloc(Math.max(8, map.percpu ? stride * kernel.nrCpus : 8));
  const keys = map.keys();
  const objects = keys.map((key): IterObject => (c) => {
    mem.writeU64(c + 8, map.ptr);
    mem.writeBytes(keyOff, key);
    let v: number;
    if (map.percpu) {
      const raw = map.lookupRaw(key);
      v = raw ? valOff : 0;
      if (raw) mem.writeBytes(valOff, raw);
    } else {
      v = map.lookupSys(keyOff, 0);
    }
    mem.writeU64(c + 16, mem.toPtr(keyOff));
    mem.writeU64(c + 24, v ? mem.toPtr(v) : 0n);
  });
  return {
    objects,
    stop: (c) => mem.writeU64(c + 8, map.ptr),
    onNonZero: 'retry',
    resumable: true,
    release: () => {
      mem.free(keyOff);
      mem.free(valOff);
    },
  };
}
