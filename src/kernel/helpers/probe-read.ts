// bpf_probe_read_{kernel,user}[_str], the compat bpf_probe_read[_str], bpf_copy_from_user[_task].
//
// Fault behaviour is Linux's (mm/maccess.c, kernel/trace/bpf_trace.c): on any fault the
// destination is zeroed and the helper returns an error. Kernel reads of an address in the user
// half or the non-canonical hole fail with -ERANGE (copy_from_kernel_nofault_allowed), other
// unmapped kernel addresses with -EFAULT; user reads go through the current task's address space
// and fail with -EFAULT. The _str variants return the length copied including the NUL, and when
// the string does not fit copy size-1 bytes plus a NUL and return size.

import { EFAULT, EINVAL, ERANGE } from '../errno.js';
import type { Task } from '../world/objects.js';
import { UNINIT_MEM, defineHelper } from './define.js';
import type { CallEnv, HelperImpl } from './types.js';
import { neg, off, u32, zeroDst } from './util.js';

/** TASK_SIZE_MAX on x86-64 with 4-level paging: the user half ends one page below 1 << 47. */
export const TASK_SIZE_MAX = (1n << 47n) - 4096n;
/** Lowest canonical kernel address (48-bit virtual addresses). */
const KERNEL_HALF = 0xffff800000000000n;

/** User-half and non-canonical addresses are refused before any access is tried. */
function kernelRangeError(src: bigint): boolean {
  return BigInt.asUintN(64, src) < KERNEL_HALF;
}

/** copy_from_kernel_nofault into dst; 0 or -errno (dst zeroed on error). */
export function probeReadKernel(env: CallEnv, dst: bigint, size: number, src: bigint): number {
  if (size === 0) return 0;
  const mem = env.kernel.mem;
  let err: number;
  if (kernelRangeError(src)) err = ERANGE;
  else if (!mem.readable(src, size)) err = EFAULT;
  else {
    mem.copy(off(env, dst), mem.toOff(src), size);
    return 0;
  }
  zeroDst(env, dst, size);
  return -err;
}

/** strncpy_from_kernel_nofault semantics; returns bytes incl. NUL or -errno (dst zeroed). */
export function probeReadKernelStr(env: CallEnv, dst: bigint, size: number, src: bigint): number {
  if (size === 0) return 0;
  const mem = env.kernel.mem;
  const dOff = off(env, dst);
  if (kernelRangeError(src)) {
    zeroDst(env, dst, size);
    return -ERANGE;
  }
  const sOff = mem.toOff(src);
  if (sOff < 0 || !mem.readable(src, 1)) {
    zeroDst(env, dst, size);
    return -EFAULT;
  }
  // bytes readable from src before the end of what was ever mapped
  const avail = mem.highWater - sOff;
  const u8 = mem.u8;
  let n = 0;
  while (n < size && n < avail && u8[sOff + n] !== 0) n++;
  if (n < size && n >= avail) {
    // ran into unmapped memory before finding the NUL
    zeroDst(env, dst, size);
    return -EFAULT;
  }
  if (n === size) {
    mem.copy(dOff, sOff, size - 1);
    mem.writeU8(dOff + size - 1, 0);
    return size;
  }
  mem.copy(dOff, sOff, n);
  mem.writeU8(dOff + n, 0);
  return n + 1;
}

function userSpace(task: Task) {
  return task.mm?.user;
}

/** copy_from_user_nofault of the current task; 0 or -EFAULT (dst zeroed). */
export function probeReadUser(env: CallEnv, dst: bigint, size: number, src: bigint, task: Task = env.kernel.current): number {
  if (size === 0) return 0;
  const bytes = BigInt.asUintN(64, src) < TASK_SIZE_MAX ? userSpace(task)?.read(BigInt.asUintN(64, src), size) : null;
  if (!bytes) {
    zeroDst(env, dst, size);
    return -EFAULT;
  }
  env.kernel.mem.writeBytes(off(env, dst), bytes);
  return 0;
}

/** strncpy_from_user_nofault of the current task. */
export function probeReadUserStr(env: CallEnv, dst: bigint, size: number, src: bigint): number {
  if (size === 0) return 0;
  const a = BigInt.asUintN(64, src);
  const s = a < TASK_SIZE_MAX ? userSpace(env.kernel.current)?.readString(a, size) : null;
  if (!s) {
    zeroDst(env, dst, size);
    return -EFAULT;
  }
  const mem = env.kernel.mem;
  const dOff = off(env, dst);
  if (s.length >= size) {
    mem.writeBytes(dOff, s.subarray(0, size - 1));
    mem.writeU8(dOff + size - 1, 0);
    return size;
  }
  mem.writeBytes(dOff, s);
  mem.writeU8(dOff + s.length, 0);
  return s.length + 1;
}

const isUserAddr = (p: bigint): boolean => BigInt.asUintN(64, p) < TASK_SIZE_MAX;
const READ_ARGS = [UNINIT_MEM, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'] as const;

export const probeReadHelpers: HelperImpl[] = [
  defineHelper('probe_read_kernel', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) => BigInt(probeReadKernel(env, r1, u32(r2), r3)), { gplOnly: true }),
  defineHelper('probe_read_kernel_str', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) => BigInt(probeReadKernelStr(env, r1, u32(r2), r3)), { gplOnly: true }),
  defineHelper('probe_read_user', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) => BigInt(probeReadUser(env, r1, u32(r2), r3)), { gplOnly: true }),
  defineHelper('probe_read_user_str', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) => BigInt(probeReadUserStr(env, r1, u32(r2), r3)), { gplOnly: true }),
  // the compat helpers pick the address space from the address, as on x86-64
  defineHelper('probe_read', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) =>
    BigInt(isUserAddr(r3) ? probeReadUser(env, r1, u32(r2), r3) : probeReadKernel(env, r1, u32(r2), r3)), { gplOnly: true }),
  defineHelper('probe_read_str', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) =>
    BigInt(isUserAddr(r3) ? probeReadUserStr(env, r1, u32(r2), r3) : probeReadKernelStr(env, r1, u32(r2), r3)), { gplOnly: true }),
  defineHelper('copy_from_user', 'RET_INTEGER', READ_ARGS, (env, r1, r2, r3) => BigInt(probeReadUser(env, r1, u32(r2), r3)), { mightSleep: true }),
  defineHelper('copy_from_user_task', 'RET_INTEGER', [...READ_ARGS, { type: 'ARG_PTR_TO_BTF_ID', btf: 'struct task_struct' }, 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    if (r5 !== 0n) return neg(EINVAL);
    const size = u32(r2);
    if (size === 0) return 0n;
    const task = env.kernel.taskByPtr(r4);
    if (!task) {
      zeroDst(env, r1, size);
      return neg(EFAULT);
    }
    return BigInt(probeReadUser(env, r1, size, r3, task));
  }, { gplOnly: true, mightSleep: true }),
];
