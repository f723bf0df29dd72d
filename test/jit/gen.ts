// Random BPF programs that are safe to run unverified: registers r0-r8 with ALU of every kind,
// r10-relative stack loads/stores/atomics, forward conditional jumps (JMP and JMP32), may_goto,
// and backward jumps guarded by a counter in r9 (so every program ends; random backward
// targets make irreducible control flow too). Shared by the property test and the benchmarks.
import type { Insn } from '../../src/isa/insn.js';

/** One random choice per unit; the lowering below is deterministic. */
export type Unit = [kind: number, a: number, b: number, imm: number, tsel: number, w: number];

const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0];
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const EDGE = [0, 1, -1, 2, 31, 32, 63, 64, -2147483648, 2147483647, 0x7fff, -0x8000, 0xff];

const ins = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

interface PUnit {
  insns: Insn[];
  /** index in `insns` of a jump to patch, and the target unit */
  jump?: { at: number; target: number; field: 'off' | 'imm' };
}

/**
 * `maxJump` bounds forward jump distances (in units) so huge generated programs look like real
 * code (local branches) instead of one giant switch.
 */
export function lowerProgram(init: bigint[], units: Unit[], maxJump = Infinity): Insn[] {
  const out: PUnit[] = [];
  // r0..r8 from the initial values, r9 = 0 (the backward-jump counter)
  for (let r = 0; r <= 8; r++) {
    const v = BigInt.asUintN(64, init[r % init.length] ?? 0n);
    out.push({ insns: [{ code: 0x18, dst: r, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v & 0xffffffffn)), imm2: Number(BigInt.asIntN(32, v >> 32n)) }, ins(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n)))] });
  }
  out.push({ insns: [ins(0xb7, 9, 0, 0, 0)] });
  const first = out.length;
  const total = first + units.length; // index of the final exit unit
  units.forEach((u, k) => {
    const [kind, a, b, immRaw, tsel, w] = u;
    const me = first + k;
    const dst = a % 9;
    const src = b % 10;
    const imm = w % 3 === 0 ? EDGE[immRaw % EDGE.length >>> 0]! : immRaw | 0;
    switch (kind % 13) {
      case 0:
      case 1: { // ALU64
        const op = ALU_OPS[b % ALU_OPS.length]!;
        const x = w % 2 === 1 && op !== 0x80;
        let off = 0;
        if ((op === 0x30 || op === 0x90) && tsel % 2 === 1) off = 1;
        if (op === 0xb0 && x) off = [0, 8, 16, 32][tsel % 4]!;
        out.push({ insns: [ins(0x07 | op | (x ? 8 : 0), dst, x ? (a >> 4) % 10 : 0, off, imm)] });
        return;
      }
      case 2:
      case 3: { // ALU32
        const op = ALU_OPS[b % ALU_OPS.length]!;
        const x = w % 2 === 1 && op !== 0x80;
        let off = 0;
        if ((op === 0x30 || op === 0x90) && tsel % 2 === 1) off = 1;
        if (op === 0xb0 && x) off = [0, 8, 16][tsel % 3]!;
        out.push({ insns: [ins(0x04 | op | (x ? 8 : 0), dst, x ? (a >> 4) % 10 : 0, off, imm)] });
        return;
      }
      case 4: // endianness
        out.push({ insns: [ins([0xd4, 0xdc, 0xd7][b % 3]!, dst, 0, 0, [16, 32, 64][w % 3]!)] });
        return;
      case 5:
      case 6: { // forward conditional jump
        const op = JMP_OPS[b % JMP_OPS.length]!;
        const x = w % 2 === 1;
        const cls = tsel % 3 === 0 ? 0x06 : 0x05;
        const target = me + 1 + (tsel % Math.min(maxJump, total - me));
        out.push({ insns: [ins(cls | op | (x ? 8 : 0), dst, x ? (a >> 4) % 10 : 0, 0, imm)], jump: { at: 0, target, field: 'off' } });
        return;
      }
      case 7: { // stack store
        const size = [0x18, 0x00, 0x08, 0x10][w % 4]!;
        const off = -(1 + (tsel % 64));
        if (b % 2 === 0) out.push({ insns: [ins(0x63 | size, 10, src === 10 ? 0 : src, off, 0)] });
        else out.push({ insns: [ins(0x62 | size, 10, 0, off, imm)] });
        return;
      }
      case 8: { // stack load (plain or sign-extending)
        const sx = b % 3 === 0;
        const size = sx ? [0x00, 0x08, 0x10][w % 3]! : [0x18, 0x00, 0x08, 0x10][w % 4]!;
        const off = -(1 + (tsel % 64));
        out.push({ insns: [ins((sx ? 0x81 : 0x61) | size, dst, 10, off, 0)] });
        return;
      }
      case 9: { // atomic on an aligned stack slot
        const aops = [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1];
        const dw = w % 2 === 0;
        const off = dw ? -8 * (1 + (tsel % 8)) : -4 * (1 + (tsel % 16));
        out.push({ insns: [ins(dw ? 0xdb : 0xc3, 10, src === 10 || src === 9 ? 1 : src, off, aops[b % aops.length]!)] });
        return;
      }
      case 10: { // may_goto forward
        const target = me + 1 + (tsel % Math.min(maxJump, total - me));
        out.push({ insns: [ins(0xe5, 0, 0, 0, 0)], jump: { at: 0, target, field: 'off' } });
        return;
      }
      case 12: // bpf-to-bpf call into one of the two subprograms appended after the exit
        out.push({ insns: [ins(0x85, 0, 1, 0, 0)], jump: { at: 0, target: -1 - (b % 2), field: 'imm' } });
        return;
      default: { // counted backward jump: r9 += 1; if r9 > 20 goto +1; goto back
        const target = first + Math.max(0, k - (tsel % Math.min(maxJump, k + 1)));
        out.push({
          insns: [ins(0x07, 9, 0, 0, 1), ins(0x25, 9, 0, 1, 20), ins(0x05, 0, 0, 0, 0)],
          jump: { at: 2, target, field: 'off' },
        });
      }
    }
  });
  // fold every register and the used stack into r0, so any difference shows in the result
  const fold: Insn[] = [];
  for (let r = 1; r <= 9; r++) fold.push(ins(0x27, 0, 0, 0, 31), ins(0x0f, 0, r, 0, 0));
  for (let k = 1; k <= 8; k++) fold.push(ins(0x79, 1, 10, -8 * k, 0), ins(0x27, 0, 0, 0, 31), ins(0x0f, 0, 1, 0, 0));
  fold.push(ins(0x95, 0, 0, 0, 0));
  out.push({ insns: fold });
  // subprograms: they read the caller's r0/r6-r9 and leave r1-r5 changed (the interpreter's
  // shared register file, which unverified programs can observe), use their own stack frame,
  // and clobber r6 (restored for the caller)
  const sub0 = out.length;
  out.push({
    insns: [
      ins(0x0f, 0, 1, 0, 0), ins(0xaf, 1, 7, 0, 0), ins(0xbf, 2, 0, 0, 0), ins(0x7b, 10, 2, -8, 0),
      ins(0x79, 3, 10, -16, 0), ins(0x0f, 3, 6, 0, 0), ins(0xb7, 6, 0, 0, 77), ins(0x7b, 10, 6, -16, 0), ins(0x95, 0, 0, 0, 0),
    ],
  });
  const sub1 = out.length;
  out.push({ insns: [ins(0x85, 0, 1, 0, 0), ins(0x27, 4, 0, 0, 3), ins(0x0f, 0, 9, 0, 0), ins(0x95, 0, 0, 0, 0)], jump: { at: 0, target: sub0, field: 'imm' } });
  for (const u of out) if (u.jump !== undefined && u.jump.target < 0) u.jump.target = u.jump.target === -1 ? sub0 : sub1;
  // slots
  const pos: number[] = [];
  let s = 0;
  for (const u of out) {
    pos.push(s);
    s += u.insns.length;
  }
  const prog: Insn[] = [];
  out.forEach((u, k) => {
    if (u.jump !== undefined) {
      const from = pos[k]! + u.jump.at;
      u.insns[u.jump.at]![u.jump.field] = pos[u.jump.target]! - from - 1;
    }
    prog.push(...u.insns);
  });
  return prog;
}

/**
 * A large reducible program as assembler text: straight-line ALU, if/else diamonds and counted
 * loops (counters r6-r8, one per nesting level) nested at random, about `size` instructions.
 */
export function structuredProgram(size: number, seed = 1): string {
  let s = seed | 0;
  const rnd = (n: number): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const ops = ['+=', '-=', '*=', '|=', '&=', '^=', '<<=', '>>=', 's>>='];
  const conds = ['==', '!=', '>', '<', '>=', '<=', 's>', 's<', '&'];
  const out: string[] = ['r0 = 1', 'r1 = 2', 'r2 = 3', 'r3 = 4', 'r4 = 5', 'r5 = 6'];
  let label = 0;
  let budget = size;
  const region = (depth: number, n: number): void => {
    while (n > 0 && budget > 0) {
      const k = rnd(10);
      if (k < 6 || depth > 6) {
        const op = ops[rnd(ops.length)]!;
        const imm = op.includes('<') || op.includes('>') ? rnd(64) : rnd(1000) - 500;
        out.push(rnd(2) ? `r${rnd(6)} ${op} r${rnd(6)}` : `r${rnd(6)} ${op} ${imm}`);
        n--;
        budget--;
      } else if (k < 9 || depth >= 3) {
        const l = label++;
        out.push(`if r${rnd(6)} ${conds[rnd(conds.length)]} r${rnd(6)} goto else${l}`);
        const m = 1 + rnd(Math.max(1, Math.min(n >> 1, 300)));
        region(depth + 1, m);
        out.push(`goto end${l}`, `else${l}:`);
        region(depth + 1, m);
        out.push(`end${l}:`);
        budget -= 2;
        n -= 2 * m + 2;
      } else {
        const l = label++;
        const c = `r${6 + Math.min(2, depth)}`;
        out.push(`${c} = 0`, `loop${l}:`);
        const m = 1 + rnd(Math.max(1, Math.min(n >> 1, 300)));
        region(depth + 3, m); // at most one loop per nesting level: counters never clash
        out.push(`${c} += 1`, `if ${c} < 2 goto loop${l}`);
        budget -= 3;
        n -= m + 3;
      }
    }
  };
  while (budget > 0) region(0, budget);
  out.push('exit');
  return out.join('\n');
}
