// What a program type brings: the context the program receives in r1, which context accesses
// are legal (the kernel's is_valid_access), how loads are rewritten (convert_ctx_access), and how
// BPF_PROG_TEST_RUN builds a context and packet and reports them back.

import type { KernelMemory } from '../memory.js';

/**
 * BPF_PROG_TYPE_* names in lower case without the prefix, as the loader names them.
 * (Iterators, tp_btf and fentry are all 'tracing' with different expected attach types.)
 */
export type ProgType =
  | 'socket_filter'
  | 'kprobe'
  | 'sched_cls'
  | 'sched_act'
  | 'tracepoint'
  | 'xdp'
  | 'perf_event'
  | 'cgroup_skb'
  | 'raw_tracepoint'
  | 'raw_tracepoint_writable'
  | 'tracing'
  | 'syscall'
  | 'lsm';

/**
 * What a context load produces after rewriting:
 * - plain: a scalar read from ctx at realOff (same bytes the UAPI field holds)
 * - packet / packet_end / packet_meta: PTR_TO_PACKET, PTR_TO_PACKET_END, PTR_TO_PACKET_META
 * - sock_common_or_null: PTR_TO_SOCK_COMMON_OR_NULL (__sk_buff->sk)
 * - btf_ptr: a pointer to a kernel object typed by BTF (iterator ctx members, tracing args)
 * - btf_ptr_or_null: same, may be NULL (bpf_iter__* members other than meta)
 * - rdonly_buf_or_null / rdwr_buf_or_null: PTR_TO_BUF | PTR_MAYBE_NULL (bpf_map_elem key/value)
 */
export type CtxAccessKind =
  | 'plain'
  | 'packet'
  | 'packet_end'
  | 'packet_meta'
  | 'sock_common_or_null'
  | 'btf_ptr'
  | 'btf_ptr_or_null'
  | 'rdonly_buf_or_null'
  | 'rdwr_buf_or_null';

export interface CtxAccess {
  kind: CtxAccessKind;
  /** offset in the context block where the engine really loads/stores */
  realOff: number;
  /** size of the real load/store (8 for the packet pointers behind u32 UAPI fields) */
  realSize: number;
  /** the UAPI field accessed, for verifier messages */
  field: string;
  /** btf_ptr*: the kernel type pointed to, e.g. 'struct task_struct' */
  btfType?: string;
}

export interface CtxField {
  name: string;
  off: number;
  size: number;
  /**
   * 'narrow': any aligned 1/2/4/8-byte read inside the field (bpf_ctx_narrow_access_ok);
   * 'exact': only a read of the whole field; undefined: not readable.
   */
  read?: 'narrow' | 'exact';
  /** 'any': aligned writes of any size inside the field (cb[]); 'exact': whole field only. */
  write?: 'any' | 'exact';
  kind?: CtxAccessKind;
  /** where the value really lives when not at `off` (the hidden 64-bit packet pointers) */
  real?: { off: number; size: number };
  btfType?: string;
}

export interface TestRunInput {
  /** BPF_PROG_TEST_RUN ctx_in */
  ctxIn?: Uint8Array;
  /** BPF_PROG_TEST_RUN data_in (the packet for skb/xdp programs) */
  dataIn?: Uint8Array;
}

export interface TestRunOutput {
  /** ctx_out (for syscall programs the updated ctx_in, as Linux copies it back there) */
  ctxOut?: Uint8Array;
  dataOut?: Uint8Array;
}

export interface PreparedRun {
  /** the value the program gets in r1 */
  ctxPtr: bigint;
  /** offset of the context block in kernel memory */
  ctxOff: number;
  /** packet bounds while running (packet programs) */
  packet?: { dataOff: number; dataEndOff: number; dataMetaOff: number };
  /** collect ctx_out / data_out after the run; frees the buffers */
  finish(): TestRunOutput;
  /** free the buffers without collecting anything */
  release(): void;
}

export interface ProgTypeDef {
  type: ProgType;
  /** expected attach type when the definition is specific to one ('trace_iter', 'trace_raw_tp') */
  attachType?: string;
  /** size of the context the verifier bounds accesses by */
  ctxSize: number;
  /**
   * Values R0 may hold at exit (the kernel's check_return_code); undefined = anything.
   * Checked against 6.18: iterators and cgroup_skb ingress [0, 1], cgroup_skb egress [0, 3].
   */
  retRange?: readonly [number, number];
  /** the context is plain read/write memory of ctxSize bytes (syscall programs: PTR_TO_MEM-like) */
  ctxIsMem?: boolean;
  fields: readonly CtxField[];
  /** null when the access is invalid ("invalid bpf_context access off=.. size=..") */
  convertCtxAccess(off: number, size: number, isWrite: boolean): CtxAccess | null;
  isValidAccess(off: number, size: number, isWrite: boolean): boolean;
  /** helper ids this program type may call (its get_func_proto) */
  helpers(): ReadonlySet<number>;
  /** build the context (and packet) for one BPF_PROG_TEST_RUN-style run */
  prepareRun(mem: KernelMemory, input?: TestRunInput): PreparedRun;
}

export class ProgTypeError extends Error {
  /** errno BPF_PROG_TEST_RUN would fail with (positive), e.g. 22 for EINVAL */
  readonly errno: number;
  constructor(errno: number, message: string) {
    super(message);
    this.name = 'ProgTypeError';
    this.errno = errno;
  }
}
