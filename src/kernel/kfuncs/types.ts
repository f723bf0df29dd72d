// Kfuncs: kernel functions programs call by BTF id (`call` with src = BPF_PSEUDO_KFUNC_CALL).
// Each has a BTF prototype (FUNC in the kernel BTF) and KF_* flags the verifier acts on.

import type { FuncSpec } from '../btf/types.js';
import type { HelperFn } from '../helpers/types.js';

// include/linux/btf.h (Linux 6.18); bit 3 (the old KF_KPTR_GET) is unused
export const KF_ACQUIRE = 1 << 0;
export const KF_RELEASE = 1 << 1;
export const KF_RET_NULL = 1 << 2;
export const KF_TRUSTED_ARGS = 1 << 4;
export const KF_SLEEPABLE = 1 << 5;
export const KF_DESTRUCTIVE = 1 << 6;
export const KF_RCU = 1 << 7;
export const KF_ITER_NEW = 1 << 8;
export const KF_ITER_NEXT = 1 << 9;
export const KF_ITER_DESTROY = 1 << 10;
export const KF_RCU_PROTECTED = 1 << 11;
export const KF_FASTCALL = 1 << 12;
export const KF_ARENA_RET = 1 << 13;
export const KF_ARENA_ARG1 = 1 << 14;
export const KF_ARENA_ARG2 = 1 << 15;

export const KF_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [KF_ACQUIRE, 'KF_ACQUIRE'], [KF_RELEASE, 'KF_RELEASE'], [KF_RET_NULL, 'KF_RET_NULL'],
  [KF_TRUSTED_ARGS, 'KF_TRUSTED_ARGS'], [KF_SLEEPABLE, 'KF_SLEEPABLE'], [KF_DESTRUCTIVE, 'KF_DESTRUCTIVE'],
  [KF_RCU, 'KF_RCU'], [KF_ITER_NEW, 'KF_ITER_NEW'], [KF_ITER_NEXT, 'KF_ITER_NEXT'],
  [KF_ITER_DESTROY, 'KF_ITER_DESTROY'], [KF_RCU_PROTECTED, 'KF_RCU_PROTECTED'], [KF_FASTCALL, 'KF_FASTCALL'],
  [KF_ARENA_RET, 'KF_ARENA_RET'], [KF_ARENA_ARG1, 'KF_ARENA_ARG1'], [KF_ARENA_ARG2, 'KF_ARENA_ARG2'],
];
export const KF_ALL = KF_FLAG_NAMES.reduce((m, [b]) => m | b, 0);
export const KF_ITER_MASK = KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY;

/** `KF_ACQUIRE | KF_RET_NULL` style rendering. */
export function kfFlagsToString(flags: number): string {
  const parts = KF_FLAG_NAMES.filter(([b]) => flags & b).map(([, n]) => n);
  return parts.length ? parts.join(' | ') : '0';
}

/** A kfunc as data: its BTF prototype (type strings, e.g. 'struct task_struct *') and flags. */
export interface KfuncSpec extends FuncSpec {
  flags: number;
}

/** A registered kfunc. */
export interface KfuncDef {
  name: string;
  /** id of its FUNC in kernel.btf */
  btfId: number;
  flags: number;
  /** the prototype the BTF FUNC was built from */
  proto: KfuncSpec;
  fn: HelperFn;
}

export class KfuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KfuncError';
  }
}
