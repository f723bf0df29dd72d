// Programmatic BTF construction (the simulated kernel describes its own objects with it).
// Types are kept as the same records the parser produces, so parse(finish()) round-trips.

import {
  BTF_FUNC_EXTERN,
  BTF_FUNC_GLOBAL,
  BTF_FUNC_STATIC,
  BTF_HEADER_SIZE,
  BTF_INT_BOOL,
  BTF_INT_CHAR,
  BTF_INT_SIGNED,
  BTF_MAGIC,
  BTF_VAR_GLOBAL_ALLOCATED,
  BTF_VAR_GLOBAL_EXTERN,
  BTF_VAR_STATIC,
  BTF_VERSION,
  btfKindNumber,
} from './constants.js';
import { Btf, parseBtf } from './btf.js';
import { BtfError } from './errors.js';
import type { BtfMember, BtfType } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** a type record without its id (the writer assigns ids) */
export type BtfTypeInput = DistributiveOmit<Exclude<BtfType, { kind: 'void' }>, 'id'>;

export interface StructMemberSpec {
  name: string;
  type: number;
  /** byte offset of the member (for bitfields: of the storage unit, added to bitOffset) */
  offset?: number;
  /** extra bit offset (bitfields), added to offset*8 */
  bitOffset?: number;
  /** bitfield width; 0/undefined = not a bitfield */
  bitSize?: number;
}

export interface IntOptions {
  signed?: boolean;
  char?: boolean;
  bool?: boolean;
  /** value bits (default size*8) */
  bits?: number;
}

export type Linkage = 'static' | 'global' | 'extern' | number;

const FUNC_LINKAGE: Record<string, number> = { static: BTF_FUNC_STATIC, global: BTF_FUNC_GLOBAL, extern: BTF_FUNC_EXTERN };
const VAR_LINKAGE: Record<string, number> = {
  static: BTF_VAR_STATIC,
  global: BTF_VAR_GLOBAL_ALLOCATED,
  extern: BTF_VAR_GLOBAL_EXTERN,
};

const utf8 = new TextEncoder();

export class BtfWriter {
  /** split BTF: ids and strings continue after the base's */
  readonly base: Btf | undefined;
  private readonly types: BtfTypeInput[] = [];
  private readonly strOffsets = new Map<string, number>();
  private readonly strChunks: Uint8Array[] = [];
  private strLen = 0;
  private readonly ptrCache = new Map<number, number>();
  private arrayIndexType = 0;

  constructor(opts: { base?: Btf } = {}) {
    this.base = opts.base;
    if (!this.base) this.addString('');
  }

  private get startId(): number {
    return this.base ? this.base.length : 1;
  }

  /** the id the next add* call returns */
  get nextId(): number {
    return this.startId + this.types.length;
  }

  /** offset of `s` in the string section (deduplicated; base strings reused) */
  addString(s: string): number {
    const have = this.strOffsets.get(s);
    if (have !== undefined) return have;
    const inBase = this.base?.strings.find(s);
    if (inBase !== undefined) {
      this.strOffsets.set(s, inBase);
      return inBase;
    }
    if (s.includes('\0')) throw new BtfError(`BtfWriter: string ${JSON.stringify(s)} contains NUL`);
    const bytes = utf8.encode(s + '\0');
    const off = (this.base ? this.base.strings.length : 0) + this.strLen;
    this.strOffsets.set(s, off);
    this.strChunks.push(bytes);
    this.strLen += bytes.length;
    return off;
  }

  /** add any record in the parser's shape (round-trip / copying) */
  addType(t: BtfTypeInput): number {
    const id = this.nextId;
    this.types.push(t);
    return id;
  }

  /** the record of an id added by this writer (mutable until finish()) */
  getType(id: number): BtfTypeInput {
    const t = this.types[id - this.startId];
    if (!t) throw new BtfError(`BtfWriter: type id ${id} was not added by this writer`);
    return t;
  }

  addInt(name: string, size: number, opts: IntOptions = {}): number {
    const encoding = (opts.signed ? BTF_INT_SIGNED : 0) | (opts.char ? BTF_INT_CHAR : 0) | (opts.bool ? BTF_INT_BOOL : 0);
    return this.addType({ kind: 'int', name, size, encoding, signed: !!opts.signed, bitsOffset: 0, bits: opts.bits ?? size * 8 });
  }

  addFloat(name: string, size: number): number {
    return this.addType({ kind: 'float', name, size });
  }

  addPtr(type: number): number {
    return this.addType({ kind: 'ptr', name: '', type });
  }

  /** a pointer to `type`, reusing one this writer already made */
  ptrTo(type: number): number {
    let id = this.ptrCache.get(type);
    if (id === undefined) {
      id = this.addPtr(type);
      this.ptrCache.set(type, id);
    }
    return id;
  }

  addTypedef(name: string, type: number): number {
    return this.addType({ kind: 'typedef', name, type });
  }

  addConst(type: number): number {
    return this.addType({ kind: 'const', name: '', type });
  }

  addVolatile(type: number): number {
    return this.addType({ kind: 'volatile', name: '', type });
  }

  addRestrict(type: number): number {
    return this.addType({ kind: 'restrict', name: '', type });
  }

  addTypeTag(value: string, type: number): number {
    return this.addType({ kind: 'type_tag', name: value, type });
  }

  /** array of `nelems` `elemType`; the index type defaults to a shared 4-byte unsigned int */
  addArray(elemType: number, nelems: number, indexType?: number): number {
    if (indexType === undefined) {
      if (this.arrayIndexType === 0) this.arrayIndexType = this.addInt('__ARRAY_SIZE_TYPE__', 4);
      indexType = this.arrayIndexType;
    }
    return this.addType({ kind: 'array', name: '', type: elemType, indexType, nelems });
  }

  private members(specs: StructMemberSpec[]): { members: BtfMember[]; kflag: boolean } {
    let kflag = false;
    const members = specs.map((m) => {
      const bitfieldSize = m.bitSize ?? 0;
      if (bitfieldSize) kflag = true;
      return { name: m.name, type: m.type, bitOffset: (m.offset ?? 0) * 8 + (m.bitOffset ?? 0), bitfieldSize };
    });
    return { members, kflag };
  }

  /** struct with member offsets in bytes (bitfields: bitSize, plus bitOffset within offset) */
  addStruct(name: string, size: number, members: StructMemberSpec[] = []): number {
    return this.addType({ kind: 'struct', name, size, ...this.members(members) });
  }

  addUnion(name: string, size: number, members: StructMemberSpec[] = []): number {
    return this.addType({ kind: 'union', name, size, ...this.members(members) });
  }

  /**
   * Fill in the members of a struct/union added earlier (declare first, then point at it:
   * needed for self-referential types such as `struct list_head`).
   */
  setMembers(id: number, members: StructMemberSpec[], size?: number): void {
    const t = this.getType(id);
    if (t.kind !== 'struct' && t.kind !== 'union') throw new BtfError(`BtfWriter: type ${id} is not a struct or union`);
    const m = this.members(members);
    t.members = m.members;
    t.kflag = m.kflag;
    if (size !== undefined) t.size = size;
  }

  addEnum(
    name: string,
    values: { name: string; value: number }[] | Record<string, number>,
    opts: { size?: number; signed?: boolean } = {},
  ): number {
    const list = Array.isArray(values) ? values : Object.entries(values).map(([n, v]) => ({ name: n, value: v }));
    const signed = opts.signed ?? list.some((v) => v.value < 0);
    return this.addType({ kind: 'enum', name, size: opts.size ?? 4, signed, values: list });
  }

  addEnum64(name: string, values: { name: string; value: bigint }[], opts: { size?: number; signed?: boolean } = {}): number {
    const signed = opts.signed ?? values.some((v) => v.value < 0n);
    return this.addType({ kind: 'enum64', name, size: opts.size ?? 8, signed, values });
  }

  addFwd(name: string, fwdKind: 'struct' | 'union' = 'struct'): number {
    return this.addType({ kind: 'fwd', name, fwdKind });
  }

  addFuncProto(ret: number, params: { name?: string; type: number }[] = [], variadic = false): number {
    return this.addType({
      kind: 'func_proto',
      name: '',
      ret,
      params: params.map((p) => ({ name: p.name ?? '', type: p.type })),
      variadic,
    });
  }

  addFunc(name: string, proto: number, linkage: Linkage = 'global'): number {
    return this.addType({ kind: 'func', name, type: proto, linkage: linkageNumber(linkage, FUNC_LINKAGE) });
  }

  addVar(name: string, type: number, linkage: Linkage = 'global'): number {
    return this.addType({ kind: 'var', name, type, linkage: linkageNumber(linkage, VAR_LINKAGE) });
  }

  addDatasec(name: string, size: number, vars: { type: number; offset: number; size: number }[] = []): number {
    return this.addType({ kind: 'datasec', name, size, vars: vars.map((v) => ({ ...v })) });
  }

  addDeclTag(value: string, type: number, componentIdx = -1): number {
    return this.addType({ kind: 'decl_tag', name: value, type, componentIdx });
  }

  /** copy every type of `btf` (its own layer) into this writer; returns the id shift applied */
  addAll(btf: Btf): number {
    const shift = this.nextId - btf.startId;
    const mapId = (id: number): number => (id >= btf.startId ? id + shift : id);
    for (let id = btf.startId; id < btf.length; id++) this.addType(remapType(btf.get(id), mapId));
    return shift;
  }

  /** the .BTF blob */
  finish(): Uint8Array {
    // Intern every name first so the string section is complete before sizing.
    const nameOffs = this.types.map((t) => this.typeStrings(t));
    let typeLen = 0;
    for (const t of this.types) typeLen += recordSize(t);
    const strLen = this.strLen;
    const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strLen);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, BTF_MAGIC, true);
    dv.setUint8(2, BTF_VERSION);
    dv.setUint8(3, 0);
    dv.setUint32(4, BTF_HEADER_SIZE, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, strLen, true);
    let off = BTF_HEADER_SIZE;
    this.types.forEach((t, i) => {
      off = writeType(dv, off, t, nameOffs[i]!, this.startId + i);
    });
    let so = BTF_HEADER_SIZE + typeLen;
    for (const c of this.strChunks) {
      out.set(c, so);
      so += c.length;
    }
    return out;
  }

  /** finish() and parse the result back */
  toBtf(): Btf {
    return parseBtf(this.finish(), { base: this.base });
  }

  /** string offsets a record needs: [type name, ...member/param/value names] */
  private typeStrings(t: BtfTypeInput): number[] {
    const offs = [this.addString(t.name)];
    switch (t.kind) {
      case 'struct':
      case 'union':
        for (const m of t.members) offs.push(this.addString(m.name));
        break;
      case 'enum':
      case 'enum64':
        for (const v of t.values) offs.push(this.addString(v.name));
        break;
      case 'func_proto':
        for (const p of t.params) offs.push(this.addString(p.name));
        break;
      default:
        break;
    }
    return offs;
  }
}

function linkageNumber(l: Linkage, table: Record<string, number>): number {
  if (typeof l === 'number') return l;
  const n = table[l];
  if (n === undefined) throw new BtfError(`BtfWriter: unknown linkage '${l}'`);
  return n;
}

function recordSize(t: BtfTypeInput): number {
  switch (t.kind) {
    case 'int':
    case 'var':
    case 'decl_tag':
      return 16;
    case 'array':
      return 24;
    case 'struct':
    case 'union':
      return 12 + 12 * t.members.length;
    case 'enum':
      return 12 + 8 * t.values.length;
    case 'enum64':
      return 12 + 12 * t.values.length;
    case 'func_proto':
      return 12 + 8 * (t.params.length + (t.variadic ? 1 : 0));
    case 'datasec':
      return 12 + 12 * t.vars.length;
    default:
      return 12;
  }
}

function checkU32(v: number, what: string, id: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BtfError(`BtfWriter: type [${id}] ${what} ${v} is not a u32`);
  return v;
}

function writeType(dv: DataView, off: number, t: BtfTypeInput, names: number[], id: number): number {
  const kind = btfKindNumber(t.kind);
  let vlen = 0;
  let kflag = false;
  let sizeOrType = 0;
  switch (t.kind) {
    case 'int':
    case 'float':
    case 'datasec':
      sizeOrType = t.size;
      if (t.kind === 'datasec') vlen = t.vars.length;
      break;
    case 'struct':
    case 'union':
      sizeOrType = t.size;
      vlen = t.members.length;
      kflag = t.kflag || t.members.some((m) => m.bitfieldSize !== 0);
      break;
    case 'enum':
    case 'enum64':
      sizeOrType = t.size;
      vlen = t.values.length;
      kflag = t.signed;
      break;
    case 'fwd':
      kflag = t.fwdKind === 'union';
      break;
    case 'func':
      sizeOrType = t.type;
      vlen = t.linkage;
      break;
    case 'func_proto':
      sizeOrType = t.ret;
      vlen = t.params.length + (t.variadic ? 1 : 0);
      break;
    default:
      sizeOrType = t.type;
      break;
  }
  if (vlen > 0xffff) throw new BtfError(`BtfWriter: type [${id}] has ${vlen} entries, more than BTF allows (65535)`);
  dv.setUint32(off, names[0]!, true);
  dv.setUint32(off + 4, ((kflag ? 1 : 0) << 31) | (kind << 24) | vlen, true);
  dv.setUint32(off + 8, checkU32(sizeOrType, 'size/type', id), true);
  off += 12;
  switch (t.kind) {
    case 'int':
      dv.setUint32(off, ((t.encoding & 0xf) << 24) | ((t.bitsOffset & 0xff) << 16) | (t.bits & 0xff), true);
      return off + 4;
    case 'array':
      dv.setUint32(off, checkU32(t.type, 'element type', id), true);
      dv.setUint32(off + 4, checkU32(t.indexType, 'index type', id), true);
      dv.setUint32(off + 8, checkU32(t.nelems, 'nelems', id), true);
      return off + 12;
    case 'struct':
    case 'union': {
      const kf = t.kflag || t.members.some((m) => m.bitfieldSize !== 0);
      t.members.forEach((m, i) => {
        dv.setUint32(off, names[i + 1]!, true);
        dv.setUint32(off + 4, checkU32(m.type, 'member type', id), true);
        if (kf) {
          if (m.bitOffset > 0xffffff || m.bitfieldSize > 0xff) {
            throw new BtfError(`BtfWriter: type [${id}] member '${m.name}' bit offset/size too large for kind_flag encoding`);
          }
          dv.setUint32(off + 8, ((m.bitfieldSize << 24) | m.bitOffset) >>> 0, true);
        } else {
          dv.setUint32(off + 8, checkU32(m.bitOffset, 'member offset', id), true);
        }
        off += 12;
      });
      return off;
    }
    case 'enum':
      t.values.forEach((v, i) => {
        if (!Number.isInteger(v.value) || v.value < -0x80000000 || v.value > 0xffffffff) {
          throw new BtfError(`BtfWriter: type [${id}] enum value ${v.name}=${v.value} does not fit 32 bits (use addEnum64)`);
        }
        dv.setUint32(off, names[i + 1]!, true);
        dv.setUint32(off + 4, v.value >>> 0, true);
        off += 8;
      });
      return off;
    case 'enum64':
      t.values.forEach((v, i) => {
        const u = BigInt.asUintN(64, v.value);
        dv.setUint32(off, names[i + 1]!, true);
        dv.setUint32(off + 4, Number(u & 0xffffffffn), true);
        dv.setUint32(off + 8, Number(u >> 32n), true);
        off += 12;
      });
      return off;
    case 'func_proto':
      t.params.forEach((p, i) => {
        dv.setUint32(off, names[i + 1]!, true);
        dv.setUint32(off + 4, checkU32(p.type, 'parameter type', id), true);
        off += 8;
      });
      if (t.variadic) {
        dv.setUint32(off, 0, true);
        dv.setUint32(off + 4, 0, true);
        off += 8;
      }
      return off;
    case 'var':
      dv.setUint32(off, t.linkage, true);
      return off + 4;
    case 'datasec':
      for (const v of t.vars) {
        dv.setUint32(off, checkU32(v.type, 'variable type', id), true);
        dv.setUint32(off + 4, checkU32(v.offset, 'variable offset', id), true);
        dv.setUint32(off + 8, checkU32(v.size, 'variable size', id), true);
        off += 12;
      }
      return off;
    case 'decl_tag':
      dv.setInt32(off, t.componentIdx, true);
      return off + 4;
    default:
      return off;
  }
}

/** a copy of `t` (without id) with every referenced type id passed through `map` */
export function remapType(t: BtfType, map: (id: number) => number): BtfTypeInput {
  switch (t.kind) {
    case 'void':
      throw new BtfError('cannot copy the void type');
    case 'int':
      return { kind: 'int', name: t.name, size: t.size, encoding: t.encoding, signed: t.signed, bitsOffset: t.bitsOffset, bits: t.bits };
    case 'float':
      return { kind: 'float', name: t.name, size: t.size };
    case 'fwd':
      return { kind: 'fwd', name: t.name, fwdKind: t.fwdKind };
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return { kind: t.kind, name: t.name, type: map(t.type) };
    case 'array':
      return { kind: 'array', name: t.name, type: map(t.type), indexType: map(t.indexType), nelems: t.nelems };
    case 'struct':
    case 'union':
      return { kind: t.kind, name: t.name, size: t.size, kflag: t.kflag, members: t.members.map((m) => ({ ...m, type: map(m.type) })) };
    case 'enum':
      return { kind: 'enum', name: t.name, size: t.size, signed: t.signed, values: t.values.map((v) => ({ ...v })) };
    case 'enum64':
      return { kind: 'enum64', name: t.name, size: t.size, signed: t.signed, values: t.values.map((v) => ({ ...v })) };
    case 'func':
      return { kind: 'func', name: t.name, type: map(t.type), linkage: t.linkage };
    case 'func_proto':
      return { kind: 'func_proto', name: t.name, ret: map(t.ret), params: t.params.map((p) => ({ name: p.name, type: map(p.type) })), variadic: t.variadic };
    case 'var':
      return { kind: 'var', name: t.name, type: map(t.type), linkage: t.linkage };
    case 'datasec':
      return { kind: 'datasec', name: t.name, size: t.size, vars: t.vars.map((v) => ({ ...v, type: map(v.type) })) };
    case 'decl_tag':
      return { kind: 'decl_tag', name: t.name, type: map(t.type), componentIdx: t.componentIdx };
  }
}
