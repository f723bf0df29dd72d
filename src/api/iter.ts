// Reading an iterator program: what `cat` on a pinned SEC("iter/<target>") program prints.
// Each BpfIterator is one open file of the iterator (its own session_id); the kernel side
// (src/kernel/iter) walks the target and implements bpf_seq_read, the Program's engine runs
// the program for each object.

import type { BpfMap } from '../kernel/maps/bpf-map.js';
import type { Cgroup } from '../kernel/world/objects.js';
import { IterReadError, IterSession, type IterLinkInfo } from '../kernel/iter/index.js';
import { ErrnoError } from '../kernel/errno.js';
import { BpfApiError } from './errors.js';
import type { Program } from './program.js';

export { IterReadError };

export interface IterOptions {
  /** bpf_map_elem: the map to walk (a BpfMap or the name of one of the object's maps) */
  map?: BpfMap | string;
  /** task, task_file, task_vma: only this process (link info task.pid) */
  pid?: number;
  /** task, task_file, task_vma: only this thread (link info task.tid) */
  tid?: number;
  /** cgroup: where the walk starts (a Cgroup or its path); the root by default */
  cgroup?: Cgroup | string;
  /** cgroup (required there, as in Linux): BPF_CGROUP_ITER_SELF_ONLY / DESCENDANTS_PRE / DESCENDANTS_POST / ANCESTORS_UP */
  order?: 'self' | 'pre' | 'post' | 'up';
  /** seq_file buffer size (default PAGE_SIZE << 3, as Linux) — small values exercise the retry rules */
  bufSize?: number;
}

export class BpfIterator {
  constructor(private readonly session: IterSession) {}

  get sessionId(): bigint {
    return this.session.sessionId;
  }

  /** Read to EOF and return the text. Throws IterReadError (E2BIG, EAGAIN) like read(2) would. */
  read(): string {
    return new TextDecoder().decode(this.readBytes());
  }

  /** Read to EOF; the bytes. */
  readBytes(): Uint8Array {
    return this.session.readAll();
  }

  /** One read(2): the bytes one seq_file buffer held (empty at EOF). */
  readChunk(): Uint8Array {
    return this.session.read();
  }

  /** What each read so far returned. */
  get reads(): readonly Uint8Array[] {
    return this.session.reads;
  }

  close(): void {
    this.session.close();
  }
}

/** @internal Program.iter: check the program and the options, open a session. */
export function openIterator(program: Program, run: (ctxPtr: bigint, env: Record<string, unknown>) => bigint, opts: IterOptions): BpfIterator {
  const spec = program.spec;
  if (spec.type !== 'tracing' || !/^iter(\.s)?\//.test(spec.section)) {
    throw new BpfApiError(`program '${program.name}' is not an iterator program (section '${spec.section}', need SEC("iter/<target>"))`);
  }
  const target = spec.attachTo ?? spec.section.replace(/^iter(\.s)?\//, '');
  const kernel = program.object.kernel;
  const info: IterLinkInfo = { pid: opts.pid, tid: opts.tid, order: opts.order };
  if (opts.map !== undefined) info.map = typeof opts.map === 'string' ? program.object.map(opts.map) : opts.map;
  if (opts.cgroup !== undefined) {
    const cg = typeof opts.cgroup === 'string' ? kernel.cgroups.find((c) => c.path === opts.cgroup) : opts.cgroup;
    if (!cg) throw new BpfApiError(`no cgroup '${String(opts.cgroup)}'`);
    info.cgroup = cg;
  }
  if (opts.order !== undefined && !['self', 'pre', 'post', 'up'].includes(opts.order)) throw new BpfApiError(`bad cgroup order '${String(opts.order)}'`);
  try {
    const session = new IterSession(kernel, target, info, (ctxPtr, seq) => run(ctxPtr, { seq, attachType: 'trace_iter', sleepable: spec.sleepable }), opts.bufSize);
    return new BpfIterator(session);
  } catch (e) {
    if (e instanceof ErrnoError) throw new BpfApiError(`program '${program.name}': ${e.message}`);
    throw e;
  }
}
