// The one decoded instruction form used by every stage (DESIGN.md, "Instructions").
//
// A program is an array indexed by 8-byte *slot*, exactly as the kernel indexes it, so jump
// offsets, verifier log line numbers and llvm-objdump addresses all agree. An ld_imm64 occupies
// two slots: the first carries the whole constant (imm = low 32 bits, imm2 = high 32 bits); the
// second slot is kept in the array as the raw second half (code 0) so that indices never shift.

export interface Insn {
  /** opcode byte */
  code: number;
  /** destination register 0..10 */
  dst: number;
  /** source register 0..10 (or a pseudo-source tag for ld_imm64 / call) */
  src: number;
  /** signed 16-bit offset */
  off: number;
  /** signed 32-bit immediate */
  imm: number;
  /** ld_imm64 only: the second slot's imm (high 32 bits of the constant), signed 32-bit */
  imm2?: number;
}

export const isLdImm64 = (insn: Insn): boolean => insn.code === 0x18;

/** The full 64-bit constant of an ld_imm64 (first slot), as an unsigned BigInt. */
export function ldImm64Value(insn: Insn): bigint {
  return (BigInt.asUintN(32, BigInt(insn.imm2 ?? 0)) << 32n) | BigInt.asUintN(32, BigInt(insn.imm));
}
