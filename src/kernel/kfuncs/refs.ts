// Reference-taking kfuncs for tasks and cgroups, and the RCU read-side markers.
//
// The simulation never frees tasks or cgroups while programs run, so acquiring is checking that
// the object exists; references are counted per kernel so tests can assert nothing leaked.

import type { Kernel } from '../kernel.js';
import type { HelperFn } from '../helpers/types.js';

export interface RefCounts {
  tasks: number;
  cgroups: number;
  /** bpf_rcu_read_lock nesting depth */
  rcuDepth: number;
}

const counts = new WeakMap<Kernel, RefCounts>();

/** Outstanding references taken through the kfuncs (acquire minus release). */
export function kfuncRefs(kernel: Kernel): RefCounts {
  let c = counts.get(kernel);
  if (!c) counts.set(kernel, (c = { tasks: 0, cgroups: 0, rcuDepth: 0 }));
  return c;
}

export const bpfRcuReadLock: HelperFn = (env) => {
  kfuncRefs(env.kernel).rcuDepth++;
  return 0n;
};

export const bpfRcuReadUnlock: HelperFn = (env) => {
  const c = kfuncRefs(env.kernel);
  if (c.rcuDepth > 0) c.rcuDepth--;
  return 0n;
};

export const bpfTaskAcquire: HelperFn = (env, p) => {
  const task = env.kernel.taskByPtr(p);
  if (!task) return 0n;
  kfuncRefs(env.kernel).tasks++;
  return task.ptr;
};

export const bpfTaskRelease: HelperFn = (env) => {
  kfuncRefs(env.kernel).tasks--;
  return 0n;
};

/** pid in the initial pid namespace (the simulation has only that one, so vpid == pid). */
export const bpfTaskFromPid: HelperFn = (env, pid) => {
  const task = env.kernel.taskByPid(Number(BigInt.asIntN(32, pid)));
  if (!task) return 0n;
  kfuncRefs(env.kernel).tasks++;
  return task.ptr;
};

export const bpfCgroupAcquire: HelperFn = (env, cgrp) => {
  const cg = env.kernel.cgroupByPtr(cgrp);
  if (!cg) return 0n;
  kfuncRefs(env.kernel).cgroups++;
  return cg.ptr;
};

export const bpfCgroupRelease: HelperFn = (env) => {
  kfuncRefs(env.kernel).cgroups--;
  return 0n;
};

export const bpfCgroupFromId: HelperFn = (env, cgid) => {
  const id = BigInt.asUintN(64, cgid);
  const cg = env.kernel.cgroups.find((c) => c.id === id);
  if (!cg) return 0n;
  kfuncRefs(env.kernel).cgroups++;
  return cg.ptr;
};

/** bpf_cgroup_ancestor(cgrp, level): the ancestor at `level` (root is 0), referenced; NULL if deeper than cgrp. */
export const bpfCgroupAncestor: HelperFn = (env, cgrp, level) => {
  const cg = env.kernel.cgroupByPtr(cgrp);
  const l = Number(BigInt.asIntN(32, level));
  if (!cg || l < 0 || l > cg.level) return 0n;
  let a = cg;
  while (a.level > l && a.parent) a = a.parent;
  kfuncRefs(env.kernel).cgroups++;
  return a.ptr;
};
