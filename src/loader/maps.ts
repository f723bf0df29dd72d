// Map definitions: BTF-defined maps in .maps, legacy struct bpf_map_def in "maps", and the
// global-data sections libbpf turns into single-entry array maps.

import type { Btf, BtfComposite, BtfType } from '../btf/index.js';
import type { ElfFile, ElfSection } from '../elf/index.js';
import { SHT_NOBITS, SHT_PROGBITS, SHF_EXECINSTR, STT_SECTION } from '../elf/index.js';
import { objErr } from './errors.js';
import type { MapSpec } from './types.js';

export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PROG_ARRAY = 3;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_MMAPABLE = 1 << 10;
const BPF_OBJ_NAME_LEN = 16;

/** A map plus where it lives in its ELF section (for relocations that point at it). */
export interface MapEntry {
  spec: MapSpec;
  /** section index and byte offset of its definition / data */
  secIdx: number;
  offset: number;
  /** size of the definition in the section (legacy/BTF maps) */
  size: number;
  /** the ELF symbol naming it (BTF/legacy maps) */
  symbolName?: string;
}

function blankMap(name: string, section: string, btf: Btf | undefined): MapSpec {
  return {
    name, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, pinning: 0, numaNode: 0, mapExtra: 0n,
    isGlobalData: false, section, btf,
  };
}

/** libbpf's name for an internal map: object-name prefix + section name, within 15 chars. */
export function internalMapName(objName: string, real: string): string {
  const sfxLen = Math.max(7, real.length);
  const pfxLen = real.indexOf('.', 1) >= 0 ? 0 : Math.max(0, Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length));
  const name = (objName.slice(0, pfxLen) + real.slice(0, sfxLen)).slice(0, BPF_OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

export function globalDataKind(sec: ElfSection): 'data' | 'rodata' | 'bss' | undefined {
  const n = sec.name;
  if (sec.type === SHT_PROGBITS && (sec.flags & SHF_EXECINSTR) === 0 && sec.size > 0) {
    if (n === '.data' || n.startsWith('.data.')) return 'data';
    if (n === '.rodata' || n.startsWith('.rodata.')) return 'rodata';
  }
  if (sec.type === SHT_NOBITS && sec.size > 0 && (n === '.bss' || n.startsWith('.bss.'))) return 'bss';
  return undefined;
}

/** DATASEC id of a section's BTF, and whether it holds a non-static variable (mmapable). */
function datasecInfo(btf: Btf | undefined, name: string): { id?: number; mmapable: boolean } {
  if (!btf) return { mmapable: false };
  const ds = btf.findByName(name, 'datasec');
  if (!ds || ds.kind !== 'datasec') return { mmapable: false };
  const mmapable = ds.vars.some((v) => {
    if (v.type <= 0 || v.type >= btf.length) return false;
    const t = btf.get(v.type);
    return t.kind === 'var' && t.linkage !== 0;
  });
  return { id: ds.id, mmapable };
}

/** Beyond this a zero-filled .bss is surely a damaged header, not a program's data. */
export const MAX_GLOBAL_DATA_SIZE = 256 << 20;

export function globalDataMaps(elf: ElfFile, btf: Btf | undefined, objName: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const sec of elf.sections) {
    const kind = globalDataKind(sec);
    if (!kind) continue;
    if (sec.size > MAX_GLOBAL_DATA_SIZE) throw objErr(sec.name, 0, `global data section of ${sec.size} bytes is too large`);
    const spec = blankMap(internalMapName(objName, sec.name), sec.name, btf);
    const info = datasecInfo(btf, sec.name);
    spec.type = BPF_MAP_TYPE_ARRAY;
    spec.keySize = 4;
    spec.valueSize = sec.size;
    spec.maxEntries = 1;
    spec.flags = (kind === 'rodata' ? BPF_F_RDONLY_PROG : 0) | (info.mmapable ? BPF_F_MMAPABLE : 0);
    if (info.id !== undefined) spec.valueTypeId = info.id;
    spec.isGlobalData = true;
    spec.initialData = kind === 'bss' ? new Uint8Array(sec.size) : sec.data.slice();
    out.push({ spec, secIdx: sec.index, offset: 0, size: sec.size });
  }
  return out;
}

export function legacyMaps(elf: ElfFile, sec: ElfSection, btf: Btf | undefined): MapEntry[] {
  const syms = elf.symbolsIn(sec).filter((s) => s.type !== STT_SECTION && s.name !== '');
  if (syms.length === 0) return [];
  if (sec.data.length !== sec.size) throw objErr(sec.name, 0, 'legacy map section has no contents in the file');
  const defSize = Math.floor(sec.size / syms.length);
  if (defSize < 20 || sec.size % syms.length !== 0) {
    throw objErr(sec.name, 0, `cannot split ${sec.size} bytes into ${syms.length} legacy map definitions`);
  }
  const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  return syms.map((s) => {
    if (s.value % 4 !== 0 || s.value + 20 > sec.size) throw objErr(sec.name, s.value, `map '${s.name}' definition out of bounds`);
    const spec = blankMap(s.name, sec.name, btf);
    spec.type = dv.getUint32(s.value, true);
    spec.keySize = dv.getUint32(s.value + 4, true);
    spec.valueSize = dv.getUint32(s.value + 8, true);
    spec.maxEntries = dv.getUint32(s.value + 12, true);
    spec.flags = dv.getUint32(s.value + 16, true);
    return { spec, secIdx: sec.index, offset: s.value, size: defSize, symbolName: s.name };
  });
}

const isMapInMap = (t: number): boolean => t === BPF_MAP_TYPE_ARRAY_OF_MAPS || t === BPF_MAP_TYPE_HASH_OF_MAPS;

/** The integer a `__uint(name, N)` member encodes: a pointer to an array of N elements. */
function mapIntField(btf: Btf, typeId: number, where: () => string): number {
  const t = btf.resolve(typeId);
  if (t.kind !== 'ptr') throw new Error(`${where()}: expected a pointer (__uint), found ${t.kind}`);
  const arr = btf.get(t.type);
  if (arr.kind !== 'array') throw new Error(`${where()}: expected a pointer to an array (__uint), found pointer to ${arr.kind}`);
  return arr.nelems;
}

function mapLongField(btf: Btf, typeId: number, where: () => string): bigint {
  const t = btf.resolve(typeId);
  if ((t.kind === 'enum' || t.kind === 'enum64') && t.values.length === 1) return BigInt(t.values[0]!.value);
  return BigInt(mapIntField(btf, typeId, where));
}

interface ParsedDef {
  spec: MapSpec;
  /** byte offset of the `values` member, if any */
  valuesOffset?: number;
}

/** Parse the struct a BTF-defined map variable has as type. Throws plain Errors (caller wraps). */
export function parseBtfMapDef(btf: Btf, defTypeId: number, name: string, depth = 0): ParsedDef {
  if (depth > 1) throw new Error(`map '${name}': inner map definitions nest too deep`);
  const def: BtfType = btf.resolve(defTypeId);
  if (def.kind !== 'struct') throw new Error(`map '${name}': definition is ${def.kind}, expected a struct`);
  const spec = blankMap(name, '.maps', btf);
  let keySizeField: number | undefined;
  let valueSizeField: number | undefined;
  let valuesOffset: number | undefined;
  let valuesElem: number | undefined;
  for (const m of (def as BtfComposite).members) {
    const where = (): string => `map '${name}': member '${m.name}'`;
    switch (m.name) {
      case 'type':
        spec.type = mapIntField(btf, m.type, where);
        break;
      case 'max_entries':
        spec.maxEntries = mapIntField(btf, m.type, where);
        break;
      case 'map_flags':
        spec.flags = mapIntField(btf, m.type, where);
        break;
      case 'numa_node':
        spec.numaNode = mapIntField(btf, m.type, where);
        break;
      case 'pinning':
        spec.pinning = mapIntField(btf, m.type, where);
        if (spec.pinning > 1) throw new Error(`${where()}: invalid pinning value ${spec.pinning}`);
        break;
      case 'map_extra':
        spec.mapExtra = mapLongField(btf, m.type, where);
        break;
      case 'key_size':
        keySizeField = mapIntField(btf, m.type, where);
        break;
      case 'value_size':
        valueSizeField = mapIntField(btf, m.type, where);
        break;
      case 'key':
      case 'value': {
        const p = btf.resolve(m.type);
        if (p.kind !== 'ptr') throw new Error(`${where()}: expected a pointer (__type), found ${p.kind}`);
        const size = btf.sizeof(p.type);
        if (m.name === 'key') {
          spec.keyTypeId = p.type;
          spec.keySize = size;
        } else {
          spec.valueTypeId = p.type;
          spec.valueSize = size;
        }
        break;
      }
      case 'values': {
        const a = btf.resolve(m.type);
        if (a.kind !== 'array') throw new Error(`${where()}: expected an array (__array), found ${a.kind}`);
        const p = btf.resolve(a.type);
        if (p.kind !== 'ptr') throw new Error(`${where()}: array elements must be pointers`);
        valuesElem = p.type;
        if (m.bitOffset % 64 !== 0) throw new Error(`${where()}: misaligned`);
        valuesOffset = m.bitOffset / 8;
        break;
      }
      default:
        throw new Error(`map '${name}': unknown field '${m.name}'`);
    }
  }
  if (keySizeField !== undefined) {
    if (spec.keyTypeId !== undefined && spec.keySize !== keySizeField) {
      throw new Error(`map '${name}': key_size ${keySizeField} conflicts with key type size ${spec.keySize}`);
    }
    spec.keySize = keySizeField;
  }
  if (valueSizeField !== undefined) {
    if (spec.valueTypeId !== undefined && spec.valueSize !== valueSizeField) {
      throw new Error(`map '${name}': value_size ${valueSizeField} conflicts with value type size ${spec.valueSize}`);
    }
    spec.valueSize = valueSizeField;
  }
  if (valuesElem !== undefined) {
    if (isMapInMap(spec.type)) {
      if (spec.valueTypeId !== undefined || valueSizeField !== undefined) {
        throw new Error(`map '${name}': a map-in-map takes 'values', not a value type`);
      }
      const inner = btf.resolve(valuesElem);
      if (inner.kind !== 'struct') throw new Error(`map '${name}': inner map definition must be a struct`);
      spec.innerMap = parseBtfMapDef(btf, inner.id, `${name}.inner`, depth + 1).spec;
      spec.valueSize = 4;
    } else if (spec.type === BPF_MAP_TYPE_PROG_ARRAY) {
      const fp = btf.resolve(valuesElem);
      if (fp.kind !== 'func_proto') throw new Error(`map '${name}': prog_array values must be functions`);
      spec.valueSize = 4;
      if (spec.keySize === 0) spec.keySize = 4;
    } else {
      throw new Error(`map '${name}': 'values' is only valid for map-in-map and prog_array`);
    }
  }
  return valuesOffset !== undefined ? { spec, valuesOffset } : { spec };
}
