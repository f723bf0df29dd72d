// A deliberately slow reference model of the eBPF ISA for differential testing: every register is
// an unsigned BigInt, every operation is written straight from the ISA text (RFC 9669) plus
// Linux's run-time rules, with no typed-array tricks. It covers what random straight-line and
// forward-branching programs use: ALU/ALU64, JMP/JMP32, ld_imm64, stack loads/stores, atomics.
import type { Insn } from '../../src/isa/insn.js';

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;
const u32 = (v: bigint): bigint => v & 0xffffffffn;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const sx = (bits: number, v: bigint): bigint => u64(BigInt.asIntN(bits, v));

function swap(bytes: number, v: bigint): bigint {
  let r = 0n;
  for (let k = 0; k < bytes; k++) r = (r << 8n) | ((v >> BigInt(8 * k)) & 0xffn);
  return r;
}

function alu(op: number, a: bigint, b: bigint, w: 32 | 64, off: number): bigint {
  const m = w === 64 ? u64 : u32;
  const s = w === 64 ? s64 : s32;
  const sh = BigInt(w - 1);
  a = m(a);
  b = m(b);
  switch (op) {
    case 0x00: return m(a + b);
    case 0x10: return m(a - b);
    case 0x20: return m(a * b);
    case 0x30:
      if (b === 0n) return 0n;
      return off === 1 ? m(s(a) / s(b)) : a / b;
    case 0x90:
      if (b === 0n) return a;
      return off === 1 ? m(s(a) % s(b)) : a % b;
    case 0x40: return a | b;
    case 0x50: return a & b;
    case 0xa0: return a ^ b;
    case 0x60: return m(a << (b & sh));
    case 0x70: return a >> (b & sh);
    case 0xc0: return m(s(a) >> (b & sh));
    case 0x80: return m(-a);
    case 0xb0: return off === 0 ? b : m(sx(off, b));
    default: throw new Error(`model: alu op ${op}`);
  }
}

function cond(op: number, a: bigint, b: bigint, w: 32 | 64): boolean {
  const m = w === 64 ? u64 : u32;
  const s = w === 64 ? s64 : s32;
  a = m(a);
  b = m(b);
  switch (op) {
    case 0x10: return a === b;
    case 0x50: return a !== b;
    case 0x40: return (a & b) !== 0n;
    case 0x20: return a > b;
    case 0x30: return a >= b;
    case 0xa0: return a < b;
    case 0xb0: return a <= b;
    case 0x60: return s(a) > s(b);
    case 0x70: return s(a) >= s(b);
    case 0xc0: return s(a) < s(b);
    case 0xd0: return s(a) <= s(b);
    default: throw new Error(`model: jump op ${op}`);
  }
}

export interface ModelState {
  regs: bigint[];
  /** the 512-byte stack below r10, byte k at r10 - 512 + k */
  stack: Uint8Array;
}

/** Runs a program that touches memory only through r10-relative stack accesses. */
export function runModel(insns: Insn[], fp: bigint): ModelState {
  const regs = new Array<bigint>(11).fill(0n);
  regs[10] = fp;
  const stack = new Uint8Array(512);
  const at = (reg: number, off: number, size: number): number => {
    const a = Number(s64(regs[reg]! - fp)) + off + 512;
    if (reg !== 10 || a < 0 || a + size > 512) throw new Error('model: only r10-relative stack accesses');
    return a;
  };
  const load = (a: number, size: number): bigint => {
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(stack[a + k]!);
    return v;
  };
  const store = (a: number, size: number, v: bigint): void => {
    for (let k = 0; k < size; k++) stack[a + k] = Number((v >> BigInt(8 * k)) & 0xffn);
  };
  const SIZES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
  let pc = 0;
  for (let steps = 0; steps < 1_000_000; steps++) {
    const x = insns[pc]!;
    const cls = x.code & 7;
    const op = x.code & 0xf0;
    const isX = (x.code & 8) !== 0;
    pc++;
    if (cls === 0x04 || cls === 0x07) {
      const w = cls === 0x07 ? 64 : 32;
      if (op === 0xd0) {
        const v = regs[x.dst]!;
        const bytes = x.imm / 8;
        if (cls === 0x07 || isX) regs[x.dst] = swap(bytes, v); // bswap / be
        else regs[x.dst] = bytes === 8 ? v : v & ((1n << BigInt(x.imm)) - 1n); // le
        continue;
      }
      const b = isX ? regs[x.src]! : u64(BigInt(x.imm));
      const r = alu(op, regs[x.dst]!, b, w, op === 0xb0 && !isX ? 0 : x.off);
      regs[x.dst] = w === 32 ? u32(r) : r;
    } else if (cls === 0x05 || cls === 0x06) {
      if (x.code === 0x95) return { regs, stack };
      if (x.code === 0x05) { pc += x.off; continue; }
      if (x.code === 0x06) { pc += x.imm; continue; }
      const b = isX ? regs[x.src]! : u64(BigInt(x.imm));
      if (cond(op, regs[x.dst]!, b, cls === 0x05 ? 64 : 32)) pc += x.off;
    } else if (x.code === 0x18) {
      regs[x.dst] = u64((BigInt(x.imm2 ?? 0) << 32n) | u32(BigInt(x.imm)));
      pc++;
    } else if (cls === 0x01) {
      const size = SIZES[x.code & 0x18]!;
      const v = load(at(x.src, x.off, size), size);
      regs[x.dst] = (x.code & 0xe0) === 0x80 ? sx(size * 8, v) : v;
    } else if (cls === 0x02) {
      const size = SIZES[x.code & 0x18]!;
      store(at(x.dst, x.off, size), size, u64(BigInt(x.imm)));
    } else if (cls === 0x03 && (x.code & 0xe0) === 0x60) {
      const size = SIZES[x.code & 0x18]!;
      store(at(x.dst, x.off, size), size, regs[x.src]!);
    } else if (cls === 0x03 && (x.code & 0xe0) === 0xc0) {
      const size = SIZES[x.code & 0x18]!;
      const a = at(x.dst, x.off, size);
      const old = load(a, size);
      const m = size === 8 ? u64 : u32;
      const v = m(regs[x.src]!);
      switch (x.imm & ~1) {
        case 0x00: store(a, size, old + v); break;
        case 0x40: store(a, size, old | v); break;
        case 0x50: store(a, size, old & v); break;
        case 0xa0: store(a, size, old ^ v); break;
        case 0xe0: store(a, size, v); break;
        case 0xf0:
          if (old === m(regs[0]!)) store(a, size, v);
          regs[0] = old;
          continue;
        default: throw new Error(`model: atomic ${x.imm}`);
      }
      if (x.imm & 1) regs[x.src] = old;
    } else {
      throw new Error(`model: opcode 0x${x.code.toString(16)}`);
    }
  }
  throw new Error('model: step limit');
}
