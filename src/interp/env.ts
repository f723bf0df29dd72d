// What the interpreter needs from the simulated kernel, stated structurally so this stage only
// depends on the shape (the real `Kernel` from src/kernel/kernel.ts satisfies it).
import type { KernelMemory } from '../kernel/memory.js';
import type { ProgType } from '../verifier/verified-program.js';

/** The helper calling convention (CONTRACTS.md): five 64-bit arguments, one 64-bit result. */
export type HelperFnLike = (env: InterpCallEnv, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export interface InterpKernel {
  mem: KernelMemory;
  helpers: { get(id: number): { proto: { name: string }; fn: unknown } | undefined };
  kfuncs: { byBtfId(id: number): { name: string; fn: unknown } | undefined };
}

/**
 * The CallEnv handed to helpers and kfuncs (CONTRACTS.md, "Helpers"). `callback` runs a BPF
 * callback subprogram (bpf_loop, bpf_for_each_map_elem, ...) on the calling program's engine;
 * `tailCall` arms a tail call that takes effect when the calling helper returns.
 */
export interface InterpCallEnv {
  kernel: InterpKernel;
  ctxPtr: bigint;
  progType: ProgType;
  callback(funcPtr: bigint, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint;
  tailCall(progArrayMap: bigint, index: bigint | number): boolean;
  [extra: string]: unknown;
}
