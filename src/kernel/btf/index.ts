// The simulated kernel's self-description: declared types → memory layout and kernel BTF.

import { BPF_MAP_STRUCT_FIELDS, BPF_MAP_STRUCT_SIZE, MAP_TYPE_NAMES } from '../maps/types.js';
import { TypeTable } from './layout.js';
import { ENUMS, KERNEL_STRUCTS, TYPEDEFS } from './tables.js';
import { UAPI_STRUCTS } from './uapi.js';
import { ITER_EXTRA_STRUCTS } from '../kfuncs/iters/states.js';
import type { EnumSpec, StructSpec } from './types.js';

export * from './types.js';
export { TypeTable, type AggregateLayout, type FieldRef, type MemberLayout } from './layout.js';
export { buildKernelBtf, type KernelBtf } from './kbtf.js';
export { CGROUP_SUBSYS_COUNT, KERNEL_STRUCTS, TYPEDEFS, ENUMS } from './tables.js';
export { UAPI_STRUCTS } from './uapi.js';
export { dumpKernelHeader } from './header.js';

// Field types of struct bpf_map (its layout belongs to src/kernel/maps; we only name the types).
const BPF_MAP_FIELD_TYPES: Record<string, string> = {
  inner_map_meta: 'struct bpf_map *',
  map_type: 'enum bpf_map_type',
  key_size: 'u32',
  value_size: 'u32',
  max_entries: 'u32',
  map_extra: 'u64',
  map_flags: 'u32',
  id: 'u32',
  numa_node: 'int',
  btf_key_type_id: 'u32',
  btf_value_type_id: 'u32',
  btf_vmlinux_value_type_id: 'u32',
  name: 'char[16]',
};

const BPF_MAP_STRUCT: StructSpec = {
  name: 'bpf_map',
  kind: 'struct',
  fields: [],
  fixed: {
    size: BPF_MAP_STRUCT_SIZE,
    members: BPF_MAP_STRUCT_FIELDS.map((f) => ({
      name: f.name,
      offset: f.offset,
      type: BPF_MAP_FIELD_TYPES[f.name] ?? ({ 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' } as Record<number, string>)[f.size] ?? `u8[${f.size}]`,
    })),
  },
};

const BPF_MAP_TYPE_ENUM: EnumSpec = {
  name: 'bpf_map_type',
  values: Object.entries(MAP_TYPE_NAMES).map(([v, n]) => [`BPF_MAP_TYPE_${n.toUpperCase()}`, Number(v)] as const),
};

const tables = new Map<string, TypeTable>();

/**
 * The kernel's type table (immutable; shared by every Kernel with the same extra structs). The
 * kfuncs area's iterator states (ITER_EXTRA_STRUCTS) are always in; `extra` declares more, e.g.
 * for a type an embedder adds. Redeclaring a kernel struct is an error.
 */
export function kernelTypes(extra: readonly StructSpec[] = []): TypeTable {
  const key = JSON.stringify(extra);
  let t = tables.get(key);
  if (!t) {
    t = new TypeTable({
      structs: [...KERNEL_STRUCTS, BPF_MAP_STRUCT, ...UAPI_STRUCTS, ...ITER_EXTRA_STRUCTS, ...extra],
      typedefs: TYPEDEFS,
      enums: [...ENUMS, BPF_MAP_TYPE_ENUM],
    });
    tables.set(key, t);
  }
  return t;
}
