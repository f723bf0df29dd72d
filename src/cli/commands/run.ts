import type { Command } from 'commander';
import type { EngineName } from '../../api/engine.js';
import { UsageError } from '../errors.js';
import { parseBytesArg, parseIntArg, toHex } from '../io.js';
import { openFileObject, printJson } from './common.js';

// The JIT is why bpfwasm exists; the interpreter is the reference to compare it with.
export const DEFAULT_ENGINE: EngineName = 'jit';

export function parseEngine(value: string): EngineName {
  if (value !== 'interp' && value !== 'jit') throw new UsageError(`--engine must be interp or jit, not '${value}'`);
  return value;
}

interface RunFlags {
  prog?: string;
  engine: string;
  ctxIn?: string;
  dataIn?: string;
  repeat: string;
  cpu?: string;
  pid?: string;
  json?: boolean;
  unverified?: boolean;
  tier?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run one program like BPF_PROG_TEST_RUN and print its return value')
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--prog <name>', 'program to run (optional when the object has one)')
    .option('--engine <engine>', 'interp or jit', DEFAULT_ENGINE)
    .option('--ctx-in <hex|@file>', 'context bytes (ctx_in)')
    .option('--data-in <hex|@file>', 'packet bytes (data_in) for xdp/tc/socket programs')
    .option('--repeat <n>', 'number of runs; duration is the mean', '1')
    .option('--cpu <n>', 'CPU to run on')
    .option('--pid <n>', 'pid of the current task')
    .option('--json', 'print JSON')
    .option('--unverified', 'skip verification (debugging only)')
    .option('--tier <tier>', 'JIT tier: baseline (fast start) or optimized (TurboFan before the first run); default optimized when --repeat > 1')
    .action(async (file: string, f: RunFlags) => {
      const engine = parseEngine(f.engine);
      const repeat = parseIntArg(f.repeat, '--repeat', 1);
      const ctxIn = f.ctxIn === undefined ? undefined : parseBytesArg(f.ctxIn, '--ctx-in');
      const dataIn = f.dataIn === undefined ? undefined : parseBytesArg(f.dataIn, '--data-in');
      const obj = openFileObject(file);
      let name = f.prog;
      if (name === undefined) {
        if (obj.programs.length !== 1) throw new UsageError(`${file} has ${obj.programs.length} programs; choose one with --prog (${obj.programs.map((p) => p.name).join(', ')})`);
        name = obj.programs[0]!.name;
      }
      const prog = obj.program(name);
      if (f.tier !== undefined && f.tier !== 'baseline' && f.tier !== 'optimized') throw new UsageError(`--tier must be baseline or optimized, not '${f.tier}'`);
      // V8 cannot tier up inside a running wasm loop, so repeated runs pay for TurboFan up front.
      const tier = (f.tier as 'baseline' | 'optimized' | undefined) ?? (repeat > 1 ? 'optimized' : 'baseline');
      await obj.load({ engine, unverified: f.unverified, programs: [name], tier });
      const r = prog.run({
        ctxIn, dataIn, repeat,
        cpu: f.cpu === undefined ? undefined : parseIntArg(f.cpu, '--cpu'),
        task: f.pid === undefined ? undefined : parseIntArg(f.pid, '--pid'),
      });
      const out: Record<string, unknown> = {
        program: name,
        engine,
        retval: Number(BigInt.asUintN(32, r.retval)),
        duration_ns: Math.round(r.durationNs),
        repeat,
      };
      if (dataIn !== undefined && r.dataOut !== undefined) out.data_out = toHex(r.dataOut);
      if (ctxIn !== undefined && r.ctxOut !== undefined) out.ctx_out = toHex(r.ctxOut);
      if (f.json) return printJson(out);
      const lines = [`${name}: retval=${String(out.retval)} (${engine}, ${repeat} run${repeat > 1 ? 's' : ''}, ${String(out.duration_ns)} ns/run)`];
      if (out.data_out !== undefined) lines.push(`data_out: ${String(out.data_out)}`);
      if (out.ctx_out !== undefined) lines.push(`ctx_out: ${String(out.ctx_out)}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
