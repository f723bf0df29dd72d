import type { Command } from 'commander';
import { OperationError } from '../errors.js';
import { parseIntArg } from '../io.js';
import { openFileObject, printJson } from './common.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description("verify programs as Linux 6.18 would and print the verifier's log")
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--prog <name>', 'only this program')
    .option('--log-level <n>', '1 (default), 2 (every instruction), add 4 for statistics', '1')
    .option('--json', 'print JSON')
    .action(async (file: string, f: { prog?: string; logLevel: string; json?: boolean }) => {
      const logLevel = parseIntArg(f.logLevel, '--log-level');
      const probe = openFileObject(file);
      const names = f.prog ? [probe.program(f.prog).name] : probe.programs.map((p) => p.name);
      const results: { program: string; verdict: 'accepted' | 'rejected'; error?: string; log: string }[] = [];
      for (const name of names) {
        const obj = openFileObject(file);
        const prog = obj.program(name);
        try {
          await obj.load({ programs: [name], logLevel });
          results.push({ program: name, verdict: 'accepted', log: prog.verifierLog });
        } catch (e) {
          if ((e as Error).name !== 'VerifierError') throw e;
          results.push({ program: name, verdict: 'rejected', error: (e as Error).message, log: prog.verifierLog || ((e as { log?: string }).log ?? '') });
        }
      }
      if (f.json) printJson(results);
      else {
        for (const r of results) {
          process.stdout.write(`${r.program}: ${r.verdict}\n`);
          if (r.log) process.stdout.write(r.log.endsWith('\n') ? r.log : r.log + '\n');
        }
      }
      const rejected = results.filter((r) => r.verdict === 'rejected').length;
      if (rejected > 0) throw new OperationError(`${rejected} of ${results.length} programs rejected`);
    });
}
