// Every instruction-level case of the interpreter (kernel-checked expectations) under the JIT.
import { describe, expect, it } from 'vitest';
import { allCases } from '../interp/cases/index.js';
import { runCaseJit } from './harness.js';

describe('JIT instruction cases', () => {
  it('covers the whole case list', () => {
    expect(allCases.length).toBeGreaterThanOrEqual(200);
  });
  for (const c of allCases) {
    it(c.name, async () => {
      expect('0x' + (await runCaseJit(c)).toString(16)).toBe('0x' + BigInt.asUintN(64, c.expect).toString(16));
    });
  }
});
