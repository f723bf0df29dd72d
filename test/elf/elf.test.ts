import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ElfError,
  parseElf,
  R_BPF_64_32,
  R_BPF_64_64,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_OBJECT,
} from '../../src/elf/index.js';

const fixture = new Uint8Array(readFileSync(new URL('../btf/fixtures/types.bpf.o', import.meta.url)));

// Truths captured with `llvm-readelf-19 -S -s -r test/btf/fixtures/types.bpf.o`.
describe('parseElf on a clang-19 BPF object', () => {
  const elf = parseElf(fixture);

  it('reads section headers and names', () => {
    expect(elf.sections).toHaveLength(32);
    expect(elf.sections[3]!.name).toBe('xdp');
    expect(elf.sections[3]!.type).toBe(SHT_PROGBITS);
    expect(elf.sections[3]!.offset).toBe(0x90);
    expect(elf.sections[3]!.size).toBe(0x138);
    expect(elf.sections[5]!.name).toBe('tp_btf/sched_switch');
    const bss = elf.sectionByName('.bss')!;
    expect(bss.type).toBe(SHT_NOBITS);
    expect(bss.size).toBe(0x40);
    expect(bss.data.length).toBe(0);
    const rel = elf.sectionByName('.relxdp')!;
    expect(rel.type).toBe(SHT_REL);
    expect(rel.link).toBe(31);
    expect(rel.info).toBe(3);
    expect(rel.entsize).toBe(16);
    expect(elf.sectionByName('nope')).toBeUndefined();
  });

  it('section data is a zero-copy view', () => {
    const lic = elf.sectionByName('license')!;
    expect(lic.data.buffer).toBe(fixture.buffer);
    expect(new TextDecoder().decode(lic.data)).toBe('GPL\0');
  });

  it('reads the symbol table', () => {
    expect(elf.symbols).toHaveLength(26);
    const byName = (n: string) => elf.symbols.find((s) => s.name === n)!;
    expect(byName('prog_xdp')).toMatchObject({ index: 17, value: 0, size: 312, type: STT_FUNC, bind: STB_GLOBAL, shndx: 3 });
    expect(byName('helper_sub')).toMatchObject({ size: 80, type: STT_FUNC, bind: STB_LOCAL, shndx: 2 });
    expect(byName('gbits')).toMatchObject({ value: 0x20, size: 16, type: STT_OBJECT, shndx: 9 });
    expect(byName('bss_hidden')).toMatchObject({ value: 0x30, size: 8, bind: STB_LOCAL, visibility: 0 });
    expect(elf.symbolsIn(9).map((s) => s.name)).toContain('gbig');
  });

  it('reads relocations by REL section and by target section', () => {
    const rels = elf.relocations('.relxdp');
    expect(rels).toHaveLength(8);
    expect(rels[0]).toMatchObject({ offset: 0x20, type: R_BPF_64_64 });
    expect(rels[0]!.symbol.name).toBe('nodes');
    expect(rels[4]!.symbol.name).toBe('.bss');
    expect(rels[6]).toMatchObject({ offset: 0xf8, type: R_BPF_64_32 });
    expect(rels[6]!.symbol.name).toBe('.text');
    expect(elf.relocations(elf.sectionByName('xdp')!)).toEqual(rels);
    expect(elf.relocations(3)).toEqual(rels);
    expect(elf.relocations('.text')).toEqual([]);
    expect(elf.relocations('.rel.debug_info')).toHaveLength(6);
  });

  it('string lookups are bounds-checked', () => {
    const strtab = elf.sectionByName('.strtab')!;
    expect(elf.stringAt(strtab, 1).length).toBeGreaterThan(0);
    expect(() => elf.stringAt(strtab, strtab.size + 5)).toThrow(ElfError);
  });
});

function mutate(f: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const b = fixture.slice();
  f(b, new DataView(b.buffer));
  return b;
}

const SHOFF = 0x28e8;
const shdr = (i: number) => SHOFF + i * 64;

describe('malformed ELF', () => {
  it('rejects bad magic, class, endianness, machine, type', () => {
    expect(() => parseElf(new Uint8Array(10))).toThrow(/truncated/);
    expect(() => parseElf(mutate((b) => (b[0] = 0)))).toThrow(/bad magic/);
    expect(() => parseElf(mutate((b) => (b[4] = 1)))).toThrow(/ELFCLASS64/);
    expect(() => parseElf(mutate((b) => (b[5] = 2)))).toThrow('big-endian BPF objects are not supported');
    expect(() => parseElf(mutate((_b, dv) => dv.setUint16(18, 62, true)))).toThrow(/EM_BPF/);
    expect(() => parseElf(mutate((_b, dv) => dv.setUint16(16, 2, true)))).toThrow(/ET_REL/);
  });

  it('names section and offset for out-of-bounds section data', () => {
    const bad = mutate((_b, dv) => dv.setBigUint64(shdr(3) + 32, 0x100000n, true));
    expect(() => parseElf(bad)).toThrow(/section 3 data at offset 144 size 1048576/);
  });

  it('rejects out-of-range section header table and string indices', () => {
    expect(() => parseElf(mutate((_b, dv) => dv.setBigUint64(40, 0xfffffn, true)))).toThrow(ElfError);
    expect(() => parseElf(mutate((_b, dv) => dv.setUint16(62, 99, true)))).toThrow(/e_shstrndx 99/);
    expect(() => parseElf(mutate((_b, dv) => dv.setUint32(shdr(3), 0xffff, true)))).toThrow(/section 3: name offset/);
  });

  it('rejects bad symbol section index and bad relocation symbol index', () => {
    // symbol 17 (prog_xdp): st_shndx at symtab offset + 17*24 + 6
    const symtabOff = 0x1a90;
    expect(() => parseElf(mutate((_b, dv) => dv.setUint16(symtabOff + 17 * 24 + 6, 200, true)))).toThrow(
      /\.symtab: symbol 17 at offset 408 has section index 200/,
    );
    const relOff = 0x1d00;
    const elf = parseElf(mutate((_b, dv) => dv.setUint32(relOff + 16 + 12, 999, true)));
    expect(() => elf.relocations('.relxdp')).toThrow(/\.relxdp: relocation 1 at offset 16 names symbol 999/);
    const elf2 = parseElf(mutate((_b, dv) => dv.setBigUint64(relOff, 0x5000n, true)));
    expect(() => elf2.relocations('xdp')).toThrow(/r_offset 20480 beyond section xdp/);
  });

  it('truncations and random corruption throw only ElfError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fixture.length }), (n) => {
        try {
          const e = parseElf(fixture.subarray(0, n));
          for (const s of e.sections) if (s.type === SHT_REL) e.relocations(s);
        } catch (err) {
          if (!(err instanceof ElfError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(fixture.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const b = fixture.slice();
        for (const [o, v] of edits) b[o] = v;
        // concentrate on headers too
        try {
          const e = parseElf(b);
          for (const s of e.sections) if (s.type === SHT_REL) e.relocations(s);
        } catch (err) {
          if (!(err instanceof ElfError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat(32 * 64 - 1), fc.integer({ min: 0, max: 255 }), (o, v) => {
        const b = fixture.slice();
        b[SHOFF + o] = v;
        try {
          const e = parseElf(b);
          for (const s of e.sections) if (s.type === SHT_REL) e.relocations(s);
        } catch (err) {
          if (!(err instanceof ElfError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
  });
});
