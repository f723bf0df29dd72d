// clang leaves DATASEC sizes and variable offsets at 0 in object files; libbpf fills them in
// from the ELF section sizes and symbol values before anything uses the BTF (map value types
// of global data are these DATASECs). We do the same on the object's own Btf, in place.

import type { Btf } from '../btf/index.js';
import type { ElfFile } from '../elf/index.js';
import { objErr } from './errors.js';

export function fixupDatasecs(elf: ElfFile, btf: Btf): void {
  const symByKey = new Map<string, number>();
  for (const s of elf.symbols) {
    const k = `${s.shndx}:${s.name}`;
    if (!symByKey.has(k)) symByKey.set(k, s.value);
  }
  for (let id = 1; id < btf.length; id++) {
    if (btf.kindName(id) !== 'datasec') continue;
    const ds = btf.get(id);
    if (ds.kind !== 'datasec') continue;
    // .kconfig and .ksyms have no ELF section; .kconfig is laid out later with the externs
    if (ds.name === '.kconfig' || ds.name === '.ksyms') continue;
    const sec = elf.sectionByName(ds.name);
    if (!sec) continue;
    ds.size = sec.size;
    for (const v of ds.vars) {
      if (v.type <= 0 || v.type >= btf.length) throw objErr('.BTF', undefined, `DATASEC ${ds.name} names type ${v.type}`);
      const vt = btf.get(v.type);
      if (vt.kind !== 'var') continue;
      const value = symByKey.get(`${sec.index}:${vt.name}`);
      if (value === undefined) continue; // static variables the compiler dropped from the symbol table
      if (value + v.size > sec.size) {
        throw objErr(ds.name, value, `variable '${vt.name}' (${v.size} bytes) extends past the section`);
      }
      v.offset = value;
    }
  }
}

/** .kconfig DATASEC: offsets are where the externs were laid out in the .kconfig map. */
export function fixupKconfigDatasec(btf: Btf, size: number, offsets: Map<string, number>): void {
  const ds = btf.findByName('.kconfig', 'datasec');
  if (!ds || ds.kind !== 'datasec') return;
  ds.size = size;
  for (const v of ds.vars) {
    if (v.type <= 0 || v.type >= btf.length) continue;
    const off = offsets.get(btf.get(v.type).name);
    if (off !== undefined) v.offset = off;
  }
}
