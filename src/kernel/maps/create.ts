// map_create: the attribute checks Linux makes before a map exists (common
// ones in map_create, per-type ones in each map's alloc_check), then the
// constructor for the type. Failures throw MapError with the kernel's errno.

import { E2BIG, EINVAL, ENOTSUPP, EPERM } from '../errno.js';
import { ArrayMap } from './array.js';
import { HashMap } from './hash.js';
import { BpfMap, MapError, validMapName, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import * as T from './types.js';

const PCPU_MIN_UNIT_SIZE = 32768;
const HTAB_ELEM_OVERHEAD = 48; // sizeof(struct htab_elem) on x86-64

function fail(errno: number, attr: MapCreateAttr, why: string): never {
  const tn = T.MAP_TYPE_NAMES[attr.type] ?? `type ${attr.type}`;
  throw new MapError(errno, `map_create ${tn} '${attr.name ?? ''}': ${why}`);
}

function accessOk(flags: number): boolean {
  return (flags & (T.BPF_F_RDONLY_PROG | T.BPF_F_WRONLY_PROG)) !== (T.BPF_F_RDONLY_PROG | T.BPF_F_WRONLY_PROG);
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

const ARRAY_FLAGS = T.BPF_F_NUMA_NODE | T.BPF_F_MMAPABLE | T.BPF_F_ACCESS_MASK | T.BPF_F_PRESERVE_ELEMS | T.BPF_F_INNER_MAP;

function checkArray(attr: MapCreateAttr, flags: number, percpu: boolean): void {
  if (attr.maxEntries === 0 || attr.keySize !== 4 || attr.valueSize === 0 || (flags & ~ARRAY_FLAGS) !== 0 ||
      !accessOk(flags) || (percpu && (flags & T.BPF_F_NUMA_NODE) !== 0)) {
    fail(EINVAL, attr, 'array maps need key_size 4, value_size > 0, max_entries > 0 and valid flags');
  }
  if (attr.type !== T.BPF_MAP_TYPE_ARRAY && (flags & (T.BPF_F_MMAPABLE | T.BPF_F_INNER_MAP)) !== 0) {
    fail(EINVAL, attr, 'BPF_F_MMAPABLE/BPF_F_INNER_MAP only for plain arrays');
  }
  if (attr.type !== T.BPF_MAP_TYPE_PERF_EVENT_ARRAY && (flags & T.BPF_F_PRESERVE_ELEMS) !== 0) {
    fail(EINVAL, attr, 'BPF_F_PRESERVE_ELEMS only for perf event arrays');
  }
  if (attr.valueSize > 0x7fffffff) fail(E2BIG, attr, 'value_size too large');
  if (percpu && T.roundUp8(attr.valueSize) > PCPU_MIN_UNIT_SIZE) fail(E2BIG, attr, 'per-CPU value larger than 32 KiB');
  // array_map_alloc: the whole array must stay addressable
  if (attr.maxEntries * T.roundUp8(attr.valueSize) >= 0xffffffff - T.PAGE_SIZE) fail(E2BIG, attr, 'array too large');
}

const HTAB_FLAGS = T.BPF_F_NO_PREALLOC | T.BPF_F_NO_COMMON_LRU | T.BPF_F_NUMA_NODE | T.BPF_F_ACCESS_MASK | T.BPF_F_ZERO_SEED;

function checkHash(attr: MapCreateAttr, flags: number, percpu: boolean, lru: boolean): void {
  const percpuLru = (flags & T.BPF_F_NO_COMMON_LRU) !== 0;
  const prealloc = (flags & T.BPF_F_NO_PREALLOC) === 0;
  if ((flags & ~HTAB_FLAGS) !== 0 || !accessOk(flags)) fail(EINVAL, attr, 'invalid flags for a hash map');
  if (!lru && percpuLru) fail(EINVAL, attr, 'BPF_F_NO_COMMON_LRU needs an LRU map');
  if (lru && !prealloc) fail(ENOTSUPP, attr, 'LRU maps cannot be BPF_F_NO_PREALLOC');
  if ((flags & T.BPF_F_NUMA_NODE) !== 0 && (percpu || percpuLru)) fail(EINVAL, attr, 'per-CPU maps take no NUMA node');
  if (attr.maxEntries === 0 || attr.keySize === 0 || attr.valueSize === 0) {
    fail(EINVAL, attr, 'hash maps need key_size, value_size and max_entries > 0');
  }
  if (attr.keySize + attr.valueSize >= T.KMALLOC_MAX_SIZE - HTAB_ELEM_OVERHEAD) fail(E2BIG, attr, 'key + value too large');
  if (percpu && T.roundUp8(attr.valueSize) > PCPU_MIN_UNIT_SIZE) fail(E2BIG, attr, 'per-CPU value larger than 32 KiB');
  if (attr.maxEntries > 0x80000000) fail(E2BIG, attr, 'too many buckets');
}

/** Validate `attr` as Linux's map_create does, then build the map. */
export function createMap(attr: MapCreateAttr, env: MapEnv): BpfMap {
  const flags = attr.flags ?? 0;
  if (!isU32(attr.type) || !isU32(attr.keySize) || !isU32(attr.valueSize) || !isU32(attr.maxEntries) || !isU32(flags)) {
    fail(EINVAL, attr, 'type, key_size, value_size, max_entries and map_flags must be u32');
  }
  if ((attr.mapExtra ?? 0n) !== 0n && attr.type !== T.BPF_MAP_TYPE_BLOOM_FILTER && attr.type !== T.BPF_MAP_TYPE_ARENA) {
    fail(EINVAL, attr, 'map_extra is only for bloom filters and arenas');
  }
  if (attr.name !== undefined && !validMapName(attr.name)) {
    fail(EINVAL, attr, 'map name must be < 16 chars of [A-Za-z0-9_.]');
  }
  if ((flags & T.BPF_F_NUMA_NODE) === 0 && attr.numaNode !== undefined && attr.numaNode !== -1) {
    fail(EINVAL, attr, 'numa_node without BPF_F_NUMA_NODE');
  }
  if (attr.spinLockOff !== undefined && (attr.spinLockOff < 0 || attr.spinLockOff + 4 > attr.valueSize || (attr.spinLockOff & 3) !== 0)) {
    fail(EINVAL, attr, 'bpf_spin_lock must be an aligned field inside the value');
  }
  switch (attr.type) {
    case T.BPF_MAP_TYPE_ARRAY:
    case T.BPF_MAP_TYPE_PERCPU_ARRAY: {
      const percpu = attr.type === T.BPF_MAP_TYPE_PERCPU_ARRAY;
      checkArray(attr, flags, percpu);
      return new ArrayMap({ ...attr, flags }, env, percpu, (flags & T.BPF_F_MMAPABLE) !== 0);
    }
    case T.BPF_MAP_TYPE_HASH:
    case T.BPF_MAP_TYPE_PERCPU_HASH:
    case T.BPF_MAP_TYPE_LRU_HASH:
    case T.BPF_MAP_TYPE_LRU_PERCPU_HASH: {
      const percpu = attr.type === T.BPF_MAP_TYPE_PERCPU_HASH || attr.type === T.BPF_MAP_TYPE_LRU_PERCPU_HASH;
      const lru = attr.type === T.BPF_MAP_TYPE_LRU_HASH || attr.type === T.BPF_MAP_TYPE_LRU_PERCPU_HASH;
      checkHash(attr, flags, percpu, lru);
      return new HashMap({ ...attr, flags }, env, percpu, lru);
    }
    default:
      if (attr.type === T.BPF_MAP_TYPE_UNSPEC || attr.type > T.BPF_MAP_TYPE_ARENA) fail(EINVAL, attr, 'unknown map type');
      fail(ENOTSUPP, attr, 'map type not supported by the simulated kernel');
  }
}

export { EPERM, HTAB_ELEM_OVERHEAD, PCPU_MIN_UNIT_SIZE, accessOk, fail as createFail };
