import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LSH,
  BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_TO_BE, BPF_TO_LE, BPF_X, BPF_XOR,
} from '../../src/isa/opcodes.js';
import {
  type ScalarRange, S64_MAX, adjustScalarMinMaxVals, asS32, asU64, boundsViolation, cloneRange,
  coerceRegToSize, coerceRegToSizeSx, coerceSubregToSizeSx, isScalarBranchTaken, knownRange,
  rangeContains, regBoundsSync, regSetMinMax, tnumStep, unknownRange, zext32To64,
} from '../../src/verifier/scalar.js';
import { U32_MAX, U64_MAX, tnum, tnumConst, tnumContains, tnumUnion } from '../../src/verifier/tnum.js';
import { concreteAlu, concreteCond } from './concrete.js';

const CENTERS = [
  0n, 1n, 0xffn, 0x7fffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n,
  S64_MAX, 1n << 63n, U64_MAX, 0xffff_ffff_0000_0000n, 0xffff_ffff_8000_0000n,
];

/** A handful of concrete values clustered somewhere interesting. */
const arbSeeds = fc
  .tuple(
    fc.oneof(fc.constantFrom(...CENTERS), fc.bigInt({ min: 0n, max: U64_MAX })),
    fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 5 }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([c, ds, maskMode]) => {
    const vals = ds.map((d) => asU64(c + BigInt(d)));
    // Sometimes keep only low bits so bit patterns (tnums) matter.
    if (maskMode === 1) return vals.map((v) => v & 0xffn);
    if (maskMode === 2) return vals.map((v) => v & 0xf0f0n);
    return vals;
  });

/** The abstract value: the tightest box (each domain separately) around the seeds. */
function abstractOf(vals: bigint[]): ScalarRange {
  const r = unknownRange();
  const s64 = vals.map((v) => BigInt.asIntN(64, v));
  const u32 = vals.map((v) => BigInt.asUintN(32, v));
  const s32 = vals.map((v) => BigInt.asIntN(32, v));
  const mn = (a: bigint[]): bigint => a.reduce((x, y) => (x < y ? x : y));
  const mx = (a: bigint[]): bigint => a.reduce((x, y) => (x > y ? x : y));
  r.umin = mn(vals);
  r.umax = mx(vals);
  r.smin = mn(s64);
  r.smax = mx(s64);
  r.u32Min = mn(u32);
  r.u32Max = mx(u32);
  r.s32Min = mn(s32);
  r.s32Max = mx(s32);
  r.varOff = vals.map((v) => tnumConst(v)).reduce(tnumUnion);
  regBoundsSync(r);
  return r;
}

const fmt = (r: ScalarRange): string =>
  JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? '0x' + asU64(v).toString(16) : v));

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_ARSH];
const JMP_OPS = [BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET];

describe('bounds sync keeps every member', () => {
  it('abstractOf + regBoundsSync contains the seeds and is consistent', () => {
    fc.assert(
      fc.property(arbSeeds, (vals) => {
        const r = abstractOf(vals);
        for (const v of vals) expect(rangeContains(r, v), `${fmt(r)} misses ${v}`).toBe(true);
        expect(boundsViolation(r)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ALU transfer functions are sound', () => {
  for (const cls of [BPF_ALU64, BPF_ALU]) {
    for (const op of ALU_OPS) {
      it(`${cls === BPF_ALU64 ? 'alu64' : 'alu32'} op 0x${op.toString(16)} reg/reg and reg/imm`, () => {
        fc.assert(
          fc.property(arbSeeds, arbSeeds, fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), fc.boolean(),
            (xs, ys0, imm0, useImm) => {
              const shift = op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH;
              let imm = imm0;
              if (shift) imm = Math.abs(imm0) % (cls === BPF_ALU64 ? 64 : 32);
              if ((op === BPF_DIV || op === BPF_MOD) && imm === 0) imm = 3;
              const code = cls | op | (useImm ? BPF_K : BPF_X);
              const ys = useImm ? [BigInt(imm)] : shift ? ys0.map((y) => y & 0x3fn) : ys0;
              const a = abstractOf(xs);
              const b = useImm ? knownRange(BigInt(imm)) : abstractOf(ys);
              const d = cloneRange(a);
              adjustScalarMinMaxVals({ code, imm }, d, b);
              for (const x of xs) {
                for (const y of ys) {
                  const z = concreteAlu(code, imm, x, y);
                  if (!rangeContains(d, z)) {
                    throw new Error(`x=${x} y=${y} z=${z}\nA=${fmt(a)}\nB=${fmt(b)}\nR=${fmt(d)}`);
                  }
                }
              }
            }),
          { numRuns: 500 },
        );
      });
    }
    it(`${cls === BPF_ALU64 ? 'alu64' : 'alu32'} NEG`, () => {
      fc.assert(
        fc.property(arbSeeds, (xs) => {
          const code = cls | BPF_NEG;
          const d = abstractOf(xs);
          adjustScalarMinMaxVals({ code, imm: 0 }, d, d);
          for (const x of xs) expect(rangeContains(d, concreteAlu(code, 0, x, 0n))).toBe(true);
        }),
        { numRuns: 500 },
      );
    });
  }
  it('END (le, be, bswap)', () => {
    fc.assert(
      fc.property(arbSeeds, fc.constantFrom(16, 32, 64), fc.constantFrom(
        BPF_ALU | BPF_END | BPF_TO_LE, BPF_ALU | BPF_END | BPF_TO_BE, BPF_ALU64 | BPF_END | BPF_TO_LE,
      ), (xs, imm, code) => {
        const d = abstractOf(xs);
        adjustScalarMinMaxVals({ code, imm }, d, d);
        for (const x of xs) expect(rangeContains(d, concreteAlu(code, imm, x, 0n))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  it('truncation and sign extension', () => {
    fc.assert(
      fc.property(arbSeeds, fc.constantFrom(1, 2, 4), (xs, size) => {
        const bits = size * 8;
        const t = abstractOf(xs);
        coerceRegToSize(t, size);
        const sx = abstractOf(xs);
        coerceRegToSizeSx(sx, size);
        for (const x of xs) {
          expect(rangeContains(t, BigInt.asUintN(bits, x))).toBe(true);
          expect(rangeContains(sx, asU64(BigInt.asIntN(bits, x)))).toBe(true);
        }
        if (size < 4) {
          const w = abstractOf(xs);
          coerceSubregToSizeSx(w, size);
          zext32To64(w);
          for (const x of xs) expect(rangeContains(w, BigInt.asUintN(32, BigInt.asIntN(bits, x)))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('conditional jumps are sound', () => {
  for (const jmp32 of [false, true]) {
    for (const op of JMP_OPS) {
      it(`${jmp32 ? 'jmp32' : 'jmp'} op 0x${op.toString(16)}`, () => {
        fc.assert(
          fc.property(arbSeeds, arbSeeds, fc.boolean(), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
            (xs, ys0, useImm, imm) => {
              const ys = useImm ? [asU64(BigInt(imm))] : ys0;
              const a = abstractOf(xs);
              const b = useImm ? knownRange(BigInt(imm)) : abstractOf(ys);
              const pred = isScalarBranchTaken(a, b, op, jmp32);
              const t1 = cloneRange(a);
              const t2 = cloneRange(b);
              const f1 = cloneRange(a);
              const f2 = cloneRange(b);
              regSetMinMax(t1, t2, f1, f2, op, jmp32);
              for (const x of xs) {
                for (const y of ys) {
                  const c = concreteCond(op, jmp32, x, y);
                  if (pred === 1) expect(c).toBe(true);
                  if (pred === 0) expect(c).toBe(false);
                  if (pred !== -1) continue; // the kernel does not refine a decided branch
                  const [r1, r2] = c ? [t1, t2] : [f1, f2];
                  if (!rangeContains(r1, x) || !rangeContains(r2, y)) {
                    throw new Error(`cond=${c} x=${x} y=${y}\nA=${fmt(a)}\nB=${fmt(b)}\nR1=${fmt(r1)}\nR2=${fmt(r2)}`);
                  }
                }
              }
            }),
          { numRuns: 500 },
        );
      });
    }
  }
});

describe('exact results seen in the 6.18 kernel log', () => {
  const unknown = (): ScalarRange => unknownRange();
  const alu = (r: ScalarRange, code: number, imm: number): void => {
    adjustScalarMinMaxVals({ code, imm }, r, knownRange(BigInt(imm)));
  };
  it('r0 &= 255', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 255);
    expect(r).toMatchObject({ smin: 0n, smax: 255n, umin: 0n, umax: 255n, s32Min: 0n, s32Max: 255n, varOff: tnum(0n, 0xffn) });
  });
  it('r0 = -r0 on [0,15] gives [-15,0] signed only', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 15);
    adjustScalarMinMaxVals({ code: BPF_ALU64 | BPF_NEG, imm: 0 }, r, r);
    expect(r).toMatchObject({ smin: -15n, smax: 0n, s32Min: -15n, s32Max: 0n, umin: 0n, umax: U64_MAX, u32Max: U32_MAX });
  });
  it('be16 of [0,255] gives (0x0; 0xff00)', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 255);
    adjustScalarMinMaxVals({ code: BPF_ALU | BPF_END | BPF_TO_BE, imm: 16 }, r, r);
    expect(r).toMatchObject({ smin: 0n, smax: 0xff00n, umax: 0xff00n, varOff: tnum(0n, 0xff00n) });
  });
  it('(x & 3) * 6 gives var_off (0x0; 0x1e), max 18', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 3);
    alu(r, BPF_ALU64 | BPF_MUL, 6);
    expect(r).toMatchObject({ umax: 18n, smax: 18n, varOff: tnum(0n, 0x1en) });
  });
  it('(x & 15) - 16 then + 32', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 15);
    alu(r, BPF_ALU64 | BPF_SUB, 16);
    expect(r).toMatchObject({ smin: -16n, smax: -1n, umin: 0xffff_ffff_ffff_fff0n, umax: U64_MAX, u32Min: 0xffff_fff0n, varOff: tnum(0xffff_ffff_ffff_fff0n, 0xfn) });
    alu(r, BPF_ALU64 | BPF_ADD, 32);
    expect(r).toMatchObject({ smin: 16n, smax: 31n, umin: 16n, umax: 31n, varOff: tnum(0x10n, 0xfn) });
  });
  it('division is not tracked', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 255);
    alu(r, BPF_ALU64 | BPF_DIV, 3);
    expect(r).toEqual(unknownRange());
  });
  it('single-value tnum refinement: (x|0xe00)&0xf00 != 0xe00 is 0xf00', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_OR, 0xe00);
    // kernel: smin=0x8000000000000e00,umin=umin32=3584,smin32=0x80000e00
    expect(r).toMatchObject({ smin: -(1n << 63n) + 0xe00n, umin: 3584n, u32Min: 3584n, s32Min: asS32(0x8000_0e00n) });
    alu(r, BPF_ALU64 | BPF_AND, 0xf00);
    expect(r).toMatchObject({ umin: 3584n, umax: 3840n, varOff: tnum(0xe00n, 0x100n) });
    const t1 = cloneRange(r);
    const f1 = cloneRange(r);
    const k = knownRange(0xe00n);
    regSetMinMax(t1, cloneRange(k), f1, cloneRange(k), BPF_JEQ, false);
    expect(f1.varOff).toEqual(tnumConst(3840n));
    expect(f1.umin).toBe(3840n);
    expect(t1.varOff).toEqual(tnumConst(3584n));
  });
  it('shift by an unknown amount gives an unknown scalar', () => {
    const r = knownRange(1n);
    const amt = unknown();
    alu(amt, BPF_ALU64 | BPF_AND, 7);
    adjustScalarMinMaxVals({ code: BPF_ALU64 | BPF_LSH | BPF_X, imm: 0 }, r, amt);
    expect(r).toEqual(unknownRange());
  });
  it('branch taken on disjoint ranges, JSET on known bits', () => {
    const r = unknown();
    alu(r, BPF_ALU64 | BPF_AND, 0xff);
    expect(isScalarBranchTaken(r, knownRange(0x100n), BPF_JGE, false)).toBe(0);
    expect(isScalarBranchTaken(r, knownRange(0xffn), BPF_JLE, false)).toBe(1);
    expect(isScalarBranchTaken(r, knownRange(0x100n), BPF_JSET, false)).toBe(0);
    expect(isScalarBranchTaken(r, knownRange(0x10n), BPF_JSET, false)).toBe(-1);
    expect(isScalarBranchTaken(r, knownRange(5n), BPF_JEQ, false)).toBe(-1);
    expect(isScalarBranchTaken(knownRange(5n), knownRange(5n), BPF_JEQ, false)).toBe(1);
    expect(isScalarBranchTaken(r, knownRange(-1n), BPF_JSGT, false)).toBe(1);
  });
  it('refinement: if r < 10 narrows both branches', () => {
    const r = unknown();
    const t1 = cloneRange(r);
    const f1 = cloneRange(r);
    const k = knownRange(10n);
    regSetMinMax(t1, cloneRange(k), f1, cloneRange(k), BPF_JLT, false);
    expect(t1).toMatchObject({ umin: 0n, umax: 9n, smin: 0n, smax: 9n, varOff: tnum(0n, 0xfn) });
    expect(f1).toMatchObject({ umin: 10n, umax: U64_MAX });
  });
  it('JGT/JSGE/JSLE/JNE are handled', () => {
    for (const op of [BPF_JGT, BPF_JSGE, BPF_JSLE, BPF_JNE, BPF_JGE, BPF_JLE, BPF_JSGT, BPF_JSLT]) {
      const r = unknown();
      const t = cloneRange(r);
      const f = cloneRange(r);
      expect(regSetMinMax(t, knownRange(7n), f, knownRange(7n), op, false).violation).toBeUndefined();
    }
  });
});

describe('tnumStep', () => {
  it('is the least member above z', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xfffn }), fc.bigInt({ min: 0n, max: 0xfffn }), fc.bigInt({ min: 0n, max: 0xfffn }), (v0, m, z) => {
        const t = tnum(v0 & ~m, m);
        const tmax = t.value | t.mask;
        const got = tnumStep(t, z);
        let want: bigint;
        if (z >= tmax) want = tmax;
        else if (z < t.value) want = t.value;
        else {
          want = z + 1n;
          while (!tnumContains(t, want)) want++;
        }
        expect(got).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });
});
