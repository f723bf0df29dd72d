// Large generated programs: structured control flow is built in linear time (no Relooper), and
// the result matches the interpreter. Timings are printed, not asserted (benchmarks assert none).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { runProgram, trustInsns } from '../../src/interp/index.js';
import { compile, JitError, loadBinaryen } from '../../jit/index.js';
import { bareKernel } from '../interp/harness.js';
import type { Insn } from '../../src/isa/insn.js';
import { lowerProgram, structuredProgram, type Unit } from './gen.js';

/**
 * An unverified program whose wasm is big per instruction (every access through r6 carries the
 * explicit bounds check; a jump starts a new block each unit so r6 is not known to be r10 + k):
 * `units` × 5 instructions.
 */
function checkedAccessProgram(units: number): Insn[] {
  const ins = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
  const out: Insn[] = [ins(0xbf, 6, 10, 0, 0), ins(0xb7, 0, 0, 0, 0), ins(0x7a, 10, 0, -8, 1)];
  for (let u = 0; u < units; u++) {
    out.push(
      ins(0x15, 0, 0, 0, -1), // if r0 == -1 goto +0: a block boundary
      ins(0x79, 1, 6, -8, 0), // r1 = *(u64 *)(r6 -8)
      ins(0x0f, 0, 1, 0, 0), // r0 += r1
      ins(0x07, 1, 0, 0, u & 0xff), // r1 += u & 0xff
      ins(0x7b, 6, 1, -8, 0), // *(u64 *)(r6 -8) = r1
    );
  }
  out.push(ins(0x95, 0, 0, 0, 0));
  return out;
}

describe('large programs', () => {
  it('a 100k-instruction reducible program compiles and agrees with the interpreter', async () => {
    await loadBinaryen();
    const k = bareKernel();
    const vp = trustInsns(assemble(structuredProgram(100_000, 3)));
    expect(vp.insns.length).toBeGreaterThanOrEqual(100_000);
    const t0 = performance.now();
    const p = await compile(vp, k);
    console.log(`100k insns: compiled in ${(performance.now() - t0).toFixed(0)} ms`, p.stats);
    expect(p.stats.irreducible).toBe(0);
    expect(p.run().retval).toBe(runProgram(vp, k).retval);
    p.dispose();
  }, 120_000);

  it('an irreducible 3k-instruction program runs through the dispatch loop', async () => {
    const k = bareKernel();
    let s = 99;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) | 0;
      return (s >>> 8) % n;
    };
    const units: Unit[] = [];
    while (units.length < 2500) units.push([rnd(1000), rnd(1000), rnd(1000), rnd(1 << 30), rnd(1000), rnd(1000)]);
    const vp = trustInsns(lowerProgram([5n, 7n], units, 12));
    const p = await compile(vp, k);
    expect(p.stats.irreducible).toBe(1);
    expect(p.run().retval).toBe(runProgram(vp, k).retval);
    p.dispose();
  }, 120_000);

  it('a function too big for V8 (> 7.6 MB of wasm unsplit) is split into groups and agrees', async () => {
    await loadBinaryen();
    const k = bareKernel();
    const vp = trustInsns(checkedAccessProgram(Number(process.env.JIT_SPLIT_UNITS ?? 60_000)));
    const t0 = performance.now();
    const p = await compile(vp, k);
    console.log(`${vp.insns.length} insns split: compiled in ${(performance.now() - t0).toFixed(0)} ms`, p.stats);
    expect(p.stats.groups).toBeGreaterThan(1);
    expect(p.run().retval).toBe(runProgram(vp, k).retval);
    p.dispose();
    // unsplit, V8 refuses the function: this program really needs the split
    await expect(compile(vp, k, { split: { insns: Infinity, groupInsns: 0 } })).rejects.toThrow(JitError);
  }, 120_000);
});
