// JIT vs interpreter on random programs (test/jit/gen.ts). JIT_PROP_RUNS raises the count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runProgram, trustInsns } from '../../src/interp/index.js';
import { disasmProgram } from '../../src/isa/index.js';
import { compile, loadBinaryen } from '../../jit/index.js';
import { bareKernel } from '../interp/harness.js';
import { lowerProgram, type Unit } from './gen.js';

const RUNS = Number(process.env.JIT_PROP_RUNS ?? 1000);

const unit = fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.integer(), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Unit>;
const init = fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 9 });

describe('JIT agrees with the interpreter on random programs', () => {
  it(`${RUNS} random programs`, async () => {
    await loadBinaryen();
    const kernel = bareKernel();
    await fc.assert(
      fc.asyncProperty(init, fc.array(unit, { minLength: 1, maxLength: 40 }), fc.boolean(), async (regs, units, dispatch) => {
        const insns = lowerProgram(regs, units);
        const vp = trustInsns(insns);
        const want = runProgram(vp, kernel).retval;
        const prog = await compile(vp, kernel, { structure: dispatch ? 'dispatch' : 'auto' });
        try {
          const got = prog.run().retval;
          if (got !== want) expect.fail(`JIT 0x${got.toString(16)} != interp 0x${want.toString(16)}\n${disasmProgram(insns).join('\n')}`);
        } finally {
          prog.dispose();
        }
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
