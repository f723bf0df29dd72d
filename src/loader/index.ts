export { openObject, POISON_CALL_KFUNC_BASE } from './object.js';
export { BpfObjectError } from './errors.js';
export { sectionProgInfo, SECTION_PATTERNS, type SectionProgInfo } from './sections.js';
export { CORE_POISON_IMM, CORE_RELO_KINDS, CoreRelocator } from './core.js';
export { essentialName } from './compat.js';
export { internalMapName } from './maps.js';
export { DEFAULT_KERNEL_VERSION } from './externs.js';
export * from './types.js';
