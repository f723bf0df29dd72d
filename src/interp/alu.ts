// The arithmetic that is not a single JavaScript operator, with Linux's exact results.
//
// Division and modulo follow the kernel's run-time rules (the verifier's fix-ups in
// do_misc_fixups, which both the interpreter and every JIT obey):
//   x / 0 = 0;  x % 0 = x (the 32-bit forms zero-extend x's low half);
//   signed (off = 1): x s/ -1 = -x (so INT_MIN s/ -1 = INT_MIN), x s% -1 = 0.

/** 32-bit division; operands and result are int32 bit patterns. */
export function div32(a: number, b: number, signed: boolean): number {
  if (b === 0) return 0;
  if (signed) {
    if (b === -1) return -a | 0;
    return (a / b) | 0; // ToInt32 truncates toward zero, like C
  }
  return ((a >>> 0) / (b >>> 0)) >>> 0;
}

export function mod32(a: number, b: number, signed: boolean): number {
  if (b === 0) return a;
  if (signed) {
    if (b === -1) return 0;
    return a % b | 0; // sign of the dividend, like C
  }
  return (a >>> 0) % (b >>> 0) | 0;
}

export function div64(a: bigint, b: bigint, signed: boolean): bigint {
  if (b === 0n) return 0n;
  if (signed) {
    if (b === -1n) return -a; // stored into a BigInt64Array: INT64_MIN wraps to itself
    return a / b; // BigInt division truncates toward zero
  }
  return BigInt.asUintN(64, a) / BigInt.asUintN(64, b);
}

export function mod64(a: bigint, b: bigint, signed: boolean): bigint {
  if (b === 0n) return a;
  if (signed) {
    if (b === -1n) return 0n;
    return a % b;
  }
  return BigInt.asUintN(64, a) % BigInt.asUintN(64, b);
}

export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}
