// `npm run bench`: the whole benchmark set, ratios measured in the same run.
//  1. benchmark.js: whole Program.run() calls on real test objects, interpreter vs JIT;
//  2. bench/interp.ts: interpreter ns per instruction (and the host kernel's JIT with --kernel);
//  3. bench/jit.ts: the 1M-iteration bpf_for loop and compile times.
// Pass --quick to skip 2 and 3.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Benchmark from 'benchmark';
import { BpfObject } from '../src/index.js';
import type { EngineName } from '../src/api/engine.js';

const root = join(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');

interface Case {
  file: string;
  prog: string;
  what: string;
}

const CASES: Case[] = [
  { file: 'loop.bpf.o', prog: 'collatz', what: 'bounded loop (Collatz steps of 27)' },
  { file: 'iter_num.bpf.o', prog: 'for_sum', what: 'bpf_for over 10 numbers (bpf_iter_num kfuncs)' },
  { file: 'maps.bpf.o', prog: 'hash_ops', what: 'hash map update/lookup/delete helpers' },
  { file: 'arith.bpf.o', prog: 'arith_basic', what: 'straight-line arithmetic (run overhead)' },
];

async function loaded(c: Case, engine: EngineName) {
  const obj = BpfObject.open(new Uint8Array(readFileSync(join(root, 'test', 'progs', c.file))), { name: c.file.split('.')[0] });
  // Verified where the verifier supports the program today, else unverified (same code runs).
  try {
    await obj.load({ engine, programs: [c.prog], tier: 'optimized' });
  } catch {
    const again = BpfObject.open(new Uint8Array(readFileSync(join(root, 'test', 'progs', c.file))), { name: c.file.split('.')[0] });
    await again.load({ engine, programs: [c.prog], tier: 'optimized', unverified: true });
    return again.program(c.prog);
  }
  return obj.program(c.prog);
}

const rows: string[] = ['| program | interp (ns/run) | jit (ns/run) | jit speed-up |', '|---|---:|---:|---:|'];
for (const c of CASES) {
  const progs = { interp: await loaded(c, 'interp'), jit: await loaded(c, 'jit') };
  const hz: Record<string, number> = {};
  await new Promise<void>((resolve) => {
    const suite = new Benchmark.Suite();
    for (const engine of ['interp', 'jit'] as const) {
      const p = progs[engine];
      suite.add(engine, () => {
        p.run();
      });
    }
    suite
      .on('cycle', (e: Benchmark.Event) => {
        const t = e.target as unknown as Benchmark;
        hz[t.name!] = t.hz!;
      })
      .on('complete', () => resolve())
      .run({ async: false });
  });
  const ns = (e: string): number => 1e9 / hz[e]!;
  rows.push(`| ${c.file} ${c.prog}: ${c.what} | ${ns('interp').toFixed(0)} | ${ns('jit').toFixed(0)} | ${(ns('interp') / ns('jit')).toFixed(1)}× |`);
}
console.log('Program.run() per call, benchmark.js (includes context set-up):\n');
console.log(rows.join('\n'));

if (!quick) {
  for (const script of [['bench/interp.ts', '--kernel'], ['bench/jit.ts']]) {
    console.log(`\n$ npx tsx ${script.join(' ')}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', ...script], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
  }
}
