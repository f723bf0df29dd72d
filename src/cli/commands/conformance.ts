// The bpf_conformance plugin protocol: program bytes as hex on stdin, input memory as a hex
// argument, run with r1 = memory and r2 = its length, print r0 in hex, exit 0. Errors go to
// stderr with a non-zero exit. Programs run unverified here, as the suite expects.
import type { Command } from 'commander';
import { decode } from '../../isa/index.js';
import { Kernel, KERNEL_BASE } from '../../kernel/index.js';
import { trustInsns } from '../../interp/index.js';
import { UsageError } from '../errors.js';
import { parseBytesArg } from '../io.js';
import { createEngine } from '../../api/engine.js';
import { parseEngine } from './run.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('bpf_conformance plugin: program hex on stdin, memory hex as argument, prints r0 in hex')
    .argument('[memory]', 'input memory as hex bytes', '')
    .option('--engine <engine>', 'interp or jit', 'interp')
    .action(async (memoryHex: string, opts: { engine: string }) => {
      const engine = parseEngine(opts.engine);
      const text = (await readStdin()).replace(/\s+/g, '');
      if (text.length === 0) throw new UsageError('conformance: no program on stdin');
      const code = parseBytesArg(text, 'program (stdin)');
      const memory = parseBytesArg(memoryHex, 'memory');
      const insns = decode(code);
      const kernel = new Kernel({ empty: true });
      const memOff = kernel.mem.alloc(Math.max(memory.length, 1));
      kernel.mem.writeBytes(memOff, memory);
      const vp = trustInsns(insns, 'socket_filter');
      const eng = await createEngine(engine, vp, { kernel, resolveTailCall: () => undefined });
      const r = eng.run({ ctxPtr: KERNEL_BASE + BigInt(memOff), repeat: 1, r2: BigInt(memory.length) });
      process.stdout.write(r.retval.toString(16) + '\n');
    });
}
