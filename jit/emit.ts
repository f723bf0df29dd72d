// BPF -> WebAssembly: one Binaryen function per subprogram, registers as locals, structured
// control flow built from the CFG in linear time (Ramsey, "Beyond Relooper", ICFP 2022) with a
// dispatch loop (`loop` + `br_table` over a label local) for functions whose CFG is irreducible.
//
// Function signature: (r1..r5: i64, fp: i64, depth: i32) -> r0: i64. `fp` is this frame's r10;
// a bpf-to-bpf callee gets fp + STACK_FRAME_STRIDE and depth + 1, exactly the interpreter's frames.
//
// Memory accesses compute the exact 64-bit address and check it with one unsigned compare:
// (addr - (KERNEL_BASE + GUARD_SIZE)) <=u (memory bytes - GUARD_SIZE - size). Failing accesses
// call the `fault` import (a BpfRuntimeError) or, for probe loads, read 0. The check is kept for
// verified programs too (it is what makes a verifier bug harmless); accesses through r10, or a
// register known to hold r10 + k in the same block, that stay inside the 512-byte frame skip it
// when the function never writes r10.
import { GUARD_SIZE, KERNEL_BASE } from '../src/kernel/memory.js';
import { INVALID, type DecodedProgram } from '../src/interp/decode.js';
import { BPF_MAX_LOOPS, STACK_FRAME_SIZE, STACK_FRAME_STRIDE } from '../src/interp/machine.js';
import type { Binaryen, BModule, Expr } from './binaryen.js';
import { buildCfg, type Cfg } from './cfg.js';

/** Kinds for the `trap` import. */
export const TRAP_INVALID = 0;
export const TRAP_CALL_DEPTH = 1;
export const TRAP_INSN_LIMIT = 2;

/** Back-edge budget per function invocation of unverified programs (hang protection). */
export const UNVERIFIED_LOOP_BUDGET = 1_000_000_000;

/** How a call site is lowered. */
export type CallPlan =
  | { kind: 'ext' } // host import
  | { kind: 'tail' } // bpf_tail_call: host import, then maybe run the target
  | { kind: 'iter_num_new' }
  | { kind: 'iter_num_next' }
  | { kind: 'iter_num_destroy' }
  | { kind: 'array_lookup'; base: number; stride: number; maxEntries: number };

export interface EmitInput {
  d: DecodedProgram;
  verified: boolean;
  /** 'dispatch' forces the dispatch loop everywhere (tests of the irreducible fallback) */
  structure?: 'auto' | 'dispatch';
  /** slot -> plan for helper / kfunc call sites (others default to ext) */
  planCall(slot: number, r1Const: bigint | undefined): CallPlan;
  /**
   * Functions over `insns` instructions (memory accesses of unverified programs count 5) are split (V8 rejects functions over ~7.6 MB): a dispatch
   * loop over groups of about `groupInsns` instructions, each group its own wasm function.
   */
  split?: { insns: number; groupInsns: number };
}

export const DEFAULT_SPLIT = { insns: 250_000, groupInsns: 20_000 };

export interface EmitStats {
  functions: number;
  blocks: number;
  irreducible: number;
  /** wasm functions created by splitting huge BPF functions */
  groups: number;
}

// locals
const P_FP = 5;
const P_DEPTH = 6;
const REG = [7, 0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13];
const L_MG = 14;
const L_A = 15;
const L_B = 16;
const L_C = 17;
const L_T = 18;
const L_LBL = 19;
const L_BUDGET = 20;

/** registers passed through globals around bpf-to-bpf calls of unverified programs */
export const SHARED_REGS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const STATE_I64 = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 'sfp'];
const STATE_I32 = ['smg', 'sbud', 'sdep', 'slbl'];

const BASE_GUARD = BigInt.asIntN(64, KERNEL_BASE + BigInt(GUARD_SIZE));

export function fnName(slot: number): string {
  return `f${slot}`;
}

/** Every function the program needs: slot 0, bpf-to-bpf call targets, callback targets. */
export function functionEntries(d: DecodedProgram): number[] {
  const set = new Set<number>([0]);
  for (let i = 0; i < d.n; i++) {
    if (d.subprogStart[i] === 1) set.add(i);
    if (d.op[i] === 0x85 && d.src[i] === 1 && d.tgt[i]! < d.n) set.add(d.tgt[i]!);
  }
  return [...set].sort((a, b) => a - b);
}

export function emitModule(b: Binaryen, m: BModule, inp: EmitInput): EmitStats {
  const i64 = b.i64;
  const i32 = b.i32;
  m.setMemory(1, 65536, null, [], false, false, 'mem');
  m.addMemoryImport('mem', 'env', 'memory');
  m.addFunctionImport('ext', 'env', 'ext', b.createType([i32, i32, i64, i64, i64, i64, i64]), i64);
  m.addFunctionImport('tailcall', 'env', 'tailcall', b.createType([i32, i32, i64, i64, i64, i64, i64, i64]), i64);
  m.addFunctionImport('tail_done', 'env', 'tail_done', b.none, i32);
  m.addFunctionImport('fault', 'env', 'fault', b.createType([i32, i64, i32, i32]), b.none);
  m.addFunctionImport('trap', 'env', 'trap', b.createType([i32, i32]), b.none);
  m.addFunctionImport('ldabs', 'env', 'ldabs', b.createType([i32, i32]), b.f64);
  if (!inp.verified) {
    // the interpreter's register file is shared across bpf-to-bpf calls: a callee starts with the
    // caller's r0 and r6-r9, and the caller sees the callee's r1-r5 after it returns. Verified
    // programs cannot observe either, so only unverified ones pay for passing them in globals.
    // imported: one set for every JIT module, so tail-call targets share them too
    for (const r of SHARED_REGS) m.addGlobalImport(`g${r}`, 'env', `g${r}`, i64, true);
  }
  const stats: EmitStats = { functions: 0, blocks: 0, irreducible: 0, groups: 0 };
  let stateGlobals = false;
  const params = b.createType([i64, i64, i64, i64, i64, i64, i32]);
  const vars = [i64, i64, i64, i64, i64, i64, i64, i32, i64, i64, i64, i32, i32, i32];
  for (const entry of functionEntries(inp.d)) {
    const fe = new FnEmitter(b, m, inp, entry);
    const split = inp.split ?? DEFAULT_SPLIT;
    let body: Expr;
    if (fe.sizeWeight() > split.insns) {
      if (!stateGlobals) {
        // module-internal: the state of a split function between two of its groups
        for (const g of STATE_I64) m.addGlobal(g, i64, true, m.i64.const(0));
        for (const g of STATE_I32) m.addGlobal(g, i32, true, m.i32.const(0));
        stateGlobals = true;
      }
      body = fe.buildSplit(split.groupInsns, vars);
      stats.groups += fe.groups;
    } else {
      body = fe.build();
    }
    m.addFunction(fnName(entry), params, i64, vars, body);
    m.addFunctionExport(fnName(entry), fnName(entry));
    stats.functions++;
    stats.blocks += fe.cfg.blocks.length;
    if (!fe.cfg.reducible) stats.irreducible++;
  }
  return stats;
}

class FnEmitter {
  readonly cfg: Cfg;
  private readonly d: DecodedProgram;
  private readonly writesR10: boolean;
  private dispatch = false;
  /** rpo range of the group being emitted (split functions) */
  private group: { lo: number; hi: number } | undefined;
  groups = 0;
  /** registers known to hold r10 + k in the block being emitted (reg -> k) */
  private sp = new Map<number, number>();

  constructor(
    private readonly b: Binaryen,
    private readonly m: BModule,
    private readonly inp: EmitInput,
    private readonly entry: number,
  ) {
    this.d = inp.d;
    this.cfg = buildCfg(this.d, entry);
    this.writesR10 = this.cfg.blocks.some((bl) => {
      for (let i = bl.start; i <= bl.last && i < this.d.n; i++) if (writesReg(this.d, i) === 10) return true;
      return false;
    });
  }

  // ---- structure -------------------------------------------------------------------------

  build(): Expr {
    const m = this.m;
    const out: Expr[] = [
      m.local.set(REG[10]!, m.local.get(P_FP, this.b.i64)),
      m.local.set(L_MG, m.i32.const(BPF_MAX_LOOPS)),
    ];
    if (!this.inp.verified) {
      out.push(m.local.set(L_BUDGET, m.i32.const(UNVERIFIED_LOOP_BUDGET)));
      for (const r of [0, 6, 7, 8, 9]) out.push(this.set(r, m.global.get(`g${r}`, this.b.i64)));
    }
    const entryId = this.cfg.order[0]!;
    if (this.cfg.reducible && this.inp.structure !== 'dispatch') {
      this.emitTree(entryId, out);
    } else {
      this.dispatch = true;
      out.push(this.buildDispatch());
    }
    out.push(m.unreachable());
    return m.block(null, out, this.b.none);
  }

  insnCount(): number {
    let n = 0;
    for (const bl of this.cfg.blocks) n += bl.last - bl.start + 1;
    return n;
  }

  /**
   * Instructions, with each memory access of an unverified program counted 5 times: its explicit
   * bounds check makes it ~5x the wasm of an ALU instruction (~40 vs ~8 bytes), and the split
   * threshold is about bytes (V8's 7.6 MB per function).
   */
  sizeWeight(): number {
    let n = 0;
    const d = this.d;
    for (const bl of this.cfg.blocks) {
      n += bl.last - bl.start + 1;
      if (this.inp.verified) continue;
      for (let i = bl.start; i <= bl.last && i < d.n; i++) {
        const cls = d.op[i]! & 7;
        if (cls === 0x01 || cls === 0x02 || cls === 0x03) n += 4;
      }
    }
    return n;
  }

  /**
   * A huge function as a dispatch loop over groups of consecutive (rpo) blocks, each group a
   * separate wasm function with its own inner dispatch loop. Between groups the registers,
   * frame pointer, depth and counters live in module globals: written only when a group returns
   * and read when the next one starts, so a bpf-to-bpf call or callback that runs another split
   * function meanwhile (its state is in the caller group's locals) cannot clobber it.
   */
  buildSplit(groupInsns: number, vars: number[]): Expr {
    const m = this.m;
    const b = this.b;
    const i32 = b.i32;
    const order = this.cfg.order;
    this.dispatch = true;
    const per = Math.max(1, Math.floor((order.length * groupInsns) / Math.max(1, this.insnCount())));
    const nGroups = Math.ceil(order.length / per);
    const names: string[] = [];
    const groupVars = [b.i64, b.i64, b.i64, b.i64, b.i64, b.i64, i32, ...vars];
    for (let g = 0; g < nGroups; g++) {
      const lo = g * per;
      const hi = Math.min(order.length, lo + per);
      this.group = { lo, hi };
      const body: Expr[] = [...this.loadState(), m.local.set(L_LBL, m.i32.sub(m.global.get('slbl', i32), m.i32.const(lo))), this.buildDispatch(lo, hi), m.unreachable()];
      const name = `${fnName(this.entry)}_g${g}`;
      m.addFunction(name, b.none, i32, groupVars, m.block(null, body, b.none));
      names.push(name);
    }
    this.group = undefined;
    this.groups = nGroups;
    const out: Expr[] = [m.global.set('sfp', m.local.get(P_FP, b.i64)), m.global.set('s10', m.local.get(P_FP, b.i64))];
    for (const r of [1, 2, 3, 4, 5]) out.push(m.global.set(`s${r}`, this.get(r)));
    for (const r of [0, 6, 7, 8, 9]) out.push(m.global.set(`s${r}`, this.inp.verified ? this.c64(0n) : m.global.get(`g${r}`, b.i64)));
    out.push(
      m.global.set('smg', m.i32.const(BPF_MAX_LOOPS)),
      m.global.set('sbud', m.i32.const(UNVERIFIED_LOOP_BUDGET)),
      m.global.set('sdep', m.local.get(P_DEPTH, i32)),
      m.global.set('slbl', m.i32.const(0)),
    );
    const labels = names.map((_, g) => `G${g}`);
    const lbl = (): Expr => m.global.get('slbl', i32);
    let inner: Expr = this.named(labels[0]!, [m.switch(labels, labels[0]!, m.i32.div_u(lbl(), m.i32.const(per)))]);
    for (let g = 0; g < nGroups; g++) {
      const code: Expr[] = [inner, m.global.set('slbl', m.call(names[g]!, [], i32)), m.br('M')];
      inner = g + 1 < nGroups ? this.named(labels[g + 1]!, code) : m.block(null, code, b.none);
    }
    out.push(m.loop('M', m.block(null, [m.if(m.i32.lt_s(lbl(), m.i32.const(0)), m.return(m.global.get('s0', b.i64))), inner], b.none)), m.unreachable());
    return m.block(null, out, b.none);
  }

  private loadState(): Expr[] {
    const m = this.m;
    const b = this.b;
    const out: Expr[] = [];
    for (let r = 0; r <= 10; r++) out.push(this.set(r, m.global.get(`s${r}`, b.i64)));
    out.push(
      m.local.set(P_FP, m.global.get('sfp', b.i64)),
      m.local.set(P_DEPTH, m.global.get('sdep', b.i32)),
      m.local.set(L_MG, m.global.get('smg', b.i32)),
      m.local.set(L_BUDGET, m.global.get('sbud', b.i32)),
    );
    return out;
  }

  private saveState(): Expr[] {
    const m = this.m;
    const out: Expr[] = [];
    for (let r = 0; r <= 10; r++) out.push(m.global.set(`s${r}`, this.get(r)));
    // fp and depth too: a callee that is split itself has overwritten them meanwhile
    out.push(
      m.global.set('sfp', m.local.get(P_FP, this.b.i64)),
      m.global.set('sdep', m.local.get(P_DEPTH, this.b.i32)),
      m.global.set('smg', m.local.get(L_MG, this.b.i32)),
      m.global.set('sbud', m.local.get(L_BUDGET, this.b.i32)),
    );
    return out;
  }

  /** Return `v` as the BPF function's r0 (from a group: through s0, label -1). */
  private ret(v: Expr): Expr {
    const m = this.m;
    if (this.group === undefined) return m.return(v);
    return m.block(null, [m.global.set('s0', v), m.return(m.i32.const(-1))]);
  }

  /**
   * A named block of type none. Binaryen's Block::finalize scans the whole subtree for branches
   * to a named block when a direct child is unreachable-typed (quadratic for nested blocks), so
   * such children are wrapped in `if (1)`, which is typed none.
   */
  private named(label: string, list: Expr[]): Expr {
    const m = this.m;
    const b = this.b;
    for (let k = 0; k < list.length; k++) {
      if (b.getExpressionType(list[k]!) === b.unreachable) list[k] = m.if(m.i32.const(1), list[k]!);
    }
    return m.block(label, list, b.none);
  }

  private blockLabel(id: number): string {
    return `B${id}`;
  }
  private loopLabel(id: number): string {
    return `L${id}`;
  }

  /** doTree of Ramsey's algorithm; the last merge child continues in this loop (tail position). */
  private emitTree(x: number, out: Expr[]): void {
    const cfg = this.cfg;
    for (;;) {
      let target = out;
      let loopBody: Expr[] | undefined;
      if (cfg.loopHeader[x]) {
        loopBody = [];
        target = loopBody;
        if (!this.inp.verified) target.push(this.budgetCheck(this.cfg.blocks[x]!.start));
      }
      const ys = cfg.domChildren[x]!.filter((c) => cfg.merge[c] === 1).sort((p, q) => cfg.blocks[q]!.rpo - cfg.blocks[p]!.rpo);
      let next = -1;
      if (ys.length === 0) {
        this.emitBlockCode(x, target);
      } else {
        let inner: Expr[] = [];
        this.emitBlockCode(x, inner);
        for (let j = ys.length - 1; j >= 1; j--) {
          const wrapped: Expr[] = [this.named(this.blockLabel(ys[j]!), inner)];
          this.emitTree(ys[j]!, wrapped);
          inner = wrapped;
        }
        target.push(this.named(this.blockLabel(ys[0]!), inner));
        next = ys[0]!;
      }
      if (loopBody !== undefined) {
        // the rest (the outermost merge child) stays inside the loop, as in Ramsey's doTree
        if (next >= 0) {
          this.emitTree(next, loopBody);
          next = -1;
        }
        out.push(this.m.loop(this.loopLabel(x), this.m.block(null, loopBody, this.b.none)));
      }
      if (next < 0) return;
      x = next;
    }
  }

  /** A branch from block x to block y (Ramsey's doBranch). */
  private branch(x: number, y: number, out: Expr[]): void {
    const m = this.m;
    if (this.dispatch) {
      const r = this.cfg.blocks[y]!.rpo;
      const g = this.group;
      if (g !== undefined && (r < g.lo || r >= g.hi)) {
        out.push(...this.saveState(), m.return(m.i32.const(r)));
        return;
      }
      out.push(m.local.set(L_LBL, m.i32.const(r - (g?.lo ?? 0))), m.br('D'));
      return;
    }
    const bx = this.cfg.blocks[x]!;
    const by = this.cfg.blocks[y]!;
    if (by.rpo <= bx.rpo) out.push(m.br(this.loopLabel(y)));
    else if (this.cfg.merge[y]) out.push(m.br(this.blockLabel(y)));
    else this.emitTree(y, out);
  }

  /** Dispatch loop over the blocks order[lo..hi); L_LBL holds rpo - lo. */
  private buildDispatch(lo = 0, hi = this.cfg.order.length): Expr {
    const m = this.m;
    const order = this.cfg.order.slice(lo, hi);
    const labels = order.map((_, k) => `X${k}`);
    // block X0 { br_table } code0; block X1 {...} code1; ...: br X_k runs code_k
    let inner: Expr = this.named(labels[0]!, [m.switch(labels, labels[0]!, m.local.get(L_LBL, this.b.i32))]);
    for (let k = 0; k < order.length; k++) {
      const code: Expr[] = [inner];
      this.emitBlockCode(order[k]!, code);
      inner = k + 1 < order.length ? this.named(labels[k + 1]!, code) : m.block(null, code, this.b.none);
    }
    const body = this.inp.verified ? inner : m.block(null, [this.budgetCheck(this.cfg.blocks[order[0]!]!.start), inner], this.b.none);
    if (this.group !== undefined) return m.loop('D', body);
    return m.block(null, [m.local.set(L_LBL, m.i32.const(0)), m.loop('D', body)], this.b.none);
  }

  private budgetCheck(slot: number): Expr {
    const m = this.m;
    return m.block(null, [
      m.local.set(L_BUDGET, m.i32.sub(m.local.get(L_BUDGET, this.b.i32), m.i32.const(1))),
      m.if(m.i32.eqz(m.local.get(L_BUDGET, this.b.i32)), m.block(null, [m.call('trap', [m.i32.const(slot), m.i32.const(TRAP_INSN_LIMIT)], this.b.none), m.unreachable()])),
    ]);
  }

  /** A block's instructions and its terminator. */
  private emitBlockCode(x: number, out: Expr[]): void {
    const bl = this.cfg.blocks[x]!;
    const d = this.d;
    const m = this.m;
    let r1Const: bigint | undefined;
    const sp = this.sp;
    sp.clear();
    if (!this.writesR10) sp.set(10, 0);
    let i = bl.start;
    const stop = bl.term === 'fall' ? bl.last + 1 : bl.last;
    while (i < stop && i < d.n) {
      const o = d.op[i]!;
      if (o === 0x05 || o === 0x06) break; // the block's goto
      this.emitInsn(i, out, r1Const);
      this.trackStackPointers(i);
      // track a constant r1 (a map address) for inline map lookups
      if (o === 0x18 && d.dst[i] === 1) r1Const = d.immB[i]!;
      else if (writesReg(d, i) === 1 || o === 0x85) r1Const = undefined;
      i += o === 0x18 ? 2 : 1;
    }
    switch (bl.term) {
      case 'fall':
        this.branch(x, bl.succs[0]!, out);
        return;
      case 'exit':
        out.push(...this.exportArgs(), this.ret(this.get(0)));
        return;
      case 'trap':
        out.push(m.call('trap', [m.i32.const(bl.last), m.i32.const(TRAP_INVALID)], this.b.none), m.unreachable());
        return;
      case 'cond': {
        const cond = this.condExpr(bl.last);
        const [t, f] = bl.succs as [number, number];
        if (t === f) {
          out.push(m.drop(cond));
          this.branch(x, t, out);
          return;
        }
        const tCode: Expr[] = [];
        this.branch(x, t, tCode);
        out.push(m.if(cond, tCode.length === 1 ? tCode[0]! : m.block(null, tCode, this.b.none)));
        this.branch(x, f, out);
        return;
      }
    }
  }

  /** Follow `rX = r10; rX += k` so accesses through rX inside the frame skip the bounds check. */
  private trackStackPointers(i: number): void {
    const d = this.d;
    const sp = this.sp;
    const o = d.op[i]!;
    const dst = d.dst[i]!;
    if (o === 0xbf && d.off[i] === 0) {
      const k = sp.get(d.src[i]!);
      if (k === undefined) sp.delete(dst);
      else sp.set(dst, k);
      return;
    }
    if ((o === 0x07 || o === 0x17) && sp.has(dst)) {
      const k = sp.get(dst)! + (o === 0x07 ? d.imm[i]! : -d.imm[i]!);
      if (Math.abs(k) < 1 << 20) sp.set(dst, k);
      else sp.delete(dst);
      return;
    }
    if (o === 0x85) {
      sp.delete(0);
      return;
    }
    if ((o & 7) === 0x00 && o !== 0x18) {
      sp.delete(0); // LD_ABS / LD_IND write r0
      return;
    }
    const w = writesReg(d, i);
    if (w >= 0) sp.delete(w);
    if ((o === 0xc3 || o === 0xdb) && d.imm[i] === 0xf1) sp.delete(0);
  }

  // ---- registers ---------------------------------------------------------------------------

  private get(r: number): Expr {
    return this.m.local.get(REG[r]!, this.b.i64);
  }
  private set(r: number, v: Expr): Expr {
    return this.m.local.set(REG[r]!, v);
  }
  private lo(r: number): Expr {
    return this.m.i32.wrap(this.get(r));
  }
  private c64(v: bigint): Expr {
    return this.m.i64.const(BigInt.asIntN(64, v) as unknown as number);
  }
  private zext(v: Expr): Expr {
    return this.m.i64.extend_u(v);
  }

  // ---- instructions ------------------------------------------------------------------------

  private emitInsn(i: number, out: Expr[], r1Const: bigint | undefined): void {
    const d = this.d;
    const m = this.m;
    const o = d.op[i]!;
    const cls = o & 7;
    const dst = d.dst[i]!;
    const src = d.src[i]!;
    switch (cls) {
      case 0x07:
        out.push(this.alu64(i, o, dst, src));
        return;
      case 0x04:
        out.push(this.alu32(i, o, dst, src));
        return;
      case 0x00:
        if (o === 0x18) {
          out.push(this.set(dst, this.c64(d.immB[i]!)));
          return;
        }
        if (o === INVALID) {
          out.push(m.call('trap', [m.i32.const(i), m.i32.const(TRAP_INVALID)], this.b.none), m.unreachable());
          return;
        }
        out.push(this.ldAbs(i, o));
        return;
      case 0x01:
        out.push(this.load(i, o, dst, src));
        return;
      case 0x02:
      case 0x03:
        if (o === 0xc3 || o === 0xdb || o === 0xcb || o === 0xd3) out.push(this.atomic(i, o, dst, src));
        else out.push(this.store(i, o, dst, src));
        return;
      case 0x05:
        if (o === 0x85) {
          this.call(i, out, r1Const);
          return;
        }
        break;
    }
    // anything else (not reachable through the CFG builder)
    out.push(m.call('trap', [m.i32.const(i), m.i32.const(TRAP_INVALID)], this.b.none), m.unreachable());
  }

  private alu64(i: number, o: number, dst: number, src: number): Expr {
    const m = this.m;
    const d = this.d;
    const isX = (o & 0x08) !== 0;
    const a = this.get(dst);
    const bv = (): Expr => (isX ? this.get(src) : this.c64(d.immB[i]!));
    const signed = d.off[i] === 1;
    switch (o & 0xf0) {
      case 0x00: return this.set(dst, m.i64.add(a, bv()));
      case 0x10: return this.set(dst, m.i64.sub(a, bv()));
      case 0x20: return this.set(dst, m.i64.mul(a, bv()));
      case 0x40: return this.set(dst, m.i64.or(a, bv()));
      case 0x50: return this.set(dst, m.i64.and(a, bv()));
      case 0xa0: return this.set(dst, m.i64.xor(a, bv()));
      case 0x60: return this.set(dst, m.i64.shl(a, isX ? bv() : this.c64(BigInt(d.imm[i]! & 63))));
      case 0x70: return this.set(dst, m.i64.shr_u(a, isX ? bv() : this.c64(BigInt(d.imm[i]! & 63))));
      case 0xc0: return this.set(dst, m.i64.shr_s(a, isX ? bv() : this.c64(BigInt(d.imm[i]! & 63))));
      case 0x80: return this.set(dst, m.i64.sub(this.c64(0n), a));
      case 0x30: return this.set(dst, this.div64(a, isX, isX ? 0n : d.immB[i]!, src, signed, false));
      case 0x90: return this.set(dst, this.div64(a, isX, isX ? 0n : d.immB[i]!, src, signed, true));
      case 0xb0: {
        if (!isX) return this.set(dst, this.c64(d.immB[i]!));
        const off = d.off[i];
        const s = this.get(src);
        if (off === 8) return this.set(dst, m.i64.extend8_s(s));
        if (off === 16) return this.set(dst, m.i64.extend16_s(s));
        if (off === 32) return this.set(dst, m.i64.extend32_s(s));
        return this.set(dst, s);
      }
      case 0xd0: // bswap16/32/64
        return this.set(dst, this.bswap(dst, d.imm[i]!));
    }
    return m.unreachable();
  }

  private div64(a: Expr, isX: boolean, k: bigint, src: number, signed: boolean, mod: boolean): Expr {
    const m = this.m;
    const i64 = this.b.i64;
    if (!isX) {
      if (k === 0n) return mod ? a : this.c64(0n);
      if (signed && k === -1n) return mod ? this.c64(0n) : m.i64.sub(this.c64(0n), a);
      const c = this.c64(k);
      return mod ? (signed ? m.i64.rem_s(a, c) : m.i64.rem_u(a, c)) : signed ? m.i64.div_s(a, c) : m.i64.div_u(a, c);
    }
    // divisor in B, dividend in A
    const B = (): Expr => m.local.get(L_B, i64);
    const A = (): Expr => m.local.get(L_A, i64);
    let res: Expr;
    if (mod) {
      res = m.if(m.i64.eqz(B()), A(), signed ? m.i64.rem_s(A(), B()) : m.i64.rem_u(A(), B()));
    } else if (signed) {
      res = m.if(
        m.i64.eqz(B()),
        this.c64(0n),
        m.if(m.i64.eq(B(), this.c64(-1n)), m.i64.sub(this.c64(0n), A()), m.i64.div_s(A(), B())),
      );
    } else {
      res = m.if(m.i64.eqz(B()), this.c64(0n), m.i64.div_u(A(), B()));
    }
    return m.block(null, [m.local.set(L_A, a), m.local.set(L_B, this.get(src)), res], i64);
  }

  private alu32(i: number, o: number, dst: number, src: number): Expr {
    const m = this.m;
    const d = this.d;
    const isX = (o & 0x08) !== 0;
    const a = this.lo(dst);
    const bv = (): Expr => (isX ? this.lo(src) : m.i32.const(d.imm[i]!));
    const signed = d.off[i] === 1;
    const z = (v: Expr): Expr => this.set(dst, this.zext(v));
    switch (o & 0xf0) {
      case 0x00: return z(m.i32.add(a, bv()));
      case 0x10: return z(m.i32.sub(a, bv()));
      case 0x20: return z(m.i32.mul(a, bv()));
      case 0x40: return z(m.i32.or(a, bv()));
      case 0x50: return z(m.i32.and(a, bv()));
      case 0xa0: return z(m.i32.xor(a, bv()));
      case 0x60: return z(m.i32.shl(a, bv()));
      case 0x70: return z(m.i32.shr_u(a, bv()));
      case 0xc0: return z(m.i32.shr_s(a, bv()));
      case 0x80: return z(m.i32.sub(m.i32.const(0), a));
      case 0x30: return z(this.div32(a, isX, d.imm[i]!, src, signed, false));
      case 0x90: return z(this.div32(a, isX, d.imm[i]!, src, signed, true));
      case 0xb0: {
        if (!isX) return z(m.i32.const(d.imm[i]!));
        const off = d.off[i];
        const s = this.lo(src);
        if (off === 8) return z(m.i32.extend8_s(s));
        if (off === 16) return z(m.i32.extend16_s(s));
        return z(s);
      }
      case 0xd0: {
        const w = d.imm[i]!;
        if (o === 0xd4) {
          // to little endian: a truncation on a little-endian machine
          if (w === 16) return this.set(dst, m.i64.and(this.get(dst), this.c64(0xffffn)));
          if (w === 32) return z(a);
          return m.nop();
        }
        return this.set(dst, this.bswap(dst, w));
      }
    }
    return m.unreachable();
  }

  private div32(a: Expr, isX: boolean, k: number, src: number, signed: boolean, mod: boolean): Expr {
    const m = this.m;
    const i32 = this.b.i32;
    if (!isX) {
      if (k === 0) return mod ? a : m.i32.const(0);
      if (signed && k === -1) return mod ? m.i32.const(0) : m.i32.sub(m.i32.const(0), a);
      const c = m.i32.const(k);
      return mod ? (signed ? m.i32.rem_s(a, c) : m.i32.rem_u(a, c)) : signed ? m.i32.div_s(a, c) : m.i32.div_u(a, c);
    }
    const T = (): Expr => m.local.get(L_T, i32);
    // dividend in A (low half), divisor in T
    const A = (): Expr => m.i32.wrap(m.local.get(L_A, this.b.i64));
    let res: Expr;
    if (mod) res = m.if(m.i32.eqz(T()), A(), signed ? m.i32.rem_s(A(), T()) : m.i32.rem_u(A(), T()));
    else if (signed) res = m.if(m.i32.eqz(T()), m.i32.const(0), m.if(m.i32.eq(T(), m.i32.const(-1)), m.i32.sub(m.i32.const(0), A()), m.i32.div_s(A(), T())));
    else res = m.if(m.i32.eqz(T()), m.i32.const(0), m.i32.div_u(A(), T()));
    return m.block(null, [m.local.set(L_A, this.zext(a)), m.local.set(L_T, this.lo(src)), res], i32);
  }

  private bswap32(v: () => Expr): Expr {
    const m = this.m;
    return m.i32.or(
      m.i32.or(m.i32.shl(v(), m.i32.const(24)), m.i32.shl(m.i32.and(v(), m.i32.const(0xff00)), m.i32.const(8))),
      m.i32.or(m.i32.and(m.i32.shr_u(v(), m.i32.const(8)), m.i32.const(0xff00)), m.i32.shr_u(v(), m.i32.const(24))),
    );
  }

  /** Byte swap of the low `w` bits of register r, zero-extended. */
  private bswap(r: number, w: number): Expr {
    const m = this.m;
    const i32 = this.b.i32;
    const T = (): Expr => m.local.get(L_T, i32);
    if (w === 16) {
      return m.block(null, [
        m.local.set(L_T, this.lo(r)),
        this.zext(m.i32.or(m.i32.shl(m.i32.and(T(), m.i32.const(0xff)), m.i32.const(8)), m.i32.and(m.i32.shr_u(T(), m.i32.const(8)), m.i32.const(0xff)))),
      ], this.b.i64);
    }
    if (w === 32) return m.block(null, [m.local.set(L_T, this.lo(r)), this.zext(this.bswap32(T))], this.b.i64);
    const A = (): Expr => m.local.get(L_A, this.b.i64);
    return m.block(null, [
      m.local.set(L_A, this.get(r)),
      m.local.set(L_T, m.i32.wrap(A())),
      m.local.set(L_B, m.i64.shl(this.zext(this.bswap32(T)), this.c64(32n))),
      m.local.set(L_T, m.i32.wrap(m.i64.shr_u(A(), this.c64(32n)))),
      m.i64.or(m.local.get(L_B, this.b.i64), this.zext(this.bswap32(T))),
    ], this.b.i64);
  }

  private condExpr(i: number): Expr {
    const m = this.m;
    const d = this.d;
    const o = d.op[i]!;
    if (o === 0xe5) {
      // may_goto: taken once this frame's budget is spent, else spend one
      const MG = (): Expr => m.local.get(L_MG, this.b.i32);
      return m.if(m.i32.eqz(MG()), m.i32.const(1), m.block(null, [m.local.set(L_MG, m.i32.sub(MG(), m.i32.const(1))), m.i32.const(0)], this.b.i32));
    }
    const isX = (o & 0x08) !== 0;
    if ((o & 7) === 0x05) {
      const a = this.get(d.dst[i]!);
      const bv = isX ? this.get(d.src[i]!) : this.c64(d.immB[i]!);
      switch (o & 0xf0) {
        case 0x10: return m.i64.eq(a, bv);
        case 0x50: return m.i64.ne(a, bv);
        case 0x20: return m.i64.gt_u(a, bv);
        case 0x30: return m.i64.ge_u(a, bv);
        case 0xa0: return m.i64.lt_u(a, bv);
        case 0xb0: return m.i64.le_u(a, bv);
        case 0x60: return m.i64.gt_s(a, bv);
        case 0x70: return m.i64.ge_s(a, bv);
        case 0xc0: return m.i64.lt_s(a, bv);
        case 0xd0: return m.i64.le_s(a, bv);
        case 0x40: return m.i64.ne(m.i64.and(a, bv), this.c64(0n));
      }
    } else {
      const a = this.lo(d.dst[i]!);
      const bv = isX ? this.lo(d.src[i]!) : m.i32.const(d.imm[i]!);
      switch (o & 0xf0) {
        case 0x10: return m.i32.eq(a, bv);
        case 0x50: return m.i32.ne(a, bv);
        case 0x20: return m.i32.gt_u(a, bv);
        case 0x30: return m.i32.ge_u(a, bv);
        case 0xa0: return m.i32.lt_u(a, bv);
        case 0xb0: return m.i32.le_u(a, bv);
        case 0x60: return m.i32.gt_s(a, bv);
        case 0x70: return m.i32.ge_s(a, bv);
        case 0xc0: return m.i32.lt_s(a, bv);
        case 0xd0: return m.i32.le_s(a, bv);
        case 0x40: return m.i32.ne(m.i32.and(a, bv), m.i32.const(0));
      }
    }
    return m.unreachable();
  }

  // ---- memory ------------------------------------------------------------------------------

  /**
   * The linear offset (i32) for a `size`-byte access at reg + off, with its bounds check. Returns
   * [setup, ptr, failCond]: run `setup` first; `failCond` is undefined when no check is needed.
   */
  private addr(reg: number, off: number, size: number, probe = false): { setup: Expr[]; ptr: () => Expr; fail: Expr | undefined; imm: number } {
    const m = this.m;
    const k = this.sp.get(reg);
    if (k !== undefined && k + off >= -STACK_FRAME_SIZE && k + off + size <= 0) {
      return { setup: [], ptr: () => m.i32.add(this.lo(reg), m.i32.const(off)), fail: undefined, imm: 0 };
    }
    if (this.inp.verified && !probe) {
      // wasm's own bounds check: a non-negative offset goes in the memarg (the effective address
      // does not wrap, so a miss traps), a negative one is an i32 add whose wrap-around lands far
      // beyond the memory (< 4 GiB) and traps too. program.ts turns the trap into bad-access.
      if (off >= 0) return { setup: [], ptr: () => this.lo(reg), fail: undefined, imm: off };
      return { setup: [], ptr: () => m.i32.add(this.lo(reg), m.i32.const(off)), fail: undefined, imm: 0 };
    }
    const A = (): Expr => m.local.get(L_A, this.b.i64);
    const setup = [m.local.set(L_A, off === 0 ? this.get(reg) : m.i64.add(this.get(reg), this.c64(BigInt(off))))];
    const memBytes = m.i64.shl(this.zext(m.memory.size('mem')), this.c64(16n));
    const fail = m.i64.gt_u(m.i64.sub(A(), this.c64(BASE_GUARD)), m.i64.sub(memBytes, this.c64(BigInt(GUARD_SIZE + size))));
    return { setup, ptr: () => m.i32.wrap(A()), fail, imm: 0 };
  }

  private faultCall(i: number, size: number, write: boolean): Expr {
    const m = this.m;
    return m.block(null, [m.call('fault', [m.i32.const(i), m.local.get(L_A, this.b.i64), m.i32.const(size), m.i32.const(write ? 1 : 0)], this.b.none), m.unreachable()]);
  }

  /** Checked access: setup, then `if (fail) fault`, then `body(ptr)`. */
  private checked(i: number, reg: number, off: number, size: number, write: boolean, body: (p: () => Expr, imm: number) => Expr[]): Expr {
    const m = this.m;
    const a = this.addr(reg, off, size);
    const list = [...a.setup];
    if (a.fail !== undefined) list.push(m.if(a.fail, this.faultCall(i, size, write)));
    list.push(...body(a.ptr, a.imm));
    return list.length === 1 ? list[0]! : m.block(null, list, this.b.none);
  }

  private loadExpr(o: number, p: Expr, imm = 0): { v: Expr; size: number } {
    const m = this.m;
    switch (o) {
      case 0x61: return { v: m.i64.load32_u(imm, 1, p, 'mem'), size: 4 };
      case 0x69: return { v: m.i64.load16_u(imm, 1, p, 'mem'), size: 2 };
      case 0x71: return { v: m.i64.load8_u(imm, 1, p, 'mem'), size: 1 };
      case 0x79: return { v: m.i64.load(imm, 1, p, 'mem'), size: 8 };
      case 0x81: return { v: m.i64.load32_s(imm, 1, p, 'mem'), size: 4 };
      case 0x89: return { v: m.i64.load16_s(imm, 1, p, 'mem'), size: 2 };
      default: return { v: m.i64.load8_s(imm, 1, p, 'mem'), size: 1 };
    }
  }

  private load(i: number, o: number, dst: number, src: number): Expr {
    const m = this.m;
    const off = this.d.off[i]!;
    const size = this.loadExpr(o, m.nop()).size;
    const a = this.addr(src, off, size, this.d.probe[i] === 1);
    if (a.fail === undefined) return this.set(dst, this.loadExpr(o, a.ptr(), a.imm).v);
    if (this.d.probe[i] === 1) {
      return m.block(null, [...a.setup, this.set(dst, m.if(a.fail, this.c64(0n), this.loadExpr(o, a.ptr()).v))], this.b.none);
    }
    return m.block(null, [...a.setup, m.if(a.fail, this.faultCall(i, size, false)), this.set(dst, this.loadExpr(o, a.ptr()).v)], this.b.none);
  }

  private storeOf(size: number, p: Expr, v: Expr, imm = 0): Expr {
    const m = this.m;
    if (size === 8) return m.i64.store(imm, 1, p, v, 'mem');
    if (size === 4) return m.i64.store32(imm, 1, p, v, 'mem');
    if (size === 2) return m.i64.store16(imm, 1, p, v, 'mem');
    return m.i64.store8(imm, 1, p, v, 'mem');
  }

  private store(i: number, o: number, dst: number, src: number): Expr {
    const d = this.d;
    const sz = o & 0x18;
    const size = sz === 0x18 ? 8 : sz === 0x00 ? 4 : sz === 0x08 ? 2 : 1;
    const v = (o & 7) === 0x03 ? this.get(src) : this.c64(d.immB[i]!);
    return this.checked(i, dst, d.off[i]!, size, true, (p, imm) => [this.storeOf(size, p(), v, imm)]);
  }

  private atomic(i: number, o: number, dst: number, src: number): Expr {
    const m = this.m;
    const d = this.d;
    const i64 = this.b.i64;
    const size = o === 0xdb ? 8 : o === 0xc3 ? 4 : o === 0xcb ? 2 : 1;
    const aop = d.imm[i]!;
    const off = d.off[i]!;
    const ld = (p: Expr, imm = 0): Expr => (size === 8 ? m.i64.load(imm, 1, p, 'mem') : size === 4 ? m.i64.load32_u(imm, 1, p, 'mem') : size === 2 ? m.i64.load16_u(imm, 1, p, 'mem') : m.i64.load8_u(imm, 1, p, 'mem'));
    if (aop === 0x100) {
      // load-acquire
      const a = this.addr(src, off, size, d.probe[i] === 1);
      const list = [...a.setup];
      if (a.fail !== undefined) {
        if (d.probe[i] === 1) return m.block(null, [...list, this.set(dst, m.if(a.fail, this.c64(0n), ld(a.ptr())))], this.b.none);
        list.push(m.if(a.fail, this.faultCall(i, size, false)));
      }
      list.push(this.set(dst, ld(a.ptr(), a.imm)));
      return m.block(null, list, this.b.none);
    }
    if (aop === 0x110) return this.checked(i, dst, off, size, true, (p, imm) => [this.storeOf(size, p(), this.get(src), imm)]);
    // read-modify-write; the old value in C (zero-extended for 32-bit)
    const C = (): Expr => m.local.get(L_C, i64);
    return this.checked(i, dst, off, size, true, (p, imm) => {
      const list: Expr[] = [m.local.set(L_C, ld(p(), imm))];
      const sv = this.get(src);
      let nv: Expr;
      switch (aop & ~1) {
        case 0x00: nv = m.i64.add(C(), sv); break;
        case 0x40: nv = m.i64.or(C(), sv); break;
        case 0x50: nv = m.i64.and(C(), sv); break;
        case 0xa0: nv = m.i64.xor(C(), sv); break;
        case 0xe0: nv = sv; break;
        default: {
          // cmpxchg: compare with r0 (its low half for 32-bit), r0 = old
          const r0 = size === 8 ? this.get(0) : this.zext(this.lo(0));
          list.push(m.if(m.i64.eq(C(), r0), this.storeOf(size, p(), sv, imm)), this.set(0, C()));
          return list;
        }
      }
      list.push(this.storeOf(size, p(), nv, imm));
      if (aop & 1) list.push(this.set(src, C()));
      return list;
    });
  }

  private ldAbs(i: number, o: number): Expr {
    const m = this.m;
    const d = this.d;
    const size = (o & 0x18) === 0x00 ? 4 : (o & 0x18) === 0x08 ? 2 : 1;
    let off = m.i32.const(d.imm[i]!);
    if ((o & 0xe0) === 0x40) off = m.i32.add(off, this.lo(d.src[i]!));
    // the import returns the big-endian value or -1; a failed load ends the function with r0 = 0
    return m.block(null, [
      m.local.set(L_B, m.i64.trunc_s_sat.f64(m.call('ldabs', [off, m.i32.const(size)], this.b.f64))),
      m.if(m.i64.lt_s(m.local.get(L_B, this.b.i64), this.c64(0n)), m.block(null, [...this.exportArgs(), this.ret(this.c64(0n))])),
      this.set(0, m.local.get(L_B, this.b.i64)),
    ], this.b.none);
  }

  // ---- calls -------------------------------------------------------------------------------

  /** Unverified programs: leave r1-r5 for the caller (see SHARED_REGS). */
  private exportArgs(): Expr[] {
    if (this.inp.verified) return [];
    return [1, 2, 3, 4, 5].map((r) => this.m.global.set(`g${r}`, this.get(r)));
  }

  /** Unverified programs: r0 and r6-r9 for a callee or a callback to start with. */
  private exportCallee(): Expr[] {
    if (this.inp.verified) return [];
    return [0, 6, 7, 8, 9].map((r) => this.m.global.set(`g${r}`, this.get(r)));
  }

  private args(): Expr[] {
    return [this.get(1), this.get(2), this.get(3), this.get(4), this.get(5)];
  }

  private call(i: number, out: Expr[], r1Const: bigint | undefined): void {
    const m = this.m;
    const d = this.d;
    const i32 = this.b.i32;
    const i64 = this.b.i64;
    const depth = (): Expr => m.local.get(P_DEPTH, i32);
    if (d.src[i] === 1) {
      const t = d.tgt[i]!;
      if (t >= d.n) {
        out.push(m.call('trap', [m.i32.const(t), m.i32.const(TRAP_INVALID)], this.b.none), m.unreachable());
        return;
      }
      out.push(m.if(m.i32.ge_s(depth(), m.i32.const(7)), m.block(null, [m.call('trap', [m.i32.const(i), m.i32.const(TRAP_CALL_DEPTH)], this.b.none), m.unreachable()])));
      out.push(...this.exportCallee());
      out.push(this.set(0, m.call(fnName(t), [...this.args(), m.i64.add(m.local.get(P_FP, i64), this.c64(BigInt(STACK_FRAME_STRIDE))), m.i32.add(depth(), m.i32.const(1))], i64)));
      if (!this.inp.verified) for (const r of [1, 2, 3, 4, 5]) out.push(this.set(r, m.global.get(`g${r}`, i64)));
      return;
    }
    const plan = this.inp.planCall(i, r1Const);
    switch (plan.kind) {
      case 'ext':
        out.push(...this.exportCallee(), this.set(0, m.call('ext', [m.i32.const(i), depth(), ...this.args()], i64)));
        return;
      case 'tail':
        out.push(
          ...this.exportCallee(),
          ...(this.inp.verified ? [] : [m.global.set('g0', this.c64(0n))]), // a taken tail call returned 0
          this.set(0, m.call('tailcall', [m.i32.const(i), depth(), ...this.args(), m.local.get(P_FP, i64)], i64)),
          m.if(m.call('tail_done', [], i32), this.ret(this.get(0))),
        );
        return;
      case 'iter_num_new':
        out.push(this.iterNumNew(i));
        return;
      case 'iter_num_next':
        out.push(this.iterNumNext(i));
        return;
      case 'iter_num_destroy':
        out.push(this.checked(i, 1, 0, 8, true, (p) => [m.i64.store(0, 1, p(), this.c64(0n), 'mem'), this.set(0, this.c64(0n))]));
        return;
      case 'array_lookup': {
        // r0 = key < max_entries ? &value[key] : NULL, as ArrayMap.lookupElem
        const C = (): Expr => m.local.get(L_C, i64);
        out.push(
          this.checked(i, 2, 0, 4, false, (p) => [
            m.local.set(L_C, m.i64.load32_u(0, 1, p(), 'mem')),
            this.set(0, m.if(
              m.i64.lt_u(C(), this.c64(BigInt(plan.maxEntries))),
              m.i64.add(this.c64(KERNEL_BASE + BigInt(plan.base)), m.i64.mul(C(), this.c64(BigInt(plan.stride)))),
              this.c64(0n),
            )),
          ]),
        );
        return;
      }
    }
  }

  /** bpf_iter_num_new(it, start, end) as src/kernel/kfuncs/iter-num.ts. */
  private iterNumNew(i: number): Expr {
    const m = this.m;
    const i64 = this.b.i64;
    const s = (): Expr => m.i64.extend32_s(this.get(2));
    const e = (): Expr => m.i64.extend32_s(this.get(3));
    return this.checked(i, 1, 0, 8, true, (p) => [
      m.local.set(L_B, m.if(m.i64.gt_s(s(), e()), this.c64(-22n), m.if(m.i64.gt_s(m.i64.sub(e(), s()), this.c64(BigInt(BPF_MAX_LOOPS))), this.c64(-7n), this.c64(0n)))),
      m.if(
        m.i64.eqz(m.local.get(L_B, i64)),
        m.block(null, [m.i32.store(0, 1, p(), m.i32.sub(this.lo(2), m.i32.const(1)), 'mem'), m.i32.store(4, 1, p(), this.lo(3), 'mem')]),
        m.i64.store(0, 1, p(), this.c64(0n), 'mem'),
      ),
      this.set(0, m.local.get(L_B, i64)),
    ]);
  }

  /** bpf_iter_num_next(it): the next value's address, or NULL (and a zeroed state) at the end. */
  private iterNumNext(i: number): Expr {
    const m = this.m;
    const i32 = this.b.i32;
    const T = (): Expr => m.local.get(L_T, i32);
    return this.checked(i, 1, 0, 8, true, (p) => [
      m.local.set(L_T, m.i32.add(m.i32.load(0, 1, p(), 'mem'), m.i32.const(1))),
      m.if(
        m.i32.ge_s(T(), m.i32.load(4, 1, p(), 'mem')),
        m.block(null, [m.i64.store(0, 1, p(), this.c64(0n), 'mem'), this.set(0, this.c64(0n))]),
        m.block(null, [m.i32.store(0, 1, p(), T(), 'mem'), this.set(0, this.get(1))]),
      ),
    ]);
  }
}

/** The register an instruction writes (besides r0 of calls), or -1. */
export function writesReg(d: DecodedProgram, i: number): number {
  const o = d.op[i]!;
  const cls = o & 7;
  if (cls === 0x04 || cls === 0x07 || cls === 0x01 || o === 0x18) return d.dst[i]!;
  if ((o === 0xc3 || o === 0xdb) && (d.imm[i]! & 1) === 1 && d.imm[i] !== 0xf1) return d.src[i]!;
  if ((o === 0xc3 || o === 0xdb || o === 0xcb || o === 0xd3) && d.imm[i] === 0x100) return d.dst[i]!;
  return -1;
}
