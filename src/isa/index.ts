// Public surface of the ISA layer (see DESIGN.md "Instructions").
export * from './opcodes.js';
export * from './insn.js';
export { IsaError, AsmError } from './errors.js';
export { decode, encode, validate, type DecodeOptions } from './codec.js';
export {
  OPCODES, INSN_FORMS, findForm, insnProblem, opcodeName,
  type InsnForm, type InsnKind, type FieldRule,
} from './table.js';
export {
  disasm, disasmProgram, PSEUDO_LD_NAMES,
  type DisasmOptions, type DisasmProgramOptions, type DisasmFlavor,
} from './disasm.js';
export { assemble, type AssembleOptions } from './asm.js';
export { helperName, helperId, BPF_FUNC_MAX_ID } from './helpers.js';
export { BPF_HELPER_NAMES } from './helper-ids.js';
