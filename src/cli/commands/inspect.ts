import type { Command } from 'commander';
import { MAP_TYPE_NAMES } from '../../kernel/maps/types.js';
import { openFileObject, printJson } from './common.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('list the programs, maps, globals and externs of a BPF object')
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { json?: boolean }) => {
      const { spec } = openFileObject(file);
      const info = {
        license: spec.license,
        kernVersion: spec.kernVersion,
        programs: spec.programs.map((p) => ({
          name: p.name,
          section: p.section,
          type: p.type,
          attachType: p.expectedAttachType ?? null,
          attachTo: p.attachTo ?? null,
          sleepable: p.sleepable,
          insns: p.insns.length,
          subprogs: p.subprogs.slice(1).map((s) => s.name),
          annotations: p.tags,
        })),
        maps: spec.maps.map((m) => ({
          name: m.name,
          type: MAP_TYPE_NAMES[m.type] ?? String(m.type),
          keySize: m.keySize,
          valueSize: m.valueSize,
          maxEntries: m.maxEntries,
          flags: m.flags,
          section: m.section,
          globalData: m.isGlobalData,
          inner: m.innerMap ? { type: MAP_TYPE_NAMES[m.innerMap.type] ?? String(m.innerMap.type), keySize: m.innerMap.keySize, valueSize: m.innerMap.valueSize, maxEntries: m.innerMap.maxEntries } : null,
        })),
        externs: spec.externs.map((e) => ({ name: e.name, kind: e.kind, weak: e.weak, resolved: e.resolved })),
      };
      if (opts.json) return printJson(info);
      const out: string[] = [`license: ${info.license}`, '', 'programs:'];
      for (const p of info.programs) {
        out.push(`  ${p.name}  SEC("${p.section}")  type=${p.type}${p.attachType ? ` attach_type=${p.attachType}` : ''}  insns=${p.insns}${p.subprogs.length ? `  calls=${p.subprogs.join(',')}` : ''}`);
      }
      out.push('', 'maps:');
      for (const m of info.maps) out.push(`  ${m.name}  ${m.type}  key=${m.keySize} value=${m.valueSize} max_entries=${m.maxEntries} flags=0x${m.flags.toString(16)}${m.globalData ? '  (global data)' : ''}`);
      if (info.externs.length) {
        out.push('', 'externs:');
        for (const e of info.externs) out.push(`  ${e.name}  ${e.kind}${e.weak ? ' weak' : ''}  ${e.resolved ? 'resolved' : 'unresolved'}`);
      }
      process.stdout.write(out.join('\n') + '\n');
    });
}
