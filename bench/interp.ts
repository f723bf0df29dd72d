// Interpreter speed: ns per executed instruction on ALU-heavy loops.
//   npx tsx bench/interp.ts [N]
// Prints the best of several runs after warm-up, by wall clock and by process CPU time (on a
// loaded machine the wall clock also counts time spent descheduled).
import { KernelMemory } from '../src/kernel/memory.js';
import { Interpreter, trustInsns } from '../src/interp/index.js';
import { aluLoop, callLoop, memLoop, type BenchProgram } from './interp-programs.js';

const N = Number(process.argv[2] ?? 1_000_000);
const kernel = { mem: new KernelMemory(), helpers: { get: () => undefined }, kfuncs: { byBtfId: () => undefined } };

export interface InterpBenchResult {
  name: string;
  executed: number;
  nsPerInsn: number;
  cpuNsPerInsn: number;
}

export function benchInterp(p: BenchProgram, runs = 8): InterpBenchResult {
  const it = new Interpreter(trustInsns(p.insns), kernel, { maxInsns: Number.MAX_SAFE_INTEGER });
  let best = Infinity;
  let bestCpu = Infinity;
  for (let k = 0; k < runs; k++) {
    const c0 = process.cpuUsage();
    const res = it.run();
    const c1 = process.cpuUsage(c0);
    if (res.retval !== p.expect) throw new Error(`${p.name}: r0 = ${res.retval}, expected ${p.expect}`);
    best = Math.min(best, res.durationNs);
    bestCpu = Math.min(bestCpu, (c1.user + c1.system) * 1000);
  }
  it.dispose();
  return { name: p.name, executed: p.executed, nsPerInsn: best / p.executed, cpuNsPerInsn: bestCpu / p.executed };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/interp.ts')) {
  for (const p of [aluLoop(N), memLoop(N), callLoop(N)]) {
    const r = benchInterp(p);
    console.log(`${r.name.padEnd(10)} ${String(r.executed).padStart(9)} insns  ${r.nsPerInsn.toFixed(2)} ns/insn wall  ${r.cpuNsPerInsn.toFixed(2)} ns/insn cpu`);
  }
}
