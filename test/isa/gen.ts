// Generators of valid instructions, one per form of the opcode table (shared by the property
// tests and the fixture generator).
import fc from 'fast-check';
import { INSN_FORMS, type FieldRule, type InsnForm } from '../../src/isa/table.js';
import type { Insn } from '../../src/isa/insn.js';

const S16: [number, number] = [-0x8000, 0x7fff];
const S32: [number, number] = [-0x80000000, 0x7fffffff];

function arbField(rule: FieldRule, range: [number, number]): fc.Arbitrary<number> {
  if (rule === 'zero') return fc.constant(0);
  if (rule === 'reg') return fc.integer({ min: 0, max: 10 });
  if (rule === 'any') {
    // bias towards small values and the edges, where printing differs (sign, 0x prefix)
    return fc.oneof(
      fc.integer({ min: range[0], max: range[1] }),
      fc.integer({ min: -20, max: 20 }),
      fc.constantFrom(range[0], range[1], -1, 0),
    );
  }
  return fc.constantFrom(...rule);
}

export function arbInsnOfForm(f: InsnForm): fc.Arbitrary<Insn[]> {
  return fc
    .record({
      dst: arbField(f.dst, S16),
      src: arbField(f.src, S16),
      off: arbField(f.off, S16),
      imm: arbField(f.imm, S32),
      imm2: arbField(f.imm2 ?? 'zero', S32),
    })
    .map(({ dst, src, off, imm, imm2 }) => {
      if (f.kind === 'ld_imm64') {
        return [
          { code: f.code, dst, src, off, imm, imm2 },
          { code: 0, dst: 0, src: 0, off: 0, imm: imm2 },
        ];
      }
      return [{ code: f.code, dst, src, off, imm }];
    });
}

/** A random valid instruction of any form (1 or 2 slots). */
export const arbInsn: fc.Arbitrary<Insn[]> = fc
  .constantFrom(...INSN_FORMS)
  .chain((f) => arbInsnOfForm(f));

/** Deterministic PRNG (mulberry32) for fixture generation. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
