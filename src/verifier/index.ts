// Public surface of the verifier.
export { verifyProgram, BPF_COMPLEXITY_LIMIT_INSNS, type VerifyOptions, type VerifyResult, type VerifierKfunc } from './verifier.js';
export { kfuncLookup } from './kfunc-lookup.js';
export { VerifierError } from './errors.js';
export type { VerifiedProgram, SubprogInfo } from './verified-program.js';
export { VerifierLog, formatRegState, formatFuncState, formatStats, regTypeStr, BPF_LOG_LEVEL1, BPF_LOG_LEVEL2, BPF_LOG_STATS } from './log.js';
export type { VerifierMap, RegState, VerifierState, FuncState, StackSlot, BaseType } from './state.js';
export { checkCfg, checkSubprogs, checkLdImm64 } from './cfg.js';
export { computeLiveRegs } from './liveness.js';
