// Precision backtracking (mark_chain_precision): when a scalar's exact value decides safety
// (a predicted branch, a pointer offset, a zero written to the stack), walk back through the
// instructions and parent states that produced it and mark every contributing scalar in the
// explored (parent) states `precise`, so pruning compares those exactly. Log lines follow
// Linux 6.18 (`mark_precise: frame0: ...`). Single call frame only (phase 1).

import type { Insn } from '../isa/insn.js';
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_CALL, BPF_CLASS, BPF_END, BPF_EXIT, BPF_IND, BPF_JMP, BPF_JMP32,
  BPF_LD, BPF_LDX, BPF_MODE, BPF_MOV, BPF_NEG, BPF_OP, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_SRC, BPF_ST,
  BPF_STX, BPF_X, BPF_ATOMIC, BPF_LOAD_ACQ,
} from '../isa/opcodes.js';
import type { VerifierLog } from './log.js';
import { BPF_REG_FP, isSpilledReg, type JmpHistoryEntry, type VerifierState } from './state.js';

/** jmp history flag: the instruction accessed stack slot `spi` of frame `frameno`. */
export const INSN_F_STACK_ACCESS = 1 << 3;
export const insnStackAccessFlags = (frameno: number, spi: number): number =>
  INSN_F_STACK_ACCESS | (spi << 9) | frameno;
const flagSpi = (flags: number): number => (flags >> 9) & 0x3f;

class NotSupported extends Error {}

/** backtrack_state for one frame: registers and stack slots still looking for their origin. */
class Backtrack {
  regs = 0;
  stack = 0n;
  empty(): boolean {
    return this.regs === 0 && this.stack === 0n;
  }
  setReg(r: number): void {
    this.regs |= 1 << r;
  }
  clearReg(r: number): void {
    this.regs &= ~(1 << r);
  }
  isReg(r: number): boolean {
    return (this.regs & (1 << r)) !== 0;
  }
  setSlot(s: number): void {
    this.stack |= 1n << BigInt(s);
  }
  clearSlot(s: number): void {
    this.stack &= ~(1n << BigInt(s));
  }
  isSlot(s: number): boolean {
    return (this.stack & (1n << BigInt(s))) !== 0n;
  }
  fmtRegs(): string {
    const out: string[] = [];
    for (let i = 0; i < 32; i++) if (this.regs & (1 << i)) out.push(`r${i}`);
    return out.join(',');
  }
  fmtStack(): string {
    const out: string[] = [];
    for (let i = 0; i < 64; i++) if (this.stack & (1n << BigInt(i))) out.push(String(-(i + 1) * 8));
    return out.join(',');
  }
}

export interface PrecisionEnv {
  insns: readonly Insn[];
  log: VerifierLog;
  logLevel2: boolean;
  disasm(idx: number): string;
}

function histEntry(st: VerifierState, cnt: number, idx: number): JmpHistoryEntry | undefined {
  const e = cnt > 0 ? st.jmpHistory[cnt - 1] : undefined;
  return e && e.idx === idx ? e : undefined;
}

/** bt_sync_linked_regs: if one of a linked group must be precise, all of them must. */
function syncLinked(bt: Backtrack, hist: JmpHistoryEntry | undefined): void {
  const linked = hist?.linked;
  if (!linked?.length) return;
  if (!linked.some((e) => (e.isReg ? bt.isReg(e.idx) : bt.isSlot(e.idx)))) return;
  for (const e of linked) {
    if (e.isReg) bt.setReg(e.idx);
    else bt.setSlot(e.idx);
  }
}

function backtrackInsn(env: PrecisionEnv, idx: number, hist: JmpHistoryEntry | undefined, bt: Backtrack): void {
  const insn = env.insns[idx]!;
  if (insn.code === 0) return;
  if (env.logLevel2) {
    env.log.write(`mark_precise: frame0: regs=${bt.fmtRegs()} stack=${bt.fmtStack()} before ${idx}: ${env.disasm(idx)}\n`);
  }
  syncLinked(bt, hist);
  backtrackInsnInner(insn, hist, bt);
  syncLinked(bt, hist);
}

function backtrackInsnInner(insn: Insn, hist: JmpHistoryEntry | undefined, bt: Backtrack): void {
  const cls = BPF_CLASS(insn.code);
  const op = BPF_OP(insn.code);
  const dreg = insn.dst;
  const sreg = insn.src;
  const stackAccess = hist !== undefined && (hist.flags & INSN_F_STACK_ACCESS) !== 0;
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    if (!bt.isReg(dreg)) return;
    if (op === BPF_END || op === BPF_NEG) return;
    if (op === BPF_MOV) {
      bt.clearReg(dreg);
      if (BPF_SRC(insn.code) === BPF_X && sreg !== BPF_REG_FP) bt.setReg(sreg);
    } else if (BPF_SRC(insn.code) === BPF_X && sreg !== BPF_REG_FP) {
      bt.setReg(sreg);
    }
  } else if (cls === BPF_LDX || (cls === BPF_STX && BPF_MODE(insn.code) === BPF_ATOMIC && insn.imm === BPF_LOAD_ACQ)) {
    if (!bt.isReg(dreg)) return;
    bt.clearReg(dreg);
    // Only a fill from the stack carries the value on; other loads are fresh unknowns.
    if (stackAccess) bt.setSlot(flagSpi(hist.flags));
  } else if (cls === BPF_STX || cls === BPF_ST) {
    if (bt.isReg(dreg)) throw new NotSupported();
    if (!stackAccess) return;
    const spi = flagSpi(hist.flags);
    if (!bt.isSlot(spi)) return;
    bt.clearSlot(spi);
    if (cls === BPF_STX) bt.setReg(sreg);
  } else if (cls === BPF_JMP || cls === BPF_JMP32) {
    if (op === BPF_CALL) {
      // Backtracking through subprogram frames is not modelled: the caller marks all precise.
      if (insn.src === BPF_PSEUDO_CALL) throw new NotSupported();
      if (insn.src === BPF_PSEUDO_KFUNC_CALL && insn.imm === 0) throw new NotSupported();
      bt.clearReg(0);
      if (bt.regs & 0b111110) throw new NotSupported();
    } else if (op === BPF_EXIT) {
      throw new NotSupported();
    } else if (BPF_SRC(insn.code) === BPF_X) {
      if (!bt.isReg(dreg) && !bt.isReg(sreg)) return;
      bt.setReg(sreg);
      bt.setReg(dreg);
    }
  } else if (cls === BPF_LD) {
    if (!bt.isReg(dreg)) return;
    bt.clearReg(dreg);
    const mode = BPF_MODE(insn.code);
    if (mode === BPF_IND || mode === BPF_ABS) throw new NotSupported();
  }
}

/** get_prev_insn_idx: the previous instruction, following the jump history backwards. */
function prevInsnIdx(st: VerifierState, i: number, hist: { cnt: number }): number {
  const cnt = hist.cnt;
  if (i === st.firstInsnIdx) {
    if (cnt === 0) return -1;
    if (cnt === 1 && st.jmpHistory[0]!.idx === i) return -1;
  }
  if (cnt && st.jmpHistory[cnt - 1]!.idx === i) {
    hist.cnt--;
    return st.jmpHistory[cnt - 1]!.prevIdx;
  }
  return i - 1;
}

function markAllScalarsPrecise(start: VerifierState): void {
  for (let st: VerifierState | undefined = start; st; st = st.parent) {
    for (const f of st.frame) {
      for (const r of f.regs) if (r.type === 'SCALAR_VALUE') r.precise = true;
      for (const s of f.stack) if (isSpilledReg(s) && s.spilledPtr.type === 'SCALAR_VALUE') s.spilledPtr.precise = true;
    }
  }
}

/**
 * __mark_chain_precision from `start` for register `regno` (or, with regno < 0, for the
 * registers/slots given in `initial`). Returns true if any mark changed.
 */
export function markChainPrecision(
  env: PrecisionEnv, start: VerifierState, regno: number, initial?: { regs: number; stack: bigint },
): boolean {
  const bt = new Backtrack();
  if (regno >= 0) {
    const reg = start.frame[start.curframe]!.regs[regno]!;
    if (reg.type !== 'SCALAR_VALUE') return false;
    bt.setReg(regno);
  } else if (initial) {
    bt.regs = initial.regs;
    bt.stack = initial.stack;
  }
  if (bt.empty()) return false;
  if (start.curframe) {
    markAllScalarsPrecise(start);
    return true;
  }
  let changed = false;
  let st: VerifierState | undefined = start;
  let firstIdx = st.firstInsnIdx;
  let lastIdx = start.insnIdx;
  let subseqIdx = -1;
  let skipFirst = true;
  try {
    for (;;) {
      const hist = { cnt: st.jmpHistory.length };
      if (env.logLevel2) {
        env.log.write(`mark_precise: frame0: last_idx ${lastIdx} first_idx ${firstIdx} subseq_idx ${subseqIdx} \n`);
      }
      for (let i = lastIdx; ;) {
        if (skipFirst) skipFirst = false;
        else backtrackInsn(env, i, histEntry(st, hist.cnt, i), bt);
        if (bt.empty()) return changed;
        subseqIdx = i;
        i = prevInsnIdx(st, i, hist);
        if (i === -1) break;
        if (i < 0 || i >= env.insns.length) throw new NotSupported();
      }
      st = st.parent;
      if (!st) break;
      if (st.curframe) throw new NotSupported();
      const f = st.frame[0]!;
      for (let r = 0; r < 32; r++) {
        if (!bt.isReg(r)) continue;
        const reg = f.regs[r];
        if (!reg || reg.type !== 'SCALAR_VALUE' || reg.precise) bt.clearReg(r);
        else {
          reg.precise = true;
          changed = true;
        }
      }
      for (let s = 0; s < 64; s++) {
        if (!bt.isSlot(s)) continue;
        const slot = f.stack[s];
        if (!slot || !isSpilledReg(slot) || slot.spilledPtr.type !== 'SCALAR_VALUE' || slot.spilledPtr.precise) {
          bt.clearSlot(s);
        } else {
          slot.spilledPtr.precise = true;
          changed = true;
        }
      }
      if (env.logLevel2) {
        env.log.write(`mark_precise: frame0: parent state regs=${bt.fmtRegs()} stack=${bt.fmtStack()}: `);
        env.log.printVerifierState(st, 0, true);
      }
      if (bt.empty()) return changed;
      subseqIdx = firstIdx;
      lastIdx = st.lastInsnIdx;
      firstIdx = st.firstInsnIdx;
    }
  } catch (e) {
    if (!(e instanceof NotSupported)) throw e;
    markAllScalarsPrecise(start);
    return true;
  }
  // Something was not found (e.g. a spill through a non-r10 pointer): be conservative.
  if (!bt.empty()) markAllScalarsPrecise(start);
  return changed;
}

/** propagate_precision: the explored state's precise scalars must be precise in cur too. */
export function propagatePrecision(env: PrecisionEnv, old: VerifierState, cur: VerifierState): void {
  let regs = 0;
  let stack = 0n;
  if (old.curframe || cur.curframe) {
    // several frames: not tracked per frame here, so everything counts as precise
    markAllScalarsPrecise(cur);
    return;
  }
  const f = old.frame[0]!;
  let line = '';
  for (let i = 0; i < BPF_REG_FP; i++) {
    const r = f.regs[i]!;
    if (r.type !== 'SCALAR_VALUE' || !r.precise) continue;
    line += line ? `,r${i}` : `frame 0: propagating r${i}`;
    regs |= 1 << i;
  }
  for (let i = 0; i < f.stack.length; i++) {
    const s = f.stack[i]!;
    if (!isSpilledReg(s) || s.spilledPtr.type !== 'SCALAR_VALUE' || !s.spilledPtr.precise) continue;
    line += line ? `,fp${-(i + 1) * 8}` : `frame 0: propagating fp${-(i + 1) * 8}`;
    stack |= 1n << BigInt(i);
  }
  if (line && env.logLevel2) env.log.write(line + '\n');
  markChainPrecision(env, cur, -1, { regs, stack });
}
