// bpfwasm's public API. See README.md for a tour.
export { BpfObject, type OpenOptions } from './api/object.js';
export { Program, type LoadOptions, type RunOptions, type RunResult } from './api/program.js';
export { BpfApiError, BpfLoadError } from './api/errors.js';
export { BpfIterator, IterReadError, type IterOptions } from './api/iter.js';
export type { EngineName } from './api/engine.js';
export { Kernel, KernelMemory, KERNEL_BASE, type KernelOptions } from './kernel/index.js';
export { openObject, BpfObjectError, type BpfObjectSpec, type ProgramSpec, type MapSpec } from './loader/index.js';
export { decode, encode, disasm, disasmProgram, assemble, IsaError, AsmError, type Insn } from './isa/index.js';
export { parseElf, ElfError } from './elf/index.js';
export { parseBtf, BtfError, BtfWriter, type Btf } from './btf/index.js';
