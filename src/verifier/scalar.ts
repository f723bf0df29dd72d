// Range tracking for scalar registers: the four 64-bit and four 32-bit bounds plus the tnum,
// their mutual refinement, the transfer function of every ALU operation and the refinement of
// both registers by a conditional jump. Behaviour follows Linux 6.18's verifier (as shipped in
// 6.18.y stable, which carries BPF_END tracking and the single-value-tnum refinement); the code
// is our own reading of it.

import {
  BPF_ADD, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_CLASS, BPF_DIV, BPF_END, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD,
  BPF_MUL, BPF_NEG, BPF_OP, BPF_OR, BPF_RSH, BPF_SRC, BPF_SUB, BPF_TO_LE, BPF_X, BPF_XOR,
} from '../isa/opcodes.js';
import {
  type Tnum, U32_MAX, U64_MAX, tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumClearSubreg, tnumConst,
  tnumConstSubreg, tnumContains, tnumIntersect, tnumIsConst, tnumLshift, tnumMul, tnumNeg, tnumOr,
  tnumRange, tnumRshift, tnumSub, tnumSubreg, tnumSubregIsConst, tnumUnknown, tnumWithSubreg,
  tnumXor,
} from './tnum.js';

export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -(1n << 31n);
export const S32_MAX = (1n << 31n) - 1n;

export const asU64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const asS64 = (x: bigint): bigint => BigInt.asIntN(64, x);
export const asU32 = (x: bigint): bigint => BigInt.asUintN(32, x);
export const asS32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * The numeric part of bpf_reg_state. Signed fields hold signed BigInts, unsigned fields
 * unsigned ones; 32-bit fields describe the low half (the subregister).
 */
export interface ScalarRange {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32Min: bigint;
  s32Max: bigint;
  u32Min: bigint;
  u32Max: bigint;
}

export function unknownRange(): ScalarRange {
  return {
    varOff: tnumUnknown, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX,
    s32Min: S32_MIN, s32Max: S32_MAX, u32Min: 0n, u32Max: U32_MAX,
  };
}

export function knownRange(v: bigint): ScalarRange {
  const r = unknownRange();
  markKnown(r, v);
  return r;
}

export function copyRange(dst: ScalarRange, src: ScalarRange): void {
  dst.varOff = src.varOff;
  dst.smin = src.smin;
  dst.smax = src.smax;
  dst.umin = src.umin;
  dst.umax = src.umax;
  dst.s32Min = src.s32Min;
  dst.s32Max = src.s32Max;
  dst.u32Min = src.u32Min;
  dst.u32Max = src.u32Max;
}

export const cloneRange = (r: ScalarRange): ScalarRange => ({ ...r });

/** ___mark_reg_known: every bound collapses to imm. */
export function markKnown(r: ScalarRange, imm: bigint): void {
  const u = asU64(imm);
  r.varOff = tnumConst(u);
  r.smin = r.smax = asS64(u);
  r.umin = r.umax = u;
  r.s32Min = r.s32Max = asS32(u);
  r.u32Min = r.u32Max = asU32(u);
}

export function markKnown32(r: ScalarRange, imm: bigint): void {
  r.varOff = tnumConstSubreg(r.varOff, asU32(imm));
  r.s32Min = r.s32Max = asS32(imm);
  r.u32Min = r.u32Max = asU32(imm);
}

export function markUnbounded(r: ScalarRange): void {
  mark64Unbounded(r);
  mark32Unbounded(r);
}

export function mark64Unbounded(r: ScalarRange): void {
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
}

export function mark32Unbounded(r: ScalarRange): void {
  r.s32Min = S32_MIN;
  r.s32Max = S32_MAX;
  r.u32Min = 0n;
  r.u32Max = U32_MAX;
}

/** Forget everything: unknown bits, unbounded ranges. */
export function markRangeUnknown(r: ScalarRange): void {
  r.varOff = tnumUnknown;
  markUnbounded(r);
}

export const isConst64 = (r: ScalarRange): boolean => tnumIsConst(r.varOff);
/** The kernel's is_reg_const(reg, subreg32). */
export const isRegConst = (r: ScalarRange, subreg32: boolean): boolean =>
  subreg32 ? tnumSubregIsConst(r.varOff) : tnumIsConst(r.varOff);
/** The kernel's reg_const_value(reg, subreg32). */
export const regConstValue = (r: ScalarRange, subreg32: boolean): bigint =>
  subreg32 ? asU32(r.varOff.value) : r.varOff.value;

// ---------------------------------------------------------------------------------------------
// Bounds synchronisation (reg_bounds_sync and its parts)

/** Smallest member of t strictly greater than z; t's max when z >= max, t's min when z < min. */
export function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  // Members are t.value + s for submasks s of t.mask; find the least submask s > d.
  const d = z - t.value;
  // Bits of d outside the mask cannot be reproduced; everything below the highest one of
  // them is free to become 0, so saturate it before incrementing inside the mask.
  const outside = d & ~t.mask & U64_MAX;
  let below = 0n;
  if (outside !== 0n) below = (1n << BigInt(outside.toString(2).length)) - 1n;
  const filled = (d | below | (~t.mask & U64_MAX)) & U64_MAX;
  const inc = asU64(filled + 1n) & t.mask;
  return t.value | inc;
}

export function updateReg32Bounds(r: ScalarRange): void {
  const v = tnumSubreg(r.varOff);
  r.s32Min = max(r.s32Min, asS32(v.value | (v.mask & 0x8000_0000n)));
  r.s32Max = min(r.s32Max, asS32(v.value | (v.mask & 0x7fff_ffffn)));
  r.u32Min = max(r.u32Min, v.value);
  r.u32Max = min(r.u32Max, v.value | v.mask);
}

export function updateReg64Bounds(r: ScalarRange): void {
  const t = r.varOff;
  r.smin = max(r.smin, asS64(t.value | (t.mask & (1n << 63n))));
  r.smax = min(r.smax, asS64(t.value | (t.mask & S64_MAX)));
  r.umin = max(r.umin, t.value);
  r.umax = min(r.umax, t.value | t.mask);

  // When the u64 range and the tnum share a single value, the register is that constant
  // (otherwise a later branch on it can produce an empty, "violating" range).
  const next = tnumStep(t, r.umin);
  const uminIn = tnumContains(t, r.umin);
  const tmax = t.value | t.mask;
  if (uminIn && next > r.umax) markKnown(r, r.umin);
  else if (!uminIn && next === tmax) markKnown(r, tmax);
  else if (!uminIn && next <= r.umax && tnumStep(t, next) > r.umax) markKnown(r, next);
}

export function updateRegBounds(r: ScalarRange): void {
  updateReg32Bounds(r);
  updateReg64Bounds(r);
}

/** 32-bit bounds from 64-bit ones, and s32 <-> u32. */
function reg32DeduceBounds(r: ScalarRange): void {
  if (r.umin >> 32n === r.umax >> 32n) {
    // Upper halves equal: the low halves form a range in both u32 and (if ordered) s32.
    r.u32Min = max(r.u32Min, asU32(r.umin));
    r.u32Max = min(r.u32Max, asU32(r.umax));
    if (asS32(r.umin) <= asS32(r.umax)) {
      r.s32Min = max(r.s32Min, asS32(r.umin));
      r.s32Max = min(r.s32Max, asS32(r.umax));
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    if (asU32(r.smin) <= asU32(r.smax)) {
      r.u32Min = max(r.u32Min, asU32(r.smin));
      r.u32Max = min(r.u32Max, asU32(r.smax));
    }
    if (asS32(r.smin) <= asS32(r.smax)) {
      r.s32Min = max(r.s32Min, asS32(r.smin));
      r.s32Max = min(r.s32Max, asS32(r.smax));
    }
  }
  // Upper halves are two consecutive numbers while the low half goes from negative to
  // non-negative: still a valid s32 range.
  if (asU32((r.umin >> 32n) + 1n) === asU32(r.umax >> 32n) && asS32(r.umin) < 0n && asS32(r.umax) >= 0n) {
    r.s32Min = max(r.s32Min, asS32(r.umin));
    r.s32Max = min(r.s32Max, asS32(r.umax));
  }
  if (asU32((r.smin >> 32n) + 1n) === asU32(r.smax >> 32n) && asS32(r.smin) < 0n && asS32(r.smax) >= 0n) {
    r.s32Min = max(r.s32Min, asS32(r.smin));
    r.s32Max = min(r.s32Max, asS32(r.smax));
  }
  if (asS32(r.u32Min) <= asS32(r.u32Max)) {
    r.s32Min = max(r.s32Min, asS32(r.u32Min));
    r.s32Max = min(r.s32Max, asS32(r.u32Max));
  }
  if (asU32(r.s32Min) <= asU32(r.s32Max)) {
    r.u32Min = max(r.u32Min, asU32(r.s32Min));
    r.u32Max = min(r.u32Max, asU32(r.s32Max));
  } else if (r.u32Max < asU32(r.s32Min)) {
    // The s32 range wraps the sign boundary and the u32 range meets only its non-negative part.
    r.s32Min = asS32(r.u32Min);
    r.u32Max = min(r.u32Max, asU32(r.s32Max));
  } else if (asU32(r.s32Max) < r.u32Min) {
    // ... or only its negative part.
    r.s32Max = asS32(r.u32Max);
    r.u32Min = max(r.u32Min, asU32(r.s32Min));
  }
}

function reg64DeduceBounds(r: ScalarRange): void {
  // A u64 range that does not cross the sign boundary is also an s64 range, and vice versa.
  if (asS64(r.umin) <= asS64(r.umax)) {
    r.smin = max(r.smin, asS64(r.umin));
    r.smax = min(r.smax, asS64(r.umax));
  }
  if (asU64(r.smin) <= asU64(r.smax)) {
    r.umin = max(r.umin, asU64(r.smin));
    r.umax = min(r.umax, asU64(r.smax));
  } else if (r.umax < asU64(r.smin)) {
    // The s64 range wraps around the sign boundary and the u64 range meets only its
    // non-negative part: both become that part.
    r.smin = asS64(r.umin);
    r.umax = min(r.umax, asU64(r.smax));
  } else if (asU64(r.smax) < r.umin) {
    // ... or only its negative part.
    r.smax = asS64(r.umax);
    r.umin = max(r.umin, asU64(r.smin));
  }
}

function regDeduceMixedBounds(r: ScalarRange): void {
  const HI = ~0xffff_ffffn;
  // Substitute the 32-bit bounds into the low halves of the 64-bit bounds.
  let newUmin = asU64((r.umin & HI) | r.u32Min);
  let newUmax = asU64((r.umax & HI) | r.u32Max);
  r.umin = max(r.umin, newUmin);
  r.umax = min(r.umax, newUmax);
  let newSmin = asS64((r.smin & HI) | r.u32Min);
  let newSmax = asS64((r.smax & HI) | r.u32Max);
  r.smin = max(r.smin, newSmin);
  r.smax = min(r.smax, newSmax);
  if (asU32(r.s32Min) <= asU32(r.s32Max)) {
    newUmin = asU64((r.umin & HI) | asU32(r.s32Min));
    newUmax = asU64((r.umax & HI) | asU32(r.s32Max));
    r.umin = max(r.umin, newUmin);
    r.umax = min(r.umax, newUmax);
    newSmin = asS64((asU64(r.smin) & HI) | asU32(r.s32Min));
    newSmax = asS64((asU64(r.smax) & HI) | asU32(r.s32Max));
    r.smin = max(r.smin, newSmin);
    r.smax = min(r.smax, newSmax);
  }
  // After a sign-extending load: a 64-bit range within [S32_MIN, S32_MAX] whose low half is
  // non-negative cannot have all-ones upper bits.
  if (r.s32Min >= 0n && r.smin >= S32_MIN && r.smax <= S32_MAX) {
    r.smin = r.s32Min;
    r.smax = r.s32Max;
    r.umin = r.s32Min;
    r.umax = r.s32Max;
    r.varOff = tnumIntersect(r.varOff, tnumRange(r.smin, r.smax));
  }
}

export function regDeduceBounds(r: ScalarRange): void {
  reg32DeduceBounds(r);
  reg64DeduceBounds(r);
  regDeduceMixedBounds(r);
}

/** __reg_bound_offset: learn bits from the unsigned ranges. */
export function regBoundOffset(r: ScalarRange): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(r.u32Min, r.u32Max));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

export function regBoundsSync(r: ScalarRange): void {
  updateRegBounds(r);
  regDeduceBounds(r);
  regDeduceBounds(r);
  regBoundOffset(r);
  updateRegBounds(r);
}

/** reg_bounds_sanity_check's verdict: null when consistent, else the kernel's reason. */
export function boundsViolation(r: ScalarRange): string | null {
  if (r.umin > r.umax || r.smin > r.smax || r.u32Min > r.u32Max || r.s32Min > r.s32Max) {
    return 'range bounds violation';
  }
  if (tnumIsConst(r.varOff)) {
    const u = r.varOff.value;
    if (r.umin !== u || r.umax !== u || r.smin !== asS64(u) || r.smax !== asS64(u)) {
      return 'const tnum out of sync with range bounds';
    }
  }
  if (tnumSubregIsConst(r.varOff)) {
    const u = asU32(r.varOff.value);
    if (r.u32Min !== u || r.u32Max !== u || r.s32Min !== asS32(u) || r.s32Max !== asS32(u)) {
      return 'const subreg tnum out of sync with range bounds';
    }
  }
  return null;
}

/** The kernel's log line for a violation (then the register is made unbounded). */
export function boundsViolationMessage(r: ScalarRange, ctx: string, msg: string): string {
  const h = (v: bigint, bits: number): string => '0x' + BigInt.asUintN(bits, v).toString(16);
  return (
    `REG INVARIANTS VIOLATION (${ctx}): ${msg} u64=[${h(r.umin, 64)}, ${h(r.umax, 64)}] ` +
    `s64=[${h(r.smin, 64)}, ${h(r.smax, 64)}] u32=[${h(r.u32Min, 32)}, ${h(r.u32Max, 32)}] ` +
    `s32=[${h(r.s32Min, 32)}, ${h(r.s32Max, 32)}] var_off=(${h(r.varOff.value, 64)}, ${h(r.varOff.mask, 64)})`
  );
}

// ---------------------------------------------------------------------------------------------
// Truncation, extension

function reg32BoundS64(a: bigint): boolean {
  return a >= 0n && a <= S32_MAX;
}

/** __reg_assign_32_into_64 */
function regAssign32Into64(r: ScalarRange): void {
  r.umin = r.u32Min;
  r.umax = r.u32Max;
  if (reg32BoundS64(r.s32Min) && reg32BoundS64(r.s32Max)) {
    r.smin = r.s32Min;
    r.smax = r.s32Max;
  } else {
    r.smin = 0n;
    r.smax = U32_MAX;
  }
}

/** ALU32 results are zero-extended. */
export function zext32To64(r: ScalarRange): void {
  r.varOff = tnumSubreg(r.varOff);
  regAssign32Into64(r);
}

/** coerce_reg_to_size: keep the low `size` bytes (zero-extending loads, 32-bit moves). */
export function coerceRegToSize(r: ScalarRange, size: number): void {
  r.varOff = tnumCast(r.varOff, size);
  const mask = size >= 8 ? U64_MAX : (1n << BigInt(size * 8)) - 1n;
  if ((r.umin & ~mask) === (r.umax & ~mask)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = asS64(r.umin);
  r.smax = asS64(r.umax);
  // Below 32 bits the subregister is truncated too; re-derive it from the 64-bit bounds.
  if (size < 4) mark32Unbounded(r);
  regBoundsSync(r);
}

const sext = (v: bigint, size: number): bigint => BigInt.asIntN(size * 8, v);

function setSext64Default(r: ScalarRange, size: number): void {
  const bits = BigInt(size * 8 - 1);
  r.smin = r.s32Min = -(1n << bits);
  r.smax = r.s32Max = (1n << bits) - 1n;
  r.umin = r.u32Min = 0n;
  r.umax = U64_MAX;
  r.u32Max = U32_MAX;
  r.varOff = tnumUnknown;
}

/** coerce_reg_to_size_sx: sign-extend the low `size` bytes into 64 bits (movsx, ldsx). */
export function coerceRegToSizeSx(r: ScalarRange, size: number): void {
  if (tnumIsConst(r.varOff)) {
    const v = asU64(sext(r.varOff.value, size));
    r.varOff = tnumConst(v);
    r.smin = r.smax = asS64(v);
    r.umin = r.umax = v;
    r.s32Min = r.s32Max = asS32(v);
    r.u32Min = r.u32Max = asU32(v);
    return;
  }
  const nb = BigInt(size * 8);
  const topMax = (asU64(r.smax) >> nb) << nb;
  const topMin = (asU64(r.smin) >> nb) << nb;
  if (topMax === topMin) {
    const a = sext(r.smax, size);
    const b = sext(r.smin, size);
    const hi = max(a, b);
    const lo = min(a, b);
    if (hi >= 0n === lo >= 0n) {
      r.s32Min = asS32(lo);
      r.smin = lo;
      r.s32Max = asS32(hi);
      r.smax = hi;
      r.u32Min = asU32(lo);
      r.umin = asU64(lo);
      r.u32Max = asU32(hi);
      r.umax = asU64(hi);
      r.varOff = tnumRange(asU64(lo), asU64(hi));
      return;
    }
  }
  setSext64Default(r, size);
}

function setSext32Default(r: ScalarRange, size: number): void {
  const bits = BigInt(size * 8 - 1);
  r.s32Min = -(1n << bits);
  r.s32Max = (1n << bits) - 1n;
  r.u32Min = 0n;
  r.u32Max = U32_MAX;
  r.varOff = tnumSubreg(tnumUnknown);
}

/** coerce_subreg_to_size_sx: w = (s8/s16) w, the 64-bit half is fixed up by zext later. */
export function coerceSubregToSizeSx(r: ScalarRange, size: number): void {
  if (tnumIsConst(r.varOff)) {
    const v = asU64(sext(r.varOff.value, size));
    r.varOff = tnumConst(v);
    r.s32Min = r.s32Max = asS32(v);
    r.u32Min = r.u32Max = asU32(v);
    return;
  }
  const nb = BigInt(size * 8);
  const topMax = (asU32(r.s32Max) >> nb) << nb;
  const topMin = (asU32(r.s32Min) >> nb) << nb;
  if (topMax === topMin) {
    const a = sext(r.s32Max, size);
    const b = sext(r.s32Min, size);
    const hi = max(a, b);
    const lo = min(a, b);
    if (lo >= 0n === hi >= 0n) {
      r.s32Min = lo;
      r.s32Max = hi;
      r.u32Min = asU32(lo);
      r.u32Max = asU32(hi);
      r.varOff = tnumSubreg(tnumRange(asU64(lo), asU64(hi)));
      return;
    }
  }
  setSext32Default(r, size);
}

// ---------------------------------------------------------------------------------------------
// ALU transfer functions

function addOverflowS(a: bigint, b: bigint, bits: number): [bigint, boolean] {
  const s = a + b;
  const w = BigInt.asIntN(bits, s);
  return [w, w !== s];
}
function addOverflowU(a: bigint, b: bigint, bits: number): [bigint, boolean] {
  const s = a + b;
  const w = BigInt.asUintN(bits, s);
  return [w, w !== s];
}
function subOverflowS(a: bigint, b: bigint, bits: number): [bigint, boolean] {
  return addOverflowS(a, -b, bits);
}
function subOverflowU(a: bigint, b: bigint, bits: number): [bigint, boolean] {
  const s = a - b;
  const w = BigInt.asUintN(bits, s);
  return [w, w !== s];
}

function scalar32Add(d: ScalarRange, s: ScalarRange): void {
  const [smin, o1] = addOverflowS(d.s32Min, s.s32Min, 32);
  const [smax, o2] = addOverflowS(d.s32Max, s.s32Max, 32);
  if (o1 || o2) {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  } else {
    d.s32Min = smin;
    d.s32Max = smax;
  }
  // Either every sum wraps or none does: the wrapped bounds still hold.
  const [umin, minOv] = addOverflowU(d.u32Min, s.u32Min, 32);
  const [umax, maxOv] = addOverflowU(d.u32Max, s.u32Max, 32);
  if (!minOv && maxOv) {
    d.u32Min = 0n;
    d.u32Max = U32_MAX;
  } else {
    d.u32Min = umin;
    d.u32Max = umax;
  }
}

function scalar64Add(d: ScalarRange, s: ScalarRange): void {
  const [smin, o1] = addOverflowS(d.smin, s.smin, 64);
  const [smax, o2] = addOverflowS(d.smax, s.smax, 64);
  if (o1 || o2) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const [umin, minOv] = addOverflowU(d.umin, s.umin, 64);
  const [umax, maxOv] = addOverflowU(d.umax, s.umax, 64);
  if (!minOv && maxOv) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = umin;
    d.umax = umax;
  }
}

function scalar32Sub(d: ScalarRange, s: ScalarRange): void {
  const [smin, o1] = subOverflowS(d.s32Min, s.s32Max, 32);
  const [smax, o2] = subOverflowS(d.s32Max, s.s32Min, 32);
  if (o1 || o2) {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  } else {
    d.s32Min = smin;
    d.s32Max = smax;
  }
  const [umin, minUf] = subOverflowU(d.u32Min, s.u32Max, 32);
  const [umax, maxUf] = subOverflowU(d.u32Max, s.u32Min, 32);
  if (minUf && !maxUf) {
    d.u32Min = 0n;
    d.u32Max = U32_MAX;
  } else {
    d.u32Min = umin;
    d.u32Max = umax;
  }
}

function scalar64Sub(d: ScalarRange, s: ScalarRange): void {
  const [smin, o1] = subOverflowS(d.smin, s.smax, 64);
  const [smax, o2] = subOverflowS(d.smax, s.smin, 64);
  if (o1 || o2) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const [umin, minUf] = subOverflowU(d.umin, s.umax, 64);
  const [umax, maxUf] = subOverflowU(d.umax, s.umin, 64);
  if (minUf && !maxUf) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = umin;
    d.umax = umax;
  }
}

function scalarMul(d: ScalarRange, s: ScalarRange, bits: 32 | 64): void {
  const umaxAll = bits === 32 ? U32_MAX : U64_MAX;
  const [sLo, sHi] = bits === 32 ? [S32_MIN, S32_MAX] : [S64_MIN, S64_MAX];
  const dUmin = bits === 32 ? d.u32Min : d.umin;
  const dUmax = bits === 32 ? d.u32Max : d.umax;
  const sUmin = bits === 32 ? s.u32Min : s.umin;
  const sUmax = bits === 32 ? s.u32Max : s.umax;
  let umin = dUmin * sUmin;
  let umax = dUmax * sUmax;
  if (umax > umaxAll || umin > umaxAll) {
    umin = 0n;
    umax = umaxAll;
  }
  const dS = bits === 32 ? [d.s32Min, d.s32Max] : [d.smin, d.smax];
  const sS = bits === 32 ? [s.s32Min, s.s32Max] : [s.smin, s.smax];
  const prods = [dS[0] * sS[0], dS[0] * sS[1], dS[1] * sS[0], dS[1] * sS[1]];
  let smin: bigint;
  let smax: bigint;
  if (prods.some((p) => p < sLo || p > sHi)) {
    smin = sLo;
    smax = sHi;
  } else {
    smin = prods.reduce(min);
    smax = prods.reduce(max);
  }
  if (bits === 32) {
    d.u32Min = umin;
    d.u32Max = umax;
    d.s32Min = smin;
    d.s32Max = smax;
  } else {
    d.umin = umin;
    d.umax = umax;
    d.smin = smin;
    d.smax = smax;
  }
}

/** Signed bounds from unsigned ones when they do not cross the sign boundary. */
function s32FromU32(d: ScalarRange): void {
  if (asS32(d.u32Min) <= asS32(d.u32Max)) {
    d.s32Min = asS32(d.u32Min);
    d.s32Max = asS32(d.u32Max);
  } else {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  }
}
function s64FromU64(d: ScalarRange): void {
  if (asS64(d.umin) <= asS64(d.umax)) {
    d.smin = asS64(d.umin);
    d.smax = asS64(d.umax);
  } else {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  }
}

function scalar32And(d: ScalarRange, s: ScalarRange): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    markKnown32(d, v32.value);
    return;
  }
  d.u32Min = v32.value;
  d.u32Max = min(d.u32Max, s.u32Max);
  s32FromU32(d);
}
function scalar64And(d: ScalarRange, s: ScalarRange): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    markKnown(d, d.varOff.value);
    return;
  }
  d.umin = d.varOff.value;
  d.umax = min(d.umax, s.umax);
  s64FromU64(d);
  updateRegBounds(d);
}
function scalar32Or(d: ScalarRange, s: ScalarRange): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    markKnown32(d, v32.value);
    return;
  }
  d.u32Min = max(d.u32Min, s.u32Min);
  d.u32Max = v32.value | v32.mask;
  s32FromU32(d);
}
function scalar64Or(d: ScalarRange, s: ScalarRange): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    markKnown(d, d.varOff.value);
    return;
  }
  d.umin = max(d.umin, s.umin);
  d.umax = d.varOff.value | d.varOff.mask;
  s64FromU64(d);
  updateRegBounds(d);
}
function scalar32Xor(d: ScalarRange, s: ScalarRange): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    markKnown32(d, v32.value);
    return;
  }
  d.u32Min = v32.value;
  d.u32Max = v32.value | v32.mask;
  s32FromU32(d);
}
function scalar64Xor(d: ScalarRange, s: ScalarRange): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    markKnown(d, d.varOff.value);
    return;
  }
  d.umin = d.varOff.value;
  d.umax = d.varOff.value | d.varOff.mask;
  s64FromU64(d);
  updateRegBounds(d);
}

function scalar32LshBounds(d: ScalarRange, uminVal: bigint, umaxVal: bigint): void {
  d.s32Min = S32_MIN;
  d.s32Max = S32_MAX;
  if (umaxVal > 31n || d.u32Max > 1n << (31n - umaxVal)) {
    d.u32Min = 0n;
    d.u32Max = U32_MAX;
  } else {
    d.u32Min = asU32(d.u32Min << uminVal);
    d.u32Max = asU32(d.u32Max << umaxVal);
  }
}
function scalar32Lsh(d: ScalarRange, s: ScalarRange): void {
  const sub = tnumSubreg(d.varOff);
  scalar32LshBounds(d, s.u32Min, s.u32Max);
  d.varOff = tnumSubreg(tnumLshift(sub, Number(s.u32Min)));
  mark64Unbounded(d);
  updateReg32Bounds(d);
}
function scalar64LshBounds(d: ScalarRange, uminVal: bigint, umaxVal: bigint): void {
  // <<32 of a non-negative subregister (the first half of a sign extension) keeps its sign.
  d.smax = uminVal === 32n && umaxVal === 32n && d.s32Max >= 0n ? d.s32Max << 32n : S64_MAX;
  d.smin = uminVal === 32n && umaxVal === 32n && d.s32Min >= 0n ? d.s32Min << 32n : S64_MIN;
  if (d.umax > 1n << (63n - umaxVal)) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = asU64(d.umin << uminVal);
    d.umax = asU64(d.umax << umaxVal);
  }
}
function scalar64Lsh(d: ScalarRange, s: ScalarRange): void {
  scalar64LshBounds(d, s.umin, s.umax);
  scalar32LshBounds(d, s.umin, s.umax);
  d.varOff = tnumLshift(d.varOff, Number(s.umin));
  updateRegBounds(d);
}
function scalar32Rsh(d: ScalarRange, s: ScalarRange): void {
  const sub = tnumSubreg(d.varOff);
  d.s32Min = S32_MIN;
  d.s32Max = S32_MAX;
  d.varOff = tnumRshift(sub, Number(s.u32Min));
  d.u32Min >>= s.u32Max;
  d.u32Max >>= s.u32Min;
  mark64Unbounded(d);
  updateReg32Bounds(d);
}
function scalar64Rsh(d: ScalarRange, s: ScalarRange): void {
  d.smin = S64_MIN;
  d.smax = S64_MAX;
  d.varOff = tnumRshift(d.varOff, Number(s.umin));
  d.umin >>= s.umax;
  d.umax >>= s.umin;
  mark32Unbounded(d);
  updateRegBounds(d);
}
function scalar32Arsh(d: ScalarRange, s: ScalarRange): void {
  const sh = s.u32Min;
  d.s32Min = d.s32Min >> sh;
  d.s32Max = d.s32Max >> sh;
  d.varOff = tnumArshift(tnumSubreg(d.varOff), Number(sh), 32);
  d.u32Min = 0n;
  d.u32Max = U32_MAX;
  mark64Unbounded(d);
  updateReg32Bounds(d);
}
function scalar64Arsh(d: ScalarRange, s: ScalarRange): void {
  const sh = s.umin;
  d.smin >>= sh;
  d.smax >>= sh;
  d.varOff = tnumArshift(d.varOff, Number(sh), 64);
  d.umin = 0n;
  d.umax = U64_MAX;
  mark32Unbounded(d);
  updateRegBounds(d);
}

const swab = (v: bigint, bytes: number): bigint => {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return r;
};
export function tnumBswap(t: Tnum, bits: 16 | 32 | 64): Tnum {
  const n = bits / 8;
  const m = bits === 64 ? U64_MAX : (1n << BigInt(bits)) - 1n;
  return { value: swab(t.value & m, n), mask: swab(t.mask & m, n) };
}

/** BPF_END on a little-endian host: to_le truncates, to_be and bswap swap bytes. */
function scalarByteSwap(d: ScalarRange, alu64: boolean, toLe: boolean, imm: number): void {
  const needSwap = alu64 || !toLe;
  if (needSwap) {
    if (imm === 16 || imm === 32 || imm === 64) d.varOff = tnumBswap(d.varOff, imm);
    markUnbounded(d);
  }
  if (imm === 16 || imm === 32) coerceRegToSize(d, imm / 8);
}

/** The instruction fields the ALU transfer function looks at. */
export interface AluOp {
  code: number;
  imm: number;
}

/**
 * is_safe_to_compute_dst_reg_range: shifts only by a constant below the width; DIV/MOD and
 * anything else produce an unknown scalar.
 */
export function isSafeToComputeDstRegRange(op: AluOp, src: ScalarRange): boolean {
  const bits = BPF_CLASS(op.code) === BPF_ALU64 ? 64n : 32n;
  const srcConst =
    bits === 32n
      ? tnumSubregIsConst(src.varOff) && src.s32Min === src.s32Max && src.u32Min === src.u32Max
      : tnumIsConst(src.varOff) && src.smin === src.smax && src.umin === src.umax;
  switch (BPF_OP(op.code)) {
    case BPF_ADD:
    case BPF_SUB:
    case BPF_NEG:
    case BPF_AND:
    case BPF_XOR:
    case BPF_OR:
    case BPF_MUL:
    case BPF_END:
      return true;
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH:
      return srcConst && src.umax < bits;
    default:
      return false;
  }
}

/**
 * adjust_scalar_min_max_vals for two scalars. `dst` is updated in place; `src` is not touched
 * (for BPF_K callers pass knownRange(imm)). Returns false when the result is simply unknown
 * (the caller then marks the register unknown, dropping its id as the kernel does).
 */
export function adjustScalarMinMaxVals(op: AluOp, dst: ScalarRange, src0: ScalarRange): boolean {
  const opcode = BPF_OP(op.code);
  const alu32 = BPF_CLASS(op.code) !== BPF_ALU64;
  if (!isSafeToComputeDstRegRange(op, src0)) {
    markRangeUnknown(dst);
    return false;
  }
  const src = src0 === dst ? cloneRange(src0) : src0;
  switch (opcode) {
    case BPF_ADD:
      scalar32Add(dst, src);
      scalar64Add(dst, src);
      dst.varOff = tnumAdd(dst.varOff, src.varOff);
      break;
    case BPF_SUB:
      scalar32Sub(dst, src);
      scalar64Sub(dst, src);
      dst.varOff = tnumSub(dst.varOff, src.varOff);
      break;
    case BPF_NEG: {
      const old = cloneRange(dst);
      markKnown(dst, 0n);
      scalar32Sub(dst, old);
      scalar64Sub(dst, old);
      dst.varOff = tnumNeg(old.varOff);
      break;
    }
    case BPF_MUL:
      dst.varOff = tnumMul(dst.varOff, src.varOff);
      scalarMul(dst, src, 32);
      scalarMul(dst, src, 64);
      break;
    case BPF_AND:
      dst.varOff = tnumAnd(dst.varOff, src.varOff);
      scalar32And(dst, src);
      scalar64And(dst, src);
      break;
    case BPF_OR:
      dst.varOff = tnumOr(dst.varOff, src.varOff);
      scalar32Or(dst, src);
      scalar64Or(dst, src);
      break;
    case BPF_XOR:
      dst.varOff = tnumXor(dst.varOff, src.varOff);
      scalar32Xor(dst, src);
      scalar64Xor(dst, src);
      break;
    case BPF_LSH:
      if (alu32) scalar32Lsh(dst, src);
      else scalar64Lsh(dst, src);
      break;
    case BPF_RSH:
      if (alu32) scalar32Rsh(dst, src);
      else scalar64Rsh(dst, src);
      break;
    case BPF_ARSH:
      if (alu32) scalar32Arsh(dst, src);
      else scalar64Arsh(dst, src);
      break;
    case BPF_END:
      scalarByteSwap(dst, !alu32, BPF_SRC(op.code) === BPF_TO_LE, op.imm);
      break;
    default:
      break;
  }
  // BPF_END does its own truncation (le64 is an ALU-class op that must not be zero-extended).
  if (alu32 && opcode !== BPF_END) zext32To64(dst);
  regBoundsSync(dst);
  return true;
}

/** dst += src on the bounds and tnum only, without re-syncing (sync_linked_regs' delta step). */
export function scalarAddNoSync(dst: ScalarRange, src: ScalarRange): void {
  scalar32Add(dst, src);
  scalar64Add(dst, src);
  dst.varOff = tnumAdd(dst.varOff, src.varOff);
}

/** Is `op` an ALU op whose result the verifier never tracks (DIV, MOD)? */
export const isDivMod = (code: number): boolean => BPF_OP(code) === BPF_DIV || BPF_OP(code) === BPF_MOD;

// ---------------------------------------------------------------------------------------------
// Conditional jumps

/** Is every value in the tnum pair possibly equal? (tnum_overlap) */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const known = ~a.mask & ~b.mask & U64_MAX;
  return (a.value & known) === (b.value & known);
}

/** "a op b" rewritten as "b op' a". */
export function flipOpcode(op: number): number {
  switch (op) {
    case BPF_JGE: return BPF_JLE;
    case BPF_JGT: return BPF_JLT;
    case BPF_JLE: return BPF_JGE;
    case BPF_JLT: return BPF_JGT;
    case BPF_JSGE: return BPF_JSLE;
    case BPF_JSGT: return BPF_JSLT;
    case BPF_JSLE: return BPF_JSGE;
    case BPF_JSLT: return BPF_JSGT;
    default: return op;
  }
}

/** The condition of the fall-through branch; JSET's negation is spelled JSET|X. */
export function revOpcode(op: number): number {
  switch (op) {
    case BPF_JEQ: return BPF_JNE;
    case BPF_JNE: return BPF_JEQ;
    case BPF_JSET: return BPF_JSET | BPF_X;
    case BPF_JSET | BPF_X: return BPF_JSET;
    case BPF_JGE: return BPF_JLT;
    case BPF_JGT: return BPF_JLE;
    case BPF_JLE: return BPF_JGT;
    case BPF_JLT: return BPF_JGE;
    case BPF_JSGE: return BPF_JSLT;
    case BPF_JSGT: return BPF_JSLE;
    case BPF_JSLE: return BPF_JSGT;
    case BPF_JSLT: return BPF_JSGE;
    default: return 0;
  }
}

/**
 * is_scalar_branch_taken: 1 = always taken, 0 = never, -1 = unknown, for "r1 op r2" where
 * both are scalars (op is BPF_OP of the jump).
 */
export function isScalarBranchTaken(r1: ScalarRange, r2: ScalarRange, op: number, jmp32: boolean): -1 | 0 | 1 {
  let t1 = jmp32 ? tnumSubreg(r1.varOff) : r1.varOff;
  let t2 = jmp32 ? tnumSubreg(r2.varOff) : r2.varOff;
  const umin1 = jmp32 ? r1.u32Min : r1.umin;
  const umax1 = jmp32 ? r1.u32Max : r1.umax;
  const smin1 = jmp32 ? r1.s32Min : r1.smin;
  const smax1 = jmp32 ? r1.s32Max : r1.smax;
  const umin2 = jmp32 ? r2.u32Min : r2.umin;
  const umax2 = jmp32 ? r2.u32Max : r2.umax;
  const smin2 = jmp32 ? r2.s32Min : r2.smin;
  const smax2 = jmp32 ? r2.s32Max : r2.smax;
  const disjoint = (): boolean => {
    if (umin1 > umax2 || umax1 < umin2) return true;
    if (smin1 > smax2 || smax1 < smin2) return true;
    if (!jmp32) {
      if (r1.u32Min > r2.u32Max || r1.u32Max < r2.u32Min) return true;
      if (r1.s32Min > r2.s32Max || r1.s32Max < r2.s32Min) return true;
    }
    return false;
  };
  switch (op) {
    case BPF_JEQ:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value === t2.value ? 1 : 0;
      if (!tnumOverlap(t1, t2)) return 0;
      if (disjoint()) return 0;
      break;
    case BPF_JNE:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value !== t2.value ? 1 : 0;
      if (!tnumOverlap(t1, t2)) return 1;
      if (disjoint()) return 1;
      break;
    case BPF_JSET: {
      let a = r1;
      let b = r2;
      if (!isRegConst(b, jmp32)) {
        [a, b] = [b, a];
        [t1, t2] = [t2, t1];
      }
      if (!isRegConst(b, jmp32)) return -1;
      if (~t1.mask & t1.value & t2.value) return 1;
      if (!((t1.mask | t1.value) & t2.value)) return 0;
      void a;
      break;
    }
    case BPF_JGT:
      if (umin1 > umax2) return 1;
      if (umax1 <= umin2) return 0;
      break;
    case BPF_JSGT:
      if (smin1 > smax2) return 1;
      if (smax1 <= smin2) return 0;
      break;
    case BPF_JLT:
      if (umax1 < umin2) return 1;
      if (umin1 >= umax2) return 0;
      break;
    case BPF_JSLT:
      if (smax1 < smin2) return 1;
      if (smin1 >= smax2) return 0;
      break;
    case BPF_JGE:
      if (umin1 >= umax2) return 1;
      if (umax1 < umin2) return 0;
      break;
    case BPF_JSGE:
      if (smin1 >= smax2) return 1;
      if (smax1 < smin2) return 0;
      break;
    case BPF_JLE:
      if (umax1 <= umin2) return 1;
      if (umin1 > umax2) return 0;
      break;
    case BPF_JSLE:
      if (smax1 <= smin2) return 1;
      if (smin1 > smax2) return 0;
      break;
  }
  return -1;
}

const isPowerOf2 = (v: bigint): boolean => v !== 0n && (v & (v - 1n)) === 0n;

/** regs_refine_cond_op: narrow r1 and r2 assuming "r1 op r2" holds (op may be JSET|X). */
export function regsRefineCondOp(a: ScalarRange, b: ScalarRange, op0: number, jmp32: boolean): void {
  let r1 = a;
  let r2 = b;
  let op = op0;
  if (op === BPF_JGE || op === BPF_JGT || op === BPF_JSGE || op === BPF_JSGT) {
    op = flipOpcode(op);
    [r1, r2] = [r2, r1];
  }
  switch (op) {
    case BPF_JEQ:
      if (jmp32) {
        r1.u32Min = max(r1.u32Min, r2.u32Min);
        r1.u32Max = min(r1.u32Max, r2.u32Max);
        r1.s32Min = max(r1.s32Min, r2.s32Min);
        r1.s32Max = min(r1.s32Max, r2.s32Max);
        r2.u32Min = r1.u32Min;
        r2.u32Max = r1.u32Max;
        r2.s32Min = r1.s32Min;
        r2.s32Max = r1.s32Max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = max(r1.umin, r2.umin);
        r1.umax = min(r1.umax, r2.umax);
        r1.smin = max(r1.smin, r2.smin);
        r1.smax = min(r1.smax, r2.smax);
        r2.umin = r1.umin;
        r2.umax = r1.umax;
        r2.smin = r1.smin;
        r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      break;
    case BPF_JNE: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) break;
      // Only a constant at the very edge of r1's range can shrink it.
      const val = regConstValue(r2, jmp32);
      if (jmp32) {
        if (r1.u32Min === asU32(val)) r1.u32Min++;
        if (r1.u32Max === asU32(val)) r1.u32Max--;
        if (r1.s32Min === asS32(val)) r1.s32Min++;
        if (r1.s32Max === asS32(val)) r1.s32Max--;
      } else {
        if (r1.umin === val) r1.umin++;
        if (r1.umax === val) r1.umax--;
        if (r1.smin === asS64(val)) r1.smin++;
        if (r1.smax === asS64(val)) r1.smax--;
      }
      break;
    }
    case BPF_JSET: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) break;
      const val = regConstValue(r2, jmp32);
      // "r & val" being true pins a bit only when val has a single bit.
      if (!isPowerOf2(val)) break;
      if (jmp32) {
        const t = tnumOr(tnumSubreg(r1.varOff), tnumConst(val));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
      } else {
        r1.varOff = tnumOr(r1.varOff, tnumConst(val));
      }
      // The ranges are re-derived from the new bits (6.18 does not keep the old ones).
      markUnbounded(r1);
      break;
    }
    case BPF_JSET | BPF_X: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) break;
      const val = regConstValue(r2, jmp32);
      if (jmp32) {
        const t = tnumAnd(tnumSubreg(r1.varOff), tnumConst(asU64(~val)));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
      } else {
        r1.varOff = tnumAnd(r1.varOff, tnumConst(asU64(~val)));
      }
      markUnbounded(r1);
      break;
    }
    case BPF_JLE:
      if (jmp32) {
        r1.u32Max = min(r1.u32Max, r2.u32Max);
        r2.u32Min = max(r1.u32Min, r2.u32Min);
      } else {
        r1.umax = min(r1.umax, r2.umax);
        r2.umin = max(r1.umin, r2.umin);
      }
      break;
    case BPF_JLT:
      // The C code computes in wrapping arithmetic; keep that (empty ranges surface later as
      // invariant violations, exactly as in the kernel).
      if (jmp32) {
        r1.u32Max = min(r1.u32Max, asU32(r2.u32Max - 1n));
        r2.u32Min = max(asU32(r1.u32Min + 1n), r2.u32Min);
      } else {
        r1.umax = min(r1.umax, asU64(r2.umax - 1n));
        r2.umin = max(asU64(r1.umin + 1n), r2.umin);
      }
      break;
    case BPF_JSLE:
      if (jmp32) {
        r1.s32Max = min(r1.s32Max, r2.s32Max);
        r2.s32Min = max(r1.s32Min, r2.s32Min);
      } else {
        r1.smax = min(r1.smax, r2.smax);
        r2.smin = max(r1.smin, r2.smin);
      }
      break;
    case BPF_JSLT:
      if (jmp32) {
        r1.s32Max = min(r1.s32Max, asS32(r2.s32Max - 1n));
        r2.s32Min = max(asS32(r1.s32Min + 1n), r2.s32Min);
      } else {
        r1.smax = min(r1.smax, asS64(r2.smax - 1n));
        r2.smin = max(asS64(r1.smin + 1n), r2.smin);
      }
      break;
    default:
      break;
  }
}

/** Result of reg_set_min_max: the first violation found, if any. */
export interface RefineResult {
  violation?: { which: 'true_reg1' | 'true_reg2' | 'false_reg1' | 'false_reg2'; msg: string };
}

/**
 * reg_set_min_max for scalars: refine the fall-through copies (f1, f2) by the negated condition
 * and the taken copies (t1, t2) by the condition. `same` = both operands are the same register
 * (then nothing is learned). Violating registers are reset to unbounded, as the kernel does
 * when not running its self-tests.
 */
export function regSetMinMax(
  t1: ScalarRange, t2: ScalarRange, f1: ScalarRange, f2: ScalarRange,
  op: number, jmp32: boolean, same = false,
): RefineResult {
  if (same) return {};
  regsRefineCondOp(f1, f2, revOpcode(op), jmp32);
  regBoundsSync(f1);
  regBoundsSync(f2);
  regsRefineCondOp(t1, t2, op, jmp32);
  regBoundsSync(t1);
  regBoundsSync(t2);
  const res: RefineResult = {};
  for (const [which, r] of [['true_reg1', t1], ['true_reg2', t2], ['false_reg1', f1], ['false_reg2', f2]] as const) {
    const msg = boundsViolation(r);
    if (msg) {
      res.violation ??= { which, msg };
      markUnbounded(r);
    }
  }
  return res;
}

/** Does the abstract value contain the concrete 64-bit value v? (for tests and assertions) */
export function rangeContains(r: ScalarRange, v: bigint): boolean {
  const u = asU64(v);
  const s = asS64(v);
  const u32 = asU32(v);
  const s32 = asS32(v);
  return (
    tnumContains(r.varOff, u) && u >= r.umin && u <= r.umax && s >= r.smin && s <= r.smax &&
    u32 >= r.u32Min && u32 <= r.u32Max && s32 >= r.s32Min && s32 <= r.s32Max
  );
}
