import type { Command } from 'commander';
import { disasmProgram, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_BTF_ID, type DisasmFlavor } from '../../isa/index.js';
import type { BpfObjectSpec, ProgramSpec } from '../../loader/index.js';
import { UsageError } from '../errors.js';
import { openFileObject } from './common.js';

/** What each relocated slot refers to, by name: maps, subprograms, kfuncs, ksyms. */
export function relocNames(obj: BpfObjectSpec, prog: ProgramSpec, kernelName: (btfId: number) => string): (slot: number) => string | undefined {
  const subAt = new Map(prog.subprogs.map((s) => [s.start, s.name]));
  return (slot) => {
    const x = prog.insns[slot];
    if (x === undefined) return undefined;
    if (x.code === 0x18) {
      if (x.src === BPF_PSEUDO_MAP_IDX) return obj.maps[x.imm]?.name;
      if (x.src === BPF_PSEUDO_MAP_IDX_VALUE) return `${obj.maps[x.imm]?.name ?? '?'}+${x.imm2 ?? 0}`;
      if (x.src === BPF_PSEUDO_FUNC) return subAt.get(slot + x.imm + 1);
      if (x.src === BPF_PSEUDO_BTF_ID) return kernelName(x.imm);
    }
    if (x.code === 0x85 && x.src === BPF_PSEUDO_CALL) return subAt.get(slot + x.imm + 1);
    if (x.code === 0x85 && x.src === BPF_PSEUDO_KFUNC_CALL) return kernelName(x.imm);
    return undefined;
  };
}

export function registerDisasm(program: Command): void {
  program
    .command('disasm')
    .description('disassemble the programs of a BPF object (kernel verifier-log syntax, or llvm-objdump syntax)')
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--prog <name>', 'only this program')
    .option('--syntax <flavor>', 'kernel or llvm', 'kernel')
    .action((file: string, opts: { prog?: string; syntax: string }) => {
      if (opts.syntax !== 'kernel' && opts.syntax !== 'llvm') throw new UsageError(`--syntax must be kernel or llvm, not '${opts.syntax}'`);
      const obj = openFileObject(file);
      const progs = opts.prog ? [obj.program(opts.prog)] : obj.programs;
      const kernel = obj.kernel;
      const out: string[] = [];
      for (const p of progs) {
        const spec = p.spec;
        const names = relocNames(obj.spec, spec, (id) => kernel.btf.nameOf(id));
        const subAt = new Map(spec.subprogs.map((s) => [s.start, s.name]));
        out.push(`${spec.name}: SEC("${spec.section}") type=${spec.type}${spec.attachTo ? ` attach=${spec.attachTo}` : ''}`);
        const lines = disasmProgram(spec.insns, {
          flavor: opts.syntax as DisasmFlavor,
          opcode: true,
          exact: true,
          relocName: names,
          kfuncName: (id) => kernel.btf.nameOf(id) || undefined,
        });
        let slot = 0;
        for (const line of lines) {
          const m = /^\s*(\d+):/.exec(line);
          if (m) slot = Number(m[1]);
          const sub = subAt.get(slot);
          if (sub !== undefined && slot !== 0) out.push(`${sub}:`);
          out.push(line);
        }
        out.push('');
      }
      process.stdout.write(out.join('\n'));
    });
}
