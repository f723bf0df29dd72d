// openObject: read a clang -target bpf ELF object the way libbpf opens and prepares it, and
// return programs (linked, relocated, CO-RE applied) and map specs, without touching a kernel.

import { parseBtf, parseBtfExt, BtfError, type Btf, type BtfExt } from '../btf/index.js';
import {
  parseElf, ElfError, type ElfFile, type ElfSection, type ElfSymbol,
  SHF_EXECINSTR, SHN_UNDEF, SHN_LORESERVE, SHT_PROGBITS, STB_LOCAL, STT_FUNC, STT_SECTION,
  R_BPF_NONE, R_BPF_64_64, R_BPF_64_32, R_BPF_64_ABS64,
} from '../elf/index.js';
import { decode, IsaError } from '../isa/index.js';
import type { Insn } from '../isa/insn.js';
import { BPF_PSEUDO_BTF_ID, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE } from '../isa/opcodes.js';
import { CoreRelocator } from './core.js';
import { fixupDatasecs, fixupKconfigDatasec } from './datasec.js';
import { BpfObjectError, objErr } from './errors.js';
import { collectExterns, fillKconfig, layoutKconfig, resolveKsyms, type ExternDesc } from './externs.js';
import { funcContaining, linkProgram, type CodeSection, type FuncSym } from './link.js';
import {
  BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
  globalDataMaps, internalMapName, legacyMaps, parseBtfMapDef, type MapEntry,
} from './maps.js';
import { sectionProgInfo } from './sections.js';
import type { BpfObjectSpec, MapSpec, OpenObjectOptions, ProgramSpec } from './types.js';

/** libbpf's id for a poisoned call to a missing weak kfunc: POISON_CALL_KFUNC_BASE + extern index */
export const POISON_CALL_KFUNC_BASE = 2002000000;
const LD_IMM64 = 0x18;
const CALL = 0x85;

export function openObject(bytes: Uint8Array, opts: OpenObjectOptions = {}): BpfObjectSpec {
  try {
    return new ObjectReader(bytes, opts).read();
  } catch (e) {
    throw wrapError(e);
  }
}

function wrapError(e: unknown): BpfObjectError {
  if (e instanceof BpfObjectError) return e;
  if (e instanceof ElfError) return new BpfObjectError(`malformed ELF: ${e.message}`, { cause: e });
  if (e instanceof BtfError) return new BpfObjectError(`malformed BTF: ${e.message}`, { section: '.BTF', cause: e });
  if (e instanceof IsaError) return new BpfObjectError(`malformed instructions: ${e.message}`, { cause: e });
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new BpfObjectError(`unexpected error while reading the object: ${msg}`, { cause: e, internal: true });
}

class ObjectReader {
  private readonly elf: ElfFile;
  private btf: Btf | undefined;
  private ext: BtfExt | undefined;
  private readonly maps: MapEntry[] = [];
  private readonly code = new Map<number, CodeSection>();
  private externs: ExternDesc[] = [];
  private kconfigMapIdx = -1;
  /** "secIdx:offset" → index of a BTF/legacy map; secIdx → index of a global data map */
  private mapByDef = new Map<string, number>();
  private dataMapBySec = new Map<number, number>();
  private externByName = new Map<string, ExternDesc>();
  private funcSymStart = new Map<string, ElfSymbol>();
  private textIdx = -1;
  private readonly objName: string;

  constructor(
    bytes: Uint8Array,
    private readonly opts: OpenObjectOptions,
  ) {
    if (!(bytes instanceof Uint8Array)) throw new BpfObjectError('openObject expects a Uint8Array');
    this.elf = parseElf(bytes);
    this.objName = opts.objectName ?? 'bpf';
  }

  read(): BpfObjectSpec {
    const elf = this.elf;
    const btfSec = elf.sectionByName('.BTF');
    if (btfSec) {
      const btf = this.inSection(btfSec, () => parseBtf(btfSec.data));
      this.inSection(btfSec, () => fixupDatasecs(elf, btf));
      this.btf = btf;
    }
    const extSec = elf.sectionByName('.BTF.ext');
    if (extSec && this.btf) {
      const btf = this.btf;
      this.ext = this.inSection(extSec, () => parseBtfExt(extSec.data, btf));
    }

    const license = this.readLicense();
    const kernVersion = this.readVersion();

    this.collectCodeSections();
    this.collectMaps();
    this.externs = collectExterns(elf, this.btf);
    for (const e of this.externs) if (!this.externByName.has(e.spec.name)) this.externByName.set(e.spec.name, e);
    this.maps.forEach((m, i) => {
      if (m.spec.isGlobalData) this.dataMapBySec.set(m.secIdx, i);
      else if (!this.mapByDef.has(`${m.secIdx}:${m.offset}`)) this.mapByDef.set(`${m.secIdx}:${m.offset}`, i);
    });
    this.setupKconfig();
    resolveKsyms(this.externs, this.btf, this.opts.targetBtf, this.opts.kallsyms);
    for (const sec of this.code.values()) this.relocateSection(sec);
    this.collectMapSlots();
    if (this.opts.targetBtf && this.btf && this.ext) this.applyCore(this.opts.targetBtf);

    const programs = this.buildPrograms(license, kernVersion);
    const maps = this.maps.map((m) => m.spec);
    return {
      programs,
      maps,
      externs: this.externs.map((e) => e.spec),
      license,
      kernVersion,
      btf: this.btf,
      program: (name: string) => programs.find((p) => p.name === name),
      map: (name: string) => maps.find((m) => m.name === name),
    };
  }

  private inSection<T>(sec: ElfSection, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof BpfObjectError) throw e;
      if (e instanceof BtfError || e instanceof IsaError || e instanceof ElfError) {
        throw new BpfObjectError(e.message, { section: sec.name, cause: e });
      }
      throw e;
    }
  }

  private readLicense(): string {
    const sec = this.elf.sectionByName('license');
    if (!sec) return '';
    const d = sec.data;
    let end = d.indexOf(0);
    if (end < 0) end = d.length;
    return new TextDecoder().decode(d.subarray(0, end));
  }

  private readVersion(): number {
    const sec = this.elf.sectionByName('version');
    if (!sec) return 0;
    if (sec.data.length !== 4) throw objErr('version', 0, `invalid size ${sec.data.length}, expected 4`);
    return new DataView(sec.data.buffer, sec.data.byteOffset, 4).getUint32(0, true);
  }

  // ------------------------------------------------------------------ code

  private collectCodeSections(): void {
    const elf = this.elf;
    for (const sec of elf.sections) {
      if (sec.type !== SHT_PROGBITS || (sec.flags & SHF_EXECINSTR) === 0 || sec.size === 0) continue;
      if (sec.size % 8 !== 0) throw objErr(sec.name, 0, `code size ${sec.size} is not a multiple of 8`);
      const insns = this.inSection(sec, () => decode(sec.data, { strict: false }));
      const funcSyms = elf.symbolsIn(sec).filter((s) => s.type === STT_FUNC);
      for (const s of funcSyms) if (!this.funcSymStart.has(`${sec.index}:${s.value}`)) this.funcSymStart.set(`${sec.index}:${s.value}`, s);
      const funcs: FuncSym[] = [];
      for (let k = 0; k < funcSyms.length; k++) {
        const s = funcSyms[k]!;
        if (s.value % 8 !== 0 || s.size % 8 !== 0 || s.value + s.size > sec.size) {
          throw objErr(sec.name, s.value, `function '${s.name}' at ${s.value} size ${s.size} is misaligned or out of bounds`);
        }
        const start = s.value / 8;
        let end = (s.value + s.size) / 8;
        if (s.size === 0) end = k + 1 < funcSyms.length ? funcSyms[k + 1]!.value / 8 : insns.length;
        if (funcs.some((f) => start < f.end && f.start < end)) {
          throw objErr(sec.name, s.value, `function '${s.name}' overlaps another function`);
        }
        if (end > start) funcs.push({ name: s.name, secIdx: sec.index, start, end });
      }
      const cs: CodeSection = {
        index: sec.index, name: sec.name, insns, funcs, targets: new Map(),
        funcInfo: [], lineInfo: [], coreFailures: new Map(), unresolvedKfuncs: new Map(),
      };
      if (this.ext) {
        for (const fi of this.ext.funcInfo.get(sec.name) ?? []) {
          if (fi.insnOff >= insns.length) throw objErr('.BTF.ext', undefined, `func_info for '${sec.name}' points past its end (#${fi.insnOff})`);
          cs.funcInfo.push({ insn: fi.insnOff, typeId: fi.typeId });
        }
        for (const li of this.ext.lineInfo.get(sec.name) ?? []) {
          if (li.insnOff >= insns.length) throw objErr('.BTF.ext', undefined, `line_info for '${sec.name}' points past its end (#${li.insnOff})`);
          cs.lineInfo.push({ insn: li.insnOff, fileName: li.fileName, line: li.lineNum, col: li.lineCol, text: li.line });
        }
      }
      if (sec.name === '.text') this.textIdx = sec.index;
      cs.funcInfo.sort((a, b) => a.insn - b.insn);
      cs.lineInfo.sort((a, b) => a.insn - b.insn);
      this.code.set(sec.index, cs);
    }
  }

  // ------------------------------------------------------------------ maps

  private collectMaps(): void {
    const elf = this.elf;
    const legacy = elf.sectionByName('maps');
    if (legacy) this.maps.push(...legacyMaps(elf, legacy, this.btf));
    const btfMaps = elf.sectionByName('.maps');
    if (btfMaps) this.maps.push(...this.btfDefinedMaps(btfMaps));
    this.maps.push(...globalDataMaps(elf, this.btf, this.objName));
  }

  private btfDefinedMaps(sec: ElfSection): MapEntry[] {
    const btf = this.btf;
    if (!btf) throw objErr('.maps', 0, 'BTF-defined maps need .BTF, and the object has none');
    const ds = btf.findByName('.maps', 'datasec');
    if (!ds || ds.kind !== 'datasec') throw objErr('.maps', 0, 'no DATASEC .maps in BTF');
    const syms = new Map<string, ElfSymbol>();
    for (const s of this.elf.symbolsIn(sec)) if (s.name !== '' && s.type !== STT_SECTION) syms.set(s.name, s);
    const out: MapEntry[] = [];
    for (const v of ds.vars) {
      const vt = btf.get(v.type);
      if (vt.kind !== 'var') throw objErr('.BTF', undefined, `.maps DATASEC entry [${v.type}] is ${vt.kind}, not a VAR`);
      const sym = syms.get(vt.name);
      if (!sym) throw objErr('.maps', undefined, `map '${vt.name}' has no ELF symbol`);
      let parsed;
      try {
        parsed = parseBtfMapDef(btf, vt.type, vt.name);
      } catch (e) {
        if (e instanceof BtfError || (e instanceof Error && e.message.startsWith('map '))) {
          throw objErr('.maps', sym.value, e.message);
        }
        throw e;
      }
      const size = Math.max(btf.sizeof(vt.type), sym.size);
      if (sym.value + size > sec.size && sec.type !== 8) throw objErr('.maps', sym.value, `map '${vt.name}' extends past the section`);
      parsed.spec.section = '.maps';
      const entry: MapEntry & { valuesOffset?: number } = { spec: parsed.spec, secIdx: sec.index, offset: sym.value, size, symbolName: vt.name };
      if (parsed.valuesOffset !== undefined) entry.valuesOffset = parsed.valuesOffset;
      out.push(entry);
    }
    return out;
  }

  /** initial `values` of map-in-map and prog_array, from R_BPF_64_ABS64 relocations in .maps */
  private collectMapSlots(): void {
    const sec = this.elf.sectionByName('.maps');
    if (!sec) return;
    const defs = this.maps.filter((m) => m.secIdx === sec.index).sort((a, b) => a.offset - b.offset);
    const containing = (off: number): MapEntry | undefined => {
      let lo = 0;
      let hi = defs.length - 1;
      let best: MapEntry | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (defs[mid]!.offset <= off) {
          best = defs[mid];
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return best && off < best.offset + best.size ? best : undefined;
    };
    for (const rel of this.elf.relocations(sec)) {
      const entry = containing(rel.offset) as (MapEntry & { valuesOffset?: number }) | undefined;
      if (!entry || entry.valuesOffset === undefined) {
        throw objErr('.maps', rel.offset, `relocation does not point into a map's 'values'`);
      }
      if (rel.type !== R_BPF_64_ABS64) throw objErr('.maps', rel.offset, `unexpected relocation type ${rel.type}`);
      const rel0 = rel.offset - entry.offset - entry.valuesOffset;
      if (rel0 < 0 || rel0 % 8 !== 0) throw objErr('.maps', rel.offset, 'misaligned values slot');
      const index = rel0 / 8;
      if (index >= entry.spec.maxEntries) throw objErr('.maps', rel.offset, `values slot ${index} beyond max_entries ${entry.spec.maxEntries}`);
      const slots = (entry.spec.initialSlots ??= []);
      const sym = rel.symbol;
      if (entry.spec.type === BPF_MAP_TYPE_PROG_ARRAY) {
        const cs = this.code.get(sym.shndx);
        const f = cs && sym.value % 8 === 0 ? funcContaining(cs, sym.value / 8) : undefined;
        if (!f || !sectionProgInfo(cs!.name.replace(/^\?/, '')) || cs!.name === '.text') {
          throw objErr('.maps', rel.offset, `prog_array '${entry.spec.name}' slot ${index}: '${sym.name}' is not a program`);
        }
        slots.push({ index, program: f.name });
      } else {
        const mi = this.mapByDef.get(`${sym.shndx}:${sym.value}`) ?? -1;
        if (mi < 0 || this.maps[mi]!.symbolName !== sym.name) throw objErr('.maps', rel.offset, `map-in-map '${entry.spec.name}' slot ${index}: '${sym.name}' is not a map`);
        slots.push({ index, map: mi });
      }
    }
  }

  private setupKconfig(): void {
    if (!this.externs.some((e) => e.spec.kind === 'kconfig')) return;
    const size = layoutKconfig(this.externs);
    const initial = fillKconfig(this.externs, size, this.opts.kconfig ?? {});
    if (this.btf) {
      const offsets = new Map(this.externs.filter((e) => e.spec.kind === 'kconfig').map((e) => [e.spec.name, e.spec.offset!]));
      fixupKconfigDatasec(this.btf, size, offsets);
    }
    const ds = this.btf?.findByName('.kconfig', 'datasec');
    const spec: MapSpec = {
      name: internalMapName(this.objName, '.kconfig'), type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: size,
      maxEntries: 1, flags: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, pinning: 0, numaNode: 0, mapExtra: 0n,
      isGlobalData: true, section: '.kconfig', btf: this.btf, initialData: initial,
    };
    if (ds) spec.valueTypeId = ds.id;
    this.kconfigMapIdx = this.maps.length;
    this.maps.push({ spec, secIdx: -1, offset: 0, size });
  }

  // ------------------------------------------------------------ relocation

  private relocateSection(cs: CodeSection): void {
    const sec = this.elf.sections[cs.index]!;
    const insns = cs.insns;
    for (const rel of this.elf.relocations(sec)) {
      if (rel.type === R_BPF_NONE) continue;
      const at = rel.offset;
      if (at % 8 !== 0) throw objErr(cs.name, at, 'relocation offset is not instruction-aligned');
      const i = at / 8;
      const insn = insns[i];
      if (!insn) throw objErr(cs.name, at, 'relocation past the last instruction');
      const sym = rel.symbol;
      const fail = (msg: string): BpfObjectError => objErr(cs.name, at, `relocation against '${sym.name}': ${msg}`);
      if (insn.code === CALL) {
        if (rel.type !== R_BPF_64_32) throw fail(`unexpected relocation type ${rel.type} on a call`);
        if (insn.src !== 1) throw fail('relocation on a call that is not a bpf-to-bpf call');
        if (sym.shndx === SHN_UNDEF) {
          this.relocateExternCall(cs, i, sym, fail);
          continue;
        }
        const target = this.code.get(sym.shndx);
        if (!target) throw fail('call target is not in a code section');
        if (sym.value % 8 !== 0) throw fail('misaligned call target');
        cs.targets.set(i, { secIdx: sym.shndx, insn: sym.value / 8 + insn.imm + 1 });
        continue;
      }
      if (insn.code !== LD_IMM64) throw fail(`relocation on instruction code 0x${insn.code.toString(16)}`);
      if (rel.type !== R_BPF_64_64) throw fail(`unexpected relocation type ${rel.type} on ld_imm64`);
      if (insn.src !== 0) throw fail(`ld_imm64 already has src ${insn.src}`);
      if (sym.shndx === SHN_UNDEF) {
        this.relocateExternLoad(insns, i, sym, fail);
        continue;
      }
      if (sym.shndx >= SHN_LORESERVE) throw fail(`symbol in special section 0x${sym.shndx.toString(16)}`);
      if (this.code.has(sym.shndx)) {
        const off = sym.value + insn.imm;
        if (off % 8 !== 0 || off < 0) throw fail(`function address offset ${off} is misaligned`);
        insns[i] = { ...insn, src: BPF_PSEUDO_FUNC };
        cs.targets.set(i, { secIdx: sym.shndx, insn: off / 8 });
        continue;
      }
      const mapIdx = this.mapByDef.get(`${sym.shndx}:${sym.value}`) ?? -1;
      if (mapIdx >= 0) {
        if (sym.type === STT_SECTION) throw fail('map reference through a section symbol');
        setLd(insns, i, BPF_PSEUDO_MAP_IDX, mapIdx, 0);
        continue;
      }
      const dataIdx = this.dataMapBySec.get(sym.shndx) ?? -1;
      if (dataIdx >= 0) {
        const off = sym.value + insn.imm;
        const size = this.maps[dataIdx]!.size;
        if (off < 0 || off > size) throw fail(`offset ${off} outside ${this.maps[dataIdx]!.spec.section} (${size} bytes)`);
        setLd(insns, i, BPF_PSEUDO_MAP_IDX_VALUE, dataIdx, off);
        continue;
      }
      const tsec = this.elf.sections[sym.shndx];
      throw fail(`points into section '${tsec?.name ?? sym.shndx}', which is neither code, a map nor global data`);
    }
  }

  private externFor(sym: ElfSymbol, fail: (m: string) => BpfObjectError): ExternDesc {
    const e = this.externByName.get(sym.name);
    if (!e) throw fail('undefined symbol that is not a known extern');
    return e;
  }

  private relocateExternCall(cs: CodeSection, i: number, sym: ElfSymbol, fail: (m: string) => BpfObjectError): void {
    const e = this.externFor(sym, fail);
    if (e.spec.kind !== 'ksym' || !e.spec.isFunc) throw fail('call to an extern that is not a kfunc');
    const insn = cs.insns[i]!;
    if (e.spec.resolved) {
      cs.insns[i] = { ...insn, src: BPF_PSEUDO_KFUNC_CALL, imm: e.spec.targetBtfId!, off: 0 };
    } else {
      cs.insns[i] = { code: CALL, dst: 0, src: 0, off: 0, imm: POISON_CALL_KFUNC_BASE + e.index };
      cs.unresolvedKfuncs.set(i, e.spec.name);
    }
  }

  private relocateExternLoad(insns: Insn[], i: number, sym: ElfSymbol, fail: (m: string) => BpfObjectError): void {
    const e = this.externFor(sym, fail);
    if (e.spec.kind === 'kconfig') {
      setLd(insns, i, BPF_PSEUDO_MAP_IDX_VALUE, this.kconfigMapIdx, e.spec.offset!);
    } else if (!e.spec.resolved) {
      setLd(insns, i, 0, 0, 0);
    } else if (e.typeless) {
      const a = BigInt.asUintN(64, e.address!);
      setLd(insns, i, 0, Number(BigInt.asIntN(32, a & 0xffffffffn)), Number(BigInt.asIntN(32, a >> 32n)));
    } else {
      setLd(insns, i, BPF_PSEUDO_BTF_ID, e.spec.targetBtfId!, 0);
    }
  }

  private applyCore(target: Btf): void {
    const relocator = new CoreRelocator(this.btf!, target);
    for (const [secName, relos] of this.ext!.coreRelos) {
      const cs = [...this.code.values()].find((c) => c.name === secName);
      if (!cs) throw objErr('.BTF.ext', undefined, `CO-RE relocations for unknown code section '${secName}'`);
      const input = relos.map((r) => ({ insn: r.insnOff, typeId: r.typeId, accessStr: r.accessStr, kind: r.kindNum }));
      for (const p of relocator.apply(secName, cs.insns, input)) cs.coreFailures.set(p.insn, p.reason);
    }
  }

  // -------------------------------------------------------------- programs

  private findAttachBtfId(p: ProgramSpec): number | undefined {
    const target = this.opts.targetBtf;
    const how = p.expectedAttachType !== undefined ? ATTACH_BTF_NAME[p.expectedAttachType] : undefined;
    if (!target || !how || !p.attachTo) return undefined;
    const id = target.findIdByName(how.prefix + p.attachTo, how.kind);
    return id > 0 ? id : undefined;
  }

  private buildPrograms(license: string, kernVersion: number): ProgramSpec[] {
    const out: ProgramSpec[] = [];
    const btf = this.btf;
    for (const cs of this.code.values()) {
      if (cs.name === '.text') continue;
      // SEC("?name"): same type as "name", but not loaded unless asked for (libbpf autoload)
      const autoload = !cs.name.startsWith('?');
      const info = sectionProgInfo(autoload ? cs.name : cs.name.slice(1));
      for (const f of cs.funcs) {
        const sym = this.funcSymStart.get(`${cs.index}:${f.start * 8}`);
        if (sym && sym.bind === STB_LOCAL) {
          throw objErr(cs.name, f.start * 8, `program '${f.name}' is static, which libbpf does not support outside .text`);
        }
        if (!info) {
          throw objErr(cs.name, f.start * 8, `program '${f.name}': unknown section name (no program type is known for SEC("${cs.name}"))`);
        }
        let btfId = btf ? btf.findIdByName(f.name, 'func') : 0;
        if (btfId < 0) btfId = 0;
        const tags = btf && btfId > 0 ? btf.declTags(btfId, -1).map((t) => t.name) : [];
        const extra: FuncSym[] = [];
        for (const t of tags) {
          if (!t.startsWith('exception_callback:')) continue;
          const name = t.slice('exception_callback:'.length);
          const cb = this.code.get(this.textIdx)?.funcs.find((x) => x.name === name);
          if (!cb) throw objErr(cs.name, f.start * 8, `program '${f.name}': exception callback '${name}' is not a .text function`);
          extra.push(cb);
        }
        const linked = linkProgram(this.code, f, extra);
        const p: ProgramSpec = {
          name: f.name, section: cs.name, autoload, type: info.type, sleepable: info.sleepable, progFlags: info.progFlags,
          insns: linked.insns, license, kernVersion, funcInfo: linked.funcInfo, lineInfo: linked.lineInfo,
          subprogs: linked.subprogs, btfId, tags, coreFailures: linked.coreFailures, unresolvedKfuncs: linked.unresolvedKfuncs,
        };
        if (info.expectedAttachType !== undefined) p.expectedAttachType = info.expectedAttachType;
        if (info.attachTo !== undefined) p.attachTo = info.attachTo;
        const attachBtfId = this.findAttachBtfId(p);
        if (attachBtfId !== undefined) p.attachBtfId = attachBtfId;
        out.push(p);
      }
    }
    return out;
  }
}

const ATTACH_BTF_NAME: Partial<Record<string, { prefix: string; kind: 'func' | 'typedef' }>> = {
  trace_iter: { prefix: 'bpf_iter_', kind: 'func' },
  trace_raw_tp: { prefix: 'btf_trace_', kind: 'typedef' },
  lsm_mac: { prefix: 'bpf_lsm_', kind: 'func' },
  lsm_cgroup: { prefix: 'bpf_lsm_', kind: 'func' },
  trace_fentry: { prefix: '', kind: 'func' },
  trace_fexit: { prefix: '', kind: 'func' },
  modify_return: { prefix: '', kind: 'func' },
};

function setLd(insns: Insn[], i: number, src: number, imm: number, imm2: number): void {
  insns[i] = { ...insns[i]!, src, imm, imm2 };
  insns[i + 1] = { ...insns[i + 1]!, imm: imm2 };
}
