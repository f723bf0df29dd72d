import type { Command } from 'commander';
import { Kernel } from '../../kernel/index.js';

export function registerWorld(program: Command): void {
  program
    .command('world')
    .description("print the default simulated world programs see (tasks, files, cgroups), like ps")
    .option('--empty', 'the empty world (idle task and root cgroup only)')
    .action((opts: { empty?: boolean }) => {
      process.stdout.write(new Kernel({ empty: opts.empty }).describe());
    });
}
