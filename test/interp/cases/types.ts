// Instruction-level cases, shared by the interpreter tests, the JIT tests and the host-kernel
// comparison suite: each is a complete program in the verifier-log assembly syntax (src/isa
// `assemble`) and the r0 it must return, as Linux 6.18 computes it.

export interface InterpCase {
  name: string;
  /** the program; must pass the Linux verifier as a socket filter (no uninitialised reads) */
  asm: string;
  /** expected r0 at exit; compared as an unsigned 64-bit value */
  expect: bigint;
  /**
   * Input bytes (hex), as bpf_conformance passes them: a copy in kernel memory at r1, its length
   * in r2; also the packet that LD_ABS / LD_IND read (the socket filter's skb data after the
   * Ethernet header when run in Linux).
   */
  mem?: string;
  /**
   * What a comparison with the host kernel can check: 'full' (default: low half through
   * BPF_PROG_TEST_RUN's u32 retval, high half by wrapping the program as a subprogram),
   * 'low32' (the program cannot be wrapped, e.g. it uses LD_ABS), or 'skip' with the reason.
   */
  kernel?: 'full' | 'low32' | { skip: string };
}

/** BigInt as the assembler's 64-bit literal (`0x... ll`). */
export function lit(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)} ll`;
}

export const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const S64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const U32 = (v: bigint): bigint => BigInt.asUintN(32, v);
export const S32 = (v: bigint): bigint => BigInt.asIntN(32, v);
