import type { Command } from 'commander';
import { registerBtf } from './btf.js';
import { registerDisasm } from './disasm.js';
import { registerInspect } from './inspect.js';
import { registerRun } from './run.js';
import { registerConformance } from './conformance.js';
import { registerBench } from './bench.js';
import { registerTest } from './test.js';
import { registerWorld } from './world.js';
import { registerVerify } from './verify.js';
import { registerIter } from './iter.js';

export function registerCommands(program: Command): void {
  registerVerify(program);
  registerDisasm(program);
  registerBtf(program);
  registerInspect(program);
  registerRun(program);
  registerIter(program);
  registerConformance(program);
  registerBench(program);
  registerTest(program);
  registerWorld(program);
}
