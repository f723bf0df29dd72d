// src/loader: turn a `clang -target bpf` ELF object into programs and map specs, following
// libbpf's conventions (SEC names, BTF-defined and legacy maps, global data as array maps,
// .kconfig/.ksyms externs, bpf-to-bpf linking, CO-RE against a target BTF).
//
//   const spec = openObject(bytes, { targetBtf: kernel.btf, kconfig: { CONFIG_HZ: 250 } });
//   spec.programs[i].insns   // main function + reached subprograms; map refs as
//                            // ld_imm64 src=BPF_PSEUDO_MAP_IDX(_VALUE), imm = index in spec.maps
//   spec.maps[i]             // MapSpec (initialData for global data / .kconfig)
//
// Anything malformed throws BpfObjectError (section + offset in the message). `internal` on
// that error means a loader bug surfaced as a JS exception, never a property of the input.
export { openObject, POISON_CALL_KFUNC_BASE } from './object.js';
export { BpfObjectError } from './errors.js';
export { sectionProgInfo, SECTION_PATTERNS, type SectionProgInfo } from './sections.js';
export { CORE_POISON_IMM, CORE_RELO_KINDS, CoreRelocator } from './core.js';
export { essentialName } from './compat.js';
export { internalMapName } from './maps.js';
export { DEFAULT_KERNEL_VERSION } from './externs.js';
export * from './types.js';
