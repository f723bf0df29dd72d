// `bpfwasm iter FILE --prog NAME`: run an iterator program over the default simulated world and
// print what `cat` on the pinned iterator would print.
import type { Command } from 'commander';
import { IterReadError } from '../../api/iter.js';
import { OperationError, UsageError } from '../errors.js';
import { parseIntArg } from '../io.js';
import { openFileObject } from './common.js';
import { DEFAULT_ENGINE, parseEngine } from './run.js';

interface IterFlags {
  prog?: string;
  engine: string;
  unverified?: boolean;
  map?: string;
  pid?: string;
  tid?: string;
  cgroup?: string;
  order?: string;
}

const ORDERS = ['self', 'pre', 'post', 'up'] as const;

export function registerIter(program: Command): void {
  program
    .command('iter')
    .description('run a SEC("iter/<target>") program and print its seq_file text (like cat on a pinned iterator)')
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--prog <name>', 'iterator program (optional when the object has one)')
    .option('--engine <engine>', 'interp or jit', DEFAULT_ENGINE)
    .option('--unverified', 'skip verification (debugging only)')
    .option('--map <name>', 'bpf_map_elem: the object map to walk')
    .option('--pid <n>', 'task targets: only this process')
    .option('--tid <n>', 'task targets: only this thread')
    .option('--cgroup <path>', 'cgroup: where the walk starts (default /)')
    .option('--order <order>', 'cgroup (required there): self, pre, post or up')
    .action(async (file: string, f: IterFlags) => {
      const engine = parseEngine(f.engine);
      if (f.order !== undefined && !(ORDERS as readonly string[]).includes(f.order)) throw new UsageError(`--order must be one of ${ORDERS.join(', ')}`);
      const obj = openFileObject(file);
      const iters = obj.programs.filter((p) => /^iter(\.s)?\//.test(p.spec.section));
      let name = f.prog;
      if (name === undefined) {
        if (iters.length !== 1) throw new UsageError(`${file} has ${iters.length} iterator programs; choose one with --prog (${iters.map((p) => p.name).join(', ')})`);
        name = iters[0]!.name;
      }
      const prog = obj.program(name);
      await obj.load({ engine, unverified: f.unverified, programs: [name] });
      let it;
      try {
        it = prog.iter({
          map: f.map,
          pid: f.pid === undefined ? undefined : parseIntArg(f.pid, '--pid'),
          tid: f.tid === undefined ? undefined : parseIntArg(f.tid, '--tid'),
          cgroup: f.cgroup,
          order: f.order as (typeof ORDERS)[number] | undefined,
        });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      try {
        for (;;) {
          const chunk = it.readChunk();
          if (chunk.length === 0) break;
          process.stdout.write(chunk);
        }
      } catch (e) {
        if (e instanceof IterReadError) throw new OperationError(`read: ${e.message}`);
        throw e;
      } finally {
        it.close();
      }
    });
}
