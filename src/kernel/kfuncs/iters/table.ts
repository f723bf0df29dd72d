// Prototypes and KF_* flags of the open-coded iterator kfuncs (Linux 6.18: kernel/bpf/helpers.c
// BTF_ID_FLAGS for task, task_vma, css, css_task and bits; the CRIB proposal's v3 for task_file
// and its companions), and their implementations by name.

import type { HelperFn } from '../../helpers/types.js';
import {
  KF_ACQUIRE, KF_ITER_DESTROY, KF_ITER_NEW, KF_ITER_NEXT, KF_RCU, KF_RCU_PROTECTED, KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS,
  type KfuncSpec,
} from '../types.js';
import { iterBits } from './bits.js';
import { iterCss, iterCssTask } from './css.js';
import { iterTask } from './task.js';
import { bpfFgetTask, bpfGetFileOpsType, bpfIterTaskFileGetFd, bpfPutFile, iterTaskFile } from './task-file.js';
import { iterTaskVma } from './task-vma.js';
import type { IterTrioFns } from './handles.js';

const NEXT = KF_ITER_NEXT | KF_RET_NULL;

/** new/next/destroy specs of one iterator type. */
function trio(type: string, newFlags: number, newArgs: [string, string][], nextRet: string): KfuncSpec[] {
  const it: [string, string] = ['it', `struct bpf_iter_${type} *`];
  return [
    { name: `bpf_iter_${type}_new`, ret: 'int', args: [it, ...newArgs], flags: KF_ITER_NEW | newFlags },
    { name: `bpf_iter_${type}_next`, ret: nextRet, args: [it], flags: NEXT },
    { name: `bpf_iter_${type}_destroy`, ret: 'void', args: [it], flags: KF_ITER_DESTROY },
  ];
}

export const ITER_KFUNC_TABLE: readonly KfuncSpec[] = [
  ...trio('task_vma', KF_RCU, [['task', 'struct task_struct *'], ['addr', 'u64']], 'struct vm_area_struct *'),
  ...trio('css_task', KF_TRUSTED_ARGS, [['css', 'struct cgroup_subsys_state *'], ['flags', 'unsigned int']], 'struct task_struct *'),
  ...trio('task', KF_TRUSTED_ARGS | KF_RCU_PROTECTED, [['task__nullable', 'struct task_struct *'], ['flags', 'unsigned int']], 'struct task_struct *'),
  ...trio('css', KF_TRUSTED_ARGS | KF_RCU_PROTECTED, [['start', 'struct cgroup_subsys_state *'], ['flags', 'unsigned int']], 'struct cgroup_subsys_state *'),
  ...trio('bits', 0, [['unsafe_ptr__ign', 'const u64 *'], ['nr_words', 'u32']], 'int *'),
  ...trio('task_file', KF_TRUSTED_ARGS, [['task', 'struct task_struct *']], 'struct file *'),
  { name: 'bpf_iter_task_file_get_fd', ret: 'int', args: [['it__iter', 'struct bpf_iter_task_file *']], flags: 0 },
  { name: 'bpf_fget_task', ret: 'struct file *', args: [['task', 'struct task_struct *'], ['fd', 'unsigned int']], flags: KF_ACQUIRE | KF_TRUSTED_ARGS | KF_RET_NULL },
  { name: 'bpf_put_file', ret: 'void', args: [['file', 'struct file *']], flags: KF_RELEASE },
  { name: 'bpf_get_file_ops_type', ret: 'unsigned int', args: [['file', 'struct file *']], flags: KF_TRUSTED_ARGS },
];

function trioImpls(type: string, fns: IterTrioFns): Record<string, HelperFn> {
  return { [`bpf_iter_${type}_new`]: fns.new, [`bpf_iter_${type}_next`]: fns.next, [`bpf_iter_${type}_destroy`]: fns.destroy };
}

export const ITER_KFUNC_IMPLS: Readonly<Record<string, HelperFn>> = {
  ...trioImpls('task_vma', iterTaskVma),
  ...trioImpls('css_task', iterCssTask),
  ...trioImpls('task', iterTask),
  ...trioImpls('css', iterCss),
  ...trioImpls('bits', iterBits),
  ...trioImpls('task_file', iterTaskFile),
  bpf_iter_task_file_get_fd: bpfIterTaskFileGetFd,
  bpf_fget_task: bpfFgetTask,
  bpf_put_file: bpfPutFile,
  bpf_get_file_ops_type: bpfGetFileOpsType,
};
