// Interpreter speed: ns per executed instruction on ALU-heavy loops, and per kfunc call on a
// call-heavy one (the number iterator of a real Kernel).
//   npx tsx bench/interp.ts [N] [--kernel]
// --kernel also runs the same programs in the host kernel (root + libbpf: BPF_PROG_TEST_RUN with
// repeat, i.e. Linux's JIT) and prints how many times slower the interpreter is.
// Prints the best of several runs after warm-up, by wall clock and by process CPU time (on a
// loaded machine the wall clock also counts time spent descheduled).
import { spawnSync } from 'node:child_process';
import { encode } from '../src/isa/index.js';
import { Kernel } from '../src/kernel/kernel.js';
import { KernelMemory } from '../src/kernel/memory.js';
import { Interpreter, trustInsns } from '../src/interp/index.js';
import { aluLoop, callLoop, kfuncLoop, memLoop, type BenchProgram } from './interp-programs.js';
import type { InterpKernel } from '../src/interp/env.js';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const kernel = { mem: new KernelMemory(), helpers: { get: () => undefined }, kfuncs: { byBtfId: () => undefined } };

export interface InterpBenchResult {
  name: string;
  executed: number;
  nsPerInsn: number;
  cpuNsPerInsn: number;
}

export function benchInterp(p: BenchProgram, runs = 8, k: InterpKernel = kernel): InterpBenchResult {
  const it = new Interpreter(trustInsns(p.insns), k, { maxInsns: Number.MAX_SAFE_INTEGER });
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

/**
 * ns per instruction of a program in the host kernel (its JIT), or undefined if unusable. The
 * verifier walks every iteration of these constant-bound loops, so keep them under its 1M
 * processed-instruction limit (build them with a smaller N).
 */
export async function benchHostKernel(p: BenchProgram, repeat = 500): Promise<number | undefined> {
  const { RUNNER, unavailableReason } = await import('../test/hostkernel/host.js');
  if (unavailableReason() !== undefined) return undefined;
  const hex = Buffer.from(encode(p.insns)).toString('hex');
  const r = spawnSync(RUNNER, ['insns', hex, 'socket_filter', '--data-in', '00'.repeat(64), '--repeat', String(repeat)], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const v = JSON.parse(r.stdout) as { loaded: boolean; retval?: number; duration_ns?: number };
  if (!v.loaded || v.duration_ns === undefined) return undefined;
  if (v.retval !== Number(p.expect & 0xffffffffn)) throw new Error(`${p.name}: host kernel r0 = ${v.retval}`);
  return v.duration_ns / p.executed;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/interp.ts')) {
  const withKernel = process.argv.includes('--kernel');
  const KERNEL_N = 10_000;
  for (const [p, small] of [
    [aluLoop(N), aluLoop(KERNEL_N)],
    [memLoop(N), memLoop(KERNEL_N)],
    [callLoop(N), callLoop(KERNEL_N)],
  ] as const) {
    const r = benchInterp(p);
    let line = `${r.name.padEnd(10)} ${String(r.executed).padStart(9)} insns  ${r.nsPerInsn.toFixed(2)} ns/insn wall  ${r.cpuNsPerInsn.toFixed(2)} ns/insn cpu`;
    if (withKernel) {
      const k = await benchHostKernel(small);
      line += k === undefined ? '  (host kernel unavailable)' : `  host kernel ${k.toFixed(3)} ns/insn (interp ${(r.nsPerInsn / k).toFixed(0)}x slower)`;
    }
    console.log(line);
  }
  const real = new Kernel();
  const id = (name: string): number => {
    const btfId = real.kfuncBtfId(name);
    if (btfId === 0) throw new Error(`kernel has no kfunc ${name}`);
    return btfId;
  };
  const ids = { new: id('bpf_iter_num_new'), next: id('bpf_iter_num_next'), destroy: id('bpf_iter_num_destroy') };
  const nCalls = Math.min(N, 1_000_000);
  const r = benchInterp(kfuncLoop(nCalls, ids), 8, real);
  const perCall = (r.nsPerInsn * r.executed) / (nCalls + 2);
  console.log(`${r.name.padEnd(10)} ${String(r.executed).padStart(9)} insns  ${r.nsPerInsn.toFixed(2)} ns/insn wall  ${r.cpuNsPerInsn.toFixed(2)} ns/insn cpu  ${perCall.toFixed(1)} ns/iteration (1 kfunc call)`);
}
