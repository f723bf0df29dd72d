// Differential testing: random programs on the interpreter and on the BigInt reference model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import { decodeProgram } from '../../src/interp/decode.js';
import { Machine } from '../../src/interp/machine.js';
import { trustInsns } from '../../src/interp/index.js';
import { bareKernel } from './harness.js';
import { runModel } from './model.js';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

const edge64 = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x8000000000000000n, 0x7fffffffffffffffn),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.bigInt({ min: -300n, max: 300n }),
);
const imm32 = fc.oneof(fc.constantFrom(0, 1, -1, 31, 32, 63, 64, 0x7fffffff, -0x80000000), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
const reg = fc.integer({ min: 0, max: 5 });
const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xc0];
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const SIZE = [
  [0x00, 4],
  [0x08, 2],
  [0x10, 1],
  [0x18, 8],
] as const;

/** One "piece" of program: a few instructions; jumps get their offset when the program is laid out. */
type Piece = { insns: Insn[]; jump?: boolean };

const aluPiece: fc.Arbitrary<Piece> = fc
  .record({ cls: fc.constantFrom(0x04, 0x07), op: fc.constantFrom(...ALU_OPS), x: fc.boolean(), d: reg, s: reg, imm: imm32, signed: fc.boolean() })
  .map(({ cls, op, x, d, s, imm, signed }) => ({ insns: [I(cls | op | (x ? 8 : 0), d, x ? s : 0, (op === 0x30 || op === 0x90) && signed ? 1 : 0, x ? 0 : imm)] }));
const movPiece: fc.Arbitrary<Piece> = fc
  .record({ wide: fc.boolean(), d: reg, s: reg, w: fc.constantFrom(0, 8, 16, 32), imm: imm32, x: fc.boolean() })
  .map(({ wide, d, s, w, imm, x }) => {
    if (!x) return { insns: [I(wide ? 0xb7 : 0xb4, d, 0, 0, imm)] };
    return { insns: [I(wide ? 0xbf : 0xbc, d, s, !wide && w === 32 ? 0 : w, 0)] };
  });
const miscPiece: fc.Arbitrary<Piece> = fc.oneof(
  fc.record({ cls: fc.constantFrom(0x84, 0x87), d: reg }).map(({ cls, d }) => ({ insns: [I(cls, d, 0, 0, 0)] })),
  fc.record({ code: fc.constantFrom(0xd4, 0xdc, 0xd7), d: reg, w: fc.constantFrom(16, 32, 64) }).map(({ code, d, w }) => ({ insns: [I(code, d, 0, 0, w)] })),
  fc.record({ d: reg, v: edge64 }).map(({ d, v }) => ({
    insns: [
      { code: 0x18, dst: d, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) },
      I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
    ],
  })),
);
const jumpPiece: fc.Arbitrary<Piece> = fc
  .record({ cls: fc.constantFrom(0x05, 0x06), op: fc.constantFrom(...JMP_OPS), x: fc.boolean(), d: reg, s: reg, imm: imm32 })
  .map(({ cls, op, x, d, s, imm }) => ({ insns: [I(cls | op | (x ? 8 : 0), d, x ? s : 0, 0, x ? 0 : imm)], jump: true }));
const memPiece: fc.Arbitrary<Piece> = fc
  .record({ kind: fc.constantFrom('st', 'stx', 'ldx', 'ldsx', 'atomic'), size: fc.constantFrom(...SIZE), slot: fc.integer({ min: 1, max: 8 }), d: reg, s: reg, imm: imm32, aop: fc.constantFrom(0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1) })
  .map(({ kind, size, slot, d, s, imm, aop }) => {
    const sz: number = size[0];
    const bytes: number = size[1];
    const off = -slot * 8 + (bytes < 8 ? bytes * (slot % (8 / bytes)) : 0);
    switch (kind) {
      case 'st': return { insns: [I(0x62 | sz, 10, 0, off, imm)] };
      case 'stx': return { insns: [I(0x63 | sz, 10, s, off, 0)] };
      case 'ldx': return { insns: [I(0x61 | sz, d, 10, off, 0)] };
      case 'ldsx': return { insns: [bytes === 8 ? I(0x79, d, 10, off, 0) : I(0x81 | sz, d, 10, off, 0)] };
      default: return { insns: [I(bytes === 8 ? 0xdb : 0xc3, 10, s, bytes === 8 ? -slot * 8 : -slot * 8 + 4 * (slot % 2), aop)] };
    }
  });

const programArb = fc
  .tuple(fc.array(edge64, { minLength: 6, maxLength: 6 }), fc.array(fc.oneof(aluPiece, aluPiece, movPiece, miscPiece, jumpPiece, memPiece), { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }))
  .map(([init, pieces, jumpSeeds]) => {
    const insns: Insn[] = [];
    for (let r = 0; r < 6; r++) {
      const v = init[r]!;
      insns.push({ code: 0x18, dst: r, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) }, I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))));
    }
    const starts: number[] = [];
    const jumps: number[] = [];
    for (const p of pieces) {
      starts.push(insns.length);
      if (p.jump) jumps.push(insns.length);
      insns.push(...p.insns.map((x) => ({ ...x })));
    }
    const exitAt = insns.length;
    insns.push(I(0x95, 0, 0, 0, 0));
    // forward jumps only (the program terminates), always onto a piece boundary or the exit
    jumps.forEach((at, k) => {
      const later = [...starts.filter((s) => s > at), exitAt];
      const t = later[jumpSeeds[k % jumpSeeds.length]! % later.length]!;
      insns[at]!.off = t - at - 1;
    });
    return insns;
  });

describe('interpreter vs reference model', () => {
  const k = bareKernel();
  const m = new Machine(k, { ctxPtr: 0n, progType: 'socket_filter' });

  it('agrees on registers and stack for random programs', () => {
    fc.assert(
      fc.property(programArb, (insns) => {
        const code = decodeProgram(trustInsns(insns));
        m.clearStack();
        m.regs.fill(0n);
        m.start(code);
        const fp = BigInt.asUintN(64, m.fp[0]!);
        const want = runModel(insns, fp);
        const got = [...m.regs.slice(0, 10)].map((v) => BigInt.asUintN(64, v));
        expect(got).toEqual(want.regs.slice(0, 10));
        const stackOff = k.mem.toOff(fp) - 512;
        expect([...k.mem.readBytes(stackOff + 448, 64)]).toEqual([...want.stack.slice(448, 512)]);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
  });
});
