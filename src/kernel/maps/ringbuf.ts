// BPF_MAP_TYPE_RINGBUF: one multi-producer ring shared by all CPUs, laid out
// as Linux's: each record is an 8-byte header (u32 len with BUSY and DISCARD
// bits, u32 pg_off) followed by the data, the whole rounded up to 8 bytes;
// positions are free-running counters masked by size - 1.
//
// Linux maps the data pages twice back to back so a record that wraps is
// still contiguous. The simulated ring allocates `size` extra bytes after the
// ring for the same purpose: a reservation that crosses the end is written
// there and copied to the start of the ring when it is submitted or
// discarded (the program may only touch it in between).

import { EINVAL, ENOTSUPP } from '../errno.js';
import { BpfMap, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import {
  BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE,
  BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, BPF_RINGBUF_HDR_SZ, PAGE_SIZE,
} from './types.js';

export interface RingbufRecord {
  data: Uint8Array;
}

export class RingbufMap extends BpfMap {
  readonly size: number;
  readonly mask: number;
  /** Offset of data position 0 (followed by `size` mirror bytes). */
  readonly data: number;
  private consPos = 0;
  private prodPos = 0;
  private pendPos = 0;
  /** Notifications a consumer would have received (epoll wakeups). */
  wakeups = 0;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
    this.size = this.maxEntries;
    this.mask = this.size - 1;
    this.data = this.mem.alloc(2 * this.size, PAGE_SIZE);
  }

  override lookupElem(_keyOff: number): number {
    return 0;
  }

  override lookupSys(): number {
    return 0;
  }

  override getNextKeyElem(): number {
    return -ENOTSUPP;
  }

  /** Data offset of a fresh record of `size` bytes, or 0 when it does not fit (bpf_ringbuf_reserve). */
  ringbufReserve(size: number): number {
    if (size < 0 || size > 0x3fffffff) return 0;
    const len = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    if (len > this.size) return 0;
    // records committed since the last reserve no longer hold the window open
    while (this.pendPos < this.prodPos) {
      const hl = this.mem.readU32(this.data + (this.pendPos & this.mask));
      if ((hl & BPF_RINGBUF_BUSY_BIT) !== 0) break;
      this.pendPos += ((hl & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    }
    const newProd = this.prodPos + len;
    if (newProd - this.consPos > this.mask || newProd - this.pendPos > this.mask) return 0;
    const hdr = this.data + (this.prodPos & this.mask);
    this.mem.writeU32(hdr, (size | BPF_RINGBUF_BUSY_BIT) >>> 0);
    this.mem.writeU32(hdr + 4, Math.floor((hdr - this.data) / PAGE_SIZE) + 2);
    this.prodPos = newProd;
    return hdr + BPF_RINGBUF_HDR_SZ;
  }

  /** bpf_ringbuf_submit / bpf_ringbuf_discard of the record whose data is at sampleOff. */
  ringbufCommit(sampleOff: number, flags: bigint, discard: boolean): void {
    const hdr = sampleOff - BPF_RINGBUF_HDR_SZ;
    const hl = this.mem.readU32(hdr);
    if ((hl & BPF_RINGBUF_BUSY_BIT) === 0) return;
    const size = hl & ~BPF_RINGBUF_BUSY_BIT;
    const end = sampleOff + size;
    const ringEnd = this.data + this.size;
    if (end > ringEnd) this.mem.copy(this.data, ringEnd, end - ringEnd);
    let nl = hl ^ BPF_RINGBUF_BUSY_BIT;
    if (discard) nl |= BPF_RINGBUF_DISCARD_BIT;
    this.mem.writeU32(hdr, nl >>> 0);
    // wake the consumer when it has caught up with this record (or when forced)
    if ((flags & BigInt(BPF_RB_FORCE_WAKEUP)) !== 0n) this.wakeups++;
    else if ((flags & BigInt(BPF_RB_NO_WAKEUP)) === 0n && hdr - this.data === (this.consPos & this.mask)) this.wakeups++;
  }

  /** bpf_ringbuf_query. */
  ringbufQuery(flags: bigint): bigint {
    switch (Number(flags)) {
      case BPF_RB_AVAIL_DATA: return BigInt(this.prodPos - this.consPos);
      case BPF_RB_RING_SIZE: return BigInt(this.size);
      case BPF_RB_CONS_POS: return BigInt(this.consPos);
      case BPF_RB_PROD_POS: return BigInt(this.prodPos);
      default: return 0n;
    }
  }

  /** Host: copy `data` in as one record (bpf_ringbuf_output); false when full. */
  output(data: Uint8Array, flags: bigint = 0n): boolean {
    const off = this.ringbufReserve(data.length);
    if (off === 0) return false;
    this.mem.writeBytes(off, data);
    this.ringbufCommit(off, flags, false);
    return true;
  }

  /**
   * The consumer (ring_buffer__consume): read committed records in order,
   * skipping discarded ones, up to the first still-busy record; advances
   * the consumer position. `limit` caps how many records are returned.
   */
  consume(limit = Infinity): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.consPos < this.prodPos && out.length < limit) {
      const hdr = this.data + (this.consPos & this.mask);
      const hl = this.mem.readU32(hdr);
      if ((hl & BPF_RINGBUF_BUSY_BIT) !== 0) break;
      const size = hl & ~BPF_RINGBUF_DISCARD_BIT;
      if ((hl & BPF_RINGBUF_DISCARD_BIT) === 0) out.push(this.readRing(this.consPos + BPF_RINGBUF_HDR_SZ, size));
      this.consPos += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    }
    return out;
  }

  private readRing(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const start = pos & this.mask;
    const first = Math.min(len, this.size - start);
    out.set(this.mem.view(this.data + start, first), 0);
    if (first < len) out.set(this.mem.view(this.data, len - first), first);
    return out;
  }

  get consumerPos(): number {
    return this.consPos;
  }

  get producerPos(): number {
    return this.prodPos;
  }

  override lookup(_key?: Uint8Array): Uint8Array | undefined {
    return undefined;
  }

  // Linux 6.18 answers these syscalls on a ring buffer with -EINVAL
  override update(_key?: Uint8Array | null, _value?: Uint8Array | Uint8Array[], _flags?: number | bigint): void {
    this.fail(EINVAL, 'update');
  }

  override delete(_key?: Uint8Array): void {
    this.fail(EINVAL, 'delete');
  }

  protected override releaseStorage(): void {
    this.mem.free(this.data);
  }
}
