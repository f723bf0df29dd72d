// bpf_iter_task_{new,next,destroy} (kernel/bpf/task_iter.c): walk processes or threads.
//
// ALL_PROCS starts at init_task (the idle task, pid 0) and follows the task list (thread-group
// leaders in creation order); ALL_THREADS does the same and, for each process, every thread on
// its thread list; PROC_THREADS walks the thread list from the given task (not necessarily the
// leader) to its end. The sequence is taken when the iterator is created.

import { EINVAL } from '../../errno.js';
import type { Kernel } from '../../kernel.js';
import type { Task } from '../../world/objects.js';
import { iterTrio, listCursor } from './handles.js';

// enum bpf_iter_task_type
export const BPF_TASK_ITER_ALL_PROCS = 0;
export const BPF_TASK_ITER_ALL_THREADS = 1;
export const BPF_TASK_ITER_PROC_THREADS = 2;

/** The task list: init_task, then every live thread-group leader in creation order. */
export function taskList(kernel: Kernel): Task[] {
  return [kernel.initTask, ...kernel.tasks.filter((t) => t.isLeader && !t.exited)];
}

function threadsOf(p: Task): Task[] {
  const l = p.leader.threads.length ? p.leader.threads : [p.leader];
  return l.filter((t) => !t.exited);
}

/** The tasks bpf_iter_task_new(it, task, flags) yields, or -EINVAL. */
export function taskIterSequence(kernel: Kernel, task: Task | undefined, flags: number): Task[] | number {
  switch (flags) {
    case BPF_TASK_ITER_ALL_PROCS:
      return taskList(kernel);
    case BPF_TASK_ITER_ALL_THREADS:
      return taskList(kernel).flatMap(threadsOf);
    case BPF_TASK_ITER_PROC_THREADS: {
      if (!task) return -EINVAL;
      const threads = threadsOf(task);
      const i = threads.indexOf(task);
      return i < 0 ? [task] : threads.slice(i);
    }
    default:
      return -EINVAL;
  }
}

export const iterTask = iterTrio('task', 24, (env, _st, taskPtr, flags) => {
  const task = taskPtr === 0n ? undefined : env.kernel.taskByPtr(taskPtr);
  if (taskPtr !== 0n && !task) return -EINVAL;
  const seq = taskIterSequence(env.kernel, task, Number(BigInt.asUintN(32, flags)));
  return typeof seq === 'number' ? seq : listCursor(seq.map((t) => t.ptr));
});
