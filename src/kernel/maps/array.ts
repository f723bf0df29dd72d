// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: preallocated, contiguous
// values so the JIT can inline a lookup as base + index * round_up(value_size, 8).
// Per-CPU arrays keep an element's CPU copies next to each other:
// value(i, cpu) = base + (i * nrCpus + cpu) * stride.

import { E2BIG, EEXIST, EINVAL } from '../errno.js';
import { BpfMap, type ForEachCb, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { BPF_NOEXIST, PAGE_SIZE } from './types.js';

export class ArrayMap extends BpfMap {
  override readonly percpu: boolean;
  /** Offset of value 0 (CPU 0 for per-CPU arrays). */
  readonly base: number;
  readonly storageSize: number;
  private iterKey = 0;

  constructor(attr: MapCreateAttr, env: MapEnv, percpu: boolean, mmapable: boolean) {
    super(attr, env);
    this.percpu = percpu;
    const copies = percpu ? env.nrCpus : 1;
    let size = this.maxEntries * this.valueStride * copies;
    // an mmap-able array is whole pages so user space could map it
    if (mmapable) size = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    this.storageSize = size;
    this.base = this.mem.alloc(size, mmapable ? PAGE_SIZE : 8);
  }

  /** Offset of element `index`'s value (current CPU's copy for per-CPU arrays). */
  valueOffset(index: number): number {
    if (!this.percpu) return this.base + index * this.valueStride;
    return this.base + (index * this.env.nrCpus + this.env.currentCpu()) * this.valueStride;
  }

  percpuValueOffset(index: number, cpu: number): number {
    return this.base + (index * this.env.nrCpus + cpu) * this.valueStride;
  }

  override lookupElem(keyOff: number): number {
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) return 0;
    return this.valueOffset(idx);
  }

  override lookupPercpuElem(keyOff: number, cpu: number): number {
    if (!this.percpu) return 0;
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries || cpu < 0 || cpu >= this.env.nrCpus) return 0;
    return this.percpuValueOffset(idx, cpu);
  }

  override lookupSys(keyOff: number, cpu: number): number {
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) return 0;
    return this.percpu ? this.percpuValueOffset(idx, cpu) : this.valueOffset(idx);
  }

  private checkArrayUpdate(keyOff: number, flags: bigint): number {
    const r = this.checkUpdateFlags(flags);
    if (r < 0) return r;
    const idx = this.mem.readU32(keyOff);
    if (idx >= this.maxEntries) return -E2BIG;
    // every element of an array always exists
    if (flags === BigInt(BPF_NOEXIST)) return -EEXIST;
    return idx;
  }

  override updateElem(keyOff: number, valueOff: number, flags: bigint): number {
    const idx = this.checkArrayUpdate(keyOff, flags);
    if (idx < 0) return idx;
    this.copyValue(this.valueOffset(idx), valueOff);
    return 0;
  }

  override updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    if (!this.percpu) return this.updateElem(keyOff, valueOff, flags);
    const idx = this.checkArrayUpdate(keyOff, flags);
    if (idx < 0) return idx;
    for (let c = 0; c < this.env.nrCpus; c++) {
      this.copyValue(this.percpuValueOffset(idx, c), valueOff + c * this.valueStride);
    }
    return 0;
  }

  override deleteElem(_keyOff: number): number {
    return -EINVAL;
  }

  override getNextKeyElem(keyOff: number, nextOff: number): number {
    return this.indexGetNextKey(keyOff, nextOff);
  }

  override forEachElem(cb: ForEachCb): number {
    if (this.iterKey === 0) this.iterKey = this.mem.alloc(8);
    let n = 0;
    for (let i = 0; i < this.maxEntries; i++) {
      this.mem.writeU32(this.iterKey, i);
      n++;
      if (cb(this.iterKey, this.valueOffset(i))) break;
    }
    return n;
  }

  protected override releaseStorage(): void {
    this.mem.free(this.base);
    if (this.iterKey !== 0) this.mem.free(this.iterKey);
  }
}
