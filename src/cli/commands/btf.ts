import type { Command } from 'commander';
import { parseElf } from '../../elf/index.js';
import { parseBtf, dumpRaw, dumpC, type Btf } from '../../btf/index.js';
import { UsageError } from '../errors.js';
import { readInput } from '../io.js';

const BTF_MAGIC = 0xeb9f;

/** BTF from an ELF object's .BTF section, or a raw BTF blob such as /sys/kernel/btf/vmlinux. */
export function loadBtfFile(path: string): Btf {
  const bytes = readInput(path);
  if (bytes.length >= 2 && (bytes[0]! | (bytes[1]! << 8)) === BTF_MAGIC) return parseBtf(bytes);
  const elf = parseElf(bytes);
  const sec = elf.sectionByName('.BTF');
  if (!sec) throw new UsageError(`${path}: no .BTF section (compile with -g)`);
  return parseBtf(sec.data);
}

export function registerBtf(program: Command): void {
  const btf = program.command('btf').description('BTF type information');
  btf
    .command('dump')
    .description("print an object's BTF (or the simulated kernel's with --kernel), like bpftool btf dump")
    .argument('[file]', 'BPF object (.bpf.o) or raw BTF file')
    .option('--kernel', "dump the simulated kernel's BTF instead of a file's")
    .option('--format <format>', 'c or raw', 'raw')
    .action(async (file: string | undefined, opts: { kernel?: boolean; format: string }) => {
      if (opts.format !== 'c' && opts.format !== 'raw') throw new UsageError(`--format must be c or raw, not '${opts.format}'`);
      let types: Btf;
      if (opts.kernel) {
        if (file) throw new UsageError('give either FILE or --kernel, not both');
        const { Kernel } = await import('../../kernel/index.js');
        types = new Kernel().btf;
      } else {
        if (!file) throw new UsageError('btf dump needs FILE (or --kernel)');
        types = loadBtfFile(file);
      }
      process.stdout.write(opts.format === 'c' ? dumpC(types) : dumpRaw(types));
    });
}
