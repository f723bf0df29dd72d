// jit/: VerifiedProgram -> WebAssembly (Binaryen), run against the simulated kernel's memory.
export { compile, compileSync, JitProgram } from './program.js';
export type { JitKernel, JitOptions, JitRunOptions, JitRunResult, JitCompileStats, JitTier } from './program.js';
export { loadBinaryen } from './binaryen.js';
export { JitError } from './errors.js';
export { buildCfg } from './cfg.js';
