import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBtf, type Btf } from '../../src/btf/index.js';
import { parseElf } from '../../src/elf/index.js';
import { openObject, type BpfObjectSpec, type OpenObjectOptions, type ProgramSpec } from '../../src/loader/index.js';

export const PROGS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'progs');

export function progBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PROGS_DIR, `${name}.bpf.o`)));
}

/** The BTF of core_target.bpf.o: our stand-in for a kernel BTF (structs, kfuncs, ksyms). */
export function targetBtf(): Btf {
  return parseBtf(parseElf(progBytes('core_target')).sectionByName('.BTF')!.data);
}

export function open(name: string, opts: OpenObjectOptions = {}): BpfObjectSpec {
  return openObject(progBytes(name), { objectName: name, ...opts });
}

export function prog(obj: BpfObjectSpec, name: string): ProgramSpec {
  const p = obj.program(name);
  if (!p) throw new Error(`no program ${name} (have ${obj.programs.map((x) => x.name).join(', ')})`);
  return p;
}
