// Interpreter speed on an ALU-heavy loop: sum += i * i for i in [0, N).
//   npx tsx bench/interp.ts [N]
// Prints ns per executed instruction (best of several runs, after warm-up).
import type { Insn } from '../src/isa/insn.js';
import { KernelMemory } from '../src/kernel/memory.js';
import { Interpreter, trustInsns } from '../src/interp/index.js';

const N = Number(process.argv[2] ?? 1_000_000);
const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

// r0 = 0; r1 = 0; loop: r2 = r1; r2 *= r1; r0 += r2; r1 += 1; if r1 < N goto loop; exit
const aluLoop: Insn[] = [
  I(0xb7, 0, 0, 0, 0),
  I(0xb7, 1, 0, 0, 0),
  I(0xbf, 2, 1, 0, 0),
  I(0x2f, 2, 1, 0, 0),
  I(0x0f, 0, 2, 0, 0),
  I(0x07, 1, 0, 0, 1),
  I(0xa5, 1, 0, -5, N),
  I(0x95, 0, 0, 0, 0),
];

// the same with 32-bit ALU and a stack round-trip: w2 = w1; w2 *= w1; *(u64*)(r10-8) += r2 ...
const memLoop: Insn[] = [
  I(0xb7, 0, 0, 0, 0),
  I(0xb7, 1, 0, 0, 0),
  I(0x7b, 10, 0, -8, 0), // *(u64 *)(r10 -8) = r0
  I(0xbc, 2, 1, 0, 0), // w2 = w1
  I(0x2c, 2, 1, 0, 0), // w2 *= w1
  I(0x79, 3, 10, -8, 0), // r3 = *(u64 *)(r10 -8)
  I(0x0f, 3, 2, 0, 0), // r3 += r2
  I(0x7b, 10, 3, -8, 0), // *(u64 *)(r10 -8) = r3
  I(0x07, 1, 0, 0, 1),
  I(0xa5, 1, 0, -7, N),
  I(0x79, 0, 10, -8, 0),
  I(0x95, 0, 0, 0, 0),
];

const kernel = { mem: new KernelMemory(), helpers: { get: () => undefined }, kfuncs: { byBtfId: () => undefined } };

function bench(name: string, insns: Insn[], perIter: number, fixed: number): number {
  const it = new Interpreter(trustInsns(insns), kernel, { maxInsns: Number.MAX_SAFE_INTEGER });
  let best = Infinity;
  let bestCpu = Infinity;
  let r = 0n;
  for (let k = 0; k < 8; k++) {
    // CPU time as well as wall time: on a loaded machine the wall clock also counts time spent
    // descheduled
    const c0 = process.cpuUsage();
    const res = it.run();
    const c1 = process.cpuUsage(c0);
    r = res.retval;
    best = Math.min(best, res.durationNs);
    bestCpu = Math.min(bestCpu, (c1.user + c1.system) * 1000);
  }
  const executed = N * perIter + fixed;
  const ns = best / executed;
  console.log(
    `${name.padEnd(10)} ${executed} insns  ${(best / 1e6).toFixed(2)} ms  ${ns.toFixed(2)} ns/insn wall  ` +
      `${(bestCpu / executed).toFixed(2)} ns/insn cpu  (r0 = ${r})`,
  );
  return ns;
}

bench('alu64', aluLoop, 5, 3);
bench('alu32+mem', memLoop, 8, 6);
