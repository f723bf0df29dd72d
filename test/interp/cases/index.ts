// Every instruction-level case, in one list (the host-kernel suite imports this too).
import { aluGridCases } from './alu-grid.js';
import type { InterpCase } from './types.js';

export const allCases: InterpCase[] = [...aluGridCases];
export type { InterpCase } from './types.js';
