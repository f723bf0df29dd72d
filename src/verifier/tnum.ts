// Tracked numbers ("tnums"): per-bit knowledge about a 64-bit value, as the kernel's verifier
// keeps it in bpf_reg_state.var_off. A bit is known 0 (value=0, mask=0), known 1 (value=1,
// mask=0) or unknown (mask=1, value=0). All operations work on unsigned 64-bit BigInts and
// are written from the documented semantics of kernel/bpf/tnum.c (Linux 6.18), not copied.

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const U32_MAX = 0xffff_ffffn;

const u64 = (x: bigint): bigint => x & U64_MAX;

export const tnum = (value: bigint, mask: bigint): Tnum => ({ value: u64(value), mask: u64(mask) });

/** A value about which nothing is known. */
export const tnumUnknown: Tnum = Object.freeze({ value: 0n, mask: U64_MAX });

export const tnumConst = (value: bigint): Tnum => ({ value: u64(value), mask: 0n });

/** Index (1-based) of the most significant set bit, 0 for 0 — the kernel's fls64. */
export function fls64(x: bigint): number {
  let n = 0;
  let v = u64(x);
  while (v > 0xffff_ffffn) {
    v >>= 32n;
    n += 32;
  }
  return n + (v === 0n ? 0 : 32 - Math.clz32(Number(v)));
}

/** The smallest tnum containing every value in [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min) ^ u64(max);
  const bits = fls64(chi);
  // Differences in the top bit make the whole value unknown (and 1<<64 would overflow in C).
  if (bits > 63) return tnumUnknown;
  const delta = (1n << BigInt(bits)) - 1n;
  return tnum(min & ~delta, delta);
}

export const tnumLshift = (a: Tnum, shift: number): Tnum =>
  tnum(a.value << BigInt(shift), a.mask << BigInt(shift));

export const tnumRshift = (a: Tnum, shift: number): Tnum =>
  tnum(a.value >> BigInt(shift), a.mask >> BigInt(shift));

/**
 * Arithmetic right shift by the smallest possible shift amount. For insnBitness 32 the value
 * is treated as a signed 32-bit quantity and the result zero-extended into 64 bits.
 */
export function tnumArshift(a: Tnum, minShift: number, insnBitness: 32 | 64 = 64): Tnum {
  const s = BigInt(minShift);
  if (insnBitness === 32) {
    return tnum(
      BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    );
  }
  return tnum(BigInt.asIntN(64, a.value) >> s, BigInt.asIntN(64, a.mask) >> s);
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  // Carries that may differ between the all-unknown-bits-0 and all-unknown-bits-1 sums.
  const chi = u64(sm + sv) ^ sv;
  const mu = chi | a.mask | b.mask;
  return tnum(sv & ~mu, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const mu = (alpha ^ beta) | a.mask | b.mask;
  return tnum(dv & ~mu, mu);
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(tnumConst(0n), a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return tnum(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return tnum(v, (a.mask | b.mask) & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return tnum((a.value ^ b.value) & ~mu, mu);
}

/**
 * Multiplication by long multiplication over a's bits (6.18's tnum_mul): a known-1 bit adds the
 * shifted b, an unknown bit joins "added" and "not added" with tnum_union.
 */
export function tnumMul(a0: Tnum, b0: Tnum): Tnum {
  let a = a0;
  let b = b0;
  let acc = tnumConst(0n);
  while (a.value !== 0n || a.mask !== 0n) {
    if (a.value & 1n) acc = tnumAdd(acc, b);
    else if (a.mask & 1n) acc = tnumUnion(acc, tnumAdd(acc, b));
    a = tnumRshift(a, 1);
    b = tnumLshift(b, 1);
  }
  return acc;
}

/** Values in both a and b. Where a and b disagree on a known bit, the result says 1. */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return tnum(v & ~mu, mu);
}

/** The smallest tnum containing every value of a and of b. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return tnum(a.value & b.value & ~mu, mu);
}

/** Truncate to the low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = size >= 8 ? U64_MAX : (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

export const tnumSubreg = (a: Tnum): Tnum => tnumCast(a, 4);
export const tnumClearSubreg = (a: Tnum): Tnum => tnumLshift(tnumRshift(a, 32), 32);
/** a's upper 32 bits with subreg's lower 32 bits. */
export const tnumWithSubreg = (a: Tnum, subreg: Tnum): Tnum =>
  tnumOr(tnumClearSubreg(a), tnumSubreg(subreg));
export const tnumConstSubreg = (a: Tnum, value: bigint): Tnum =>
  tnumWithSubreg(a, tnumConst(value));

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumEqualsConst = (a: Tnum, v: bigint): boolean => a.mask === 0n && a.value === u64(v);
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64_MAX;
export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.value === b.value && a.mask === b.mask;
export const tnumSubregIsConst = (a: Tnum): boolean => (a.mask & U32_MAX) === 0n;

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** Is every value of b also a value of a? */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask);
}

/** Does a contain the concrete value v? */
export const tnumContains = (a: Tnum, v: bigint): boolean => (u64(v) & ~a.mask) === a.value;

/** Unsigned bounds implied by the tnum alone. */
export const tnumUmin = (a: Tnum): bigint => a.value;
export const tnumUmax = (a: Tnum): bigint => a.value | a.mask;

/** `%#llx` as the kernel's vsnprintf prints it: zero too gets the 0x prefix. */
export const hex = (v: bigint): string => '0x' + u64(v).toString(16);

/** The kernel's tnum_strn: `(0x0; 0xff)`. */
export const tnumStr = (a: Tnum): string => `(${hex(a.value)}; ${hex(a.mask)})`;

/** The kernel's tnum_sbin: 64 characters of 0/1/x, most significant first. */
export function tnumSbin(a: Tnum): string {
  let s = '';
  for (let i = 63n; i >= 0n; i--) {
    const bit = 1n << i;
    s += a.mask & bit ? 'x' : a.value & bit ? '1' : '0';
  }
  return s;
}
