// Typed run-time failures of the interpreter. A verified program should never raise one except
// through a host-side bug; an unverified program (--unverified) raises them instead of touching
// anything outside the simulated kernel's linear memory.

export type BpfRuntimeErrorKind =
  | 'invalid-insn' // reserved / unknown opcode, unresolved pseudo ld_imm64, bad field
  | 'bad-access' // load or store outside the linear memory (or in its NULL guard)
  | 'unknown-helper'
  | 'unknown-kfunc'
  | 'helper-error' // a helper or kfunc threw (its error is the `cause`)
  | 'call-depth' // more than MAX_CALL_FRAMES nested frames
  | 'bad-callback' // callback pointer that names no subprogram
  | 'insn-limit' // the run exceeded its instruction budget (unverified infinite loops)
  | 'pc-out-of-range'; // control fell off the end of the program

export class BpfRuntimeError extends Error {
  constructor(
    readonly kind: BpfRuntimeErrorKind,
    /** slot index of the faulting instruction in its program */
    readonly pc: number,
    message: string,
    /** the faulting address for 'bad-access' */
    readonly addr?: bigint,
    options?: { cause?: unknown },
  ) {
    super(`pc ${pc}: ${message}`, options);
    this.name = 'BpfRuntimeError';
  }
}
