// map_create: the attribute checks Linux makes before a map exists (common
// ones in map_create, per-type ones in each map's alloc_check), then the
// constructor for the type. Failures throw MapError with the kernel's errno.

import { E2BIG, EINVAL, ENOTSUPP, EPERM } from '../errno.js';
import { ArrayMap } from './array.js';
import { BloomFilterMap } from './bloom.js';
import { ArrayOfMapsMap, PerfEventArrayMap, ProgArrayMap } from './fd-array.js';
import { HashMap } from './hash.js';
import { HashOfMapsMap } from './hash-of-maps.js';
import { LpmTrieMap } from './lpm-trie.js';
import { QueueStackMap } from './queue-stack.js';
import { RingbufMap } from './ringbuf.js';
import { StackTraceMap } from './stack-trace.js';
import { LocalStorageMap } from './task-storage.js';
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

function checkInner(attr: MapCreateAttr): void {
  const inner = attr.innerMap;
  if (inner === undefined) fail(EINVAL, attr, 'map-in-map needs an inner map template (inner_map_fd)');
  if (inner.type === T.BPF_MAP_TYPE_ARRAY_OF_MAPS || inner.type === T.BPF_MAP_TYPE_HASH_OF_MAPS ||
      inner.type === T.BPF_MAP_TYPE_PROG_ARRAY || inner.type === T.BPF_MAP_TYPE_TASK_STORAGE) {
    fail(EINVAL, attr, 'unsupported inner map type');
  }
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
      let maxEntries = attr.maxEntries;
      if (lru && (flags & T.BPF_F_NO_COMMON_LRU) !== 0) {
        // each CPU gets an equal share of the elements, as htab_map_alloc arranges
        maxEntries = Math.ceil(maxEntries / env.nrCpus) * env.nrCpus;
        if (maxEntries > 0xffffffff) maxEntries = Math.floor(attr.maxEntries / env.nrCpus) * env.nrCpus;
      }
      return new HashMap({ ...attr, flags, maxEntries }, env, percpu, lru);
    }
    case T.BPF_MAP_TYPE_PROG_ARRAY:
    case T.BPF_MAP_TYPE_PERF_EVENT_ARRAY:
    case T.BPF_MAP_TYPE_ARRAY_OF_MAPS: {
      if (attr.valueSize !== 4) fail(EINVAL, attr, 'fd arrays hold 4-byte values');
      checkArray(attr, flags, false);
      if (attr.type === T.BPF_MAP_TYPE_PROG_ARRAY) return new ProgArrayMap({ ...attr, flags }, env);
      if (attr.type === T.BPF_MAP_TYPE_PERF_EVENT_ARRAY) return new PerfEventArrayMap({ ...attr, flags }, env);
      checkInner(attr);
      return new ArrayOfMapsMap({ ...attr, flags }, env);
    }
    case T.BPF_MAP_TYPE_HASH_OF_MAPS: {
      if (attr.valueSize !== 4) fail(EINVAL, attr, 'map-in-map values are 4-byte fds');
      checkHash(attr, flags, false, false);
      checkInner(attr);
      return new HashOfMapsMap({ ...attr, flags }, env);
    }
    case T.BPF_MAP_TYPE_RINGBUF: {
      if ((flags & ~T.BPF_F_NUMA_NODE) !== 0) fail(EINVAL, attr, 'invalid flags for a ring buffer');
      if (attr.keySize !== 0 || attr.valueSize !== 0 || attr.maxEntries === 0 ||
          (attr.maxEntries & (attr.maxEntries - 1)) !== 0 || attr.maxEntries % T.PAGE_SIZE !== 0) {
        fail(EINVAL, attr, 'ring buffers need key/value size 0 and a power-of-2 multiple of the page size');
      }
      return new RingbufMap({ ...attr, flags }, env);
    }
    case T.BPF_MAP_TYPE_QUEUE:
    case T.BPF_MAP_TYPE_STACK: {
      if (attr.maxEntries === 0 || attr.keySize !== 0 || attr.valueSize === 0 ||
          (flags & ~(T.BPF_F_NUMA_NODE | T.BPF_F_ACCESS_MASK)) !== 0 || !accessOk(flags)) {
        fail(EINVAL, attr, 'queue/stack maps need key_size 0, value_size > 0, max_entries > 0');
      }
      if (attr.valueSize > T.KMALLOC_MAX_SIZE) fail(E2BIG, attr, 'value too large');
      return new QueueStackMap({ ...attr, flags }, env, attr.type === T.BPF_MAP_TYPE_STACK);
    }
    case T.BPF_MAP_TYPE_BLOOM_FILTER: {
      const extra = attr.mapExtra ?? 0n;
      if (attr.keySize !== 0 || attr.valueSize === 0 || attr.maxEntries === 0 ||
          (flags & ~(T.BPF_F_NUMA_NODE | T.BPF_F_ZERO_SEED | T.BPF_F_ACCESS_MASK)) !== 0 || !accessOk(flags) ||
          (extra & ~0xfn) !== 0n) {
        fail(EINVAL, attr, 'bloom filters need key_size 0, value_size > 0, max_entries > 0, map_extra <= 15');
      }
      if (attr.valueSize > T.KMALLOC_MAX_SIZE) fail(E2BIG, attr, 'value too large');
      return new BloomFilterMap({ ...attr, flags }, env);
    }
    case T.BPF_MAP_TYPE_LPM_TRIE: {
      const dataSize = attr.keySize - 4;
      if (attr.maxEntries === 0 || (flags & T.BPF_F_NO_PREALLOC) === 0 ||
          (flags & ~(T.BPF_F_NO_PREALLOC | T.BPF_F_NUMA_NODE | T.BPF_F_ACCESS_MASK)) !== 0 || !accessOk(flags) ||
          attr.keySize < 5 || dataSize > 256 || attr.valueSize < 1 ||
          attr.valueSize > T.KMALLOC_MAX_SIZE - 256 - 48) {
        fail(EINVAL, attr, 'LPM tries need BPF_F_NO_PREALLOC, key = 4 + 1..256 bytes, value_size > 0');
      }
      return new LpmTrieMap({ ...attr, flags }, env);
    }
    case T.BPF_MAP_TYPE_STACK_TRACE: {
      if ((flags & ~(T.BPF_F_NUMA_NODE | T.BPF_F_ACCESS_MASK | T.BPF_F_STACK_BUILD_ID)) !== 0 || !accessOk(flags)) {
        fail(EINVAL, attr, 'invalid flags for a stack trace map');
      }
      const unit = (flags & T.BPF_F_STACK_BUILD_ID) !== 0 ? 32 : 8;
      if (attr.maxEntries === 0 || attr.keySize !== 4 || attr.valueSize < 8 || attr.valueSize % unit !== 0) {
        fail(EINVAL, attr, 'stack trace maps need key_size 4 and value_size a multiple of 8');
      }
      if (attr.valueSize / unit > 127) fail(EINVAL, attr, 'deeper than perf_event_max_stack (127)');
      if ((flags & T.BPF_F_STACK_BUILD_ID) !== 0) fail(ENOTSUPP, attr, 'build-id stacks are not simulated');
      return new StackTraceMap({ ...attr, flags }, env);
    }
    case T.BPF_MAP_TYPE_TASK_STORAGE:
    case T.BPF_MAP_TYPE_CGRP_STORAGE:
    case T.BPF_MAP_TYPE_INODE_STORAGE:
    case T.BPF_MAP_TYPE_SK_STORAGE: {
      if ((flags & ~(T.BPF_F_NO_PREALLOC | T.BPF_F_CLONE)) !== 0 || (flags & T.BPF_F_NO_PREALLOC) === 0 ||
          attr.maxEntries !== 0 || attr.keySize !== 4 || attr.valueSize === 0) {
        fail(EINVAL, attr, 'local storage needs BPF_F_NO_PREALLOC, max_entries 0, key_size 4, value_size > 0');
      }
      if (attr.valueSize > T.KMALLOC_MAX_SIZE - 64) fail(E2BIG, attr, 'value too large');
      return new LocalStorageMap({ ...attr, flags }, env);
    }
    default:
      if (attr.type === T.BPF_MAP_TYPE_UNSPEC || attr.type > T.BPF_MAP_TYPE_ARENA) fail(EINVAL, attr, 'unknown map type');
      fail(ENOTSUPP, attr, 'map type not supported by the simulated kernel');
  }
}

export { EPERM, HTAB_ELEM_OVERHEAD, PCPU_MIN_UNIT_SIZE, accessOk, fail as createFail };
