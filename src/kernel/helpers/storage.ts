// Local storage helpers: bpf_task_storage_get/delete and bpf_cgrp_storage_get/delete. The map
// keeps one value per owner (task_struct or cgroup), found by the owner's address.

import { EINVAL } from '../errno.js';
import type { BpfMap } from '../maps/bpf-map.js';
import { defineHelper } from './define.js';
import { hasOps, type LocalStorageOps } from './map-ops.js';
import type { HelperImpl } from './types.js';
import { PTR_MAYBE_NULL } from './types.js';
import { mapArg, neg, off } from './util.js';

/** BPF_LOCAL_STORAGE_GET_F_CREATE */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1n;

/** Task storage maps may name the operations after tasks (taskStorageGet / taskStorageDelete). */
interface TaskStorageNames {
  taskStorageGet(taskPtr: bigint, initValueOff: number, create: boolean): number;
  taskStorageDelete(taskPtr: bigint): number;
}

function storageOps(map: BpfMap | undefined): LocalStorageOps | undefined {
  if (hasOps<LocalStorageOps>(map, 'storageGet')) return map;
  if (hasOps<TaskStorageNames>(map, 'taskStorageGet')) {
    return { storageGet: (o, i, c) => map.taskStorageGet(o, i, c), storageDelete: (o) => map.taskStorageDelete(o) };
  }
  return undefined;
}

function storageHelpers(prefix: 'task' | 'cgrp', owner: string): HelperImpl[] {
  return [
    defineHelper(`${prefix}_storage_get`, 'RET_PTR_TO_MAP_VALUE_OR_NULL', ['ARG_CONST_MAP_PTR', { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: owner }, { type: 'ARG_PTR_TO_MAP_VALUE', flags: PTR_MAYBE_NULL }, 'ARG_ANYTHING'], (env, r1, r2, r3, r4) => {
      const map = storageOps(mapArg(env, r1));
      if (!map) return 0n;
      if (r4 & ~BPF_LOCAL_STORAGE_GET_F_CREATE || r2 === 0n) return 0n;
      const v = map.storageGet(r2, r3 === 0n ? 0 : off(env, r3), (r4 & BPF_LOCAL_STORAGE_GET_F_CREATE) !== 0n);
      return v > 0 ? env.kernel.mem.toPtr(v) : 0n;
    }),
    defineHelper(`${prefix}_storage_delete`, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', { type: 'ARG_PTR_TO_BTF_ID', btf: owner }], (env, r1, r2) => {
      const map = storageOps(mapArg(env, r1));
      if (!map || r2 === 0n) return neg(EINVAL);
      return BigInt(map.storageDelete(r2));
    }),
  ];
}

export const localStorageHelpers: HelperImpl[] = [...storageHelpers('task', 'struct task_struct'), ...storageHelpers('cgrp', 'struct cgroup')];
