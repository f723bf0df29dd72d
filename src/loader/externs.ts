// extern variables and functions: `.kconfig` values laid out in a read-only map as libbpf
// does (sorted by alignment then size then name), and `.ksyms` resolved by name in the target
// (kernel) BTF: kfuncs by FUNC, typed ksyms by VAR, typeless ksyms by address.

import type { Btf, BtfType } from '../btf/index.js';
import type { ElfFile } from '../elf/index.js';
import { SHN_UNDEF, STB_GLOBAL, STB_WEAK } from '../elf/index.js';
import { essentialName, typesCompatible } from './compat.js';
import { BpfObjectError, objErr } from './errors.js';
import type { ExternSpec, KconfigValue } from './types.js';

export type KcfgType = 'bool' | 'char' | 'int' | 'tristate' | 'char_arr';

export interface ExternDesc {
  spec: ExternSpec;
  /** local BTF id of the VAR / FUNC */
  btfId: number;
  /** index into the object's extern list (used for libbpf's kfunc poison ids) */
  index: number;
  // kconfig
  kcfgType?: KcfgType;
  size?: number;
  align?: number;
  isSigned?: boolean;
  // ksym
  typeless?: boolean;
  address?: bigint;
}

/** LINUX_KERNEL_VERSION for Linux 6.18.0, what the simulated kernel reports */
export const DEFAULT_KERNEL_VERSION = (6 << 16) | (18 << 8);

function findExternSection(btf: Btf, id: number): string | undefined {
  for (const t of btf.types) {
    if (t.kind === 'datasec' && (t.name === '.kconfig' || t.name === '.ksyms') && t.vars.some((v) => v.type === id)) {
      return t.name;
    }
  }
  return undefined;
}

function kcfgType(btf: Btf, varTypeId: number, name: string): { type: KcfgType; size: number; align: number; signed: boolean } {
  const t: BtfType = btf.resolve(varTypeId);
  if (t.kind === 'int') {
    if (t.bits === 8 && t.size === 1 && (t.encoding & 4) !== 0) return { type: 'bool', size: 1, align: 1, signed: false };
    // libbpf: any other 1-byte integer is a char ('y'/'n'/'m' or a character value)
    if (t.size === 1) return { type: 'char', size: 1, align: 1, signed: t.signed };
    if ([1, 2, 4, 8].includes(t.size) && t.bits === t.size * 8) return { type: 'int', size: t.size, align: t.size, signed: t.signed };
  }
  if (t.kind === 'enum' && t.name === 'libbpf_tristate') return { type: 'tristate', size: 4, align: 4, signed: false };
  if (t.kind === 'enum' && t.size === 4) return { type: 'int', size: 4, align: 4, signed: t.signed };
  if (t.kind === 'array' && t.nelems > 0) {
    const e = btf.resolve(t.type);
    if (e.kind === 'int' && e.size === 1) {
      return { type: 'char_arr', size: t.nelems, align: 1, signed: false };
    }
  }
  throw new Error(`extern (kcfg) '${name}': type ${t.kind} is unsupported`);
}

export function collectExterns(elf: ElfFile, btf: Btf | undefined): ExternDesc[] {
  const out: ExternDesc[] = [];
  for (const s of elf.symbols) {
    if (s.index === 0 || s.shndx !== SHN_UNDEF || s.name === '') continue;
    if (s.bind !== STB_GLOBAL && s.bind !== STB_WEAK) continue;
    if (!btf) throw objErr('.symtab', s.index * 24, `extern '${s.name}' needs BTF to be resolved, and the object has none`);
    const cands = btf.findAllByName(s.name).filter((t) => t.kind === 'var' || t.kind === 'func');
    const t = cands[0];
    if (!t) throw objErr('.BTF', undefined, `extern '${s.name}' has no BTF VAR or FUNC`);
    const sec = findExternSection(btf, t.id);
    const weak = s.bind === STB_WEAK;
    const d: ExternDesc = {
      spec: { name: s.name, kind: sec === '.kconfig' ? 'kconfig' : 'ksym', weak, resolved: false },
      btfId: t.id,
      index: out.length,
    };
    if (sec === '.kconfig') {
      if (t.kind !== 'var') throw objErr('.BTF', undefined, `extern (kcfg) '${s.name}' must be a variable`);
      try {
        const k = kcfgType(btf, t.type, s.name);
        d.kcfgType = k.type;
        d.size = k.size;
        d.align = k.align;
        d.isSigned = k.signed;
      } catch (e) {
        throw objErr('.BTF', undefined, (e as Error).message);
      }
    } else if (sec === '.ksyms') {
      d.spec.isFunc = t.kind === 'func';
      if (t.kind === 'var') d.typeless = btf.resolve(t.type).kind === 'void';
    } else {
      throw objErr('.BTF', undefined, `extern '${s.name}' is neither in .kconfig nor in .ksyms`);
    }
    out.push(d);
  }
  return out;
}

/** Assign .kconfig offsets (libbpf order) and return the map size. */
export function layoutKconfig(externs: ExternDesc[]): number {
  const k = externs.filter((e) => e.spec.kind === 'kconfig');
  k.sort((a, b) => b.align! - a.align! || a.size! - b.size! || (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
  let off = 0;
  for (const e of k) {
    off = Math.ceil(off / e.align!) * e.align!;
    e.spec.offset = off;
    off += e.size!;
    if (off > 1 << 20) throw new BpfObjectError(`extern (kcfg) '${e.spec.name}': .kconfig data would exceed 1 MiB`);
  }
  return off;
}

const triOf = (v: KconfigValue): number | undefined => {
  if (v === true || v === 'y' || v === 1 || v === 1n) return 1;
  if (v === false || v === 'n' || v === 0 || v === 0n) return 0;
  if (v === 'm' || v === 2 || v === 2n) return 2;
  return undefined;
};

function toBigInt(v: KconfigValue): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const s = v.trim();
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(s)) return s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
  return undefined;
}

/** Fill the .kconfig map's initial contents from opts.kconfig (missing weak → 0). */
export function fillKconfig(
  externs: ExternDesc[],
  size: number,
  values: Record<string, KconfigValue>,
): Uint8Array {
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  for (const e of externs) {
    if (e.spec.kind !== 'kconfig') continue;
    const name = e.spec.name;
    let v: KconfigValue | undefined = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    if (v === undefined) {
      if (name === 'LINUX_KERNEL_VERSION') v = DEFAULT_KERNEL_VERSION;
      else if (name === 'LINUX_HAS_BPF_COOKIE' || name === 'LINUX_HAS_SYSCALL_WRAPPER') v = true;
      else if (!name.startsWith('CONFIG_') && !name.startsWith('LINUX_')) {
        throw new BpfObjectError(`extern (kcfg) '${name}': unrecognized extern, kconfig externs are CONFIG_* or LINUX_*`);
      }
    }
    if (v === undefined) {
      if (!e.spec.weak) throw new BpfObjectError(`extern (kcfg) '${name}': value not found in kconfig and the extern is not __weak`);
      continue;
    }
    const off = e.spec.offset!;
    const bad = (why: string): BpfObjectError => new BpfObjectError(`extern (kcfg) '${name}': value ${String(v)} ${why}`);
    switch (e.kcfgType) {
      case 'bool': {
        const t = triOf(v);
        if (t === undefined || t === 2) throw bad('is not a valid bool');
        buf[off] = t;
        break;
      }
      case 'tristate': {
        const t = triOf(v);
        if (t === undefined) throw bad('is not a valid tristate (y/n/m)');
        dv.setUint32(off, t, true);
        break;
      }
      case 'char': {
        if (typeof v === 'string' && v.length === 1) buf[off] = v.charCodeAt(0) & 0xff;
        else {
          const n = toBigInt(v);
          if (n === undefined || n < -128n || n > 255n) throw bad('does not fit a char');
          buf[off] = Number(BigInt.asUintN(8, n));
        }
        break;
      }
      case 'int': {
        const n = toBigInt(v);
        if (n === undefined) throw bad('is not a number');
        const bits = BigInt(e.size! * 8);
        const ok = e.isSigned ? n >= -(1n << (bits - 1n)) && n < 1n << (bits - 1n) : n >= 0n && n < 1n << bits;
        if (!ok) throw bad(`does not fit ${e.isSigned ? 'a signed' : 'an unsigned'} ${e.size}-byte integer`);
        const u = BigInt.asUintN(Number(bits), n);
        for (let i = 0; i < e.size!; i++) buf[off + i] = Number((u >> BigInt(8 * i)) & 0xffn);
        break;
      }
      case 'char_arr': {
        if (typeof v !== 'string') throw bad('is not a string');
        const bytes = new TextEncoder().encode(v).subarray(0, e.size! - 1);
        buf.set(bytes, off);
        break;
      }
    }
    e.spec.resolved = true;
  }
  return buf;
}

/** Resolve .ksyms externs against the target BTF (and kallsyms for typeless ones). */
export function resolveKsyms(
  externs: ExternDesc[],
  local: Btf | undefined,
  target: Btf | undefined,
  kallsyms: Record<string, bigint> | undefined,
): void {
  for (const e of externs) {
    if (e.spec.kind !== 'ksym') continue;
    const name = essentialName(e.spec.name);
    if (e.typeless) {
      const addr = kallsyms && Object.prototype.hasOwnProperty.call(kallsyms, name) ? kallsyms[name] : undefined;
      if (addr !== undefined) {
        e.address = addr;
        e.spec.resolved = true;
      }
    } else if (target && local) {
      const kind = e.spec.isFunc ? 'func' : 'var';
      const t = target.findByName(name, kind);
      if (t) {
        const lt = local.get(e.btfId);
        const tt = t;
        const lType = lt.kind === 'func' || lt.kind === 'var' ? lt.type : 0;
        const tType = tt.kind === 'func' || tt.kind === 'var' ? tt.type : 0;
        if (!typesCompatible(local, lType, target, tType)) {
          throw new BpfObjectError(
            `extern (${e.spec.isFunc ? 'func ' : 'var '}ksym) '${e.spec.name}': incompatible types, expected [${lType}] ${local.typeToString(lType)}, but kernel has [${tType}] ${target.typeToString(tType)}`,
          );
        }
        e.spec.targetBtfId = t.id;
        e.spec.resolved = true;
      }
    }
    if (!e.spec.resolved && !e.spec.weak) {
      throw new BpfObjectError(
        `extern (${e.spec.isFunc ? 'func ' : 'var '}ksym) '${e.spec.name}': not found in ${e.typeless ? 'kallsyms' : 'the kernel BTF'}`,
      );
    }
  }
}
