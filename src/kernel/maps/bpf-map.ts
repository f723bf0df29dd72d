// The common shape of every map: the `struct bpf_map` header in kernel memory,
// program-side operations on linear-memory offsets (what helpers, the
// interpreter and the JIT call), and a host-side API on Uint8Arrays built on
// top of them through per-map scratch buffers in kernel memory.

import { ErrnoError, EINVAL, ENOENT, ENOTSUPP, EOPNOTSUPP, EPERM } from '../errno.js';
import type { KernelMemory } from '../memory.js';
import {
  BPF_F_LOCK, BPF_MAP_STRUCT_FIELDS, BPF_MAP_STRUCT_SIZE, BPF_OBJ_NAME_LEN, MAP_TYPE_NAMES, roundUp8,
} from './types.js';

export interface MapEnv {
  mem: KernelMemory;
  nrCpus: number;
  currentCpu(): number;
  /** Resolves a map fd (map-in-map updates from user space); the registry supplies it. */
  mapByFd?(fd: number): BpfMap | undefined;
  /** Resolves a pid to its task_struct pointer (task storage accessed from user space). */
  taskPtrByPid?(pid: number): bigint | undefined;
}

export interface MapCreateAttr {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
  /** bloom filter: number of hash functions in the low 4 bits (0 means 5). */
  mapExtra?: bigint;
  numaNode?: number;
  /** Map-in-map: the template inner map (libbpf's inner_map_fd). */
  innerMap?: BpfMap;
  /** Offset of a `struct bpf_spin_lock` in the value (enables BPF_F_LOCK). */
  spinLockOff?: number;
  /** Other special fields (bpf_timer, kptrs, list heads...) that value copies must skip. */
  specialFields?: ReadonlyArray<{ offset: number; size: number }>;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  /** Map id; the registry assigns one if absent. */
  id?: number;
}

export class MapError extends ErrnoError {
  /** For batch operations: how many elements were processed before the error. */
  count?: number;
  constructor(errno: number, message: string, count?: number) {
    super(errno, message);
    this.name = 'MapError';
    if (count !== undefined) this.count = count;
  }
}

export interface BatchResult {
  keys: Uint8Array[];
  values: Uint8Array[];
  /** Token to pass as `inBatch` on the next call; null when nothing was returned. */
  nextBatch: Uint8Array | null;
  /** 0, or ENOENT once the end of the map has been reached (as the syscall reports). */
  errno: number;
}

/** Callback of forEachElem: return true to stop. */
export type ForEachCb = (keyOff: number, valueOff: number) => boolean;

const nextIds = new WeakMap<KernelMemory, number>();

function defaultId(mem: KernelMemory): number {
  const id = nextIds.get(mem) ?? 1;
  nextIds.set(mem, id + 1);
  return id;
}

/** Keep per-memory map ids above ids handed out explicitly. */
export function noteMapId(mem: KernelMemory, id: number): void {
  const cur = nextIds.get(mem) ?? 1;
  if (id >= cur) nextIds.set(mem, id + 1);
}

export function validMapName(name: string): boolean {
  if (name.length >= BPF_OBJ_NAME_LEN) return false;
  return /^[A-Za-z0-9_.]*$/.test(name);
}

export abstract class BpfMap {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  readonly mapExtra: bigint;
  readonly numaNode: number;
  readonly id: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  readonly env: MapEnv;
  readonly mem: KernelMemory;
  /** Offset of this map's `struct bpf_map` header. */
  readonly hdrOff: number;
  /** Address of the header: what ld_imm64 of the map loads and helpers receive. */
  readonly ptr: bigint;
  /** Offset of the bpf_spin_lock in a value, or -1. */
  readonly spinLockOff: number;
  /** Byte ranges of a value that copies skip (spin lock, timers, kptrs...), sorted. */
  readonly skipFields: ReadonlyArray<{ offset: number; size: number }>;
  /** True for maps that keep one value per CPU. */
  readonly percpu: boolean = false;
  /** Stride of one value in storage (and of one CPU's slot in per-CPU values): round_up(value_size, 8). */
  readonly valueStride: number;
  private scratch = 0;
  private scratchKeySize = 0;
  private scratchValSize = 0;
  freed = false;
  /** BPF_MAP_FREEZE: user-space writes now fail with EPERM (programs may still write unless RDONLY_PROG). */
  frozen = false;
  /**
   * Hash-family batches report ENOENT in the same call that returns the last
   * elements (Linux walks buckets to the end); the generic walk used by
   * arrays reports it only on the following, empty call.
   */
  protected batchEndsWithLast = false;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    this.type = attr.type;
    this.keySize = attr.keySize;
    this.valueSize = attr.valueSize;
    this.valueStride = roundUp8(attr.valueSize);
    this.maxEntries = attr.maxEntries;
    this.flags = attr.flags ?? 0;
    this.name = attr.name ?? '';
    this.mapExtra = attr.mapExtra ?? 0n;
    this.numaNode = attr.numaNode ?? -1;
    this.btfKeyTypeId = attr.btfKeyTypeId ?? 0;
    this.btfValueTypeId = attr.btfValueTypeId ?? 0;
    this.env = env;
    this.mem = env.mem;
    this.id = attr.id ?? defaultId(env.mem);
    if (attr.id !== undefined) noteMapId(env.mem, attr.id);
    this.spinLockOff = attr.spinLockOff ?? -1;
    const skip = [...(attr.specialFields ?? [])];
    if (this.spinLockOff >= 0) skip.push({ offset: this.spinLockOff, size: 4 });
    skip.sort((a, b) => a.offset - b.offset);
    this.skipFields = skip;
    this.hdrOff = this.mem.alloc(BPF_MAP_STRUCT_SIZE, 64);
    this.ptr = this.mem.toPtr(this.hdrOff);
    this.writeHeader(attr.innerMap);
  }

  get typeName(): string {
    return MAP_TYPE_NAMES[this.type] ?? `type ${this.type}`;
  }


  private writeHeader(inner: BpfMap | undefined): void {
    const f = (n: string): number => BPF_MAP_STRUCT_FIELDS.find((x) => x.name === n)!.offset;
    const h = this.hdrOff;
    const m = this.mem;
    m.writeU64(h + f('inner_map_meta'), inner ? inner.ptr : 0n);
    m.writeU32(h + f('map_type'), this.type);
    m.writeU32(h + f('key_size'), this.keySize);
    m.writeU32(h + f('value_size'), this.valueSize);
    m.writeU32(h + f('max_entries'), this.maxEntries);
    m.writeU64(h + f('map_extra'), this.mapExtra);
    m.writeU32(h + f('map_flags'), this.flags);
    m.writeU32(h + f('id'), this.id);
    m.writeU32(h + f('numa_node'), this.numaNode >>> 0);
    m.writeU32(h + f('btf_key_type_id'), this.btfKeyTypeId);
    m.writeU32(h + f('btf_value_type_id'), this.btfValueTypeId);
    m.writeCString(h + f('name'), this.name, BPF_OBJ_NAME_LEN);
  }

  // ---- program side (offsets; 0 or -errno) -----------------------------

  /** Value offset of `key` for the current CPU, or 0. */
  abstract lookupElem(keyOff: number): number;

  updateElem(_keyOff: number, _valueOff: number, _flags: bigint): number {
    return -EINVAL;
  }

  deleteElem(_keyOff: number): number {
    return -EINVAL;
  }

  pushElem(_valueOff: number, _flags: bigint): number {
    return -ENOTSUPP;
  }

  popElem(_valueOff: number): number {
    return -ENOTSUPP;
  }

  peekElem(_valueOff: number): number {
    return -ENOTSUPP;
  }

  /** bpf_map_lookup_percpu_elem: value offset on `cpu`, or 0. */
  lookupPercpuElem(_keyOff: number, _cpu: number): number {
    return 0;
  }

  /** bpf_for_each_map_elem: number of elements visited (incl. the one that stopped), or -errno. */
  forEachElem(_cb: ForEachCb): number {
    return -EINVAL;
  }

  /** Next key after the one at keyOff (0 = start) written to nextOff: 0 or -ENOENT. */
  getNextKeyElem(_keyOff: number, _nextOff: number): number {
    return -ENOTSUPP;
  }

  /** Lookup as the syscall does it (no LRU reference bit); value offset on `cpu`, or 0. */
  lookupSys(keyOff: number, _cpu: number): number {
    return this.lookupElem(keyOff);
  }

  /**
   * Update as the syscall does it. For per-CPU maps `valueOff` holds nrCpus
   * values of valueStride bytes each; otherwise it is one value.
   */
  updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    return this.updateElem(keyOff, valueOff, flags);
  }

  /** Called when the map is destroyed (registry close): release kernel memory. */
  destroy(): void {
    if (this.freed) return;
    this.freed = true;
    this.releaseStorage();
    if (this.scratch !== 0) this.mem.free(this.scratch);
    this.mem.free(this.hdrOff);
  }

  protected releaseStorage(): void {
    /* subclasses free their storage */
  }

  // ---- value copies -----------------------------------------------------

  /** Copy one value, leaving special fields (spin lock, timers...) of the destination untouched. */
  copyValue(dstOff: number, srcOff: number): void {
    const skip = this.skipFields;
    if (skip.length === 0) {
      this.mem.copy(dstOff, srcOff, this.valueSize);
      return;
    }
    let pos = 0;
    for (const f of skip) {
      if (f.offset > pos) this.mem.copy(dstOff + pos, srcOff + pos, Math.min(f.offset, this.valueSize) - pos);
      pos = Math.max(pos, f.offset + f.size);
    }
    if (pos < this.valueSize) this.mem.copy(dstOff + pos, srcOff + pos, this.valueSize - pos);
  }

  /** Common update-flag check; returns 0 or -EINVAL. */
  /**
   * get_next_key of maps keyed by a u32 index in [0, max_entries) (array, prog/perf/map arrays):
   * a missing or out-of-range key restarts at 0; the last index has no successor.
   */
  protected indexGetNextKey(keyOff: number, nextOff: number): number {
    const idx = keyOff === 0 ? this.maxEntries : this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) {
      this.mem.writeU32(nextOff, 0);
      return 0;
    }
    if (idx === this.maxEntries - 1) return -ENOENT;
    this.mem.writeU32(nextOff, idx + 1);
    return 0;
  }

  protected checkUpdateFlags(flags: bigint): number {
    if ((flags & ~BigInt(BPF_F_LOCK)) > 2n) return -EINVAL;
    if ((flags & BigInt(BPF_F_LOCK)) !== 0n && this.spinLockOff < 0) return -EINVAL;
    return 0;
  }

  // ---- host side --------------------------------------------------------

  /** Scratch area: [key][key2][value × nrCpus], reallocated if too small. */
  protected scratchOffs(): { key: number; key2: number; val: number } {
    const ks = Math.max(8, roundUp8(this.keySize));
    const vs = Math.max(8, this.valueStride * (this.percpu ? this.env.nrCpus : 1));
    if (this.scratch === 0 || ks > this.scratchKeySize || vs > this.scratchValSize) {
      if (this.scratch !== 0) this.mem.free(this.scratch);
      this.scratch = this.mem.alloc(2 * ks + vs, 8);
      this.scratchKeySize = ks;
      this.scratchValSize = vs;
    }
    return { key: this.scratch, key2: this.scratch + ks, val: this.scratch + 2 * ks };
  }

  protected checkKey(key: Uint8Array | null, what: string): void {
    if (key !== null && key.length !== this.keySize) {
      throw new MapError(EINVAL, `${what} on map '${this.name}': key is ${key.length} bytes, expected ${this.keySize}`);
    }
  }

  protected fail(errno: number, what: string): never {
    throw new MapError(errno, `${what} on ${this.typeName} map '${this.name}'`);
  }

  /** A copy of the value (of `cpu` for per-CPU maps, default the current CPU), or undefined. */
  lookup(key: Uint8Array, cpu?: number): Uint8Array | undefined {
    this.checkKey(key, 'lookup');
    const s = this.scratchOffs();
    this.mem.writeBytes(s.key, key);
    const c = cpu ?? this.env.currentCpu();
    if (c < 0 || c >= this.env.nrCpus) this.fail(EINVAL, `lookup cpu ${c}`);
    const v = this.lookupSys(s.key, c);
    if (v === 0) return undefined;
    return this.readValue(v);
  }

  has(key: Uint8Array): boolean {
    return this.lookup(key, 0) !== undefined;
  }

  /** Per-CPU maps: every CPU's value; other maps: a one-element array. */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    this.checkKey(key, 'lookup');
    const s = this.scratchOffs();
    this.mem.writeBytes(s.key, key);
    if (!this.percpu) {
      const v = this.lookupSys(s.key, 0);
      return v === 0 ? undefined : [this.readValue(v)];
    }
    const out: Uint8Array[] = [];
    for (let c = 0; c < this.env.nrCpus; c++) {
      const v = this.lookupSys(s.key, c);
      if (v === 0) return undefined;
      out.push(this.readValue(v));
    }
    return out;
  }

  /** Value bytes with special fields zeroed, as the syscall returns them. */
  protected readValue(off: number): Uint8Array {
    const out = this.mem.readBytes(off, this.valueSize);
    for (const f of this.skipFields) out.fill(0, f.offset, Math.min(this.valueSize, f.offset + f.size));
    return out;
  }

  /**
   * Insert or replace. Per-CPU maps take an array of per-CPU values, one
   * value for every CPU, or the syscall layout (nrCpus × round_up(value_size, 8)).
   */
  update(key: Uint8Array, value: Uint8Array | Uint8Array[], flags: number | bigint = 0): void {
    if (this.frozen) this.fail(EPERM, 'update of a frozen map');
    this.checkKey(key, 'update');
    const s = this.scratchOffs();
    this.mem.writeBytes(s.key, key);
    this.stageValue(s.val, value, 'update');
    const r = this.updateSys(s.key, s.val, BigInt(flags));
    if (r < 0) this.fail(-r, 'update');
  }

  protected stageValue(off: number, value: Uint8Array | Uint8Array[], what: string): void {
    const vs = this.valueSize;
    const stride = this.valueStride;
    if (!this.percpu) {
      if (Array.isArray(value) || value.length !== vs) {
        this.fail(EINVAL, `${what}: value must be ${vs} bytes`);
      }
      this.mem.writeBytes(off, value);
      return;
    }
    const n = this.env.nrCpus;
    this.mem.fill(off, stride * n);
    if (Array.isArray(value)) {
      if (value.length !== n || value.some((v) => v.length !== vs)) {
        this.fail(EINVAL, `${what}: per-CPU value must be ${n} values of ${vs} bytes`);
      }
      value.forEach((v, c) => this.mem.writeBytes(off + c * stride, v));
    } else if (value.length === vs) {
      for (let c = 0; c < n; c++) this.mem.writeBytes(off + c * stride, value);
    } else if (value.length === stride * n) {
      this.mem.writeBytes(off, value);
    } else {
      this.fail(EINVAL, `${what}: per-CPU value must be ${vs} or ${stride * n} bytes`);
    }
  }

  delete(key: Uint8Array): void {
    if (this.frozen) this.fail(EPERM, 'delete from a frozen map');
    this.checkKey(key, 'delete');
    const s = this.scratchOffs();
    this.mem.writeBytes(s.key, key);
    const r = this.deleteElem(s.key);
    if (r < 0) this.fail(-r, 'delete');
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM on a keyed map: the value, removed; undefined if absent. */
  lookupAndDelete(key: Uint8Array): Uint8Array | undefined {
    const v = this.lookupRaw(key);
    if (v !== undefined) this.delete(key);
    return v;
  }

  /** The key after `key` (null = the first key), or undefined at the end. */
  getNextKey(key: Uint8Array | null): Uint8Array | undefined {
    this.checkKey(key, 'get_next_key');
    const s = this.scratchOffs();
    if (key !== null) this.mem.writeBytes(s.key, key);
    const r = this.getNextKeyElem(key === null ? 0 : s.key, s.key2);
    if (r === -ENOENT) return undefined;
    if (r < 0) this.fail(-r, 'get_next_key');
    return this.mem.readBytes(s.key2, this.keySize);
  }

  /** All [key, value] pairs in iteration order; per-CPU values in the syscall layout. */
  entries(): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    for (let k = this.getNextKey(null); k !== undefined; k = this.getNextKey(k)) {
      const v = this.lookupRaw(k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }

  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let k = this.getNextKey(null); k !== undefined; k = this.getNextKey(k)) out.push(k);
    return out;
  }

  /** Value in the syscall layout (per-CPU: all CPUs concatenated, 8-byte strides). */
  lookupRaw(key: Uint8Array): Uint8Array | undefined {
    if (!this.percpu) return this.lookup(key, 0);
    const vals = this.lookupPerCpu(key);
    if (vals === undefined) return undefined;
    const out = new Uint8Array(this.valueStride * vals.length);
    vals.forEach((v, c) => out.set(v, c * this.valueStride));
    return out;
  }

  /** BPF_MAP_LOOKUP_BATCH with the generic (key-token) semantics. */
  lookupBatch(inBatch: Uint8Array | null, count: number): BatchResult {
    return this.batchWalk(inBatch, count, false);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_BATCH. */
  lookupAndDeleteBatch(inBatch: Uint8Array | null, count: number): BatchResult {
    return this.batchWalk(inBatch, count, true);
  }

  protected batchWalk(inBatch: Uint8Array | null, count: number, del: boolean): BatchResult {
    if (!Number.isInteger(count) || count <= 0) this.fail(EINVAL, 'lookup_batch: count must be positive');
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    let prev = inBatch;
    let errno = 0;
    while (keys.length < count) {
      const k = this.getNextKey(prev);
      if (k === undefined) {
        errno = ENOENT;
        break;
      }
      const v = this.lookupRaw(k);
      prev = k;
      if (v === undefined) continue;
      keys.push(k);
      values.push(v);
    }
    if (errno === 0 && this.batchEndsWithLast && keys.length > 0 && this.getNextKey(prev) === undefined) errno = ENOENT;
    if (del) for (const k of keys) this.delete(k);
    return { keys, values, nextBatch: keys.length > 0 ? prev : null, errno };
  }

  /** BPF_MAP_UPDATE_BATCH: returns the count; throws MapError (with .count) on the first failure. */
  updateBatch(keys: Uint8Array[], values: Array<Uint8Array | Uint8Array[]>, flags: number | bigint = 0): number {
    if (keys.length !== values.length) this.fail(EINVAL, 'update_batch: keys and values differ in length');
    for (let i = 0; i < keys.length; i++) {
      try {
        this.update(keys[i]!, values[i]!, flags);
      } catch (e) {
        if (e instanceof MapError) throw new MapError(e.errno, `update_batch element ${i} on map '${this.name}'`, i);
        throw e;
      }
    }
    return keys.length;
  }

  /** BPF_MAP_DELETE_BATCH: returns the count; throws MapError (with .count) on the first failure. */
  deleteBatch(keys: Uint8Array[]): number {
    for (let i = 0; i < keys.length; i++) {
      try {
        this.delete(keys[i]!);
      } catch (e) {
        if (e instanceof MapError) throw new MapError(e.errno, `delete_batch element ${i} on map '${this.name}'`, i);
        throw e;
      }
    }
    return keys.length;
  }

  /** BPF_MAP_FREEZE. */
  freeze(): void {
    this.frozen = true;
  }

  /** Host push for queue/stack/bloom filter. */
  push(value: Uint8Array, flags: number | bigint = 0): void {
    if (this.frozen) this.fail(EPERM, 'push to a frozen map');
    const s = this.scratchOffs();
    this.stageValue(s.val, value, 'push');
    const r = this.pushElem(s.val, BigInt(flags));
    if (r < 0) this.fail(-r, 'push');
  }

  /** Host pop (BPF_MAP_LOOKUP_AND_DELETE_ELEM with no key); undefined when empty. */
  pop(): Uint8Array | undefined {
    const s = this.scratchOffs();
    const r = this.popElem(s.val);
    if (r === -ENOENT) return undefined;
    if (r < 0) this.fail(-r, 'pop');
    return this.mem.readBytes(s.val, this.valueSize);
  }

  /** Host peek; undefined when empty (bloom filter: undefined = definitely absent). */
  peek(value?: Uint8Array): Uint8Array | undefined {
    const s = this.scratchOffs();
    if (value !== undefined) this.stageValue(s.val, value, 'peek');
    const r = this.peekElem(s.val);
    if (r === -ENOENT) return undefined;
    if (r < 0) this.fail(-r, 'peek');
    return this.mem.readBytes(s.val, this.valueSize);
  }

  /** Linux returns -EOPNOTSUPP for syscall commands a map type lacks. */
  protected notSupported(what: string): never {
    this.fail(EOPNOTSUPP, what);
  }
}
