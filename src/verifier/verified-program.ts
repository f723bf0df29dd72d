// The contract between the verifier (or the --unverified fix-up pass) and the engines
// (src/interp, jit/). See CONTRACTS.md, "src/verifier output".
import type { Insn } from '../isa/insn.js';

/**
 * Program type name as the loader spells it (the kernel's BPF_PROG_TYPE_* minus the prefix,
 * lower case: 'socket_filter', 'xdp', 'syscall', ...). Kept as a plain string alias here so this
 * contract file does not depend on the loader's module layout; the loader's `ProgType` union is
 * assignable to it.
 */
export type ProgType = string;

export interface SubprogInfo {
  start: number;
  /** exclusive slot */
  end: number;
  stackDepth: number;
  name?: string;
}

export interface VerifiedProgram {
  /** rewritten (map addresses, ctx access, may_goto expanded or not) */
  insns: Insn[];
  progType: ProgType;
  /** [0] is the main program */
  subprogs: SubprogInfo[];
  /** per slot: 1 = a load that may fault and then reads 0 (PROBE_MEM) */
  probeLoad: Uint8Array;
  /** per slot: 1 = never reached */
  dead: Uint8Array;
  /** slot -> kernel BTF id of the kfunc called there */
  kfuncs: Map<number, number>;
  /** false when built by the --unverified fix-up pass */
  verified: boolean;
}
