// BPF_MAP_TYPE_STACK_TRACE: bpf_get_stackid hashes a trace to a bucket id in
// [0, roundup_pow_of_two(max_entries)); a bucket holding a different trace is
// kept (-EEXIST) unless BPF_F_REUSE_STACKID replaces it; BPF_F_FAST_STACK_CMP
// accepts a bucket on hash equality alone. At most max_entries traces are
// stored at once (-ENOMEM beyond). Syscall lookup of an id returns the ips,
// zero-padded to value_size.

import { EEXIST, EINVAL, ENOENT, ENOMEM } from '../errno.js';
import { BpfMap, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { hashKey } from './key-hash.js';
import { BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID, roundUpPow2 } from './types.js';

export class StackTraceMap extends BpfMap {
  readonly nBuckets: number;
  readonly maxDepth: number;
  private readonly store: number;
  private readonly nr: Int32Array;
  private readonly hashes: Uint32Array;
  private used = 0;
  private readonly scratchIps: number;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
    this.nBuckets = roundUpPow2(this.maxEntries);
    this.maxDepth = this.valueSize / 8;
    this.store = this.mem.alloc(this.nBuckets * this.valueSize, 8);
    this.nr = new Int32Array(this.nBuckets).fill(-1);
    this.hashes = new Uint32Array(this.nBuckets);
    this.scratchIps = this.mem.alloc(this.valueSize, 8);
  }

  private bucketOff(id: number): number {
    return this.store + id * this.valueSize;
  }

  /** bpf_get_stackid on already-skipped ips: the id, or -errno. */
  stackId(ips: readonly bigint[], flags: bigint): number {
    const n = Math.min(ips.length, this.maxDepth);
    for (let i = 0; i < n; i++) this.mem.writeU64(this.scratchIps + 8 * i, ips[i]!);
    const hash = hashKey(this.mem.u8, this.scratchIps, n * 8, 0);
    const id = hash & (this.nBuckets - 1);
    const present = this.nr[id]! >= 0;
    const hashMatches = present && this.hashes[id] === hash;
    if (hashMatches && (flags & BigInt(BPF_F_FAST_STACK_CMP)) !== 0n) return id;
    if (hashMatches && this.nr[id] === n) {
      let same = true;
      const b = this.bucketOff(id);
      for (let i = 0; i < n * 8 && same; i++) same = this.mem.u8[b + i] === this.mem.u8[this.scratchIps + i];
      if (same) return id;
    }
    if (present && (flags & BigInt(BPF_F_REUSE_STACKID)) === 0n) return -EEXIST;
    if (!present) {
      if (this.used >= this.maxEntries) return -ENOMEM;
      this.used++;
    }
    const b = this.bucketOff(id);
    this.mem.fill(b, this.valueSize);
    this.mem.copy(b, this.scratchIps, n * 8);
    this.nr[id] = n;
    this.hashes[id] = hash;
    return id;
  }

  override lookupElem(_keyOff: number): number {
    return 0; // not from programs
  }

  override lookupSys(keyOff: number): number {
    const id = this.mem.readU32(keyOff);
    if (id >= this.nBuckets || this.nr[id]! < 0) return 0;
    return this.bucketOff(id);
  }

  override updateSys(): number {
    return -EINVAL;
  }

  override deleteElem(keyOff: number): number {
    const id = this.mem.readU32(keyOff);
    if (id >= this.nBuckets || this.nr[id]! < 0) return -ENOENT;
    this.nr[id] = -1;
    this.used--;
    return 0;
  }

  override getNextKeyElem(keyOff: number, nextOff: number): number {
    let id = 0;
    if (keyOff !== 0) {
      id = this.mem.readU32(keyOff);
      id = id >= this.nBuckets || this.nr[id]! < 0 ? 0 : id + 1;
    }
    while (id < this.nBuckets && this.nr[id]! < 0) id++;
    if (id >= this.nBuckets) return -ENOENT;
    this.mem.writeU32(nextOff, id);
    return 0;
  }

  /** Host: the stored ips of `id` (only the recorded depth), or undefined. */
  trace(id: number): bigint[] | undefined {
    if (id < 0 || id >= this.nBuckets || this.nr[id]! < 0) return undefined;
    const out: bigint[] = [];
    for (let i = 0; i < this.nr[id]!; i++) out.push(this.mem.readU64(this.bucketOff(id) + 8 * i));
    return out;
  }

  protected override releaseStorage(): void {
    this.mem.free(this.store);
    this.mem.free(this.scratchIps);
  }
}
