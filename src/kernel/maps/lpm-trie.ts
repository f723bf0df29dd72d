// BPF_MAP_TYPE_LPM_TRIE: keys are { u32 prefixlen; u8 data[] } (data in
// network order, most significant bit first). Entries are kept per prefix
// length in JS maps keyed by the masked prefix; a lookup tries the present
// prefix lengths from longest to shortest (bounded by the key's own
// prefixlen), which gives Linux's longest-prefix match. Values live in kernel
// memory, one allocation per entry, so their offsets are stable.
// get_next_key walks entries in the trie's post-order like Linux: within a
// subtree, longer (more specific) prefixes first, 0-branch before 1-branch.

import { EEXIST, EINVAL, ENOENT, ENOSPC } from '../errno.js';
import { BpfMap, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { BPF_EXIST, BPF_NOEXIST } from './types.js';

interface LpmEntry {
  prefixlen: number;
  key: Uint8Array; // full key as stored (prefixlen + data)
  masked: Uint8Array;
  valueOff: number;
}

function maskData(data: Uint8Array, prefixlen: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const full = prefixlen >>> 3;
  out.set(data.subarray(0, full));
  const rem = prefixlen & 7;
  if (rem !== 0 && full < data.length) out[full] = data[full]! & (0xff << (8 - rem));
  return out;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function bit(d: Uint8Array, i: number): number {
  return (d[i >>> 3]! >>> (7 - (i & 7))) & 1;
}

export class LpmTrieMap extends BpfMap {
  readonly dataSize: number;
  private readonly byLen = new Map<number, Map<string, LpmEntry>>();
  private lens: number[] = [];
  private n = 0;
  private order: LpmEntry[] | null = null;

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
    this.dataSize = this.keySize - 4;
  }

  get size(): number {
    return this.n;
  }

  private readKey(keyOff: number): { prefixlen: number; data: Uint8Array } {
    return { prefixlen: this.mem.readU32(keyOff), data: this.mem.readBytes(keyOff + 4, this.dataSize) };
  }

  private findExact(prefixlen: number, data: Uint8Array): LpmEntry | undefined {
    return this.byLen.get(prefixlen)?.get(hex(maskData(data, prefixlen)));
  }

  override lookupElem(keyOff: number): number {
    const { prefixlen, data } = this.readKey(keyOff);
    const maxLen = Math.min(prefixlen, this.dataSize * 8);
    for (const len of this.lens) {
      if (len > maxLen) continue;
      const e = this.findExact(len, data);
      if (e !== undefined) return e.valueOff;
    }
    return 0;
  }

  override updateElem(keyOff: number, valueOff: number, flags: bigint): number {
    if (flags > BigInt(BPF_EXIST) || flags < 0n) return -EINVAL;
    const { prefixlen, data } = this.readKey(keyOff);
    if (prefixlen > this.dataSize * 8) return -EINVAL;
    const existing = this.findExact(prefixlen, data);
    if (existing !== undefined) {
      if (flags === BigInt(BPF_NOEXIST)) return -EEXIST;
      this.copyValue(existing.valueOff, valueOff);
      return 0;
    }
    if (flags === BigInt(BPF_EXIST)) return -ENOENT;
    if (this.n >= this.maxEntries) return -ENOSPC;
    const vo = this.mem.alloc(Math.max(8, this.valueSize), 8);
    this.copyValue(vo, valueOff);
    const masked = maskData(data, prefixlen);
    const e: LpmEntry = { prefixlen, key: this.mem.readBytes(keyOff, this.keySize), masked, valueOff: vo };
    let m = this.byLen.get(prefixlen);
    if (m === undefined) {
      this.byLen.set(prefixlen, (m = new Map()));
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    }
    m.set(hex(masked), e);
    this.n++;
    this.order = null;
    return 0;
  }

  override deleteElem(keyOff: number): number {
    const { prefixlen, data } = this.readKey(keyOff);
    if (prefixlen > this.dataSize * 8) return -EINVAL;
    const m = this.byLen.get(prefixlen);
    const k = hex(maskData(data, prefixlen));
    const e = m?.get(k);
    if (m === undefined || e === undefined) return -ENOENT;
    m.delete(k);
    if (m.size === 0) {
      this.byLen.delete(prefixlen);
      this.lens = this.lens.filter((l) => l !== prefixlen);
    }
    this.mem.free(e.valueOff);
    this.n--;
    this.order = null;
    return 0;
  }

  private postOrder(): LpmEntry[] {
    if (this.order !== null) return this.order;
    const all: LpmEntry[] = [];
    for (const m of this.byLen.values()) for (const e of m.values()) all.push(e);
    all.sort((a, b) => {
      const common = Math.min(a.prefixlen, b.prefixlen);
      for (let i = 0; i < common; i++) {
        const d = bit(a.masked, i) - bit(b.masked, i);
        if (d !== 0) return d;
      }
      return b.prefixlen - a.prefixlen; // descendants before ancestors
    });
    this.order = all;
    return all;
  }

  override getNextKeyElem(keyOff: number, nextOff: number): number {
    const order = this.postOrder();
    if (order.length === 0) return -ENOENT;
    let i = 0;
    if (keyOff !== 0) {
      const { prefixlen, data } = this.readKey(keyOff);
      const e = prefixlen <= this.dataSize * 8 ? this.findExact(prefixlen, data) : undefined;
      // a missing key restarts at the leftmost entry, as in Linux
      i = e === undefined ? 0 : order.indexOf(e) + 1;
    }
    if (i >= order.length) return -ENOENT;
    this.mem.writeBytes(nextOff, order[i]!.key);
    return 0;
  }

  protected override releaseStorage(): void {
    for (const m of this.byLen.values()) for (const e of m.values()) this.mem.free(e.valueOff);
  }
}
