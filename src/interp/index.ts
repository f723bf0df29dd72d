// src/interp: the reference semantics of eBPF programs (see machine.ts for the loop's design).
//
// Run-time conventions both engines share (the JIT imports these constants):
// - Stack: MAX_CALL_FRAMES frames, STACK_FRAME_STRIDE bytes apart in kernel memory; r10 of frame
//   k is the top of its 512-byte MAX_BPF_STACK. Each run starts with zeroed stacks.
// - bpf-to-bpf calls get a fresh frame; the caller's r6-r10 are restored on exit; r1-r5 pass
//   the arguments; at most MAX_CALL_FRAMES frames (callback frames count).
// - Function addresses (ld_imm64 BPF_PSEUDO_FUNC) are FUNC_PTR_BASE + slot * 8 (funcptr.ts).
//   CallEnv.callback runs one on top of the calling helper's frame; called outside a run (an
//   asynchronous callback) it runs as frame 0 of the program the last run started with.
// - may_goto: a hidden per-frame counter set to BPF_MAX_LOOPS on frame entry (and on tail-call
//   entry); a may_goto jumps when it is 0 and otherwise decrements it, as the kernel's counting
//   rewrite does. (x86-64 Linux JITs a *timed* may_goto instead: it stops after ~250 ms.)
// - Tail calls: at most MAX_TAIL_CALL_CNT (33) per run; the target replaces the running program
//   in the same frame and registers; targets come from InterpreterOptions.resolveTailCall.
// - Helpers and kfuncs receive their five arguments as unsigned 64-bit BigInts; their result is
//   r0 (wrapped to 64 bits). A throwing helper becomes BpfRuntimeError('helper-error').
//   CallEnv.callback returns the callback's r0, also unsigned.
// - Memory: pointers are KERNEL_BASE + linear offset; anything else, the NULL guard and past the
//   end fault: probe loads (VerifiedProgram.probeLoad) read 0, other accesses throw
//   BpfRuntimeError('bad-access') with pc and address. Nothing outside the linear memory is ever
//   touched.
// - Division follows Linux: x/0 = 0, x%0 = x (32-bit: zero-extended), INT_MIN s/ -1 = INT_MIN,
//   x s% -1 = 0. Shift counts are masked (& 63 / & 31). 32-bit results zero-extend.
// - RunResult.retval is r0 as an unsigned 64-bit value (BPF_PROG_TEST_RUN shows its low half).
export { Interpreter, runProgram } from './interpreter.js';
export type { InterpreterOptions, RunOptions, RunResult } from './interpreter.js';
export { trustInsns, subprogStarts } from './trust.js';
export { BpfRuntimeError } from './errors.js';
export type { BpfRuntimeErrorKind } from './errors.js';
export { FUNC_PTR_BASE, funcPtrOf, slotOfFuncPtr } from './funcptr.js';
export { BPF_MAX_LOOPS, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT, STACK_FRAME_SIZE, STACK_FRAME_STRIDE } from './machine.js';
export type { PacketSource } from './machine.js';
export type { InterpKernel, InterpCallEnv, HelperFnLike } from './env.js';
export { decodeProgram } from './decode.js';
export type { DecodedProgram } from './decode.js';
export { div32, div64, mod32, mod64 } from './alu.js';
export { warmUpInterpreter } from './warmup.js';
