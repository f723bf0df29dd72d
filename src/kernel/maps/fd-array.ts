// Arrays whose values are kernel objects rather than bytes: prog_array (tail
// call targets), perf_event_array (one perf event per slot, usually per CPU)
// and array_of_maps. User space stores a handle (Linux: an fd; here a program
// id, any nonzero event handle, or a map fd resolved through env.mapByFd);
// the syscall lookup returns a u32 id, as Linux returns prog / map ids.

import { E2BIG, EBADF, EEXIST, EINVAL, ENOENT } from '../errno.js';
import { BpfMap, MapError, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { BPF_F_INNER_MAP, BPF_NOEXIST, BPF_EXIST } from './types.js';

abstract class FdArrayMap extends BpfMap {
  protected readonly slots: Uint32Array;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
    this.slots = new Uint32Array(this.maxEntries);
  }

  override lookupElem(_keyOff: number): number {
    return 0; // programs cannot look these up (the verifier refuses)
  }

  /** Validate and translate the handle user space stores; 0 or -errno. */
  protected abstract accept(handle: number): number;

  /** Syscall update: value = u32 handle. */
  override updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    if (flags > BigInt(BPF_EXIST) || flags < 0n) return -EINVAL;
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) return -E2BIG;
    if (flags === BigInt(BPF_NOEXIST)) return -EEXIST;
    const h = this.mem.readU32(valueOff);
    const r = this.accept(h);
    if (r < 0) return r;
    this.slots[idx] = r;
    return 0;
  }

  override updateElem(): number {
    return -EINVAL;
  }

  override deleteElem(keyOff: number): number {
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) return -E2BIG;
    if (this.slots[idx] === 0) return -ENOENT;
    this.slots[idx] = 0;
    return 0;
  }

  override getNextKeyElem(keyOff: number, nextOff: number): number {
    return this.indexGetNextKey(keyOff, nextOff);
  }

  override lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key, 'lookup');
    const idx = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (idx >= this.maxEntries || this.slots[idx] === 0) return undefined;
    return new Uint8Array(new Uint32Array([this.slots[idx]!]).buffer);
  }

  /** Store a handle at `index` (host convenience for update). */
  set(index: number, handle: number): void {
    const key = new Uint8Array(new Uint32Array([index]).buffer);
    this.update(key, new Uint8Array(new Uint32Array([handle]).buffer));
  }

  clear(index: number): void {
    if (index < this.maxEntries) this.slots[index] = 0;
  }
}

/** BPF_MAP_TYPE_PROG_ARRAY: slot → program id (0 = empty). */
export class ProgArrayMap extends FdArrayMap {
  protected accept(handle: number): number {
    return handle === 0 ? -EBADF : handle;
  }

  /** Program id in slot `index`, or 0 (what bpf_tail_call consults). */
  progIdAt(index: number): number {
    return index >= 0 && index < this.maxEntries ? this.slots[index]! : 0;
  }
}

export interface PerfRecord {
  cpu: number;
  data: Uint8Array;
}

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: a slot holds an open perf event (any nonzero
 * handle); bpf_perf_event_output appends records to that slot's buffer, which
 * a host consumer drains (like perf_buffer__poll).
 */
export class PerfEventArrayMap extends FdArrayMap {
  private readonly buffers = new Map<number, Uint8Array[]>();
  /** Records dropped because the slot had no event (Linux returns -ENOENT to the program). */
  lost = 0;

  protected accept(handle: number): number {
    return handle === 0 ? -EBADF : handle;
  }

  /** Open an event in every slot, as perf_buffer__new does for each CPU. */
  openAll(): void {
    for (let i = 0; i < this.maxEntries; i++) this.slots[i] = i + 1;
  }

  perfEventOutput(index: number, data: Uint8Array): number {
    if (index < 0 || index >= this.maxEntries) return -E2BIG;
    if (this.slots[index] === 0) {
      this.lost++;
      return -ENOENT;
    }
    let b = this.buffers.get(index);
    if (b === undefined) this.buffers.set(index, (b = []));
    b.push(data.slice());
    return 0;
  }

  /** Take every pending record, slot by slot in index order, each slot in output order. */
  drain(): PerfRecord[] {
    const out: PerfRecord[] = [];
    for (const idx of [...this.buffers.keys()].sort((a, b) => a - b)) {
      for (const data of this.buffers.get(idx)!) out.push({ cpu: idx, data });
    }
    this.buffers.clear();
    return out;
  }

  pending(index: number): number {
    return this.buffers.get(index)?.length ?? 0;
  }
}

/** Linux's bpf_map_meta_equal: an inner map must look like the template. */
export function innerMapCompatible(template: BpfMap, inner: BpfMap): boolean {
  return template.type === inner.type && template.keySize === inner.keySize && template.valueSize === inner.valueSize &&
    (template.flags & ~BPF_F_INNER_MAP) === (inner.flags & ~BPF_F_INNER_MAP) &&
    ((template.flags & BPF_F_INNER_MAP) !== 0 || template.maxEntries === inner.maxEntries);
}

/** BPF_MAP_TYPE_ARRAY_OF_MAPS: a program lookup returns the inner map's address (its struct bpf_map). */
export class ArrayOfMapsMap extends FdArrayMap {
  readonly innerTemplate: BpfMap;
  private readonly inner: Array<BpfMap | undefined>;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
    this.innerTemplate = attr.innerMap!;
    this.inner = new Array<BpfMap | undefined>(this.maxEntries);
  }

  protected accept(fd: number): number {
    const m = this.env.mapByFd?.(fd);
    if (m === undefined) return -EBADF;
    if (!innerMapCompatible(this.innerTemplate, m)) return -EINVAL;
    return m.id;
  }

  override updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    const r = super.updateSys(keyOff, valueOff, flags);
    if (r === 0) {
      const idx = this.mem.readU32(keyOff);
      this.inner[idx] = this.env.mapByFd!(this.mem.readU32(valueOff));
    }
    return r;
  }

  override deleteElem(keyOff: number): number {
    const r = super.deleteElem(keyOff);
    if (r === 0) this.inner[this.mem.readU32(keyOff)] = undefined;
    return r;
  }

  override lookupElem(keyOff: number): number {
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) return 0;
    return this.inner[idx]?.hdrOff ?? 0;
  }

  /** Host: put a map object at `index` (no fd needed). */
  setInner(index: number, map: BpfMap): void {
    if (index >= this.maxEntries) throw new MapError(E2BIG, `array_of_maps '${this.name}': index ${index}`);
    if (!innerMapCompatible(this.innerTemplate, map)) throw new MapError(EINVAL, `array_of_maps '${this.name}': incompatible inner map`);
    this.slots[index] = map.id;
    this.inner[index] = map;
  }

  innerAt(index: number): BpfMap | undefined {
    return this.inner[index];
  }

  override clear(index: number): void {
    super.clear(index);
    this.inner[index] = undefined;
  }
}
