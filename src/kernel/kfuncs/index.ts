// The kfuncs of the simulated kernel: table (prototypes + flags), implementations, registration.

import type { Kernel } from '../kernel.js';
import type { HelperFn } from '../helpers/types.js';
import { bpfIterNumDestroy, bpfIterNumNew, bpfIterNumNext } from './iter-num.js';
import {
  bpfCgroupAcquire, bpfCgroupAncestor, bpfCgroupFromId, bpfCgroupRelease, bpfRcuReadLock, bpfRcuReadUnlock, bpfTaskAcquire,
  bpfTaskFromPid, bpfTaskRelease,
} from './refs.js';
import { KFUNC_TABLE } from './table.js';
import { ITER_KFUNC_IMPLS } from './iters/table.js';
import { KfuncError, type KfuncDef, type KfuncSpec } from './types.js';
import { validateKfunc } from './validate.js';

export * from './types.js';
export { KFUNC_TABLE } from './table.js';
export { validateKfunc } from './validate.js';
export { kfuncRefs, type RefCounts } from './refs.js';

/** Implementation of each kfunc in KFUNC_TABLE, by name. */
export const KFUNC_IMPLS: Readonly<Record<string, HelperFn>> = {
  bpf_iter_num_new: bpfIterNumNew,
  bpf_iter_num_next: bpfIterNumNext,
  bpf_iter_num_destroy: bpfIterNumDestroy,
  bpf_rcu_read_lock: bpfRcuReadLock,
  bpf_rcu_read_unlock: bpfRcuReadUnlock,
  bpf_task_acquire: bpfTaskAcquire,
  bpf_task_release: bpfTaskRelease,
  bpf_task_from_pid: bpfTaskFromPid,
  bpf_task_from_vpid: bpfTaskFromPid,
  bpf_cgroup_acquire: bpfCgroupAcquire,
  bpf_cgroup_release: bpfCgroupRelease,
  bpf_cgroup_from_id: bpfCgroupFromId,
  bpf_cgroup_ancestor: bpfCgroupAncestor,
  ...ITER_KFUNC_IMPLS,
};

/**
 * Register kfuncs into a kernel: validate each prototype, give the kernel BTF its FUNC (must
 * happen before kernel.btf is first built) and register the implementation under that id.
 * Extra specs (with implementations) let other areas plug in more kfuncs the same way.
 */
export function registerKfuncs(kernel: Kernel, specs: readonly KfuncSpec[], impls: Readonly<Record<string, HelperFn>>): KfuncDef[] {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name) || kernel.kfuncs.byName(s.name)) throw new KfuncError(`kfunc ${s.name} registered twice`);
    seen.add(s.name);
    validateKfunc(s, kernel.types);
    if (!impls[s.name]) throw new KfuncError(`kfunc ${s.name} has no implementation`);
  }
  kernel.addKfuncProtos(specs);
  return specs.map((s) => {
    const def: KfuncDef = { name: s.name, btfId: kernel.kfuncBtfId(s.name), flags: s.flags, proto: s, fn: impls[s.name]! };
    kernel.kfuncs.register(def);
    return def;
  });
}

/** Register the whole KFUNC_TABLE (a no-op returning the existing entries if already done). */
export function registerAllKfuncs(kernel: Kernel): KfuncDef[] {
  const existing = KFUNC_TABLE.map((s) => kernel.kfuncs.byName(s.name));
  if (existing.every((d) => d !== undefined)) return existing as KfuncDef[];
  return registerKfuncs(kernel, KFUNC_TABLE, KFUNC_IMPLS);
}
