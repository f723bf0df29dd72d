// compute_live_registers: which registers each instruction's future reads (live_regs_before),
// a backward data-flow over the CFG. Used for state pruning and printed at log level 2.

import type { Insn } from '../isa/insn.js';
import {
  BPF_ATOMIC, BPF_CALL, BPF_CLASS, BPF_CMPXCHG, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JCOND, BPF_JMP,
  BPF_JMP32, BPF_LD, BPF_LDX, BPF_MODE, BPF_MOV, BPF_OP, BPF_SRC, BPF_ST, BPF_STX, BPF_X, BPF_ALU,
  BPF_ALU64, BPF_NEG, BPF_END, BPF_ABS, BPF_IND, BPF_PSEUDO_CALL, BPF_LOAD_ACQ,
} from '../isa/opcodes.js';

const R0 = 1 << 0;
const CALLER_SAVED = 0b111111; // r0-r5
const bit = (r: number): number => 1 << r;

/** Registers read and written by one instruction. `params(insn)` = argument count of a call. */
export function insnUseDef(insn: Insn, params: (insn: Insn) => number): { use: number; def: number } {
  const cls = BPF_CLASS(insn.code);
  const op = BPF_OP(insn.code);
  const src = BPF_SRC(insn.code) === BPF_X;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      if (op === BPF_MOV) return { use: src ? bit(insn.src) : 0, def: bit(insn.dst) };
      if (op === BPF_NEG || op === BPF_END) return { use: bit(insn.dst), def: bit(insn.dst) };
      return { use: bit(insn.dst) | (src ? bit(insn.src) : 0), def: bit(insn.dst) };
    case BPF_LDX:
      return { use: bit(insn.src), def: bit(insn.dst) };
    case BPF_ST:
      return { use: bit(insn.dst), def: 0 };
    case BPF_STX:
      if (BPF_MODE(insn.code) === BPF_ATOMIC) {
        if (insn.imm === BPF_LOAD_ACQ) return { use: bit(insn.src), def: bit(insn.dst) };
        if (insn.imm === BPF_CMPXCHG) return { use: bit(insn.dst) | bit(insn.src) | R0, def: R0 };
        return { use: bit(insn.dst) | bit(insn.src), def: insn.imm & BPF_FETCH ? bit(insn.src) : 0 };
      }
      return { use: bit(insn.dst) | bit(insn.src), def: 0 };
    case BPF_LD:
      if (BPF_MODE(insn.code) === BPF_ABS) return { use: bit(6), def: CALLER_SAVED };
      if (BPF_MODE(insn.code) === BPF_IND) return { use: bit(6) | bit(insn.src), def: CALLER_SAVED };
      return { use: 0, def: bit(insn.dst) };
    case BPF_JMP:
    case BPF_JMP32:
      if (op === BPF_EXIT) return { use: R0, def: 0 };
      if (op === BPF_JA || op === BPF_JCOND) return { use: 0, def: 0 };
      if (op === BPF_CALL && cls === BPF_JMP) {
        const n = insn.src === BPF_PSEUDO_CALL ? params(insn) : params(insn);
        return { use: ((1 << (n + 1)) - 1) & ~R0, def: CALLER_SAVED };
      }
      return { use: bit(insn.dst) | (src ? bit(insn.src) : 0), def: 0 };
    default:
      return { use: 0, def: 0 };
  }
}

/** live_regs_before for every instruction (bit i = Ri will be read before written). */
export function computeLiveRegs(insns: readonly Insn[], succ: readonly number[][], params: (insn: Insn) => number): number[] {
  const n = insns.length;
  const ud = insns.map((i) => insnUseDef(i, params));
  const liveIn = new Array<number>(n).fill(0);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let out = 0;
      for (const s of succ[i] ?? []) if (s < n) out |= liveIn[s]!;
      // Calls into subprograms: only the return point continues this function.
      const insn = insns[i]!;
      if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === BPF_PSEUDO_CALL) out = liveIn[i + 1] ?? 0;
      const v = ud[i]!.use | (out & ~ud[i]!.def);
      if (v !== liveIn[i]) {
        liveIn[i] = v;
        changed = true;
      }
    }
  }
  return liveIn;
}
