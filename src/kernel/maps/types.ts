// uapi constants for maps (values as in include/uapi/linux/bpf.h).

export const BPF_MAP_TYPE_UNSPEC = 0;
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PROG_ARRAY = 3;
export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_STACK_TRACE = 7;
export const BPF_MAP_TYPE_CGROUP_ARRAY = 8;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_MAP_TYPE_LPM_TRIE = 11;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
export const BPF_MAP_TYPE_DEVMAP = 14;
export const BPF_MAP_TYPE_SOCKMAP = 15;
export const BPF_MAP_TYPE_CPUMAP = 16;
export const BPF_MAP_TYPE_XSKMAP = 17;
export const BPF_MAP_TYPE_SOCKHASH = 18;
export const BPF_MAP_TYPE_CGROUP_STORAGE = 19;
export const BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20;
export const BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
export const BPF_MAP_TYPE_QUEUE = 22;
export const BPF_MAP_TYPE_STACK = 23;
export const BPF_MAP_TYPE_SK_STORAGE = 24;
export const BPF_MAP_TYPE_DEVMAP_HASH = 25;
export const BPF_MAP_TYPE_STRUCT_OPS = 26;
export const BPF_MAP_TYPE_RINGBUF = 27;
export const BPF_MAP_TYPE_INODE_STORAGE = 28;
export const BPF_MAP_TYPE_TASK_STORAGE = 29;
export const BPF_MAP_TYPE_BLOOM_FILTER = 30;
export const BPF_MAP_TYPE_USER_RINGBUF = 31;
export const BPF_MAP_TYPE_CGRP_STORAGE = 32;
export const BPF_MAP_TYPE_ARENA = 33;

export const MAP_TYPE_NAMES: Record<number, string> = {
  0: 'unspec', 1: 'hash', 2: 'array', 3: 'prog_array', 4: 'perf_event_array', 5: 'percpu_hash',
  6: 'percpu_array', 7: 'stack_trace', 8: 'cgroup_array', 9: 'lru_hash', 10: 'lru_percpu_hash',
  11: 'lpm_trie', 12: 'array_of_maps', 13: 'hash_of_maps', 14: 'devmap', 15: 'sockmap', 16: 'cpumap',
  17: 'xskmap', 18: 'sockhash', 19: 'cgroup_storage', 20: 'reuseport_sockarray',
  21: 'percpu_cgroup_storage', 22: 'queue', 23: 'stack', 24: 'sk_storage', 25: 'devmap_hash',
  26: 'struct_ops', 27: 'ringbuf', 28: 'inode_storage', 29: 'task_storage', 30: 'bloom_filter',
  31: 'user_ringbuf', 32: 'cgrp_storage', 33: 'arena',
};

// update flags
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

// map_flags
export const BPF_F_NO_PREALLOC = 1;
export const BPF_F_NO_COMMON_LRU = 2;
export const BPF_F_NUMA_NODE = 4;
export const BPF_F_RDONLY = 8;
export const BPF_F_WRONLY = 16;
export const BPF_F_STACK_BUILD_ID = 32;
export const BPF_F_ZERO_SEED = 64;
export const BPF_F_RDONLY_PROG = 128;
export const BPF_F_WRONLY_PROG = 256;
export const BPF_F_CLONE = 512;
export const BPF_F_MMAPABLE = 1024;
export const BPF_F_PRESERVE_ELEMS = 2048;
export const BPF_F_INNER_MAP = 4096;
export const BPF_F_LINK = 8192;
export const BPF_F_PATH_FD = 16384;
export const BPF_F_VTYPE_BTF_OBJ_FD = 32768;
export const BPF_F_TOKEN_FD = 65536;
export const BPF_F_SEGV_ON_FAULT = 131072;
export const BPF_F_NO_USER_CONV = 262144;

/** Flags a map of any type may carry (access and identity flags). */
export const BPF_F_ACCESS_MASK = BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

// bpf_get_stackid / stack_trace flags
export const BPF_F_SKIP_FIELD_MASK = 0xff;
export const BPF_F_USER_STACK = 256;
export const BPF_F_FAST_STACK_CMP = 512;
export const BPF_F_REUSE_STACKID = 1024;
export const BPF_F_USER_BUILD_ID = 2048;

// perf_event_output
export const BPF_F_INDEX_MASK = 0xffffffffn;
export const BPF_F_CURRENT_CPU = 0xffffffffn;
export const BPF_F_CTXLEN_MASK = 0xfffffn << 32n;

// ring buffer
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

/** Linux's KMALLOC_MAX_SIZE-derived cap on a single value (bpf_map_value_size checks). */
export const KMALLOC_MAX_SIZE = 1 << 22; // 4 MiB, x86-64 with 4 KiB pages (order-10 pages)
export const BPF_MAX_VAR_SIZ = 1 << 29;
export const PAGE_SIZE = 4096;

/**
 * Layout of the `struct bpf_map` header each map gets in kernel memory. The
 * offsets follow Linux 6.18's x86-64 layout for the fields programs commonly
 * read (CO-RE relocates against whatever the simulated BTF says anyway).
 */
export const BPF_MAP_STRUCT_SIZE = 256;
export const BPF_MAP_STRUCT_FIELDS: ReadonlyArray<{ name: string; offset: number; size: number }> = [
  { name: 'inner_map_meta', offset: 48, size: 8 },
  { name: 'map_type', offset: 64, size: 4 },
  { name: 'key_size', offset: 68, size: 4 },
  { name: 'value_size', offset: 72, size: 4 },
  { name: 'max_entries', offset: 76, size: 4 },
  { name: 'map_extra', offset: 80, size: 8 },
  { name: 'map_flags', offset: 88, size: 4 },
  { name: 'id', offset: 92, size: 4 },
  { name: 'numa_node', offset: 104, size: 4 },
  { name: 'btf_key_type_id', offset: 108, size: 4 },
  { name: 'btf_value_type_id', offset: 112, size: 4 },
  { name: 'name', offset: 136, size: 16 },
];
export const BPF_OBJ_NAME_LEN = 16;

export function roundUp8(n: number): number {
  return (n + 7) & ~7;
}

export function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
