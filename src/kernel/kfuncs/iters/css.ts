// bpf_iter_css_{new,next,destroy} (kernel/bpf/cgroup_iter.c) and bpf_iter_css_task_* (task_iter.c).
//
// Every controller's css is the cgroup's own (a cgroup v2 view), so a css pointer is the
// cgroup's `self` member; we also follow css->cgroup for any other css.

import { EINVAL } from '../../errno.js';
import type { Kernel } from '../../kernel.js';
import type { Cgroup } from '../../world/objects.js';
import { iterTrio, listCursor } from './handles.js';

// enum bpf_cgroup_iter_order
export const BPF_CGROUP_ITER_ORDER_UNSPEC = 0;
export const BPF_CGROUP_ITER_SELF_ONLY = 1;
export const BPF_CGROUP_ITER_DESCENDANTS_PRE = 2;
export const BPF_CGROUP_ITER_DESCENDANTS_POST = 3;
export const BPF_CGROUP_ITER_ANCESTORS_UP = 4;

// include/linux/cgroup.h
export const CSS_TASK_ITER_PROCS = 1 << 0;
export const CSS_TASK_ITER_THREADED = 1 << 1;

/** The cgroup a css pointer belongs to. */
export function cgroupOfCss(kernel: Kernel, css: bigint): Cgroup | undefined {
  const direct = kernel.cgroupByPtr(css - BigInt(kernel.types.offsetof('cgroup', 'self')));
  if (direct) return direct;
  const off = kernel.mem.toOff(css);
  if (off < 0 || !kernel.mem.readableOff(off, 8)) return undefined;
  return kernel.cgroupByPtr(kernel.mem.readU64(off + kernel.types.offsetof('cgroup_subsys_state', 'cgroup')));
}

/** Address of a cgroup's own css (&cgrp->self). */
export function cssOf(kernel: Kernel, cg: Cgroup): bigint {
  return cg.ptr + BigInt(kernel.types.offsetof('cgroup', 'self'));
}

export const ORDER_NAMES: Readonly<Record<number, 'self' | 'pre' | 'post' | 'up'>> = {
  [BPF_CGROUP_ITER_SELF_ONLY]: 'self',
  [BPF_CGROUP_ITER_DESCENDANTS_PRE]: 'pre',
  [BPF_CGROUP_ITER_DESCENDANTS_POST]: 'post',
  [BPF_CGROUP_ITER_ANCESTORS_UP]: 'up',
};

export const iterCss = iterTrio('css', 24, (env, _st, start, flags) => {
  const f = Number(BigInt.asUintN(32, flags));
  // the open-coded iterator accepts only the three walks (SELF_ONLY is the iter/cgroup's)
  if (f !== BPF_CGROUP_ITER_DESCENDANTS_PRE && f !== BPF_CGROUP_ITER_DESCENDANTS_POST && f !== BPF_CGROUP_ITER_ANCESTORS_UP) return -EINVAL;
  const cg = cgroupOfCss(env.kernel, start);
  if (!cg) return -EINVAL;
  return listCursor(env.kernel.world.cgroupWalk(cg, ORDER_NAMES[f]!).map((c) => cssOf(env.kernel, c)));
});

export const iterCssTask = iterTrio('css_task', 8, (env, _st, css, flags) => {
  const f = Number(BigInt.asUintN(32, flags));
  if (f !== 0 && f !== CSS_TASK_ITER_PROCS && f !== (CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED)) return -EINVAL;
  const cg = cgroupOfCss(env.kernel, css);
  if (!cg) return -EINVAL;
  const tasks = env.kernel.world.tasksInCgroup(cg).filter((t) => !(f & CSS_TASK_ITER_PROCS) || t.isLeader);
  return listCursor(tasks.map((t) => t.ptr));
});
