// bpf_iter_task_vma_{new,next,destroy} (kernel/bpf/task_iter.c): a task's VMAs in address
// order, starting with the first one that ends above `addr` (vma_iter_init + vma_next).

import { EINVAL, ENOENT } from '../../errno.js';
import { iterTrio, listCursor } from './handles.js';

export const iterTaskVma = iterTrio('task_vma', 8, (env, _st, taskPtr, addr) => {
  const task = env.kernel.taskByPtr(taskPtr);
  if (!task) return -EINVAL;
  // a kernel thread has no mm: the kernel returns -ENOENT
  if (!task.mm) return -ENOENT;
  const a = BigInt.asUintN(64, addr);
  const vmas = [...task.mm.vmas].sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0)).filter((v) => v.end > a);
  return listCursor(vmas.map((v) => v.ptr));
});
