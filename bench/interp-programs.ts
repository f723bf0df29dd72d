// Benchmark programs shared by the interpreter and JIT benchmarks: hand-built instructions (no
// assembler or verifier on the measured path), with their executed-instruction counts.
import type { Insn } from '../src/isa/insn.js';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

export interface BenchProgram {
  name: string;
  insns: Insn[];
  /** instructions executed by one run */
  executed: number;
  /** r0 at exit */
  expect: bigint;
}

/** sum += i * i for i in [0, n): 64-bit ALU and a compare-and-branch, 5 instructions per iteration. */
export function aluLoop(n: number): BenchProgram {
  let sum = 0n;
  for (let i = 0n; i < BigInt(n); i++) sum += i * i;
  return {
    name: 'alu64',
    insns: [
      I(0xb7, 0, 0, 0, 0), // r0 = 0
      I(0xb7, 1, 0, 0, 0), // r1 = 0
      I(0xbf, 2, 1, 0, 0), // loop: r2 = r1
      I(0x2f, 2, 1, 0, 0), // r2 *= r1
      I(0x0f, 0, 2, 0, 0), // r0 += r2
      I(0x07, 1, 0, 0, 1), // r1 += 1
      I(0xa5, 1, 0, -5, n), // if r1 < n goto loop
      I(0x95, 0, 0, 0, 0),
    ],
    executed: 5 * n + 3,
    expect: BigInt.asUintN(64, sum),
  };
}

/** The same with 32-bit multiply and the running sum kept in a stack slot: 8 instructions per iteration. */
export function memLoop(n: number): BenchProgram {
  let sum = 0n;
  for (let i = 0n; i < BigInt(n); i++) sum += BigInt.asUintN(32, i * i);
  return {
    name: 'alu32+mem',
    insns: [
      I(0xb7, 0, 0, 0, 0), // r0 = 0
      I(0xb7, 1, 0, 0, 0), // r1 = 0
      I(0x7b, 10, 0, -8, 0), // *(u64 *)(r10 -8) = r0
      I(0xbc, 2, 1, 0, 0), // loop: w2 = w1
      I(0x2c, 2, 1, 0, 0), // w2 *= w1
      I(0x79, 3, 10, -8, 0), // r3 = *(u64 *)(r10 -8)
      I(0x0f, 3, 2, 0, 0), // r3 += r2
      I(0x7b, 10, 3, -8, 0), // *(u64 *)(r10 -8) = r3
      I(0x07, 1, 0, 0, 1), // r1 += 1
      I(0xa5, 1, 0, -7, n), // if r1 < n goto loop
      I(0x79, 0, 10, -8, 0), // r0 = *(u64 *)(r10 -8)
      I(0x95, 0, 0, 0, 0),
    ],
    executed: 8 * n + 6,
    expect: BigInt.asUintN(64, sum),
  };
}

/** A bpf-to-bpf call per iteration: r0 += f(i) with f(x) = x ^ (x >> 3); 9 instructions per iteration. */
export function callLoop(n: number): BenchProgram {
  let sum = 0n;
  for (let i = 0n; i < BigInt(n); i++) sum += i ^ (i >> 3n);
  return {
    name: 'calls',
    insns: [
      I(0xb7, 6, 0, 0, 0), // r6 = 0 (sum)
      I(0xb7, 7, 0, 0, 0), // r7 = 0 (i)
      I(0xbf, 1, 7, 0, 0), // loop: r1 = r7
      I(0x85, 0, 1, 0, 5), // call f
      I(0x0f, 6, 0, 0, 0), // r6 += r0
      I(0x07, 7, 0, 0, 1), // r7 += 1
      I(0xa5, 7, 0, -5, n), // if r7 < n goto loop
      I(0xbf, 0, 6, 0, 0), // r0 = r6
      I(0x95, 0, 0, 0, 0),
      I(0xbf, 0, 1, 0, 0), // f: r0 = r1
      I(0x77, 1, 0, 0, 3), // r1 >>= 3
      I(0xaf, 0, 1, 0, 0), // r0 ^= r1
      I(0x95, 0, 0, 0, 0),
    ],
    executed: 9 * n + 4,
    expect: BigInt.asUintN(64, sum),
  };
}

/** BTF ids of the number-iterator kfuncs in the kernel the program will run against. */
export interface IterNumIds {
  new: number;
  next: number;
  destroy: number;
}

/**
 * A kfunc call per iteration, the shape clang gives `bpf_for(i, 0, n) sum += i`: the loop is
 * driven by bpf_iter_num_next on an 8-byte iterator on the stack. 7 instructions (one of them a
 * kfunc call) per iteration. Measures the cost of crossing from the engine into the kernel.
 */
export function kfuncLoop(n: number, ids: IterNumIds): BenchProgram {
  const K = (imm: number): Insn => I(0x85, 0, 2, 0, imm); // call kfunc (BPF_PSEUDO_KFUNC_CALL)
  return {
    name: 'kfuncs',
    insns: [
      I(0xb7, 6, 0, 0, 0), // r6 = 0 (sum)
      I(0xbf, 1, 10, 0, 0), // r1 = r10
      I(0x07, 1, 0, 0, -8), // r1 += -8
      I(0xb7, 2, 0, 0, 0), // r2 = 0
      I(0xb7, 3, 0, 0, n), // r3 = n
      K(ids.new), // bpf_iter_num_new(&it, 0, n)
      I(0xbf, 1, 10, 0, 0), // loop: r1 = r10
      I(0x07, 1, 0, 0, -8), // r1 += -8
      K(ids.next), // r0 = bpf_iter_num_next(&it)
      I(0x15, 0, 0, 3, 0), // if r0 == 0 goto done
      I(0x61, 1, 0, 0, 0), // r1 = *(u32 *)(r0 + 0)
      I(0x0f, 6, 1, 0, 0), // r6 += r1
      I(0x05, 0, 0, -7, 0), // goto loop
      I(0xbf, 1, 10, 0, 0), // done: r1 = r10
      I(0x07, 1, 0, 0, -8), // r1 += -8
      K(ids.destroy), // bpf_iter_num_destroy(&it)
      I(0xbf, 0, 6, 0, 0), // r0 = r6
      I(0x95, 0, 0, 0, 0),
    ],
    executed: 7 * n + 15,
    expect: BigInt((n * (n - 1)) / 2),
  };
}
