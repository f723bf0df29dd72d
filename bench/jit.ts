// JIT speed: a bpf_for-style loop (bpf_iter_num_{new,next,destroy}, inlined) summing i*i over
// N = 1,000,000 iterations, on the JIT (both tiers) and the interpreter in the same process, and
// compile time for generated reducible programs of 10k / 100k instructions (1M with --1m).
//   npx tsx bench/jit.ts [N] [--1m]
// Prints the first run (what a single long call gets: V8 cannot tier up inside a running wasm
// loop) and the best of several runs, by wall clock and by process CPU time (on a loaded machine
// the wall clock also counts time spent descheduled).
import { assemble } from '../src/isa/index.js';
import { Kernel } from '../src/kernel/kernel.js';
import { Interpreter, trustInsns } from '../src/interp/index.js';
import type { VerifiedProgram } from '../src/verifier/verified-program.js';
import { compile, loadBinaryen, type JitTier } from '../jit/index.js';
import { structuredProgram } from '../test/jit/gen.js';

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const kernel = new Kernel();

// marked verified: it is the bpf_for shape the verifier accepts, and verified programs are what
// the JIT is tuned for (no explicit bounds checks, no loop budget); `--unverified` for the other
function iterSumProgram(n: number, verified = !args.includes('--unverified')): VerifiedProgram {
  const id = (name: string): number => kernel.kfuncBtfId(name);
  const vp = trustInsns(
    assemble(`r6 = 0
r1 = r10
r1 += -8
r2 = 0
r3 = ${n}
call bpf_iter_num_new#${id('bpf_iter_num_new')}
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next#${id('bpf_iter_num_next')}
if r0 == 0 goto done
r1 = *(u32 *)(r0 +0)
r1 *= r1
r6 += r1
goto loop
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy#${id('bpf_iter_num_destroy')}
r0 = r6
exit`),
    'syscall',
  );
  return { ...vp, verified };
}

let expect = 0n;
for (let i = 0n; i < BigInt(N); i++) expect += i * i;
expect = BigInt.asUintN(64, expect);

interface Timing {
  first: number;
  best: number;
  bestCpu: number;
}

function time(run: () => { retval: bigint; durationNs: number }, runs: number): Timing {
  let first = 0;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let k = 0; k < runs; k++) {
    const c0 = process.cpuUsage();
    const r = run();
    const c = process.cpuUsage(c0);
    if (r.retval !== expect) throw new Error(`r0 = ${r.retval}, expected ${expect}`);
    if (k === 0) first = r.durationNs;
    best = Math.min(best, r.durationNs);
    bestCpu = Math.min(bestCpu, (c.user + c.system) * 1000);
  }
  return { first: first / N, best: best / N, bestCpu: bestCpu / N };
}

const fmt = (x: number): string => x.toFixed(2).padStart(8);

await loadBinaryen();
// warm Binaryen itself (its own wasm is compiled lazily) so compile times below are steady-state
(await compile(iterSumProgram(1), kernel)).dispose();

const vp = iterSumProgram(N);
console.log(`bpf_iter_num loop, ${N} iterations (ns per iteration: first run / best run / best by CPU time)`);
const rows: [string, Timing, number][] = [];
for (const tier of ['baseline', 'optimized'] as JitTier[]) {
  const t0 = performance.now();
  const p = await compile(vp, kernel, { tier, ...(args.includes('--dump') && tier === 'optimized' ? { dumpText: (t: string) => console.log(t) } : {}) });
  const ms = performance.now() - t0;
  rows.push([`jit ${tier}`, time(() => p.run(), 8), ms]);
  p.dispose();
}
const it = new Interpreter(vp, kernel);
rows.push(['interpreter', time(() => it.run(), 3), 0]);
it.dispose();
const interpBest = rows[rows.length - 1]![1].best;
for (const [name, t, ms] of rows) {
  console.log(`  ${name.padEnd(14)} ${fmt(t.first)} ${fmt(t.best)} ${fmt(t.bestCpu)}   x${(interpBest / t.best).toFixed(1)} vs interp${ms ? `   compile ${ms.toFixed(0)} ms` : ''}`);
}

console.log('\ncompile time of generated reducible programs (ms: emit / binaryen optimize / V8 module+instance)');
const sizes = [10_000, 100_000, ...(args.includes('--1m') ? [1_000_000] : [])];
for (const size of sizes) {
  const prog = trustInsns(assemble(structuredProgram(size, 7)));
  const t0 = performance.now();
  try {
    const p = await compile(prog, kernel);
    const s = p.stats;
    console.log(`  ${String(prog.insns.length).padStart(8)} insns: ${(performance.now() - t0).toFixed(0)} ms total (${s.emitMs.toFixed(0)} / ${s.optimizeMs.toFixed(0)} / ${s.wasmMs.toFixed(0)}), ${s.blocks} blocks, ${s.wasmBytes} bytes`);
    p.dispose();
  } catch (e) {
    console.log(`  ${String(prog.insns.length).padStart(8)} insns: failed after ${(performance.now() - t0).toFixed(0)} ms: ${e instanceof Error ? e.message : String(e)}`);
  }
}
