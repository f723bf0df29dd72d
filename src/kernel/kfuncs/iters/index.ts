// Open-coded iterator kfuncs (bpf_iter_<type>_{new,next,destroy}) beyond bpf_iter_num.
export { ITER_KFUNC_IMPLS, ITER_KFUNC_TABLE } from './table.js';
export { defineIterType, type IterTypeDef } from './register.js';
export { iterTrio, listCursor, liveIterators, type IterCursor, type IterOpen, type IterTrioFns } from './handles.js';
export { BPF_TASK_ITER_ALL_PROCS, BPF_TASK_ITER_ALL_THREADS, BPF_TASK_ITER_PROC_THREADS, taskIterSequence, taskList } from './task.js';
export {
  BPF_CGROUP_ITER_ANCESTORS_UP, BPF_CGROUP_ITER_DESCENDANTS_POST, BPF_CGROUP_ITER_DESCENDANTS_PRE, BPF_CGROUP_ITER_ORDER_UNSPEC,
  BPF_CGROUP_ITER_SELF_ONLY, CSS_TASK_ITER_PROCS, CSS_TASK_ITER_THREADED, ORDER_NAMES, cgroupOfCss, cssOf,
} from './css.js';
export { BITS_ITER_NR_WORDS_MAX } from './bits.js';
export {
  FILE_OPS_EVENTFD, FILE_OPS_EVENTPOLL, FILE_OPS_PIPE, FILE_OPS_REGULAR, FILE_OPS_SIGNALFD, FILE_OPS_SOCK, FILE_OPS_TIMERFD,
  FILE_OPS_UNKNOWN, fileOpsType, fileRefCount,
} from './task-file.js';
