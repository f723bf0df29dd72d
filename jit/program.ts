// compile(): VerifiedProgram -> one instantiated WebAssembly module, and JitProgram.run() with
// the interpreter's run surface (src/interp/interpreter.ts), so the public API can swap engines.
//
// Run-time conventions are the interpreter's (src/interp/index.ts): MAX_CALL_FRAMES frames of
// STACK_FRAME_STRIDE bytes zeroed at each run, may_goto counter per frame, at most 33 tail calls,
// helpers and kfuncs with unsigned 64-bit BigInt arguments, BpfRuntimeError for faults.
import { KERNEL_BASE } from '../src/kernel/memory.js';
import { decodeProgram, type DecodedProgram } from '../src/interp/decode.js';
import type { HelperFnLike, InterpCallEnv, InterpKernel } from '../src/interp/env.js';
import { BpfRuntimeError } from '../src/interp/errors.js';
import { slotOfFuncPtr } from '../src/interp/funcptr.js';
import { MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT, STACK_FRAME_STRIDE, type PacketSource } from '../src/interp/machine.js';
import type { VerifiedProgram } from '../src/verifier/verified-program.js';
import { loadBinaryen, type Binaryen } from './binaryen.js';
import { emitModule, SHARED_REGS, TRAP_CALL_DEPTH, TRAP_INSN_LIMIT, type CallPlan, type EmitStats } from './emit.js';
import { JitError } from './errors.js';
import { wasm, type WasmGlobal, type WasmInstance } from './wasm.js';

const BPF_FUNC_MAP_LOOKUP_ELEM = 1;
const BPF_FUNC_TAIL_CALL = 12;
const ENOENT = 2;

/** What the JIT needs from the kernel: the interpreter's view plus map lookup by address. */
export interface JitKernel extends InterpKernel {
  maps?: { mapByPtr(ptr: bigint): unknown };
}

export type JitTier = 'baseline' | 'optimized';

export interface JitOptions {
  /** Resolves bpf_tail_call targets, as InterpreterOptions.resolveTailCall. */
  resolveTailCall?: (progArrayMap: bigint, index: number) => VerifiedProgram | undefined;
  /** Extra CallEnv fields for helpers. */
  env?: Record<string, unknown>;
  /**
   * 'baseline' (default): V8 compiles with Liftoff first and tiers hot functions up in the
   * background. 'optimized': compile every function with TurboFan before the first run
   * (costs compile time; see README of jit/).
   */
  tier?: JitTier;
  /** Run Binaryen's optimizer (default: below 20k instructions and no irreducible function). */
  optimize?: boolean;
  /** 'dispatch': compile every function as a dispatch loop (testing the irreducible fallback). */
  structure?: 'auto' | 'dispatch';
  /** Inline hot kfuncs/helpers (bpf_iter_num_*, array map lookups); default true. */
  inline?: boolean;
  /** Split functions over `insns` instructions into groups (default DEFAULT_SPLIT of emit.ts). */
  split?: { insns: number; groupInsns: number };
  /** Receives the final (optimized) module as WebAssembly text (bench/jit.ts --dump). */
  dumpText?: (wat: string) => void;
}

export interface JitRunOptions {
  ctxPtr?: bigint;
  r1?: bigint;
  r2?: bigint;
  r3?: bigint;
  r4?: bigint;
  r5?: bigint;
  packet?: Uint8Array | PacketSource;
  repeat?: number;
  env?: Record<string, unknown>;
}

export interface JitRunResult {
  retval: bigint;
  /** mean wall time per run in nanoseconds */
  durationNs: number;
  /** tail calls taken by the last run */
  tailCalls: number;
  /** the JIT does not count instructions; always -1 */
  insnCount: number;
}

export interface JitCompileStats extends EmitStats {
  insns: number;
  /** Binaryen module construction */
  emitMs: number;
  optimizeMs: number;
  /** emitBinary + WebAssembly.Module + Instance */
  wasmMs: number;
  wasmBytes: number;
}

/** State shared by a run and the tail-called programs it enters. */
interface RunState {
  env: InterpCallEnv;
  stackOff: number;
  tailCalls: number;
  packet: PacketSource | undefined;
  /** program and frame depth of the innermost helper call in progress (for callbacks) */
  cur: JitProgram;
  curDepth: number;
  pendingTail: JitProgram | undefined;
  tailDone: number;
}

/** r0-r9 as the interpreter's shared register file sees them across calls (unverified programs). */
const sharedRegs: WasmGlobal[] = SHARED_REGS.map(() => new wasm.Global({ value: 'i64', mutable: true }, 0n));

type WasmFn = (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, fp: bigint, depth: number) => bigint;

function packetSource(p: Uint8Array): PacketSource {
  return (off, size) => {
    if (off + size > p.length) return undefined;
    if (size === 1) return p[off]!;
    if (size === 2) return (p[off]! << 8) | p[off + 1]!;
    return ((p[off]! << 24) | (p[off + 1]! << 16) | (p[off + 2]! << 8) | p[off + 3]!) >>> 0;
  };
}

export class JitProgram {
  readonly stats: JitCompileStats;
  private readonly d: DecodedProgram;
  private readonly fns = new Map<number, WasmFn>();
  private readonly callFns: (HelperFnLike | undefined)[] = [];
  private readonly stackOff: number;
  private readonly envBase: Record<string, unknown>;
  private state: RunState;
  private readonly targets = new Map<VerifiedProgram, JitProgram>();

  /** Use compile(); the constructor needs Binaryen already loaded. */
  constructor(
    readonly program: VerifiedProgram,
    readonly kernel: JitKernel,
    private readonly b: Binaryen,
    private readonly opts: JitOptions = {},
  ) {
    const t0 = performance.now();
    this.d = decodeProgram(program);
    const m = new b.Module();
    let emitted: EmitStats;
    try {
      m.setFeatures(b.Features.MVP | b.Features.MutableGlobals | b.Features.SignExt | b.Features.BulkMemory | b.Features.NontrappingFPToInt | b.Features.Multivalue);
      emitted = emitModule(b, m, { d: this.d, verified: program.verified, structure: opts.structure, split: opts.split, planCall: (slot, r1) => this.planCall(slot, r1) });
      const t1 = performance.now();
      // Binaryen's passes are superlinear on huge functions and dispatch loops; V8 optimizes anyway
      if (opts.optimize ?? (program.insns.length < 20_000 && emitted.irreducible === 0)) {
        b.setOptimizeLevel(2);
        b.setShrinkLevel(0);
        m.optimize();
      }
      const optimizeMs = performance.now() - t1;
      const emitMs = t1 - t0;
      const t2 = performance.now();
      opts.dumpText?.(m.emitText());
      const bytes = m.emitBinary();
      const mod = compileWasm(bytes, opts.tier ?? 'baseline');
      const inst = new wasm.Instance(mod, { env: this.imports() });
      this.collectExports(inst);
      const wasmMs = performance.now() - t2;
      this.stats = { ...emitted, insns: program.insns.length, emitMs, optimizeMs, wasmMs, wasmBytes: bytes.length };
    } catch (e) {
      if (e instanceof JitError) throw e;
      throw new JitError(`cannot compile program: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      m.dispose();
    }
    this.stackOff = kernel.mem.alloc(MAX_CALL_FRAMES * STACK_FRAME_STRIDE, 16);
    this.envBase = { ...(opts.env ?? {}) };
    const env: InterpCallEnv = {
      ...this.envBase,
      kernel,
      ctxPtr: 0n,
      progType: program.progType,
      callback: (f, a1, a2, a3, a4, a5) => this.callback(f, a1, a2, a3, a4, a5),
      tailCall: (map, idx) => this.armTailCall(map, idx),
    };
    this.state = { env, stackOff: this.stackOff, tailCalls: 0, packet: undefined, cur: this, curDepth: 0, pendingTail: undefined, tailDone: 0 };
  }

  private collectExports(inst: WasmInstance): void {
    for (const [name, v] of Object.entries(inst.exports)) {
      if (name.startsWith('f') && typeof v === 'function') this.fns.set(Number(name.slice(1)), v as WasmFn);
    }
  }

  /** How to lower the call at `slot` (inline fast paths, else a host import). */
  private planCall(slot: number, r1Const: bigint | undefined): CallPlan {
    const d = this.d;
    const id = d.imm[slot]!;
    const inline = this.opts.inline ?? true;
    if (d.src[slot] === 2) {
      const name = this.kernel.kfuncs.byBtfId(id)?.name;
      if (inline && name === 'bpf_iter_num_new') return { kind: 'iter_num_new' };
      if (inline && name === 'bpf_iter_num_next') return { kind: 'iter_num_next' };
      if (inline && name === 'bpf_iter_num_destroy') return { kind: 'iter_num_destroy' };
      return { kind: 'ext' };
    }
    const h = this.kernel.helpers.get(id);
    if (id === BPF_FUNC_TAIL_CALL) return { kind: 'tail' };
    if (inline && id === BPF_FUNC_MAP_LOOKUP_ELEM && r1Const !== undefined && h !== undefined && /map_lookup_elem$/.test(h.proto.name)) {
      const map = this.kernel.maps?.mapByPtr(r1Const) as
        | { type?: number; percpu?: boolean; base?: number; valueStride?: number; maxEntries?: number; valueOffset?: unknown }
        | undefined;
      if (map !== undefined && map.type === 2 && map.percpu === false && typeof map.valueOffset === 'function' && typeof map.base === 'number' && typeof map.valueStride === 'number' && typeof map.maxEntries === 'number') {
        return { kind: 'array_lookup', base: map.base, stride: map.valueStride, maxEntries: map.maxEntries };
      }
    }
    return { kind: 'ext' };
  }

  // ---- imports -----------------------------------------------------------------------------

  private imports(): Record<string, unknown> {
    const mem = this.kernel.mem;
    const globals: Record<string, unknown> = {};
    if (!this.program.verified) SHARED_REGS.forEach((r) => (globals[`g${r}`] = sharedRegs[r]));
    return {
      ...globals,
      memory: mem.memory,
      ext: (slot: number, depth: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint => this.ext(slot, depth, r1, r2, r3, r4, r5),
      tailcall: (slot: number, depth: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, fp: bigint): bigint => {
        const st = this.state;
        st.tailDone = 0;
        const r0 = this.ext(slot, depth, r1, r2, r3, r4, r5);
        const t = st.pendingTail;
        if (t === undefined) return r0;
        st.pendingTail = undefined;
        st.tailDone = 1;
        // the target replaces this program in the same frame (r10), with a fresh may_goto budget
        return t.enter(st, r1, r2, r3, r4, r5, fp, depth);
      },
      tail_done: (): number => {
        const v = this.state.tailDone;
        this.state.tailDone = 0;
        return v;
      },
      fault: (slot: number, addr: bigint, size: number, write: number): never => {
        const a = BigInt.asUintN(64, addr);
        throw new BpfRuntimeError('bad-access', slot, `invalid ${write ? 'write' : 'read'} of ${size} bytes at 0x${a.toString(16)}`, a);
      },
      trap: (slot: number, kind: number): never => {
        if (kind === TRAP_CALL_DEPTH) throw new BpfRuntimeError('call-depth', slot, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
        if (kind === TRAP_INSN_LIMIT) throw new BpfRuntimeError('insn-limit', slot, 'loop budget of the JIT exhausted (unverified program)');
        const d = this.d;
        if (slot >= d.n) throw new BpfRuntimeError('pc-out-of-range', slot, d.invalid.get(d.n) ?? 'jump outside the program');
        throw new BpfRuntimeError('invalid-insn', slot, d.invalid.get(slot) ?? `invalid opcode 0x${d.op[slot]!.toString(16)}`);
      },
      ldabs: (off: number, size: number): number => {
        const p = this.state.packet;
        if (off < 0 || p === undefined) return -1;
        const v = p(off, size as 1 | 2 | 4);
        return v === undefined ? -1 : v;
      },
    };
  }

  private ext(slot: number, depth: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint {
    let fn = this.callFns[slot];
    if (fn === undefined) {
      fn = this.resolveCall(slot);
      this.callFns[slot] = fn;
    }
    const st = this.state;
    const prevCur = st.cur;
    const prevDepth = st.curDepth;
    st.cur = this;
    st.curDepth = depth;
    let v: bigint;
    try {
      v = fn(st.env, BigInt.asUintN(64, r1), BigInt.asUintN(64, r2), BigInt.asUintN(64, r3), BigInt.asUintN(64, r4), BigInt.asUintN(64, r5));
    } catch (e) {
      if (e instanceof BpfRuntimeError) throw e;
      // a trap inside a callback this helper ran is the program's fault, not the helper's
      if (e instanceof Error && e.name === 'RuntimeError') throw toRuntimeError(e);
      const d = this.d;
      const id = d.imm[slot]!;
      const what = d.src[slot] === 2 ? `kfunc ${this.kernel.kfuncs.byBtfId(id)?.name ?? id}` : `helper ${this.kernel.helpers.get(id)?.proto.name ?? id}`;
      throw new BpfRuntimeError('helper-error', slot, `${what} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
    } finally {
      st.cur = prevCur;
      st.curDepth = prevDepth;
    }
    return typeof v === 'bigint' ? v : BigInt(v as number);
  }

  private resolveCall(slot: number): HelperFnLike {
    const d = this.d;
    const id = d.imm[slot]!;
    if (d.src[slot] === 2) {
      const k = this.kernel.kfuncs.byBtfId(id);
      if (k === undefined) throw new BpfRuntimeError('unknown-kfunc', slot, `call to unknown kfunc (btf id ${id})`);
      return k.fn as HelperFnLike;
    }
    const h = this.kernel.helpers.get(id);
    if (h !== undefined) return h.fn as HelperFnLike;
    if (id === BPF_FUNC_TAIL_CALL) return (env, _ctx, map, index) => (env.tailCall(map, index) ? 0n : BigInt(-ENOENT));
    throw new BpfRuntimeError('unknown-helper', slot, `call to unknown helper ${id}`);
  }

  /** CallEnv.callback: run the subprogram at `funcPtr` as a new frame above the helper's caller. */
  private callback(funcPtr: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
    const st = this.state;
    const prog = st.cur;
    const slot = slotOfFuncPtr(funcPtr);
    const f = slot >= 0 && prog.d.subprogStart[slot] === 1 ? prog.fns.get(slot) : undefined;
    if (f === undefined) {
      throw new BpfRuntimeError('bad-callback', -1, `callback address 0x${BigInt.asUintN(64, funcPtr).toString(16)} is no subprogram`);
    }
    const depth = st.curDepth + 1;
    if (depth >= MAX_CALL_FRAMES) throw new BpfRuntimeError('call-depth', slot, `callback exceeds ${MAX_CALL_FRAMES} frames`);
    const fp = KERNEL_BASE + BigInt(st.stackOff + (depth + 1) * STACK_FRAME_STRIDE);
    const saveCur = st.cur;
    const saveDepth = st.curDepth;
    try {
      return BigInt.asUintN(64, f(a1, a2, a3, a4, a5, fp, depth));
    } finally {
      st.cur = saveCur;
      st.curDepth = saveDepth;
    }
  }

  private armTailCall(progArrayMap: bigint, index: bigint | number): boolean {
    const resolve = this.opts.resolveTailCall;
    const st = this.state;
    if (resolve === undefined) return false;
    const idx = Number(BigInt.asUintN(32, BigInt(index)));
    const vp = resolve(BigInt.asUintN(64, progArrayMap), idx);
    if (vp === undefined) return false;
    if (st.tailCalls >= MAX_TAIL_CALL_CNT) return false;
    st.tailCalls++;
    let t = this.targets.get(vp);
    if (t === undefined) {
      t = vp === this.program ? this : new JitProgram(vp, this.kernel, this.b, { ...this.opts, tier: 'baseline' });
      this.targets.set(vp, t);
    }
    st.pendingTail = t;
    return true;
  }

  /** Enter this program's main function as a tail-call target inside another program's run. */
  private enter(st: RunState, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, fp: bigint, depth: number): bigint {
    const saved = this.state;
    this.state = st;
    try {
      return this.fns.get(0)!(r1, r2, r3, r4, r5, fp, depth);
    } finally {
      this.state = saved;
    }
  }

  // ---- running -----------------------------------------------------------------------------

  run(opts: JitRunOptions = {}): JitRunResult {
    const st = this.state;
    const main = this.fns.get(0)!;
    const mem = this.kernel.mem;
    const repeat = Math.max(1, Math.floor(opts.repeat ?? 1));
    const ctx = opts.ctxPtr ?? 0n;
    const env = st.env;
    env.ctxPtr = ctx;
    if (opts.env !== undefined) Object.assign(env, opts.env);
    st.packet = opts.packet === undefined ? undefined : opts.packet instanceof Uint8Array ? packetSource(opts.packet) : opts.packet;
    const fp0 = KERNEL_BASE + BigInt(this.stackOff + STACK_FRAME_STRIDE);
    const r1 = opts.r1 ?? ctx;
    const r2 = opts.r2 ?? 0n;
    const r3 = opts.r3 ?? 0n;
    const r4 = opts.r4 ?? 0n;
    const r5 = opts.r5 ?? 0n;
    let r0 = 0n;
    let total = 0;
    try {
      for (let k = 0; k < repeat; k++) {
        mem.refreshViews();
        mem.u8.fill(0, this.stackOff, this.stackOff + MAX_CALL_FRAMES * STACK_FRAME_STRIDE);
        st.tailCalls = 0;
        st.pendingTail = undefined;
        st.cur = this;
        st.curDepth = 0;
        if (!this.program.verified) for (const g of sharedRegs) g.value = 0n;
        const t0 = process.hrtime.bigint();
        r0 = main(r1, r2, r3, r4, r5, fp0, 0);
        total += Number(process.hrtime.bigint() - t0);
      }
    } catch (e) {
      throw toRuntimeError(e);
    } finally {
      mem.refreshViews();
      if (opts.env !== undefined) for (const key of Object.keys(opts.env)) if (!(key in this.envBase)) delete env[key];
    }
    return { retval: BigInt.asUintN(64, r0), durationNs: total / repeat, tailCalls: st.tailCalls, insnCount: -1 };
  }

  /** Give the stack area back to the kernel memory. */
  dispose(): void {
    this.kernel.mem.free(this.stackOff);
    for (const t of this.targets.values()) if (t !== this) t.dispose();
    this.targets.clear();
  }
}

/**
 * wasm traps become typed errors. Verified programs carry no explicit bounds checks (DESIGN.md:
 * the linear memory is the sandbox), so an access outside the memory is wasm's own trap
 * ("memory access out of bounds"): it becomes the interpreter's 'bad-access', but without the
 * pc or the address (pc = -1, address undefined), which the trap does not carry. Other traps
 * (stack overflow from runaway recursion etc.) are 'invalid-insn' at pc -1.
 */
export function toRuntimeError(e: unknown): unknown {
  if (e instanceof BpfRuntimeError) return e;
  if (e instanceof Error && (e.name === 'RuntimeError' || e instanceof RangeError)) {
    if (/out of bounds/.test(e.message) && !/table/.test(e.message)) {
      return new BpfRuntimeError('bad-access', -1, `invalid memory access (wasm trap: ${e.message}; the JIT does not know the pc)`, undefined, { cause: e });
    }
    return new BpfRuntimeError('invalid-insn', -1, `wasm trap: ${e.message}`, undefined, { cause: e });
  }
  return e;
}

let setV8Flags: ((flags: string) => void) | undefined;

/**
 * V8 cannot switch tiers inside a running wasm loop (no OSR for wasm), so a long first call runs
 * in Liftoff code. 'optimized' compiles this module with TurboFan up front by disabling Liftoff
 * just for this WebAssembly.Module (the flag is read at compile time; Binaryen's own wasm keeps
 * Liftoff).
 */
function compileWasm(bytes: Uint8Array, tier: JitTier): unknown {
  if (tier !== 'optimized' || setV8Flags === undefined) return new wasm.Module(bytes);
  setV8Flags('--no-liftoff');
  setV8Flags('--no-wasm-lazy-compilation');
  try {
    return new wasm.Module(bytes);
  } finally {
    setV8Flags('--liftoff');
    setV8Flags('--wasm-lazy-compilation');
  }
}

/** Compile a verified program to WebAssembly (loads Binaryen on first use). */
export async function compile(vp: VerifiedProgram, kernel: JitKernel, opts: JitOptions = {}): Promise<JitProgram> {
  const b = await loadBinaryen();
  if (opts.tier === 'optimized' && setV8Flags === undefined) {
    try {
      setV8Flags = (await import('node:v8')).setFlagsFromString;
    } catch {
      // not Node: the engine picks its own tiers
    }
  }
  return new JitProgram(vp, kernel, b, opts);
}

/** Synchronous compile once Binaryen is loaded (`await loadBinaryen()` first). */
export function compileSync(vp: VerifiedProgram, kernel: JitKernel, b: Binaryen, opts: JitOptions = {}): JitProgram {
  return new JitProgram(vp, kernel, b, opts);
}


