import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Tnum, U64_MAX, fls64, hex, tnum, tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumConst,
  tnumContains, tnumEqualsConst, tnumIn, tnumIntersect, tnumIsAligned, tnumIsConst, tnumLshift,
  tnumMul, tnumNeg, tnumOr, tnumRange, tnumRshift, tnumSbin, tnumStr, tnumSub, tnumSubreg,
  tnumUnion, tnumUnknown, tnumWithSubreg, tnumXor,
} from '../../src/verifier/tnum.js';

/** Every concrete value a tnum stands for (mask must have few bits set). */
function members(t: Tnum): bigint[] {
  const bits: bigint[] = [];
  for (let i = 0n; i < 64n; i++) if (t.mask & (1n << i)) bits.push(1n << i);
  const out: bigint[] = [];
  for (let m = 0; m < 1 << bits.length; m++) {
    let v = t.value;
    bits.forEach((b, i) => {
      if (m & (1 << i)) v |= b;
    });
    out.push(v);
  }
  return out;
}

const bitPos = fc.integer({ min: 0, max: 63 });
const lowPos = fc.integer({ min: 0, max: 9 });
/** A tnum with at most 4 unknown bits, anywhere in 64 bits, or in the low bits. */
const arbTnum = fc
  .tuple(
    fc.bigInt({ min: 0n, max: U64_MAX }),
    fc.oneof(fc.array(bitPos, { maxLength: 4 }), fc.array(lowPos, { maxLength: 4 })),
    fc.boolean(),
  )
  .map(([v, pos, small]) => {
    let mask = 0n;
    for (const p of pos) mask |= 1n << BigInt(p);
    const value = small ? v & 0x3ffn : v;
    return tnum(value & ~mask, mask);
  });

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

function checkBinary(op: (a: Tnum, b: Tnum) => Tnum, conc: (x: bigint, y: bigint) => bigint): void {
  fc.assert(
    fc.property(arbTnum, arbTnum, (a, b) => {
      const r = op(a, b);
      expect((r.value & r.mask) === 0n).toBe(true);
      for (const x of members(a)) {
        for (const y of members(b)) {
          const z = u64(conc(x, y));
          if (!tnumContains(r, z)) {
            throw new Error(`${tnumStr(a)} op ${tnumStr(b)} = ${tnumStr(r)} misses ${hex(z)} (${hex(x)}, ${hex(y)})`);
          }
        }
      }
    }),
    { numRuns: 400 },
  );
}

describe('tnum soundness (brute force over members)', () => {
  it('add', () => checkBinary(tnumAdd, (x, y) => x + y));
  it('sub', () => checkBinary(tnumSub, (x, y) => x - y));
  it('mul', () => checkBinary(tnumMul, (x, y) => x * y));
  it('and', () => checkBinary(tnumAnd, (x, y) => x & y));
  it('or', () => checkBinary(tnumOr, (x, y) => x | y));
  it('xor', () => checkBinary(tnumXor, (x, y) => x ^ y));
  it('union contains both', () =>
    checkBinary(tnumUnion, (x) => x));
  it('union contains both (right)', () =>
    checkBinary(tnumUnion, (_x, y) => y));
  it('intersect contains common members', () => {
    fc.assert(
      fc.property(arbTnum, arbTnum, (a, b) => {
        const r = tnumIntersect(a, b);
        for (const x of members(a)) if (tnumContains(b, x)) expect(tnumContains(r, x)).toBe(true);
      }),
    );
  });
  it('neg', () => {
    fc.assert(
      fc.property(arbTnum, (a) => {
        const r = tnumNeg(a);
        for (const x of members(a)) expect(tnumContains(r, u64(-x))).toBe(true);
      }),
    );
  });
  it('shifts', () => {
    fc.assert(
      fc.property(arbTnum, fc.integer({ min: 0, max: 63 }), (a, s) => {
        const S = BigInt(s);
        const l = tnumLshift(a, s);
        const r = tnumRshift(a, s);
        const ar = tnumArshift(a, s, 64);
        for (const x of members(a)) {
          expect(tnumContains(l, u64(x << S))).toBe(true);
          expect(tnumContains(r, x >> S)).toBe(true);
          expect(tnumContains(ar, u64(BigInt.asIntN(64, x) >> S))).toBe(true);
        }
      }),
    );
  });
  it('arshift 32', () => {
    fc.assert(
      fc.property(arbTnum, fc.integer({ min: 0, max: 31 }), (a0, s) => {
        const a = tnumSubreg(a0);
        const ar = tnumArshift(a, s, 32);
        for (const x of members(a)) {
          expect(tnumContains(ar, BigInt.asUintN(32, BigInt.asIntN(32, x) >> BigInt(s)))).toBe(true);
        }
      }),
    );
  });
  it('range contains the interval', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: 0n, max: 300n }), (lo, d) => {
        const hi = lo + d > U64_MAX ? U64_MAX : lo + d;
        const r = tnumRange(lo, hi);
        for (let v = lo; v <= hi; v++) expect(tnumContains(r, v)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
  it('in agrees with member inclusion', () => {
    fc.assert(
      fc.property(arbTnum, arbTnum, (a, b) => {
        const all = members(b).every((x) => tnumContains(a, x));
        expect(tnumIn(a, b)).toBe(all);
      }),
    );
  });
});

describe('tnum exact results', () => {
  it('range', () => {
    expect(tnumRange(0n, 255n)).toEqual(tnum(0n, 0xffn));
    expect(tnumRange(4n, 7n)).toEqual(tnum(4n, 3n));
    expect(tnumRange(5n, 5n)).toEqual(tnumConst(5n));
    expect(tnumRange(0n, U64_MAX)).toEqual(tnumUnknown);
    expect(tnumRange(1n << 63n, U64_MAX)).toEqual(tnum(1n << 63n, (1n << 63n) - 1n));
  });
  it('fls64', () => {
    expect(fls64(0n)).toBe(0);
    expect(fls64(1n)).toBe(1);
    expect(fls64(0x100000000n)).toBe(33);
    expect(fls64(U64_MAX)).toBe(64);
  });
  it('add/sub/and/or', () => {
    expect(tnumAdd(tnum(0n, 0xffn), tnumConst(1n))).toEqual(tnum(0n, 0x1ffn));
    expect(tnumAnd(tnumUnknown, tnumConst(0xffn))).toEqual(tnum(0n, 0xffn));
    expect(tnumOr(tnum(0n, 0xffn), tnumConst(0x100n))).toEqual(tnum(0x100n, 0xffn));
    expect(tnumSub(tnumConst(0n), tnumConst(1n))).toEqual(tnumConst(U64_MAX));
  });
  it('mul keeps known low zero bits and constants', () => {
    expect(tnumMul(tnumConst(6n), tnumConst(7n))).toEqual(tnumConst(42n));
    // x*4 for x in 0..3 : low two bits stay zero
    const r = tnumMul(tnum(0n, 3n), tnumConst(4n));
    expect(r.value & 3n).toBe(0n);
    expect(r.mask & 3n).toBe(0n);
    expect(tnumMul(tnumConst(0n), tnumUnknown)).toEqual(tnumConst(0n));
  });
  it('cast and subregs', () => {
    expect(tnumCast(tnumConst(0x1234n), 1)).toEqual(tnumConst(0x34n));
    expect(tnumSubreg(tnumUnknown)).toEqual(tnum(0n, 0xffffffffn));
    expect(tnumWithSubreg(tnumUnknown, tnumConst(7n))).toEqual(tnum(7n, 0xffffffff00000000n));
  });
  it('predicates', () => {
    expect(tnumIsConst(tnumConst(3n))).toBe(true);
    expect(tnumEqualsConst(tnumConst(3n), 3n)).toBe(true);
    expect(tnumEqualsConst(tnum(2n, 1n), 3n)).toBe(false);
    expect(tnumIsAligned(tnum(8n, 0x10n), 8)).toBe(true);
    expect(tnumIsAligned(tnum(8n, 0x4n), 8)).toBe(false);
  });
  it('prints as the kernel does', () => {
    expect(tnumStr(tnum(0n, 0xffn))).toBe('(0x0; 0xff)');
    expect(tnumStr(tnumUnknown)).toBe('(0x0; 0xffffffffffffffff)');
    expect(tnumSbin(tnum(2n, 1n)).slice(-4)).toBe('001x');
    expect(tnumSbin(tnum(2n, 1n))).toHaveLength(64);
  });
});
