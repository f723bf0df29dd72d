// The `bpfwasm` command line. Each subcommand lives in commands/; this file wires them to
// commander and turns every failure into one clear line and an exit code (0/1/2).
import { Command, CommanderError } from 'commander';
import { classify } from './errors.js';
import { registerCommands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bpfwasm')
    .description('Run eBPF programs outside the Linux kernel: load, verify, interpret or JIT to WebAssembly')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are successful exits; everything else commander reports is usage.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    const r = classify(err);
    for (const line of r.lines) process.stderr.write(line + '\n');
    return r.code;
  }
}
