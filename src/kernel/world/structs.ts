// Typed access to kernel objects in KernelMemory through the declared layout: the world writes
// every field by name, so memory always agrees with kernel.btf.

import type { KernelMemory } from '../memory.js';
import type { TypeTable } from '../btf/layout.js';
import { KernelTypeError } from '../btf/types.js';

export class KObjects {
  constructor(
    readonly mem: KernelMemory,
    readonly types: TypeTable,
  ) {}

  /** Allocate a zeroed `struct name` (+ `extra` trailing bytes for flexible arrays); returns its offset. */
  alloc(struct: string, extra = 0): number {
    const l = this.types.layout(struct);
    return this.mem.alloc(l.size + extra, Math.max(8, l.align));
  }

  /** Offset of `path` inside `struct`. */
  off(struct: string, path: string): number {
    return this.types.offsetof(struct, path);
  }

  /** Write an integer or pointer field; the width comes from the declared type. */
  set(base: number, struct: string, path: string, v: number | bigint): void {
    const f = this.types.field(struct, path);
    const at = base + f.offset;
    if (f.bitSize !== undefined) {
      // read-modify-write of the bitfield's storage unit
      const shift = BigInt(f.bitShift!);
      const mask = ((1n << BigInt(f.bitSize)) - 1n) << shift;
      const unit = this.readUnit(at, f.size);
      this.writeUnit(at, f.size, (unit & ~mask) | ((BigInt(v) << shift) & mask));
      return;
    }
    switch (f.size) {
      case 1:
        this.mem.writeU8(at, Number(BigInt.asUintN(8, BigInt(v))));
        break;
      case 2:
        this.mem.writeU16(at, Number(BigInt.asUintN(16, BigInt(v))));
        break;
      case 4:
        this.mem.writeU32(at, Number(BigInt.asUintN(32, BigInt(v))));
        break;
      case 8:
        this.mem.writeU64(at, BigInt.asUintN(64, BigInt(v)));
        break;
      default:
        throw new KernelTypeError(`${struct}.${path} is ${f.size} bytes, not a scalar`);
    }
  }

  /** Read an integer or pointer field, zero-extended. */
  get(base: number, struct: string, path: string): bigint {
    const f = this.types.field(struct, path);
    const at = base + f.offset;
    if (f.bitSize !== undefined) return (this.readUnit(at, f.size) >> BigInt(f.bitShift!)) & ((1n << BigInt(f.bitSize)) - 1n);
    switch (f.size) {
      case 1:
        return BigInt(this.mem.readU8(at));
      case 2:
        return BigInt(this.mem.readU16(at));
      case 4:
        return BigInt(this.mem.readU32(at));
      case 8:
        return this.mem.readU64(at);
      default:
        throw new KernelTypeError(`${struct}.${path} is ${f.size} bytes, not a scalar`);
    }
  }

  private readUnit(at: number, size: number): bigint {
    if (size === 8) return this.mem.readU64(at);
    if (size === 4) return BigInt(this.mem.readU32(at));
    if (size === 2) return BigInt(this.mem.readU16(at));
    return BigInt(this.mem.readU8(at));
  }

  private writeUnit(at: number, size: number, v: bigint): void {
    if (size === 8) this.mem.writeU64(at, v);
    else if (size === 4) this.mem.writeU32(at, Number(BigInt.asUintN(32, v)));
    else if (size === 2) this.mem.writeU16(at, Number(BigInt.asUintN(16, v)));
    else this.mem.writeU8(at, Number(BigInt.asUintN(8, v)));
  }

  /** Store a pointer to the object at offset `targetOff` (0 → NULL). */
  setPtr(base: number, struct: string, path: string, targetOff: number): void {
    this.set(base, struct, path, targetOff === 0 ? 0n : this.mem.toPtr(targetOff));
  }

  /** Fill a char array field with a NUL-terminated, truncated string (like strscpy). */
  setString(base: number, struct: string, path: string, s: string): void {
    const f = this.types.field(struct, path);
    this.mem.fill(base + f.offset, f.size);
    this.mem.writeCString(base + f.offset, s, f.size);
  }

  getString(base: number, struct: string, path: string): string {
    const f = this.types.field(struct, path);
    return this.mem.readCString(base + f.offset, f.size);
  }

  /** A NUL-terminated string in its own allocation; returns the offset. */
  cstring(s: string): number {
    const enc = new TextEncoder().encode(s);
    const off = this.mem.alloc(enc.length + 1, 1);
    this.mem.writeBytes(off, enc);
    return off;
  }

  /** Make `headOff` an empty list_head (next = prev = itself). */
  initList(headOff: number): void {
    const p = this.mem.toPtr(headOff);
    this.mem.writeU64(headOff, p);
    this.mem.writeU64(headOff + 8, p);
  }

  /** Link the list_head at `nodeOff` at the tail of the list whose head is at `headOff`. */
  listAddTail(nodeOff: number, headOff: number): void {
    const headPtr = this.mem.toPtr(headOff);
    const nodePtr = this.mem.toPtr(nodeOff);
    const prevPtr = this.mem.readU64(headOff + 8);
    const prevOff = this.mem.toOff(prevPtr);
    this.mem.writeU64(nodeOff, headPtr);
    this.mem.writeU64(nodeOff + 8, prevPtr);
    this.mem.writeU64(prevOff, nodePtr);
    this.mem.writeU64(headOff + 8, nodePtr);
  }

  /** Unlink a list_head and make it point to itself. */
  listDel(nodeOff: number): void {
    const next = this.mem.toOff(this.mem.readU64(nodeOff));
    const prev = this.mem.toOff(this.mem.readU64(nodeOff + 8));
    this.mem.writeU64(prev, this.mem.toPtr(next));
    this.mem.writeU64(next + 8, this.mem.toPtr(prev));
    this.initList(nodeOff);
  }
}
