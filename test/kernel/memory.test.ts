import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GUARD_SIZE, KERNEL_BASE, KernelMemory, KernelMemoryError } from '../../src/kernel/memory.js';
import { UserAddressSpace, PROT_READ } from '../../src/kernel/user-memory.js';

describe('KernelMemory', () => {
  it('hands out zeroed, aligned blocks above the guard region', () => {
    const m = new KernelMemory({ initialBytes: 1 << 20 });
    const a = m.alloc(24);
    expect(a).toBeGreaterThanOrEqual(GUARD_SIZE);
    expect(a % 8).toBe(0);
    m.writeU64(a, 0x1122334455667788n);
    m.free(a);
    const b = m.alloc(24);
    expect(b).toBe(a); // LIFO reuse of the size class
    expect(m.readU64(b)).toBe(0n);
    const c = m.alloc(10000, 4096);
    expect(c % 4096).toBe(0);
  });

  it('pointers: BASE has zero low 32 bits and toOff/toPtr round-trip', () => {
    const m = new KernelMemory({ initialBytes: 1 << 20 });
    expect(KERNEL_BASE & 0xffffffffn).toBe(0n);
    const a = m.alloc(8);
    expect(m.toOff(m.toPtr(a))).toBe(a);
    expect(m.toOff(BigInt.asIntN(64, m.toPtr(a)))).toBe(a);
    expect(m.toOff(0n)).toBe(-1);
    expect(m.toOff(KERNEL_BASE + BigInt(m.size))).toBe(-1);
  });

  it('toOff: only pointers whose high half is KERNEL_BASE\'s and whose offset is inside the memory', () => {
    const m = new KernelMemory({ initialBytes: 1 << 20 });
    expect(m.toOff(KERNEL_BASE)).toBe(0);
    expect(m.toOff(KERNEL_BASE + BigInt(m.size - 1))).toBe(m.size - 1);
    expect(m.toOff(KERNEL_BASE - 1n)).toBe(-1);
    expect(m.toOff(KERNEL_BASE + (1n << 32n))).toBe(-1);
    expect(m.toOff(KERNEL_BASE + 0x80000000n)).toBe(-1);
    expect(m.toOff(0xffffffffn)).toBe(-1);
    expect(m.toOff(-1n)).toBe(-1);
    // wider than 64 bits: taken modulo 2^64, like BigInt.asUintN
    expect(m.toOff((1n << 64n) + KERNEL_BASE + 16n)).toBe(16);
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: KERNEL_BASE - 16n, max: KERNEL_BASE + BigInt(m.size) + 16n })), (p) => {
        const d = p - KERNEL_BASE;
        expect(m.toOff(p)).toBe(d >= 0n && d < BigInt(m.size) ? Number(d) : -1);
        expect(m.toOff(BigInt.asIntN(64, p))).toBe(m.toOff(p));
      }),
    );
  });

  it('refreshViews notices a grow done behind its back (by wasm code)', () => {
    const m = new KernelMemory({ initialBytes: 1 << 17 });
    const gen = m.generation;
    const size = m.size;
    m.refreshViews();
    expect(m.generation).toBe(gen); // nothing changed: views kept
    m.memory.grow(1);
    m.refreshViews();
    expect(m.generation).toBe(gen + 1);
    expect(m.size).toBe(size + 65536);
    expect(m.u8.length).toBe(size + 65536);
    m.writeU8(size + 100, 7);
    expect(m.readU8(size + 100)).toBe(7);
  });

  it('readable: false in the NULL guard and past the allocated region', () => {
    const m = new KernelMemory({ initialBytes: 1 << 20 });
    const a = m.alloc(64);
    expect(m.readable(m.toPtr(a), 64)).toBe(true);
    expect(m.readable(KERNEL_BASE, 8)).toBe(false);
    expect(m.readable(KERNEL_BASE + 0x100n, 8)).toBe(false);
    expect(m.readable(0n, 8)).toBe(false);
    expect(m.readable(16n, 8)).toBe(false);
    expect(m.readable(m.toPtr(m.highWater), 1)).toBe(false);
    expect(m.readable(m.toPtr(m.highWater - 4), 8)).toBe(false);
  });

  it('accessors: aligned and unaligned, little-endian, wrapping', () => {
    const m = new KernelMemory({ initialBytes: 1 << 20 });
    const a = m.alloc(64);
    for (const off of [a, a + 1, a + 3, a + 5]) {
      m.writeU64(off, -2n);
      expect(m.readU64(off)).toBe(0xfffffffffffffffen);
      expect(m.readI64(off)).toBe(-2n);
      m.writeU32(off, 0xdeadbeef);
      expect(m.readU32(off)).toBe(0xdeadbeef);
      expect(m.readU8(off)).toBe(0xef);
      expect(m.readU16(off + 1)).toBe(0xadbe);
      expect(m.readI32(off)).toBe(0xdeadbeef | 0);
      m.writeU16(off, 0x1234);
      expect(m.readU16(off)).toBe(0x1234);
    }
    m.writeCString(a, 'hello', 4);
    expect(m.readCString(a, 64)).toBe('hel');
    expect(() => m.readU64(m.size - 4)).toThrow(KernelMemoryError);
  });

  it('growth keeps offsets and contents valid and bumps generation', () => {
    const m = new KernelMemory({ initialBytes: 128 * 1024 });
    const a = m.alloc(100);
    m.writeBytes(a, new Uint8Array([1, 2, 3]));
    const gen = m.generation;
    const oldSize = m.size;
    const big = m.alloc(1 << 20);
    expect(m.size).toBeGreaterThan(oldSize);
    expect(m.generation).toBeGreaterThan(gen);
    expect([...m.readBytes(a, 3)]).toEqual([1, 2, 3]);
    expect(m.u8.buffer).toBe(m.memory.buffer);
    m.writeU64(big + (1 << 20) - 8, 7n);
    expect(m.readU64(big + (1 << 20) - 8)).toBe(7n);
  });

  it('tryAlloc returns 0 at the limit, alloc throws ENOMEM', () => {
    const m = new KernelMemory({ initialBytes: 128 * 1024, maxBytes: 256 * 1024 });
    expect(m.tryAlloc(1 << 20)).toBe(0);
    expect(() => m.alloc(1 << 20)).toThrow(/ENOMEM/);
    expect(() => m.free(12345)).toThrow(KernelMemoryError);
  });

  it('coalesces freed large blocks', () => {
    const m = new KernelMemory({ initialBytes: 1 << 20 });
    const a = m.alloc(8192);
    const b = m.alloc(8192);
    const c = m.alloc(8192);
    const guard = m.alloc(8192);
    m.free(a);
    m.free(c);
    m.free(b);
    // a, b and c are one range again, so 24 KiB fits where a was
    expect(m.alloc(24576)).toBe(a);
    expect(guard).toBeGreaterThan(c);
  });

  it('property: random alloc/free sequences never overlap and stay in bounds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('alloc' as const), size: fc.integer({ min: 1, max: 20000 }), alignLog: fc.integer({ min: 0, max: 12 }) }),
            fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
          ),
          { maxLength: 120 },
        ),
        (ops) => {
          const m = new KernelMemory({ initialBytes: 128 * 1024 });
          const live: Array<{ off: number; size: number; tag: number }> = [];
          let tag = 1;
          for (const o of ops) {
            if (o.op === 'alloc') {
              const align = 1 << o.alignLog;
              const off = m.alloc(o.size, align);
              expect(off % align).toBe(0);
              expect(off).toBeGreaterThanOrEqual(GUARD_SIZE);
              expect(off + o.size).toBeLessThanOrEqual(m.size);
              let nonzero = 0;
              for (let i = 0; i < o.size; i++) nonzero |= m.u8[off + i]!;
              expect(nonzero).toBe(0);
              m.fill(off, o.size, tag & 0xff);
              live.push({ off, size: o.size, tag: tag & 0xff });
              tag++;
            } else if (live.length > 0) {
              const [b] = live.splice(o.pick % live.length, 1);
              m.free(b!.off);
            }
          }
          const sorted = [...live].sort((x, y) => x.off - y.off);
          for (let i = 1; i < sorted.length; i++) {
            if (sorted[i]!.off < sorted[i - 1]!.off + sorted[i - 1]!.size) expect.fail(`blocks overlap at ${sorted[i]!.off}`);
          }
          // contents survived every later allocation and growth
          for (const b of live) {
            expect(m.u8[b.off]).toBe(b.tag);
            expect(m.u8[b.off + b.size - 1]).toBe(b.tag);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('UserAddressSpace', () => {
  it('reads and writes mapped pages, faults elsewhere', () => {
    const u = new UserAddressSpace();
    u.map(0x400ffcn, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(u.pageCount).toBe(2);
    expect([...u.read(0x400ffcn, 8)!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(u.read(0x400000n, 4)).toEqual(new Uint8Array(4));
    expect(u.read(0x402000n, 1)).toBeNull();
    expect(u.read(0x401ff0n, 0x20)).toBeNull();
    expect(u.write(0x401000n, new Uint8Array([9]))).toBe(true);
    expect(u.read(0x401000n, 1)![0]).toBe(9);
    expect(u.write(0x402000n, new Uint8Array([9]))).toBe(false);
    expect(u.read(0n, 1)).toBeNull();
  });

  it('readString stops at NUL or max and faults on unmapped bytes', () => {
    const u = new UserAddressSpace();
    const enc = new TextEncoder().encode('hi there\0');
    u.map(0x1000n, enc);
    expect(new TextDecoder().decode(u.readString(0x1000n, 64)!)).toBe('hi there');
    expect(new TextDecoder().decode(u.readString(0x1000n, 2)!)).toBe('hi');
    expect(u.readCString(0x1000n, 64)).toBe('hi there');
    expect(u.readCString(0x9000n, 64)).toBeNull();
    u.map(0x2ffen, new Uint8Array([65, 66]));
    expect(u.readString(0x2ffen, 16)).toBeNull(); // runs off the page without a NUL
  });

  it('read-only pages fault on write', () => {
    const u = new UserAddressSpace();
    u.map(0x5000n, 16, PROT_READ);
    expect(u.read(0x5000n, 16)).not.toBeNull();
    expect(u.write(0x5000n, new Uint8Array([1]))).toBe(false);
    u.unmap(0x5000n, 1);
    expect(u.read(0x5000n, 1)).toBeNull();
  });
});
