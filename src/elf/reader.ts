// ELF64 little-endian relocatable reader for BPF objects. Section data are zero-copy subarrays
// of the input; every offset, size and index read from the file is bounds-checked first so a
// hostile object yields an ElfError instead of a RangeError or silently wrong data.

import {
  EHDR_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EM_BPF,
  ET_REL,
  RELA_SIZE,
  REL_SIZE,
  SHDR_SIZE,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STT_SECTION,
  SYM_SIZE,
} from './constants.js';
import { ElfError } from './errors.js';

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** file offset of the data */
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** zero-copy view of the section's bytes (empty for SHT_NOBITS / SHT_NULL) */
  data: Uint8Array;
}

export interface ElfSymbol {
  /** index in .symtab (0 is the null symbol) */
  index: number;
  name: string;
  value: number;
  size: number;
  /** STB_* */
  bind: number;
  /** STT_* */
  type: number;
  /** section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON */
  shndx: number;
  /** STV_* */
  visibility: number;
}

export interface ElfRel {
  /** byte offset inside the target section */
  offset: number;
  symbol: ElfSymbol;
  /** R_BPF_* */
  type: number;
  /** only for SHT_RELA */
  addend?: bigint;
}

export interface ElfHeader {
  type: number;
  machine: number;
  version: number;
  flags: number;
  shoff: number;
  shnum: number;
  shstrndx: number;
}

function u64ToNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} 0x${v.toString(16)} is too large`);
  return Number(v);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: ElfSection[];
  readonly symbols: ElfSymbol[];
  /** the .symtab section, if any */
  readonly symtab: ElfSection | undefined;
  private readonly dv: DataView;
  private readonly byName = new Map<string, ElfSection>();
  private readonly relCache = new Map<number, ElfRel[]>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.header = this.readHeader();
    this.sections = this.readSections();
    for (const s of this.sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    this.symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    this.symbols = this.symtab ? this.readSymbols(this.symtab) : [];
  }

  sectionByName(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** NUL-terminated string at `off` inside the string table section `strtab`. */
  stringAt(strtab: ElfSection | number, off: number): string {
    const sec = typeof strtab === 'number' ? this.sectionAt(strtab, 'string table') : strtab;
    if (sec.type !== SHT_STRTAB) {
      throw new ElfError(`section ${sec.index} (${sec.name || '?'}) is not a string table (type ${sec.type})`);
    }
    const d = sec.data;
    if (off < 0 || off >= d.length) {
      throw new ElfError(`string offset ${off} out of bounds of section ${sec.name || sec.index} (size ${d.length})`);
    }
    let end = off;
    while (end < d.length && d[end] !== 0) end++;
    if (end === d.length) {
      throw new ElfError(`string at offset ${off} in section ${sec.name || sec.index} is not NUL-terminated`);
    }
    return utf8.decode(d.subarray(off, end));
  }

  /**
   * Relocations. Given a REL/RELA section, its entries; given any other section (object,
   * index or name), the entries of every REL/RELA section that applies to it.
   */
  relocations(section: ElfSection | number | string): ElfRel[] {
    const sec =
      typeof section === 'string'
        ? this.sectionByName(section)
        : typeof section === 'number'
          ? this.sectionAt(section, 'relocation target')
          : section;
    if (!sec) throw new ElfError(`no section named ${String(section)}`);
    if (sec.type === SHT_REL || sec.type === SHT_RELA) return this.readRelSection(sec);
    const out: ElfRel[] = [];
    for (const r of this.relSectionsFor(sec)) out.push(...this.readRelSection(r));
    return out;
  }

  /** REL/RELA sections whose sh_info names `target`. */
  relSectionsFor(target: ElfSection): ElfSection[] {
    return this.sections.filter((s) => (s.type === SHT_REL || s.type === SHT_RELA) && s.info === target.index);
  }

  /** Symbols defined in a section, sorted by value (useful to find functions in .text). */
  symbolsIn(section: ElfSection | number): ElfSymbol[] {
    const idx = typeof section === 'number' ? section : section.index;
    return this.symbols.filter((s) => s.index !== 0 && s.shndx === idx).sort((a, b) => a.value - b.value);
  }

  private sectionAt(index: number, what: string): ElfSection {
    const s = this.sections[index];
    if (!s) throw new ElfError(`${what} section index ${index} out of range (${this.sections.length} sections)`);
    return s;
  }

  private readHeader(): ElfHeader {
    const b = this.bytes;
    if (b.length < EHDR_SIZE) throw new ElfError(`ELF header truncated: file is ${b.length} bytes, need ${EHDR_SIZE}`);
    if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
      throw new ElfError('not an ELF file: bad magic at offset 0');
    }
    if (b[4] !== ELFCLASS64) throw new ElfError(`unsupported ELF class ${b[4]} at offset 4: BPF objects are ELFCLASS64`);
    if (b[5] === ELFDATA2MSB) throw new ElfError('big-endian BPF objects are not supported');
    if (b[5] !== ELFDATA2LSB) throw new ElfError(`invalid ELF data encoding ${b[5]} at offset 5`);
    const dv = this.dv;
    const type = dv.getUint16(16, true);
    const machine = dv.getUint16(18, true);
    if (machine !== EM_BPF) throw new ElfError(`e_machine ${machine} at offset 18 is not EM_BPF (${EM_BPF})`);
    if (type !== ET_REL) throw new ElfError(`e_type ${type} at offset 16 is not ET_REL (relocatable object)`);
    const version = dv.getUint32(20, true);
    const shoff = u64ToNumber(dv.getBigUint64(40, true), 'e_shoff at offset 40');
    const flags = dv.getUint32(48, true);
    const shentsize = dv.getUint16(58, true);
    let shnum = dv.getUint16(60, true);
    let shstrndx = dv.getUint16(62, true);
    if (shoff === 0) {
      return { type, machine, version, flags, shoff, shnum: 0, shstrndx: 0 };
    }
    if (shentsize !== SHDR_SIZE) throw new ElfError(`e_shentsize ${shentsize} at offset 58 is not ${SHDR_SIZE}`);
    if (shoff + SHDR_SIZE > b.length) {
      throw new ElfError(`section header table at offset ${shoff} is beyond the end of the file (${b.length} bytes)`);
    }
    // Extended numbering: the real counts live in section header 0 (gABI).
    if (shnum === 0) shnum = u64ToNumber(dv.getBigUint64(shoff + 32, true), 'section 0 sh_size');
    if (shstrndx === SHN_XINDEX) shstrndx = dv.getUint32(shoff + 40, true);
    if (shoff + shnum * SHDR_SIZE > b.length) {
      throw new ElfError(
        `section header table at offset ${shoff} (${shnum} entries) extends beyond the end of the file (${b.length} bytes)`,
      );
    }
    if (shnum > 0 && shstrndx >= shnum) {
      throw new ElfError(`e_shstrndx ${shstrndx} at offset 62 out of range (${shnum} sections)`);
    }
    return { type, machine, version, flags, shoff, shnum, shstrndx };
  }

  private readSections(): ElfSection[] {
    const { shoff, shnum, shstrndx } = this.header;
    const dv = this.dv;
    const raw: ElfSection[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * SHDR_SIZE;
      const nameOff = dv.getUint32(o, true);
      const type = dv.getUint32(o + 4, true);
      const flags = u64ToNumber(dv.getBigUint64(o + 8, true), `section ${i} sh_flags at offset ${o + 8}`);
      const offset = u64ToNumber(dv.getBigUint64(o + 24, true), `section ${i} sh_offset at offset ${o + 24}`);
      const size = u64ToNumber(dv.getBigUint64(o + 32, true), `section ${i} sh_size at offset ${o + 32}`);
      const link = dv.getUint32(o + 40, true);
      const info = dv.getUint32(o + 44, true);
      const addralign = u64ToNumber(dv.getBigUint64(o + 48, true), `section ${i} sh_addralign`);
      const entsize = u64ToNumber(dv.getBigUint64(o + 56, true), `section ${i} sh_entsize`);
      let data: Uint8Array;
      if (type === SHT_NOBITS || type === SHT_NULL || i === 0) {
        data = this.bytes.subarray(0, 0);
      } else {
        if (offset + size > this.bytes.length) {
          throw new ElfError(
            `section ${i} data at offset ${offset} size ${size} extends beyond the end of the file (${this.bytes.length} bytes)`,
          );
        }
        data = this.bytes.subarray(offset, offset + size);
      }
      raw.push({ index: i, name: String(nameOff), type, flags, offset, size, link, info, addralign, entsize, data });
    }
    if (shnum === 0) return raw;
    const shstr = raw[shstrndx]!;
    if (shstr.type !== SHT_STRTAB) {
      throw new ElfError(`section header string table (section ${shstrndx}) has type ${shstr.type}, not SHT_STRTAB`);
    }
    for (const s of raw) {
      const nameOff = Number(s.name);
      if (s.index === 0) {
        s.name = '';
        continue;
      }
      try {
        s.name = this.stringAt(shstr, nameOff);
      } catch (e) {
        if (e instanceof ElfError) {
          throw new ElfError(`section ${s.index}: name offset ${nameOff} invalid in .shstrtab: ${e.message}`);
        }
        throw e;
      }
    }
    return raw;
  }

  private readSymbols(symtab: ElfSection): ElfSymbol[] {
    if (symtab.entsize !== 0 && symtab.entsize !== SYM_SIZE) {
      throw new ElfError(`section ${symtab.name}: sh_entsize ${symtab.entsize} is not ${SYM_SIZE}`);
    }
    if (symtab.size % SYM_SIZE !== 0) {
      throw new ElfError(`section ${symtab.name}: size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
    }
    const strtab = this.sections[symtab.link];
    if (!strtab || strtab.type !== SHT_STRTAB) {
      throw new ElfError(`section ${symtab.name}: sh_link ${symtab.link} does not name a string table`);
    }
    const n = symtab.size / SYM_SIZE;
    const out: ElfSymbol[] = new Array<ElfSymbol>(n);
    const dv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
    for (let i = 0; i < n; i++) {
      const o = i * SYM_SIZE;
      const nameOff = dv.getUint32(o, true);
      const infoByte = dv.getUint8(o + 4);
      const other = dv.getUint8(o + 5);
      const shndx = dv.getUint16(o + 6, true);
      const value = u64ToNumber(dv.getBigUint64(o + 8, true), `section ${symtab.name}: symbol ${i} st_value at offset ${o + 8}`);
      const size = u64ToNumber(dv.getBigUint64(o + 16, true), `section ${symtab.name}: symbol ${i} st_size at offset ${o + 16}`);
      if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= this.sections.length) {
        throw new ElfError(
          `section ${symtab.name}: symbol ${i} at offset ${o} has section index ${shndx} out of range (${this.sections.length} sections)`,
        );
      }
      if (shndx === SHN_XINDEX) {
        throw new ElfError(`section ${symtab.name}: symbol ${i} at offset ${o} uses SHN_XINDEX, not supported`);
      }
      let name = '';
      if (nameOff !== 0) {
        try {
          name = this.stringAt(strtab, nameOff);
        } catch (e) {
          if (e instanceof ElfError) {
            throw new ElfError(`section ${symtab.name}: symbol ${i} at offset ${o}: ${e.message}`);
          }
          throw e;
        }
      }
      // Section symbols carry no name of their own; tools (and loaders) show the section's.
      if (name === '' && (infoByte & 0xf) === STT_SECTION && shndx !== SHN_UNDEF && shndx < SHN_LORESERVE) {
        name = this.sections[shndx]!.name;
      }
      out[i] = { index: i, name, value, size, bind: infoByte >> 4, type: infoByte & 0xf, shndx, visibility: other & 0x3 };
    }
    return out;
  }

  private readRelSection(sec: ElfSection): ElfRel[] {
    const cached = this.relCache.get(sec.index);
    if (cached) return cached;
    const rela = sec.type === SHT_RELA;
    const esz = rela ? RELA_SIZE : REL_SIZE;
    if (sec.size % esz !== 0) {
      throw new ElfError(`section ${sec.name}: size ${sec.size} is not a multiple of ${esz}`);
    }
    if (!this.symtab || sec.link !== this.symtab.index) {
      throw new ElfError(`section ${sec.name}: sh_link ${sec.link} does not name the symbol table`);
    }
    const target = this.sections[sec.info];
    if (!target || sec.info === 0) {
      throw new ElfError(`section ${sec.name}: sh_info ${sec.info} does not name a section`);
    }
    const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
    const n = sec.size / esz;
    const out: ElfRel[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * esz;
      const offset = u64ToNumber(dv.getBigUint64(o, true), `section ${sec.name}: r_offset at offset ${o}`);
      const type = dv.getUint32(o + 8, true);
      const symIdx = dv.getUint32(o + 12, true);
      const symbol = this.symbols[symIdx];
      if (!symbol) {
        throw new ElfError(
          `section ${sec.name}: relocation ${i} at offset ${o} names symbol ${symIdx}, out of range (${this.symbols.length} symbols)`,
        );
      }
      if (target.type !== SHT_NOBITS && offset >= target.size) {
        throw new ElfError(
          `section ${sec.name}: relocation ${i} at offset ${o} has r_offset ${offset} beyond section ${target.name} (size ${target.size})`,
        );
      }
      const rel: ElfRel = { offset, symbol, type };
      if (rela) rel.addend = dv.getBigInt64(o + 16, true);
      out.push(rel);
    }
    this.relCache.set(sec.index, out);
    return out;
  }
}

export function parseElf(bytes: Uint8Array): ElfFile {
  if (!(bytes instanceof Uint8Array)) throw new ElfError('parseElf expects a Uint8Array');
  return new ElfFile(bytes);
}
