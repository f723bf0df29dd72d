// Typed errors of the ISA layer: callers (loader, verifier, CLI) show them to users, so each
// names where the problem is (an 8-byte slot for binary input, a line for assembly text).

/** Bad binary instruction: unknown opcode, reserved field in use, truncated ld_imm64, ... */
export class IsaError extends Error {
  override readonly name = 'IsaError';
  constructor(
    /** slot index (8-byte unit) of the offending instruction, -1 when not slot-specific */
    readonly slot: number,
    readonly reason: string,
  ) {
    super(slot >= 0 ? `insn ${slot}: ${reason}` : reason);
  }
}

/** Bad assembly text. */
export class AsmError extends Error {
  override readonly name = 'AsmError';
  constructor(
    /** 1-based line number in the source text */
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}
