// The simulated kernel's address space: one WebAssembly.Memory that every BPF
// pointer points into (stacks, map values, ring buffers, bpf_obj_new objects,
// kernel structs). A pointer is KERNEL_BASE + offset and KERNEL_BASE has zero
// low 32 bits, so the JIT gets the linear-memory offset with i32.wrap_i64.
//
// The allocator keeps its bookkeeping in JavaScript, never inside the linear
// memory, so a BPF program scribbling over memory cannot corrupt it.
//   - small blocks (<= SMALL_MAX bytes, align <= 16) come from per-size-class
//     LIFO free lists, refilled from the bump pointer `top`;
//   - large or over-aligned blocks come from a first-fit, address-sorted list of
//     free ranges that coalesces neighbours on free and gives a range that ends
//     at `top` back to the bump region.
// Growing the Memory never moves offsets; it detaches the old ArrayBuffer, so
// the typed-array views are rebuilt and `generation` bumps to tell engines that
// cache views to re-read them.

import { ErrnoError, ENOMEM } from './errno.js';

export const KERNEL_BASE = 0xffff888000000000n;
/** Offsets below this are never handed out: NULL + small offsets always fault. */
export const GUARD_SIZE = 0x10000;
export const WASM_PAGE = 0x10000;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
const SMALL_MAX = 4096;
const KERNEL_BASE_HI = Number(KERNEL_BASE >> 32n) | 0;
const PTR_SPLIT_64 = new BigInt64Array(1);
const PTR_SPLIT_32 = new Int32Array(PTR_SPLIT_64.buffer);
const SMALL_ALIGN = 16;

// tsconfig's lib has no WebAssembly types (and the JIT may declare its own), so
// the kernel names just the part of WebAssembly.Memory it uses; a real
// WebAssembly.Memory is what it holds.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmMemoryCtor {
  new (desc: { initial: number; maximum?: number }): WasmMemory;
}
const WasmMemoryImpl = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryCtor } }).WebAssembly.Memory;

export class KernelMemoryError extends ErrnoError {
  constructor(errno: number, message: string) {
    super(errno, message);
    this.name = 'KernelMemoryError';
  }
}

export interface KernelMemoryOptions {
  /** Initial size in bytes (rounded up to 64 KiB pages); default 16 MiB. */
  initialBytes?: number;
  /** Upper bound in bytes; default 4 GiB. */
  maxBytes?: number;
}

function sizeClass(size: number): number {
  // multiples of 16 up to 512, then powers of two up to SMALL_MAX
  if (size <= 512) return (size + 15) & ~15;
  let c = 1024;
  while (c < size) c *= 2;
  return c;
}

export class KernelMemory {
  readonly memory: WasmMemory;
  u8!: Uint8Array;
  u16!: Uint16Array;
  u32!: Uint32Array;
  i32!: Int32Array;
  u64!: BigUint64Array;
  i64!: BigInt64Array;
  dv!: DataView;
  /** Bumps whenever the views above are replaced (the Memory grew). */
  generation = 0;
  /** Current byte length of the linear memory. */
  size = 0;
  private readonly maxPages: number;
  /** High-water mark: [GUARD_SIZE, top) has been handed out at some point. */
  private top = GUARD_SIZE;
  /** offset -> block size; negative for a block that belongs to a small size class. */
  private readonly blocks = new Map<number, number>();
  private readonly smallFree = new Map<number, number[]>();
  /** Address-sorted free ranges of the large allocator. */
  private freeStarts: number[] = [];
  private freeSizes: number[] = [];
  private inUse = 0;

  constructor(opts: KernelMemoryOptions = {}) {
    const initialBytes = opts.initialBytes ?? 16 * 1024 * 1024;
    const maxBytes = opts.maxBytes ?? MAX_PAGES * WASM_PAGE;
    this.maxPages = Math.min(MAX_PAGES, Math.max(1, Math.ceil(maxBytes / WASM_PAGE)));
    const initial = Math.min(this.maxPages, Math.max(2, Math.ceil(initialBytes / WASM_PAGE)));
    this.memory = new WasmMemoryImpl({ initial, maximum: this.maxPages });
    this.refreshViews();
  }

  /** Rebuild views if the buffer changed under us (grown here or by wasm code). */
  refreshViews(): void {
    // Growing a (non-shared) Memory detaches its old ArrayBuffer, which zeroes the length of
    // every view on it: a length check is all it takes to know the views are current, without
    // the cost of the `memory.buffer` getter (a call into the runtime) on every helper call.
    if (this.u8 !== undefined && this.u8.length !== 0) return;
    const buf = this.memory.buffer;
    if (this.u8 !== undefined && this.u8.buffer === buf) return;
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u64 = new BigUint64Array(buf);
    this.i64 = new BigInt64Array(buf);
    this.dv = new DataView(buf);
    this.size = buf.byteLength;
    this.generation++;
  }

  // ---- allocation -------------------------------------------------------

  /** Allocate `size` zeroed bytes aligned to `align` (a power of two); throws on exhaustion. */
  alloc(size: number, align = 8): number {
    const off = this.tryAlloc(size, align);
    if (off === 0) throw new KernelMemoryError(ENOMEM, `kernel memory: cannot allocate ${size} bytes`);
    return off;
  }

  /** Like alloc, but returns 0 when memory is exhausted (for bpf_obj_new and friends). */
  tryAlloc(size: number, align = 8): number {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
      throw new KernelMemoryError(22, `kernel memory: bad allocation size ${size}`);
    }
    if (!Number.isInteger(align) || align <= 0 || (align & (align - 1)) !== 0 || align > WASM_PAGE) {
      throw new KernelMemoryError(22, `kernel memory: bad alignment ${align}`);
    }
    if (size === 0) size = 1;
    let off: number;
    let rec: number;
    if (size <= SMALL_MAX && align <= SMALL_ALIGN) {
      const cls = sizeClass(size);
      const list = this.smallFree.get(cls);
      if (list !== undefined && list.length > 0) {
        off = list.pop()!;
      } else {
        off = this.bump(cls, SMALL_ALIGN);
        if (off === 0) return 0;
      }
      rec = -cls;
      size = cls;
    } else {
      size = (size + 7) & ~7;
      off = this.takeFreeRange(size, align);
      if (off === 0) off = this.bump(size, align);
      if (off === 0) return 0;
      rec = size;
    }
    this.blocks.set(off, rec);
    this.inUse += size;
    this.u8.fill(0, off, off + size);
    return off;
  }

  /** Return a block obtained from alloc; freeing anything else throws. */
  free(off: number): void {
    const rec = this.blocks.get(off);
    if (rec === undefined) throw new KernelMemoryError(22, `kernel memory: free of unallocated offset 0x${off.toString(16)}`);
    this.blocks.delete(off);
    if (rec < 0) {
      const cls = -rec;
      this.inUse -= cls;
      let list = this.smallFree.get(cls);
      if (list === undefined) this.smallFree.set(cls, (list = []));
      list.push(off);
    } else {
      this.inUse -= rec;
      this.insertFreeRange(off, rec);
    }
  }

  /** Size of the block at `off` (as allocated, i.e. rounded up), or -1. */
  blockSize(off: number): number {
    const rec = this.blocks.get(off);
    return rec === undefined ? -1 : Math.abs(rec);
  }

  /** Bytes currently allocated (rounded block sizes). */
  get bytesInUse(): number {
    return this.inUse;
  }

  /** End of the region ever handed out (everything at or above faults for probe reads). */
  get highWater(): number {
    return this.top;
  }

  private bump(size: number, align: number): number {
    const start = (this.top + align - 1) & -align;
    const pad = start - this.top;
    const end = start + size;
    if (end > this.size && !this.growTo(end)) return 0;
    if (pad >= 8) this.insertFreeRange(this.top, pad);
    this.top = end;
    return start;
  }

  private growTo(end: number): boolean {
    const cur = this.memory.buffer.byteLength / WASM_PAGE;
    const need = Math.ceil(end / WASM_PAGE);
    if (need > this.maxPages) return false;
    // double to amortise: every grow detaches the buffer and rebuilds the views
    const target = Math.min(this.maxPages, Math.max(need, cur * 2));
    try {
      this.memory.grow(target - cur);
    } catch {
      try {
        this.memory.grow(need - cur);
      } catch {
        return false;
      }
    }
    this.refreshViews();
    return true;
  }

  private takeFreeRange(size: number, align: number): number {
    const starts = this.freeStarts;
    const sizes = this.freeSizes;
    for (let i = 0; i < starts.length; i++) {
      const s = starts[i]!;
      const n = sizes[i]!;
      const a = (s + align - 1) & -align;
      if (a + size > s + n) continue;
      const head = a - s;
      const tail = s + n - (a + size);
      // keep the head and tail remainders as free ranges, in address order
      if (head > 0 && tail > 0) {
        sizes[i] = head;
        starts.splice(i + 1, 0, a + size);
        sizes.splice(i + 1, 0, tail);
      } else if (head > 0) {
        sizes[i] = head;
      } else if (tail > 0) {
        starts[i] = a + size;
        sizes[i] = tail;
      } else {
        starts.splice(i, 1);
        sizes.splice(i, 1);
      }
      return a;
    }
    return 0;
  }

  private insertFreeRange(off: number, size: number): void {
    const starts = this.freeStarts;
    const sizes = this.freeSizes;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < off) lo = mid + 1;
      else hi = mid;
    }
    let start = off;
    let len = size;
    let idx = lo;
    // coalesce with the previous range
    if (idx > 0 && starts[idx - 1]! + sizes[idx - 1]! === start) {
      idx--;
      start = starts[idx]!;
      len += sizes[idx]!;
      starts.splice(idx, 1);
      sizes.splice(idx, 1);
    }
    // and with the next one
    if (idx < starts.length && start + len === starts[idx]!) {
      len += sizes[idx]!;
      starts.splice(idx, 1);
      sizes.splice(idx, 1);
    }
    if (start + len === this.top) {
      this.top = start; // give it back to the bump region
      return;
    }
    starts.splice(idx, 0, start);
    sizes.splice(idx, 0, len);
  }

  // ---- pointers ---------------------------------------------------------

  toPtr(off: number): bigint {
    return KERNEL_BASE + BigInt(off);
  }

  /** Linear offset of a kernel pointer (either signedness), or -1 outside the memory. */
  toOff(ptr: bigint): number {
    // KERNEL_BASE's low half is zero, so a pointer is in the memory exactly when its high half
    // is KERNEL_BASE's and its low half is below the size. Splitting it through a typed array
    // (which wraps modulo 2^64) avoids allocating intermediate BigInts on this hot path.
    PTR_SPLIT_64[0] = ptr;
    if (PTR_SPLIT_32[1] !== KERNEL_BASE_HI) return -1;
    const lo = PTR_SPLIT_32[0]! >>> 0;
    return lo < this.size ? lo : -1;
  }

  /** Whether a probe read of [ptr, ptr+len) succeeds: false in the NULL guard and past what was ever allocated. */
  readable(ptr: bigint, len: number): boolean {
    const off = this.toOff(ptr);
    if (off < GUARD_SIZE || len < 0) return false;
    return off + len <= this.top;
  }

  /** Same as readable, by offset. */
  readableOff(off: number, len: number): boolean {
    return off >= GUARD_SIZE && len >= 0 && off + len <= this.top;
  }

  // ---- accessors (little-endian; aligned paths use typed arrays) --------

  private oob(off: number, len: number): never {
    throw new KernelMemoryError(14, `kernel memory: access of ${len} bytes at offset 0x${off.toString(16)} out of range`);
  }

  readU8(off: number): number {
    if (off < 0 || off >= this.size) this.oob(off, 1);
    return this.u8[off]!;
  }

  readU16(off: number): number {
    if (off < 0 || off + 2 > this.size) this.oob(off, 2);
    if ((off & 1) === 0) return this.u16[off >>> 1]!;
    return this.u8[off]! | (this.u8[off + 1]! << 8);
  }

  readU32(off: number): number {
    if (off < 0 || off + 4 > this.size) this.oob(off, 4);
    if ((off & 3) === 0) return this.u32[off >>> 2]!;
    const b = this.u8;
    return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  }

  readI32(off: number): number {
    return this.readU32(off) | 0;
  }

  readU64(off: number): bigint {
    if (off < 0 || off + 8 > this.size) this.oob(off, 8);
    if ((off & 7) === 0) return this.u64[off >>> 3]!;
    return (BigInt(this.readU32(off + 4)) << 32n) | BigInt(this.readU32(off));
  }

  readI64(off: number): bigint {
    return BigInt.asIntN(64, this.readU64(off));
  }

  writeU8(off: number, v: number): void {
    if (off < 0 || off >= this.size) this.oob(off, 1);
    this.u8[off] = v;
  }

  writeU16(off: number, v: number): void {
    if (off < 0 || off + 2 > this.size) this.oob(off, 2);
    if ((off & 1) === 0) {
      this.u16[off >>> 1] = v;
    } else {
      this.u8[off] = v;
      this.u8[off + 1] = v >>> 8;
    }
  }

  writeU32(off: number, v: number): void {
    if (off < 0 || off + 4 > this.size) this.oob(off, 4);
    if ((off & 3) === 0) {
      this.u32[off >>> 2] = v;
    } else {
      const b = this.u8;
      b[off] = v;
      b[off + 1] = v >>> 8;
      b[off + 2] = v >>> 16;
      b[off + 3] = v >>> 24;
    }
  }

  writeU64(off: number, v: bigint): void {
    if (off < 0 || off + 8 > this.size) this.oob(off, 8);
    if ((off & 7) === 0) {
      this.u64[off >>> 3] = v; // the typed array wraps modulo 2^64
    } else {
      const u = BigInt.asUintN(64, v);
      this.writeU32(off, Number(u & 0xffffffffn));
      this.writeU32(off + 4, Number(u >> 32n));
    }
  }

  /** A copy of [off, off+len). */
  readBytes(off: number, len: number): Uint8Array {
    if (off < 0 || len < 0 || off + len > this.size) this.oob(off, len);
    return this.u8.slice(off, off + len);
  }

  /** A live view of [off, off+len) (invalid after the memory grows). */
  view(off: number, len: number): Uint8Array {
    if (off < 0 || len < 0 || off + len > this.size) this.oob(off, len);
    return this.u8.subarray(off, off + len);
  }

  writeBytes(off: number, b: Uint8Array): void {
    if (off < 0 || off + b.length > this.size) this.oob(off, b.length);
    this.u8.set(b, off);
  }

  fill(off: number, len: number, v = 0): void {
    if (off < 0 || len < 0 || off + len > this.size) this.oob(off, len);
    this.u8.fill(v, off, off + len);
  }

  /** memmove within the linear memory. */
  copy(dst: number, src: number, len: number): void {
    if (dst < 0 || src < 0 || len < 0 || dst + len > this.size || src + len > this.size) this.oob(Math.max(dst, src), len);
    this.u8.copyWithin(dst, src, src + len);
  }

  /** Bytes from off up to (excluding) the first NUL, at most `max` bytes. */
  readCStringBytes(off: number, max: number): Uint8Array {
    if (off < 0 || off >= this.size) this.oob(off, 1);
    const end = Math.min(this.size, off + max);
    let i = off;
    const b = this.u8;
    while (i < end && b[i] !== 0) i++;
    return b.slice(off, i);
  }

  /** A NUL-terminated string (UTF-8, invalid bytes replaced) of at most `max` bytes. */
  readCString(off: number, max: number): string {
    return new TextDecoder().decode(this.readCStringBytes(off, max));
  }

  /** Write a string as UTF-8 with a terminating NUL, truncated to fit `max` bytes; returns bytes written incl. NUL. */
  writeCString(off: number, s: string, max: number): number {
    if (max <= 0) return 0;
    const enc = new TextEncoder().encode(s);
    const n = Math.min(enc.length, max - 1);
    this.writeBytes(off, enc.subarray(0, n));
    this.writeU8(off + n, 0);
    return n + 1;
  }
}
