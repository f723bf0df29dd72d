// Every instruction-level case, in one list (the host-kernel suite imports this too).
import { aluGridCases } from './alu-grid.js';
import { callCases, ldAbsCases, mayGotoCases, memInputCases } from './calls.js';
import { aluEdgeCases, atomicCases, endianCases, jumpEdgeCases, memCases } from './edge.js';
import { jumpGridCases } from './jump-grid.js';
import type { InterpCase } from './types.js';

/** Hand-written cases, one family per opcode group. */
export const edgeCases: InterpCase[] = [
  ...aluEdgeCases,
  ...endianCases,
  ...jumpEdgeCases,
  ...memCases,
  ...atomicCases,
  ...callCases,
  ...mayGotoCases,
  ...ldAbsCases,
  ...memInputCases,
];

export const allCases: InterpCase[] = [...edgeCases, ...aluGridCases, ...jumpGridCases];
export type { InterpCase } from './types.js';
