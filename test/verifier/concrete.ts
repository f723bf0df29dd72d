// Concrete BPF ALU and jump semantics, the ground truth the abstract domain is checked against.
import {
  BPF_ADD, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_CLASS, BPF_DIV, BPF_END, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD,
  BPF_MUL, BPF_NEG, BPF_OP, BPF_OR, BPF_RSH, BPF_SRC, BPF_SUB, BPF_TO_LE, BPF_XOR,
} from '../../src/isa/opcodes.js';

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);

function swab(v: bigint, bytes: number): bigint {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return r;
}

/** dst op src for ALU/ALU64 (code carries class, op, source bit), result as u64. */
export function concreteAlu(code: number, imm: number, dst: bigint, src: bigint): bigint {
  const alu64 = BPF_CLASS(code) === BPF_ALU64;
  const bits = alu64 ? 64 : 32;
  const w = (x: bigint): bigint => BigInt.asUintN(bits, x);
  const ws = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const a = w(dst);
  const b = w(src);
  let r: bigint;
  switch (BPF_OP(code)) {
    case BPF_ADD: r = a + b; break;
    case BPF_SUB: r = a - b; break;
    case BPF_MUL: r = a * b; break;
    case BPF_DIV: r = b === 0n ? 0n : a / b; break;
    case BPF_MOD: r = b === 0n ? a : a % b; break;
    case BPF_OR: r = a | b; break;
    case BPF_AND: r = a & b; break;
    case BPF_XOR: r = a ^ b; break;
    case BPF_LSH: r = a << (b & BigInt(bits - 1)); break;
    case BPF_RSH: r = a >> (b & BigInt(bits - 1)); break;
    case BPF_ARSH: r = ws(a) >> (b & BigInt(bits - 1)); break;
    case BPF_NEG: r = -a; break;
    case BPF_END: {
      const n = imm / 8;
      const m = (1n << BigInt(imm)) - 1n;
      if (alu64 || BPF_SRC(code) !== BPF_TO_LE) return swab(u64(dst) & m, n);
      return u64(dst) & m;
    }
    default: throw new Error('op');
  }
  return alu64 ? u64(r) : u32(r);
}

export function concreteCond(op: number, jmp32: boolean, x: bigint, y: bigint): boolean {
  const bits = jmp32 ? 32 : 64;
  const a = BigInt.asUintN(bits, x);
  const b = BigInt.asUintN(bits, y);
  const sa = BigInt.asIntN(bits, x);
  const sb = BigInt.asIntN(bits, y);
  switch (op) {
    case BPF_JEQ: return a === b;
    case BPF_JNE: return a !== b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JLT: return a < b;
    case BPF_JLE: return a <= b;
    case BPF_JSGT: return sa > sb;
    case BPF_JSGE: return sa >= sb;
    case BPF_JSLT: return sa < sb;
    case BPF_JSLE: return sa <= sb;
    case BPF_JSET: return (a & b) !== 0n;
    default: throw new Error('cond');
  }
}
