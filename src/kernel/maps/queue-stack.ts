// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): a ring of
// max_entries + 1 value slots in kernel memory with head/tail indices, as in
// Linux. Push with BPF_EXIST on a full map overwrites the oldest element.

import { E2BIG, EINVAL, ENOENT } from '../errno.js';
import { BpfMap, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { BPF_EXIST, BPF_NOEXIST } from './types.js';

export class QueueStackMap extends BpfMap {
  readonly lifo: boolean;
  private readonly ring: number;
  private readonly nslots: number;
  private head = 0;
  private tail = 0;

  constructor(attr: MapCreateAttr, env: MapEnv, lifo: boolean) {
    super(attr, env);
    this.lifo = lifo;
    this.nslots = this.maxEntries + 1;
    this.ring = this.mem.alloc(this.nslots * this.valueStride, 8);
  }

  get length(): number {
    return (this.head - this.tail + this.nslots) % this.nslots;
  }

  private slot(i: number): number {
    return this.ring + i * this.valueStride;
  }

  override lookupElem(_keyOff: number): number {
    return 0;
  }

  override pushElem(valueOff: number, flags: bigint): number {
    if ((flags & BigInt(BPF_NOEXIST)) !== 0n || flags > BigInt(BPF_EXIST) || flags < 0n) return -EINVAL;
    if (this.length === this.maxEntries) {
      if (flags !== BigInt(BPF_EXIST)) return -E2BIG;
      this.tail = (this.tail + 1) % this.nslots; // drop the oldest
    }
    this.mem.copy(this.slot(this.head), valueOff, this.valueSize);
    this.head = (this.head + 1) % this.nslots;
    return 0;
  }

  private take(valueOff: number, remove: boolean): number {
    if (this.length === 0) {
      this.mem.fill(valueOff, this.valueSize);
      return -ENOENT;
    }
    let idx: number;
    if (this.lifo) {
      idx = (this.head - 1 + this.nslots) % this.nslots;
      if (remove) this.head = idx;
    } else {
      idx = this.tail;
      if (remove) this.tail = (this.tail + 1) % this.nslots;
    }
    this.mem.copy(valueOff, this.slot(idx), this.valueSize);
    return 0;
  }

  override popElem(valueOff: number): number {
    return this.take(valueOff, true);
  }

  override peekElem(valueOff: number): number {
    return this.take(valueOff, false);
  }

  // the syscall's map_update_elem with a NULL key pushes
  override updateSys(_keyOff: number, valueOff: number, flags: bigint): number {
    return this.pushElem(valueOff, flags);
  }

  override update(_key: Uint8Array | null, value: Uint8Array, flags: number | bigint = 0): void {
    this.push(value, flags);
  }

  override lookup(_key?: Uint8Array | null): Uint8Array | undefined {
    return this.peek();
  }

  override delete(_key?: Uint8Array | null): void {
    this.fail(EINVAL, 'delete');
  }

  override getNextKey(_key?: Uint8Array | null): Uint8Array | undefined {
    this.fail(EINVAL, 'get_next_key');
  }

  override entries(): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < this.length; i++) {
      const idx = this.lifo ? (this.head - 1 - i + 2 * this.nslots) % this.nslots : (this.tail + i) % this.nslots;
      out.push([new Uint8Array(0), this.mem.readBytes(this.slot(idx), this.valueSize)]);
    }
    return out;
  }

  protected override releaseStorage(): void {
    this.mem.free(this.ring);
  }
}
