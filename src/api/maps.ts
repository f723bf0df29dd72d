// Creating an object's maps in the simulated kernel, as libbpf does at load time: create each
// map (inner-map templates first), copy global data in, fill `values` slots of map-in-map.
import type { Btf } from '../btf/index.js';
import type { Kernel } from '../kernel/index.js';
import type { BpfMap } from '../kernel/maps/bpf-map.js';
import type { MapSpec } from '../loader/index.js';

/** Byte offset of a `struct bpf_spin_lock` directly inside a map's value type (libbpf/kernel: top level only). */
function spinLockOffset(btf: Btf | undefined, typeId: number | undefined): number | undefined {
  if (btf === undefined || typeId === undefined || typeId === 0) return undefined;
  const id = btf.resolveId(typeId);
  const t = btf.get(id);
  if (t.kind !== 'struct') return undefined;
  for (const m of btf.members(id)) {
    if (btf.nameOf(btf.resolveId(m.type)) === 'bpf_spin_lock') return m.bitOffset / 8;
  }
  return undefined;
}

export function createObjectMaps(kernel: Kernel, specs: readonly MapSpec[]): BpfMap[] {
  const created: BpfMap[] = [];
  for (const spec of specs) {
    const inner = spec.innerMap ? kernel.maps.createMap(attrOf(spec.innerMap)).map : undefined;
    const { map } = kernel.maps.createMap({ ...attrOf(spec), innerMap: inner });
    if (spec.initialData !== undefined && spec.initialData.length > 0) {
      const key = new Uint8Array(4);
      map.update(key, spec.initialData, 0n);
    }
    created.push(map);
  }
  // `values = { [i] = &other_map }` slots refer to maps created above.
  specs.forEach((spec, i) => {
    for (const slot of spec.initialSlots ?? []) {
      if (slot.map === undefined) continue;
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, slot.index, true);
      const value = new Uint8Array(4);
      new DataView(value.buffer).setUint32(0, kernel.maps.fdOf(created[slot.map]!) ?? 0, true);
      created[i]!.update(key, value, 0n);
    }
  });
  return created;
}

function attrOf(spec: MapSpec) {
  return {
    type: spec.type,
    keySize: spec.keySize,
    valueSize: spec.valueSize,
    maxEntries: spec.maxEntries,
    flags: spec.flags,
    name: spec.name,
    mapExtra: spec.mapExtra,
    // The kernel reads numa_node only under BPF_F_NUMA_NODE (4).
    numaNode: spec.flags & 4 ? spec.numaNode : undefined,
    spinLockOff: spinLockOffset(spec.btf, spec.valueTypeId),
    btfKeyTypeId: spec.keyTypeId,
    btfValueTypeId: spec.valueTypeId,
  };
}
