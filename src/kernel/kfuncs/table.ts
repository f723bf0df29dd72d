// The kfunc table as data: prototypes (in the kernel BTF's type-string syntax) and KF_* flags as
// Linux 6.18 registers them (BTF_ID_FLAGS in kernel/bpf/helpers.c, kernel/bpf/bpf_iter.c). The
// kernel BTF builder turns each entry into a FUNC; the implementations live beside (iter-num.ts,
// task.ts). Iterator kfunc trios for other types plug in by adding entries here plus their
// implementation.

import { ITER_KFUNC_TABLE } from './iters/table.js';
import { KF_ACQUIRE, KF_ITER_DESTROY, KF_ITER_NEW, KF_ITER_NEXT, KF_RCU, KF_RELEASE, KF_RET_NULL, type KfuncSpec } from './types.js';

export const KFUNC_TABLE: readonly KfuncSpec[] = [
  // open-coded numeric iterator
  { name: 'bpf_iter_num_new', ret: 'int', args: [['it', 'struct bpf_iter_num *'], ['start', 'int'], ['end', 'int']], flags: KF_ITER_NEW },
  { name: 'bpf_iter_num_next', ret: 'int *', args: [['it', 'struct bpf_iter_num *']], flags: KF_ITER_NEXT | KF_RET_NULL },
  { name: 'bpf_iter_num_destroy', ret: 'void', args: [['it', 'struct bpf_iter_num *']], flags: KF_ITER_DESTROY },
  // RCU read-side sections (sleepable programs)
  { name: 'bpf_rcu_read_lock', ret: 'void', args: [], flags: 0 },
  { name: 'bpf_rcu_read_unlock', ret: 'void', args: [], flags: 0 },
  // task references
  { name: 'bpf_task_acquire', ret: 'struct task_struct *', args: [['p', 'struct task_struct *']], flags: KF_ACQUIRE | KF_RCU | KF_RET_NULL },
  { name: 'bpf_task_release', ret: 'void', args: [['p', 'struct task_struct *']], flags: KF_RELEASE },
  { name: 'bpf_task_from_pid', ret: 'struct task_struct *', args: [['pid', 's32']], flags: KF_ACQUIRE | KF_RET_NULL },
  { name: 'bpf_task_from_vpid', ret: 'struct task_struct *', args: [['vpid', 's32']], flags: KF_ACQUIRE | KF_RET_NULL },
  // cgroup references
  { name: 'bpf_cgroup_acquire', ret: 'struct cgroup *', args: [['cgrp', 'struct cgroup *']], flags: KF_ACQUIRE | KF_RCU | KF_RET_NULL },
  { name: 'bpf_cgroup_release', ret: 'void', args: [['cgrp', 'struct cgroup *']], flags: KF_RELEASE },
  { name: 'bpf_cgroup_from_id', ret: 'struct cgroup *', args: [['cgid', 'u64']], flags: KF_ACQUIRE | KF_RET_NULL },
  { name: 'bpf_cgroup_ancestor', ret: 'struct cgroup *', args: [['cgrp', 'struct cgroup *'], ['level', 'int']], flags: KF_ACQUIRE | KF_RCU | KF_RET_NULL },
  // open-coded iterators over tasks, VMAs, cgroups, bits and files (src/kernel/kfuncs/iters)
  ...ITER_KFUNC_TABLE,
];
