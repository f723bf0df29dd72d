// Every binary ALU operation, 64- and 32-bit, register (X) and immediate (K) forms, over a grid
// of edge values. Expectations come from a BigInt model of the kernel's rules written from the
// ISA text (RFC 9669 + Linux's div/mod-by-zero and INT_MIN/-1 fix-ups), independent of the
// interpreter; the host-kernel suite checks the same cases against Linux.
import { lit, S32, S64, U32, U64, type InterpCase } from './types.js';

const V: bigint[] = [
  0n,
  1n,
  3n,
  -1n,
  -7n,
  0x80000000n,
  0xffffffffn,
  -0x8000000000000000n,
  0x123456789abcdef0n,
];

type Op = { name: string; asm: string; f64: (a: bigint, b: bigint) => bigint; f32: (a: bigint, b: bigint) => bigint };

const OPS: Op[] = [
  { name: 'add', asm: '+=', f64: (a, b) => a + b, f32: (a, b) => a + b },
  { name: 'sub', asm: '-=', f64: (a, b) => a - b, f32: (a, b) => a - b },
  { name: 'mul', asm: '*=', f64: (a, b) => a * b, f32: (a, b) => a * b },
  { name: 'div', asm: '/=', f64: (a, b) => (b === 0n ? 0n : a / b), f32: (a, b) => (b === 0n ? 0n : a / b) },
  {
    name: 'sdiv',
    asm: 's/=',
    f64: (a, b) => (b === 0n ? 0n : S64(a) / S64(b)),
    f32: (a, b) => (b === 0n ? 0n : S32(a) / S32(b)),
  },
  { name: 'mod', asm: '%=', f64: (a, b) => (b === 0n ? a : a % b), f32: (a, b) => (b === 0n ? a : a % b) },
  {
    name: 'smod',
    asm: 's%=',
    f64: (a, b) => (b === 0n ? a : S64(a) % S64(b)),
    f32: (a, b) => (b === 0n ? a : S32(a) % S32(b)),
  },
  { name: 'or', asm: '|=', f64: (a, b) => a | b, f32: (a, b) => a | b },
  { name: 'and', asm: '&=', f64: (a, b) => a & b, f32: (a, b) => a & b },
  { name: 'xor', asm: '^=', f64: (a, b) => a ^ b, f32: (a, b) => a ^ b },
  { name: 'lsh', asm: '<<=', f64: (a, b) => a << (b & 63n), f32: (a, b) => a << (b & 31n) },
  { name: 'rsh', asm: '>>=', f64: (a, b) => a >> (b & 63n), f32: (a, b) => a >> (b & 31n) },
  { name: 'arsh', asm: 's>>=', f64: (a, b) => S64(a) >> (b & 63n), f32: (a, b) => S32(a) >> (b & 31n) },
];

const hex = (v: bigint): string => `0x${U64(v).toString(16)}`;

function gridX(): InterpCase[] {
  const out: InterpCase[] = [];
  for (const op of OPS) {
    for (const a of V) {
      for (const b of V) {
        out.push({
          name: `alu64 ${op.name} X ${hex(a)}, ${hex(b)}`,
          asm: `r1 = ${lit(a)}\nr2 = ${lit(b)}\nr1 ${op.asm} r2\nr0 = r1\nexit`,
          expect: U64(op.f64(U64(a), U64(b))),
        });
        out.push({
          name: `alu32 ${op.name} X ${hex(a)}, ${hex(b)}`,
          asm: `r1 = ${lit(a)}\nr2 = ${lit(b)}\nw1 ${op.asm} w2\nr0 = r1\nexit`,
          expect: U32(op.f32(U32(a), U32(b))),
        });
      }
    }
  }
  return out;
}

/** Immediates: sign-extended to 64 bits for ALU64, taken as 32 bits for ALU. */
const K: number[] = [1, 3, -1, -7, 0x7fffffff, -0x80000000];
const SHIFT_K64 = [0, 1, 31, 32, 63];
const SHIFT_K32 = [0, 1, 16, 31];

function gridK(): InterpCase[] {
  const out: InterpCase[] = [];
  for (const op of OPS) {
    const shift = op.name === 'lsh' || op.name === 'rsh' || op.name === 'arsh';
    for (const a of V) {
      for (const k of shift ? SHIFT_K64 : K) {
        out.push({
          name: `alu64 ${op.name} K ${hex(a)}, ${k}`,
          asm: `r1 = ${lit(a)}\nr1 ${op.asm} ${k}\nr0 = r1\nexit`,
          expect: U64(op.f64(U64(a), U64(BigInt(k)))),
        });
      }
      for (const k of shift ? SHIFT_K32 : K) {
        out.push({
          name: `alu32 ${op.name} K ${hex(a)}, ${k}`,
          asm: `r1 = ${lit(a)}\nw1 ${op.asm} ${k}\nr0 = r1\nexit`,
          expect: U32(op.f32(U32(a), U32(BigInt(k)))),
        });
      }
    }
  }
  return out;
}

function unary(): InterpCase[] {
  const out: InterpCase[] = [];
  for (const a of V) {
    out.push({ name: `neg64 ${hex(a)}`, asm: `r1 = ${lit(a)}\nr1 = -r1\nr0 = r1\nexit`, expect: U64(-a) });
    out.push({ name: `neg32 ${hex(a)}`, asm: `r1 = ${lit(a)}\nw1 = -w1\nr0 = r1\nexit`, expect: U32(-U32(a)) });
    out.push({ name: `mov32 X zero-extends ${hex(a)}`, asm: `r2 = ${lit(a)}\nw1 = w2\nr0 = r1\nexit`, expect: U32(a) });
    for (const w of [8, 16, 32]) {
      const sx = BigInt.asIntN(w, a);
      out.push({ name: `movsx64 s${w} ${hex(a)}`, asm: `r2 = ${lit(a)}\nr1 = (s${w})r2\nr0 = r1\nexit`, expect: U64(sx) });
      if (w < 32) out.push({ name: `movsx32 s${w} ${hex(a)}`, asm: `r2 = ${lit(a)}\nw1 = (s${w})w2\nr0 = r1\nexit`, expect: U32(sx) });
    }
  }
  return out;
}

export const aluGridCases: InterpCase[] = [...gridX(), ...gridK(), ...unary()];
