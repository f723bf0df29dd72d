// `bpfwasm bench`: one program under both engines, in the same process, as ratios.
import type { Command } from 'commander';
import type { EngineName } from '../../api/engine.js';
import { parseBytesArg, parseIntArg } from '../io.js';
import { UsageError } from '../errors.js';
import { openFileObject, printJson } from './common.js';

interface BenchFlags {
  prog?: string;
  repeat: string;
  ctxIn?: string;
  dataIn?: string;
  unverified?: boolean;
  json?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time one program under the interpreter and the JIT (mean ns per run, best of 5 batches)')
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--prog <name>', 'program to run (optional when the object has one)')
    .option('--repeat <n>', 'runs per batch', '1000')
    .option('--ctx-in <hex|@file>', 'context bytes')
    .option('--data-in <hex|@file>', 'packet bytes')
    .option('--unverified', 'skip verification (debugging only)')
    .option('--json', 'print JSON')
    .action(async (file: string, f: BenchFlags) => {
      const repeat = parseIntArg(f.repeat, '--repeat', 1);
      const ctxIn = f.ctxIn === undefined ? undefined : parseBytesArg(f.ctxIn, '--ctx-in');
      const dataIn = f.dataIn === undefined ? undefined : parseBytesArg(f.dataIn, '--data-in');
      const results: { engine: EngineName; ns_per_run: number; retval: string }[] = [];
      let name = f.prog;
      for (const engine of ['interp', 'jit'] as const) {
        // A fresh world per engine, so neither sees the other's map updates.
        const obj = openFileObject(file);
        if (name === undefined) {
          if (obj.programs.length !== 1) throw new UsageError(`${file} has ${obj.programs.length} programs; choose one with --prog`);
          name = obj.programs[0]!.name;
        }
        const prog = obj.program(name);
        await obj.load({ engine, unverified: f.unverified, programs: [name], tier: 'optimized' });
        // Warm up for a fixed time, not a fixed count: V8 needs ~0.5 s to optimise the
        // interpreter's main loop, and a short program finishes thousands of runs before that.
        const warmUntil = performance.now() + 1000;
        while (performance.now() < warmUntil) prog.run({ ctxIn, dataIn, repeat: Math.min(repeat, 100) });
        let best = Infinity;
        let retval = 0n;
        for (let k = 0; k < 5; k++) {
          const r = prog.run({ ctxIn, dataIn, repeat });
          best = Math.min(best, r.durationNs);
          retval = r.retval;
        }
        results.push({ engine, ns_per_run: Math.round(best * 10) / 10, retval: retval.toString() });
      }
      const [interp, jit] = results as [(typeof results)[0], (typeof results)[0]];
      const speedup = interp.ns_per_run / Math.max(jit.ns_per_run, 0.001);
      if (f.json) return printJson({ program: name, repeat, results, jit_speedup: Math.round(speedup * 10) / 10 });
      const lines = [`${name}: ${repeat} runs per batch, best of 5`];
      for (const r of results) lines.push(`  ${r.engine.padEnd(6)} ${String(r.ns_per_run).padStart(12)} ns/run   retval ${r.retval}`);
      lines.push(`  jit is ${speedup.toFixed(1)}x the interpreter`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
