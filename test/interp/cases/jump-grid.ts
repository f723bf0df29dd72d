// Every conditional jump, JMP (64-bit) and JMP32, register and immediate forms, over edge values
// that separate signed from unsigned and the low half from the whole register.
import { lit, S32, S64, U32, U64, type InterpCase } from './types.js';

const V: bigint[] = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, -0x8000000000000000n, 0x100000000n, 0xffffffff00000001n];
const K: number[] = [0, 1, -1, 0x7fffffff, -0x80000000];

type Cond = { name: string; asm: string; f: (a: bigint, b: bigint, s: (v: bigint) => bigint) => boolean };
// a and b arrive as unsigned values of the compared width; `s` reinterprets one as signed
const CONDS: Cond[] = [
  { name: 'jeq', asm: '==', f: (a, b) => a === b },
  { name: 'jne', asm: '!=', f: (a, b) => a !== b },
  { name: 'jset', asm: '&', f: (a, b) => (a & b) !== 0n },
  { name: 'jgt', asm: '>', f: (a, b) => a > b },
  { name: 'jge', asm: '>=', f: (a, b) => a >= b },
  { name: 'jlt', asm: '<', f: (a, b) => a < b },
  { name: 'jle', asm: '<=', f: (a, b) => a <= b },
  { name: 'jsgt', asm: 's>', f: (a, b, s) => s(a) > s(b) },
  { name: 'jsge', asm: 's>=', f: (a, b, s) => s(a) >= s(b) },
  { name: 'jslt', asm: 's<', f: (a, b, s) => s(a) < s(b) },
  { name: 'jsle', asm: 's<=', f: (a, b, s) => s(a) <= s(b) },
];

const hex = (v: bigint): string => `0x${U64(v).toString(16)}`;
const prog = (setup: string, cond: string): string => `${setup}\nr0 = 1\nif ${cond} goto taken\nr0 = 0\ntaken:\nexit`;

function grid(): InterpCase[] {
  const out: InterpCase[] = [];
  for (const c of CONDS) {
    for (const a of V) {
      for (const b of V) {
        out.push({
          name: `${c.name} X ${hex(a)}, ${hex(b)}`,
          asm: prog(`r1 = ${lit(a)}\nr2 = ${lit(b)}`, `r1 ${c.asm} r2`),
          expect: c.f(U64(a), U64(b), S64) ? 1n : 0n,
        });
        out.push({
          name: `${c.name}32 X ${hex(a)}, ${hex(b)}`,
          asm: prog(`r1 = ${lit(a)}\nr2 = ${lit(b)}`, `w1 ${c.asm} w2`),
          expect: c.f(U32(a), U32(b), S32) ? 1n : 0n,
        });
      }
      for (const k of K) {
        const kb = BigInt(k);
        out.push({
          name: `${c.name} K ${hex(a)}, ${k}`,
          asm: prog(`r1 = ${lit(a)}`, `r1 ${c.asm} ${k}`),
          expect: c.f(U64(a), U64(kb), S64) ? 1n : 0n,
        });
        out.push({
          name: `${c.name}32 K ${hex(a)}, ${k}`,
          asm: prog(`r1 = ${lit(a)}`, `w1 ${c.asm} ${k}`),
          expect: c.f(U32(a), U32(kb), S32) ? 1n : 0n,
        });
      }
    }
  }
  return out;
}

export const jumpGridCases: InterpCase[] = grid();
