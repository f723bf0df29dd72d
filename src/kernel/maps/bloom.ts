// BPF_MAP_TYPE_BLOOM_FILTER: a bit array of about max_entries * nr_hashes /
// ln 2 bits (rounded up to a power of two), nr_hashes = map_extra & 0xf or 5.
// push adds a value, peek answers "maybe present" (0) or "absent" (-ENOENT):
// no false negatives.

import { EINVAL, ENOENT, EOPNOTSUPP } from '../errno.js';
import { BpfMap, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { hashKey } from './key-hash.js';
import { BPF_ANY, BPF_F_ZERO_SEED, roundUpPow2 } from './types.js';

export class BloomFilterMap extends BpfMap {
  readonly nrHashes: number;
  readonly nrBits: number;
  private readonly bits: number;
  private readonly seed: number;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
    const n = Number(this.mapExtra & 0xfn);
    this.nrHashes = n === 0 ? 5 : n;
    const want = Math.ceil((this.maxEntries * this.nrHashes) / Math.LN2);
    this.nrBits = roundUpPow2(Math.max(64, Math.min(want, 2 ** 31)));
    this.bits = this.mem.alloc(this.nrBits / 8, 8);
    this.seed = (this.flags & BPF_F_ZERO_SEED) !== 0 ? 0 : (Math.imul(this.id, 0x2545f491) >>> 0);
  }

  private bitIndex(valueOff: number, i: number): number {
    return hashKey(this.mem.u8, valueOff, this.valueSize, (this.seed + i) >>> 0) & (this.nrBits - 1);
  }

  override lookupElem(_keyOff: number): number {
    return 0;
  }

  override pushElem(valueOff: number, flags: bigint): number {
    if (flags !== BigInt(BPF_ANY)) return -EINVAL;
    for (let i = 0; i < this.nrHashes; i++) {
      const b = this.bitIndex(valueOff, i);
      const byte = this.bits + (b >>> 3);
      this.mem.u8[byte] = this.mem.u8[byte]! | (1 << (b & 7));
    }
    return 0;
  }

  override peekElem(valueOff: number): number {
    for (let i = 0; i < this.nrHashes; i++) {
      const b = this.bitIndex(valueOff, i);
      if ((this.mem.u8[this.bits + (b >>> 3)]! & (1 << (b & 7))) === 0) return -ENOENT;
    }
    return 0;
  }

  override popElem(_valueOff: number): number {
    return -EOPNOTSUPP;
  }

  override deleteElem(): number {
    return -EINVAL; // what the delete syscall returns on Linux 6.18
  }

  override updateSys(_keyOff: number, valueOff: number, flags: bigint): number {
    return this.pushElem(valueOff, flags);
  }

  override update(_key: Uint8Array | null, value: Uint8Array, flags: number | bigint = 0): void {
    this.push(value, flags);
  }

  /** True when `value` may have been pushed; false means it certainly was not. */
  mayContain(value: Uint8Array): boolean {
    return this.peek(value) !== undefined;
  }

  override getNextKey(_key?: Uint8Array | null): Uint8Array | undefined {
    this.fail(EOPNOTSUPP, 'get_next_key');
  }

  override entries(): Array<[Uint8Array, Uint8Array]> {
    return [];
  }

  protected override releaseStorage(): void {
    this.mem.free(this.bits);
  }
}
