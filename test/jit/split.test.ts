// Split functions (huge BPF functions as a dispatch loop over groups, each group its own wasm
// function, state in globals between groups), forced on small programs with tiny groups so every
// branch kind crosses groups; results must match the interpreter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disasmProgram } from '../../src/isa/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { runProgram, trustInsns } from '../../src/interp/index.js';
import { compile, loadBinaryen } from '../../jit/index.js';
import { allCases } from '../interp/cases/index.js';
import { bareKernel } from '../interp/harness.js';
import { lowerProgram, type Unit } from './gen.js';
import { runCaseJit } from './harness.js';

const split = { insns: 0, groupInsns: 3 };

describe('split functions', () => {
  it('a fifth of the interpreter cases agree when split into groups of ~3 instructions', async () => {
    const k = bareKernel();
    const bad: string[] = [];
    // alternately unverified (explicit checks, shared register globals) and verified
    // a sample (every 5th case) keeps the run short; cases.test.ts runs them all unsplit
    for (let n = 0; n < allCases.length; n += 5) {
      const c = allCases[n]!;
      const verified = n % 2 === 1;
      const got = await runCaseJit(c, k, { split }, verified);
      if (got !== BigInt.asUintN(64, c.expect)) bad.push(`${c.name} (verified ${verified}): 0x${got.toString(16)}`);
    }
    expect(bad).toEqual([]);
  }, 300_000);

  it('random programs (calls, loops, may_goto, irreducible flow) agree with the interpreter', async () => {
    await loadBinaryen();
    const kernel = bareKernel();
    const unit = fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.integer(), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Unit>;
    const init = fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 9 });
    await fc.assert(
      fc.asyncProperty(init, fc.array(unit, { minLength: 1, maxLength: 40 }), fc.nat(8), async (regs, units, g) => {
        const insns = lowerProgram(regs, units);
        const vp = trustInsns(insns);
        const want = runProgram(vp, kernel).retval;
        const prog = await compile(vp, kernel, { split: { insns: 0, groupInsns: 1 + g } });
        try {
          expect(prog.stats.groups).toBeGreaterThan(0);
          const got = prog.run().retval;
          if (got !== want) expect.fail(`JIT 0x${got.toString(16)} != interp 0x${want.toString(16)}\n${disasmProgram(insns).join('\n')}`);
        } finally {
          prog.dispose();
        }
      }),
      { numRuns: 200 },
    );
  }, 300_000);

  it('bpf_loop callbacks and inline iterators across groups', async () => {
    const k = new Kernel();
    const id = (name: string): number => k.kfuncBtfId(name);
    const vp = trustInsns(
      assemble(`*(u64 *)(r10 -16) = 0
r1 = 10
r2 = func[23]
r3 = r10
r3 += -16
r4 = 0
call bpf_loop
r6 = 0
r1 = r10
r1 += -8
r2 = 0
r3 = 50
call bpf_iter_num_new#${id('bpf_iter_num_new')}
r1 = r10
r1 += -8
call bpf_iter_num_next#${id('bpf_iter_num_next')}
if r0 == 0 goto +3
r1 = *(u32 *)(r0 +0)
r6 += r1
goto -7
r1 = *(u64 *)(r10 -16)
r0 = r6
r0 <<= 32
r0 |= r1
exit
r3 = *(u64 *)(r2 +0)
r3 += r1
*(u64 *)(r2 +0) = r3
r0 = 0
exit`),
    );
    const want = runProgram(vp, k).retval;
    expect(want).toBe((1225n << 32n) | 45n);
    for (const verified of [false, true]) {
      const p = await compile({ ...vp, verified }, k, { split: { insns: 0, groupInsns: 2 } });
      expect(p.stats.groups).toBeGreaterThan(2);
      expect(p.run().retval).toBe(want);
      p.dispose();
    }
  });
});
