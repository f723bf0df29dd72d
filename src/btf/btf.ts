// The BTF type graph: id lookups, modifier/typedef resolution, sizes and alignments, member
// queries, name index and C spelling of types. Walks are depth-limited so cyclic BTF (which
// the parser cannot rule out cheaply) produces a BtfError instead of a hang.

import { BTF_KIND_DECL_TAG, BTF_KIND_NAMES, MAX_RESOLVE_DEPTH, type BtfKind } from './constants.js';
import { BtfError } from './errors.js';
import { decodeType, nameOffOf, scanBtf, type BtfHeader, type BtfLayout } from './parse.js';
import { BtfStrings } from './strings.js';
import type {
  BtfComposite,
  BtfDatasec,
  BtfDeclTag,
  BtfFuncProto,
  BtfMember,
  BtfParam,
  BtfType,
  BtfTypeOfKind,
  BtfVarSecInfo,
} from './types.js';
import { isModifierOrTypedef, VOID_TYPE } from './types.js';

export interface MemberAt {
  member: BtfMember;
  /** index in members() */
  index: number;
  /** byteOffset minus the member's starting byte */
  offsetInMember: number;
}

export interface FoundMember {
  member: BtfMember;
  /** bit offset from the start of the outer struct (anonymous members flattened) */
  bitOffset: number;
  /** member indices from the outer struct down through anonymous members */
  path: number[];
}

export interface EnumValue {
  name: string;
  value: bigint;
}

export class Btf {
  readonly strings: BtfStrings;
  readonly header: BtfHeader;
  readonly base: Btf | undefined;
  /** first id defined by this layer (1, or base.length for split BTF) */
  readonly startId: number;
  /** the raw .BTF bytes this was parsed from (this layer only) */
  readonly bytes: Uint8Array;
  private readonly layout: BtfLayout;
  private readonly cache: (BtfType | undefined)[];
  private allTypes: BtfType[] | undefined;
  private nameIndex: Map<string, number[]> | undefined;
  private tagIndex: Map<number, BtfDeclTag[]> | undefined;

  /** use parseBtf() */
  constructor(bytes: Uint8Array, layout: BtfLayout, base?: Btf) {
    this.bytes = bytes;
    this.layout = layout;
    this.strings = layout.strings;
    this.header = layout.header;
    this.base = base;
    this.startId = layout.startId;
    this.cache = new Array<BtfType | undefined>(layout.count);
  }

  /** number of type ids, including void and (split BTF) the base's */
  get length(): number {
    return this.startId + this.layout.count;
  }

  /**
   * All types, index = type id ([0] is void; split BTF includes the base's). Materialises
   * every record on first use: prefer get() on big BTF such as vmlinux.
   */
  get types(): BtfType[] {
    if (!this.allTypes) {
      const all: BtfType[] = this.base ? this.base.types.slice() : [VOID_TYPE];
      for (let id = this.startId; id < this.length; id++) all.push(this.get(id));
      this.allTypes = all;
    }
    return this.allTypes;
  }

  /** BTF_KIND_* number of a type without decoding it */
  kindOf(id: number): number {
    if (id === 0) return 0;
    if (id < this.startId && this.base) return this.base.kindOf(id);
    const k = this.layout.kinds[id - this.startId];
    if (k === undefined || !Number.isInteger(id) || id < 0) throw new BtfError(`type id ${id} out of range (${this.length} types)`);
    return k;
  }

  /** kind name of a type without decoding it */
  kindName(id: number): BtfKind {
    return BTF_KIND_NAMES[this.kindOf(id)]!;
  }

  get(id: number): BtfType {
    if (id >= this.startId) {
      const i = id - this.startId;
      const t = this.cache[i];
      if (t !== undefined) return t;
      if (i < this.layout.count && Number.isInteger(i)) return (this.cache[i] = decodeType(this.layout, id));
    } else if (id === 0) {
      return VOID_TYPE;
    } else if (this.base && id > 0 && Number.isInteger(id)) {
      return this.base.get(id);
    }
    throw new BtfError(`type id ${id} out of range (${this.length} types)`);
  }

  /** get() plus a kind check, for callers that know what they expect */
  getKind<K extends BtfKind>(id: number, kind: K): BtfTypeOfKind<K> {
    const t = this.get(id);
    if (t.kind !== kind) throw new BtfError(`type [${id}] is ${t.kind.toUpperCase()}, expected ${kind.toUpperCase()}`);
    return t as BtfTypeOfKind<K>;
  }

  nameOf(id: number): string {
    if (id >= this.startId && id < this.length && Number.isInteger(id)) {
      const off = nameOffOf(this.layout, id);
      return off === 0 ? '' : this.strings.get(off);
    }
    return this.get(id).name;
  }

  /** id after skipping typedef/const/volatile/restrict/type_tag */
  resolveId(id: number): number {
    let cur = id;
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
      const t = this.get(cur);
      if (!isModifierOrTypedef(t)) return cur;
      cur = t.type;
    }
    throw new BtfError(`type [${id}]: modifier/typedef chain too long or cyclic`);
  }

  /** the type after skipping typedef/const/volatile/restrict/type_tag */
  resolve(id: number): BtfType {
    return this.get(this.resolveId(id));
  }

  /** id after skipping only const/volatile/restrict/type_tag (typedefs kept) */
  skipModifiers(id: number): number {
    let cur = id;
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
      const t = this.get(cur);
      if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') return cur;
      cur = t.type;
    }
    throw new BtfError(`type [${id}]: modifier chain too long or cyclic`);
  }

  sizeof(id: number): number {
    return this.sizeofDepth(id, 0);
  }

  private sizeofDepth(id: number, depth: number): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError(`type [${id}]: type chain too deep or cyclic computing size`);
    const t = this.get(id);
    switch (t.kind) {
      case 'int':
      case 'enum':
      case 'enum64':
      case 'struct':
      case 'union':
      case 'float':
      case 'datasec':
        return t.size;
      case 'ptr':
        return 8;
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var':
        return this.sizeofDepth(t.type, depth + 1);
      case 'array': {
        const n = t.nelems === 0 ? 0 : this.sizeofDepth(t.type, depth + 1) * t.nelems;
        if (n > 0xffffffff) throw new BtfError(`type [${id}] ARRAY size overflows`);
        return n;
      }
      default:
        throw new BtfError(`type [${id}] ${t.kind.toUpperCase()} '${t.name}' has no size`);
    }
  }

  alignof(id: number): number {
    const cached = this.alignCache.get(id);
    if (cached !== undefined) return cached;
    const a = this.alignofDepth(id, 0, new Set());
    this.alignCache.set(id, a);
    return a;
  }

  private readonly alignCache = new Map<number, number>();

  private alignofDepth(id: number, depth: number, inProgress: Set<number>): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError(`type [${id}]: type chain too deep or cyclic computing alignment`);
    const cached = this.alignCache.get(id);
    if (cached !== undefined) return cached;
    const t = this.get(id);
    switch (t.kind) {
      case 'int':
      case 'enum':
      case 'enum64':
      case 'float':
        return Math.min(t.size, 8);
      case 'ptr':
        return 8;
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var':
      case 'array':
        return this.alignofDepth(t.type, depth + 1, inProgress);
      case 'struct':
      case 'union': {
        // memoised so wide structs nested deeply stay linear; a struct containing itself is a cycle
        if (inProgress.has(id)) throw new BtfError(`type [${id}] ${t.kind.toUpperCase()} '${t.name}' contains itself`);
        inProgress.add(id);
        let max = 1;
        let packed = false;
        for (const m of t.members) {
          const a = this.alignofDepth(m.type, depth + 1, inProgress);
          // A member placed off its natural alignment means the struct was packed.
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) packed = true;
          if (a > max) max = a;
        }
        inProgress.delete(id);
        const r = packed || t.size % max !== 0 ? 1 : max;
        this.alignCache.set(id, r);
        return r;
      }
      default:
        throw new BtfError(`type [${id}] ${t.kind.toUpperCase()} '${t.name}' has no alignment`);
    }
  }

  /** members of a struct/union (typedefs and modifiers resolved first) */
  members(id: number): BtfMember[] {
    return this.composite(id).members;
  }

  /** the struct/union behind id (typedefs and modifiers resolved), or a BtfError */
  composite(id: number): BtfComposite {
    const t = this.resolve(id);
    if (t.kind !== 'struct' && t.kind !== 'union') {
      throw new BtfError(`type [${id}] is ${t.kind.toUpperCase()}, not a struct or union`);
    }
    return t;
  }

  /**
   * The direct member covering byte `byteOffset` of a struct/union (the first such member for
   * unions). Zero-size members (flexible arrays) match only their exact start offset.
   */
  memberAt(structId: number, byteOffset: number): MemberAt | undefined {
    const members = this.members(structId);
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      let start: number;
      let endEx: number;
      if (m.bitfieldSize > 0) {
        start = Math.floor(m.bitOffset / 8);
        endEx = Math.ceil((m.bitOffset + m.bitfieldSize) / 8);
      } else {
        start = m.bitOffset / 8;
        endEx = start + this.sizeof(m.type);
      }
      if (byteOffset >= start && (byteOffset < endEx || (endEx === start && byteOffset === start))) {
        return { member: m, index: i, offsetInMember: byteOffset - Math.floor(start) };
      }
    }
    return undefined;
  }

  /**
   * Walk from a struct/union down to the innermost field covering `byteOffset`, through nested
   * structs, unions (first matching member) and arrays — the shape of the kernel's
   * btf_struct_walk. `path` is a C access expression such as `mm.pgd` or `comm[3]`.
   */
  fieldAt(structId: number, byteOffset: number): { path: string; typeId: number; offsetInField: number; member?: BtfMember } | undefined {
    let id = structId;
    let off = byteOffset;
    let path = '';
    let last: BtfMember | undefined;
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
      const t = this.resolve(id);
      if (t.kind === 'struct' || t.kind === 'union') {
        const at = this.memberAt(t.id, off);
        if (!at) return depth === 0 ? undefined : { path, typeId: id, offsetInField: off, member: last };
        last = at.member;
        if (at.member.name !== '') path += (path === '' ? '' : '.') + at.member.name;
        if (at.member.bitfieldSize) return { path, typeId: at.member.type, offsetInField: at.offsetInMember, member: at.member };
        id = at.member.type;
        off = at.offsetInMember;
      } else if (t.kind === 'array') {
        const esz = this.sizeof(t.type);
        if (esz === 0 || off >= esz * t.nelems) return { path, typeId: id, offsetInField: off, member: last };
        const idx = Math.floor(off / esz);
        path += `[${idx}]`;
        id = t.type;
        off -= idx * esz;
      } else {
        return { path, typeId: id, offsetInField: off, member: last };
      }
    }
    throw new BtfError(`type [${structId}]: nesting too deep or cyclic walking to offset ${byteOffset}`);
  }

  /** find a member by name, looking through anonymous struct/union members like C does */
  findMember(structId: number, name: string): FoundMember | undefined {
    this.findBudget = 100_000;
    return this.findMemberDepth(structId, name, 0, 0);
  }

  private findBudget = 0;

  private findMemberDepth(structId: number, name: string, baseBits: number, depth: number): FoundMember | undefined {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError(`type [${structId}]: anonymous member nesting too deep or cyclic`);
    if (--this.findBudget < 0) throw new BtfError(`type [${structId}]: anonymous member graph too large`);
    const members = this.members(structId);
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.name === name) return { member: m, bitOffset: baseBits + m.bitOffset, path: [i] };
    }
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.name !== '') continue;
      const r = this.resolve(m.type);
      if (r.kind !== 'struct' && r.kind !== 'union') continue;
      const found = this.findMemberDepth(r.id, name, baseBits + m.bitOffset, depth + 1);
      if (found) return { ...found, path: [i, ...found.path] };
    }
    return undefined;
  }

  private buildNameIndex(): Map<string, number[]> {
    const idx = new Map<string, number[]>();
    for (let id = 1; id < this.length; id++) {
      const n = this.nameOf(id);
      if (n === '') continue;
      const list = idx.get(n);
      if (list) list.push(id);
      else idx.set(n, [id]);
    }
    return idx;
  }

  /** first type with that name (and kind, if given); for 'struct' a matching 'fwd' is not returned */
  findByName(name: string, kind?: BtfKind): BtfType | undefined {
    this.nameIndex ??= this.buildNameIndex();
    const ids = this.nameIndex.get(name);
    if (!ids) return undefined;
    for (const id of ids) {
      if (kind === undefined || this.kindName(id) === kind) return this.get(id);
    }
    return undefined;
  }

  /** id of findByName(), or -1 */
  findIdByName(name: string, kind?: BtfKind): number {
    return this.findByName(name, kind)?.id ?? -1;
  }

  findAllByName(name: string, kind?: BtfKind): BtfType[] {
    this.nameIndex ??= this.buildNameIndex();
    const ids = this.nameIndex.get(name) ?? [];
    const out: BtfType[] = [];
    for (const id of ids) {
      if (kind === undefined || this.kindName(id) === kind) out.push(this.get(id));
    }
    return out;
  }

  /** enum / enum64 values as bigint (sign per the enum's kind_flag) */
  enumValues(id: number): EnumValue[] {
    const t = this.resolve(id);
    if (t.kind === 'enum') return t.values.map((v) => ({ name: v.name, value: BigInt(v.value) }));
    if (t.kind === 'enum64') return t.values.map((v) => ({ name: v.name, value: v.value }));
    throw new BtfError(`type [${id}] is ${t.kind.toUpperCase()}, not an enum`);
  }

  /** the FUNC_PROTO of a func, func_proto, or pointer to one */
  funcProto(id: number): BtfFuncProto {
    let t = this.resolve(id);
    if (t.kind === 'func') t = this.get(t.type);
    else if (t.kind === 'ptr') t = this.resolve(t.type);
    if (t.kind !== 'func_proto') throw new BtfError(`type [${id}] is not a function or function prototype`);
    return t;
  }

  params(id: number): BtfParam[] {
    return this.funcProto(id).params;
  }

  datasecVars(id: number): BtfVarSecInfo[] {
    const t: BtfDatasec = this.getKind(id, 'datasec');
    return t.vars;
  }

  /**
   * decl tags attached to a type (componentIdx undefined: all of them; -1: the type itself;
   * n: member n / parameter n)
   */
  declTags(id: number, componentIdx?: number): BtfDeclTag[] {
    if (!this.tagIndex) {
      this.tagIndex = new Map();
      for (let id = 1; id < this.length; id++) {
        if (this.kindOf(id) !== BTF_KIND_DECL_TAG) continue;
        const t = this.get(id) as BtfDeclTag;
        const l = this.tagIndex.get(t.type);
        if (l) l.push(t);
        else this.tagIndex.set(t.type, [t]);
      }
    }
    const all = this.tagIndex.get(id) ?? [];
    return componentIdx === undefined ? all : all.filter((t) => t.componentIdx === componentIdx);
  }

  /** C spelling of a type, e.g. `struct task_struct *`, `int (*)(void *, long)`, `char [16]` */
  typeToString(id: number, declName = ''): string {
    this.declareBudget = 100_000;
    return this.declare(id, declName, 0).trim();
  }

  private declareBudget = 0;

  private declare(id: number, inner: string, depth: number): string {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError(`type [${id}]: type chain too deep or cyclic`);
    if (--this.declareBudget < 0) throw new BtfError(`type [${id}]: type too large to spell`);
    const t = this.get(id);
    const sp = inner === '' ? '' : ' ' + inner;
    const wrap = (s: string): string => (s.startsWith('*') ? `(${s})` : s);
    switch (t.kind) {
      case 'void':
        return 'void' + sp;
      case 'int':
      case 'float':
      case 'typedef':
        return t.name + sp;
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
        return `${t.kind === 'enum64' ? 'enum' : t.kind} ${t.name || '(anon)'}${sp}`;
      case 'fwd':
        return `${t.fwdKind} ${t.name}${sp}`;
      case 'ptr':
        return this.declare(t.type, '*' + inner, depth + 1);
      case 'const':
      case 'volatile':
      case 'restrict': {
        const tgt = this.get(this.skipModifiers(t.type));
        if (tgt.kind === 'ptr') return this.declare(t.type, `${t.kind}${inner === '' ? '' : ' ' + inner}`, depth + 1);
        const rest = this.declare(t.type, inner, depth + 1);
        return rest.startsWith(`${t.kind} `) ? rest : `${t.kind} ${rest}`;
      }
      case 'type_tag':
        return this.declare(t.type, inner, depth + 1);
      case 'array':
        return this.declare(t.type, `${wrap(inner)}[${t.nelems}]`, depth + 1);
      case 'func_proto': {
        const ps = t.params.map((p) => this.declare(p.type, p.name, depth + 1));
        if (t.variadic) ps.push('...');
        return this.declare(t.ret, `${wrap(inner)}(${ps.length ? ps.join(', ') : 'void'})`, depth + 1);
      }
      case 'func':
        return this.declare(t.type, inner || t.name, depth + 1);
      case 'var':
        return this.declare(t.type, inner || t.name, depth + 1);
      case 'datasec':
        return `SEC ${t.name}`;
      case 'decl_tag':
        return `__attribute__((btf_decl_tag("${t.name}")))`;
    }
  }
}

export interface ParseBtfOptions {
  /** base BTF for split BTF (kernel module BTF on top of vmlinux) */
  base?: Btf;
}

export function parseBtf(bytes: Uint8Array, opts: ParseBtfOptions | Btf = {}): Btf {
  if (!(bytes instanceof Uint8Array)) throw new BtfError('parseBtf expects a Uint8Array');
  const base = opts instanceof Btf ? opts : opts.base;
  return new Btf(bytes, scanBtf(bytes, base), base);
}
