import { describe, expect, it } from 'vitest';
import { allCases } from './cases/index.js';
import { runCase } from './harness.js';

describe('interpreter instruction cases', () => {
  it('has at least 200 cases with unique names', () => {
    expect(allCases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(allCases.map((c) => c.name)).size).toBe(allCases.length);
  });
  for (const c of allCases) {
    it(c.name, () => {
      expect('0x' + runCase(c).toString(16)).toBe('0x' + BigInt.asUintN(64, c.expect).toString(16));
    });
  }
});
