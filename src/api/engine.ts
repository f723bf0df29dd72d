// The engines behind Program.run: one interface, so the API and the CLI never care which runs.
import type { Kernel } from '../kernel/index.js';
import type { VerifiedProgram } from '../verifier/verified-program.js';
import { Interpreter } from '../interp/index.js';
import type { JitTier } from '../../jit/index.js';

export type EngineName = 'interp' | 'jit';

export interface EngineRunOptions {
  ctxPtr: bigint;
  /** r2 at entry (the conformance protocol passes the memory length there) */
  r2?: bigint;
  repeat: number;
  packet?: Uint8Array;
  env?: Record<string, unknown>;
}

export interface EngineRunResult {
  retval: bigint;
  durationNs: number;
}

export interface Engine {
  readonly name: EngineName;
  run(opts: EngineRunOptions): EngineRunResult;
  dispose(): void;
}

export interface EngineContext {
  kernel: Kernel;
  resolveTailCall(progArrayPtr: bigint, index: number): VerifiedProgram | undefined;
}

export function createInterpEngine(vp: VerifiedProgram, ctx: EngineContext): Engine {
  const it = new Interpreter(vp, ctx.kernel, { resolveTailCall: ctx.resolveTailCall });
  return {
    name: 'interp',
    run: (o) => it.run({ ctxPtr: o.ctxPtr, r2: o.r2, repeat: o.repeat, packet: o.packet, env: o.env }),
    dispose: () => it.dispose(),
  };
}

/** The engine a caller asked for; the JIT is imported only when used (binaryen costs ~0.4 s to load). */
export async function createEngine(name: EngineName, vp: VerifiedProgram, ctx: EngineContext, opts: { tier?: JitTier } = {}): Promise<Engine> {
  if (name === 'interp') return createInterpEngine(vp, ctx);
  const { compile } = await import('../../jit/index.js');
  const jp = await compile(vp, ctx.kernel, { resolveTailCall: ctx.resolveTailCall, tier: opts.tier });
  return {
    name: 'jit',
    run: (o) => jp.run({ ctxPtr: o.ctxPtr, r2: o.r2, repeat: o.repeat, packet: o.packet, env: o.env }),
    dispose: () => jp.dispose(),
  };
}
