// src/interp: the reference semantics of eBPF programs (see machine.ts for the design).
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
