// Helper prototypes in the kernel's own vocabulary (include/linux/bpf.h: enum bpf_arg_type,
// enum bpf_return_type, enum bpf_type_flag). The verifier reads these to type-check calls; the
// engines call `fn`. Names are the kernel's so a verifier log line can be compared with Linux's.

import type { Kernel } from '../kernel.js';
import type { SeqFile } from '../seq.js';

/** Base argument types (enum bpf_arg_type, without flag bits). */
export type ArgType =
  | 'ARG_DONTCARE'
  | 'ARG_ANYTHING'
  | 'ARG_CONST_MAP_PTR'
  | 'ARG_PTR_TO_MAP_KEY'
  | 'ARG_PTR_TO_MAP_VALUE'
  | 'ARG_PTR_TO_MEM'
  | 'ARG_PTR_TO_UNINIT_MEM'
  | 'ARG_PTR_TO_FIXED_SIZE_MEM'
  | 'ARG_CONST_SIZE'
  | 'ARG_CONST_SIZE_OR_ZERO'
  | 'ARG_CONST_ALLOC_SIZE_OR_ZERO'
  | 'ARG_PTR_TO_CTX'
  | 'ARG_PTR_TO_CTX_OR_NULL'
  | 'ARG_PTR_TO_FUNC'
  | 'ARG_PTR_TO_STACK'
  | 'ARG_PTR_TO_STACK_OR_NULL'
  | 'ARG_PTR_TO_CONST_STR'
  | 'ARG_PTR_TO_SPIN_LOCK'
  | 'ARG_PTR_TO_BTF_ID'
  | 'ARG_PTR_TO_BTF_ID_OR_NULL'
  | 'ARG_PTR_TO_BTF_ID_SOCK_COMMON'
  | 'ARG_PTR_TO_PERCPU_BTF_ID'
  | 'ARG_PTR_TO_ALLOC_MEM'
  | 'ARG_PTR_TO_RINGBUF_MEM'
  | 'ARG_PTR_TO_MAP_VALUE_OR_NULL'
  | 'ARG_PTR_TO_TIMER'
  | 'ARG_PTR_TO_KPTR'
  | 'ARG_PTR_TO_DYNPTR'
  | 'ARG_PTR_TO_LONG'
  | 'ARG_PTR_TO_INT'
  | 'ARG_PTR_TO_SOCKET'
  | 'ARG_PTR_TO_SOCK_COMMON';

/** Return types (enum bpf_return_type, flags folded in the kernel's `_OR_NULL` names). */
export type RetType =
  | 'RET_INTEGER'
  | 'RET_VOID'
  | 'RET_PTR_TO_MAP_VALUE'
  | 'RET_PTR_TO_MAP_VALUE_OR_NULL'
  | 'RET_PTR_TO_SOCKET_OR_NULL'
  | 'RET_PTR_TO_TCP_SOCK_OR_NULL'
  | 'RET_PTR_TO_SOCK_COMMON_OR_NULL'
  | 'RET_PTR_TO_RINGBUF_MEM_OR_NULL'
  | 'RET_PTR_TO_DYNPTR_MEM_OR_NULL'
  | 'RET_PTR_TO_MEM_OR_BTF_ID'
  | 'RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL'
  | 'RET_PTR_TO_BTF_ID'
  | 'RET_PTR_TO_BTF_ID_OR_NULL'
  | 'RET_PTR_TO_BTF_ID_TRUSTED';

/**
 * Type flag bits (enum bpf_type_flag), combined with a base type the way the kernel writes
 * `ARG_PTR_TO_MEM | MEM_RDONLY`. The bit positions follow the kernel's order above
 * BPF_BASE_TYPE_BITS (8).
 */
export const BPF_BASE_TYPE_BITS = 8;
export const PTR_MAYBE_NULL = 1 << (0 + BPF_BASE_TYPE_BITS);
export const MEM_RDONLY = 1 << (1 + BPF_BASE_TYPE_BITS);
export const MEM_RINGBUF = 1 << (2 + BPF_BASE_TYPE_BITS);
export const MEM_USER = 1 << (3 + BPF_BASE_TYPE_BITS);
export const MEM_PERCPU = 1 << (4 + BPF_BASE_TYPE_BITS);
export const OBJ_RELEASE = 1 << (5 + BPF_BASE_TYPE_BITS);
export const PTR_UNTRUSTED = 1 << (6 + BPF_BASE_TYPE_BITS);
export const MEM_UNINIT = 1 << (7 + BPF_BASE_TYPE_BITS);
export const DYNPTR_TYPE_LOCAL = 1 << (8 + BPF_BASE_TYPE_BITS);
export const DYNPTR_TYPE_RINGBUF = 1 << (9 + BPF_BASE_TYPE_BITS);
export const MEM_FIXED_SIZE = 1 << (10 + BPF_BASE_TYPE_BITS);
export const MEM_ALLOC = 1 << (11 + BPF_BASE_TYPE_BITS);
export const PTR_TRUSTED = 1 << (12 + BPF_BASE_TYPE_BITS);
export const MEM_RCU = 1 << (13 + BPF_BASE_TYPE_BITS);
export const NON_OWN_REF = 1 << (14 + BPF_BASE_TYPE_BITS);
export const DYNPTR_TYPE_SKB = 1 << (15 + BPF_BASE_TYPE_BITS);
export const DYNPTR_TYPE_XDP = 1 << (16 + BPF_BASE_TYPE_BITS);
export const MEM_ALIGNED = 1 << (17 + BPF_BASE_TYPE_BITS);
export const MEM_WRITE = 1 << (18 + BPF_BASE_TYPE_BITS);

export const TYPE_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [PTR_MAYBE_NULL, 'PTR_MAYBE_NULL'],
  [MEM_RDONLY, 'MEM_RDONLY'],
  [MEM_RINGBUF, 'MEM_RINGBUF'],
  [MEM_USER, 'MEM_USER'],
  [MEM_PERCPU, 'MEM_PERCPU'],
  [OBJ_RELEASE, 'OBJ_RELEASE'],
  [PTR_UNTRUSTED, 'PTR_UNTRUSTED'],
  [MEM_UNINIT, 'MEM_UNINIT'],
  [DYNPTR_TYPE_LOCAL, 'DYNPTR_TYPE_LOCAL'],
  [DYNPTR_TYPE_RINGBUF, 'DYNPTR_TYPE_RINGBUF'],
  [MEM_FIXED_SIZE, 'MEM_FIXED_SIZE'],
  [MEM_ALLOC, 'MEM_ALLOC'],
  [PTR_TRUSTED, 'PTR_TRUSTED'],
  [MEM_RCU, 'MEM_RCU'],
  [NON_OWN_REF, 'NON_OWN_REF'],
  [DYNPTR_TYPE_SKB, 'DYNPTR_TYPE_SKB'],
  [DYNPTR_TYPE_XDP, 'DYNPTR_TYPE_XDP'],
  [MEM_ALIGNED, 'MEM_ALIGNED'],
  [MEM_WRITE, 'MEM_WRITE'],
];

/** `ARG_PTR_TO_MEM | MEM_RDONLY` style rendering of a type with flags. */
export function typeWithFlags(base: string, flags: number): string {
  const parts = [base];
  for (const [bit, name] of TYPE_FLAG_NAMES) if (flags & bit) parts.push(name);
  return parts.join(' | ');
}

export interface HelperProto {
  /** BPF_FUNC_* number (the `imm` of `call imm`) */
  id: number;
  /** name without the `bpf_` prefix, as in `BPF_FUNC_<name>` */
  name: string;
  ret: RetType;
  /** flags on the return type (e.g. MEM_RDONLY on RET_PTR_TO_MEM_OR_BTF_ID) */
  retFlags?: number;
  /** RET_PTR_TO_BTF_ID*: the kernel type pointed to, e.g. 'struct task_struct' */
  retBtfType?: string;
  /** RET_PTR_TO_MEM / ringbuf: fixed size of the returned memory when known */
  retSize?: number;
  /** up to 5 arguments; unused trailing args are omitted (ARG_DONTCARE) */
  args: ArgType[];
  /** per-argument flag bits (MEM_RDONLY, PTR_MAYBE_NULL, MEM_UNINIT, MEM_WRITE, MEM_ALIGNED...) */
  argFlags: number[];
  /** per-argument BTF type for ARG_PTR_TO_BTF_ID*, e.g. 'struct task_struct' */
  argBtfTypes?: (string | undefined)[];
  /** per-argument size for ARG_PTR_TO_FIXED_SIZE_MEM */
  argSizes?: (number | undefined)[];
  gplOnly?: boolean;
  /** the helper may sleep: only sleepable programs may call it (copy_from_user...) */
  mightSleep?: boolean;
  /** the helper reads or writes packet data: packet pointers are invalidated after the call */
  changesPktData?: boolean;
}

export interface CallEnv {
  kernel: Kernel;
  /** address of the program's context */
  ctxPtr: bigint;
  progType: string;
  /** expected attach type when it matters (iter programs are 'tracing' + 'trace_iter') */
  attachType?: string;
  /** runs a BPF callback subprogram at `funcPtr` (bpf_loop, for_each_map_elem); returns its r0 */
  callback(funcPtr: bigint, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint;
  /** the engine switches to prog_array[index]; false when there is no program there */
  tailCall(progArrayMap: bigint, index: number): boolean;
  /** the seq_file of an iterator program run */
  seq?: SeqFile;
  /** bpf_get_attach_cookie() value for this run */
  attachCookie?: bigint;
  /** bpf_get_func_ip() value for this run */
  funcIp?: bigint;
  /** fentry/fexit: number of arguments of the traced function (bpf_get_func_arg_cnt) */
  funcArgCnt?: number;
  /** the program is sleepable (bpf_copy_from_user may fault in pages) */
  sleepable?: boolean;
}

export type HelperFn = (env: CallEnv, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export interface HelperImpl {
  proto: HelperProto;
  fn: HelperFn;
  /** whether a program of this type (and expected attach type) may call the helper in 6.18 */
  allowedIn(progType: string, attachType?: string): boolean;
}
