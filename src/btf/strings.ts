// The BTF string section. Offsets index bytes; names are ASCII in practice, so the whole section
// is decoded once and names are sliced out (fast for vmlinux' ~2 MB of strings), with a
// per-string UTF-8 fallback when the section holds multi-byte characters.

import { BtfError } from './errors.js';

const utf8 = new TextDecoder('utf-8');

export class BtfStrings {
  /** this layer's bytes only (split BTF: without the base's) */
  readonly bytes: Uint8Array;
  readonly base: BtfStrings | undefined;
  /** first offset owned by this layer (base's total length, or 0) */
  readonly start: number;
  private readonly text: string | undefined;
  private index: Map<string, number> | undefined;

  constructor(bytes: Uint8Array, base?: BtfStrings) {
    this.bytes = bytes;
    this.base = base;
    this.start = base ? base.length : 0;
    const text = utf8.decode(bytes);
    // Equal lengths ⇒ no multi-byte sequence, so character index = byte offset.
    this.text = text.length === bytes.length ? text : undefined;
  }

  /** total length including the base layer: valid offsets are < length */
  get length(): number {
    return this.start + this.bytes.length;
  }

  has(off: number): boolean {
    return off >= 0 && off < this.length;
  }

  get(off: number): string {
    if (off < this.start) return this.base!.get(off);
    const rel = off - this.start;
    if (!(rel >= 0 && rel < this.bytes.length)) {
      throw new BtfError(`string offset ${off} out of range (string section is ${this.length} bytes)`);
    }
    if (this.text !== undefined) {
      const end = this.text.indexOf('\0', rel);
      return this.text.slice(rel, end < 0 ? this.text.length : end);
    }
    let end = rel;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return utf8.decode(this.bytes.subarray(rel, end));
  }

  /** offset of an existing string equal to `s` (any layer), or undefined; index built lazily */
  find(s: string): number | undefined {
    const own = this.ownIndex().get(s);
    if (own !== undefined) return own;
    return this.base?.find(s);
  }

  private ownIndex(): Map<string, number> {
    if (!this.index) {
      const idx = new Map<string, number>();
      let off = 0;
      while (off < this.bytes.length) {
        const str = this.get(this.start + off);
        if (!idx.has(str)) idx.set(str, this.start + off);
        off += str.length === 0 ? 1 : byteLength(this.bytes, off);
      }
      this.index = idx;
    }
    return this.index;
  }
}

/** bytes up to and including the NUL that ends the string at `off` */
function byteLength(bytes: Uint8Array, off: number): number {
  let end = off;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return end - off + 1;
}
