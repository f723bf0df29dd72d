export { ElfError } from './errors.js';
export { parseElf, ElfFile } from './reader.js';
export type { ElfSection, ElfSymbol, ElfRel, ElfHeader } from './reader.js';
export * from './constants.js';
