// Large generated programs: structured control flow is built in linear time (no Relooper), and
// the result matches the interpreter. Timings are printed, not asserted (benchmarks assert none).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { runProgram, trustInsns } from '../../src/interp/index.js';
import { compile, loadBinaryen } from '../../jit/index.js';
import { bareKernel } from '../interp/harness.js';
import { lowerProgram, structuredProgram, type Unit } from './gen.js';

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
});
