// C layout (x86-64 / BPF target ABI: natural alignment, 8-byte pointers) of the kernel's
// declared types. The world writes objects at these offsets; kbtf.ts emits the same offsets.

import {
  KernelTypeError,
  toExpr,
  type AggregateSpec,
  type EnumSpec,
  type FieldSpec,
  type StructSpec,
  type TypeExpr,
  type TypedefSpec,
} from './types.js';

export interface MemberLayout {
  /** undefined for an anonymous struct/union member */
  name?: string;
  /** byte offset; for a bitfield, of its storage unit (an aligned unit of its type's size) */
  offset: number;
  type: TypeExpr;
  /** bitfields: first bit within the storage unit, and the width */
  bitShift?: number;
  bitSize?: number;
}

export interface AggregateLayout {
  kind: 'struct' | 'union';
  size: number;
  align: number;
  members: MemberLayout[];
}

export interface FieldRef {
  offset: number;
  size: number;
  /** bitfields: the value is bits [bitShift, bitShift+bitSize) of the `size`-byte unit at offset */
  bitShift?: number;
  bitSize?: number;
  /** the field's type with typedefs/const/volatile stripped */
  type: TypeExpr;
}

export interface TypeTableDefs {
  structs: readonly StructSpec[];
  typedefs: readonly TypedefSpec[];
  enums: readonly EnumSpec[];
}

export class TypeTable {
  readonly structs = new Map<string, StructSpec>();
  readonly typedefs = new Map<string, TypedefSpec>();
  readonly enums = new Map<string, EnumSpec>();
  private readonly layouts = new WeakMap<AggregateSpec, AggregateLayout>();
  private readonly inProgress = new WeakSet<AggregateSpec>();
  private readonly fieldCache = new Map<string, FieldRef>();

  constructor(defs: TypeTableDefs) {
    for (const s of defs.structs) {
      const key = `${s.kind} ${s.name}`;
      if (this.structs.has(key)) throw new KernelTypeError(`${key} declared twice`);
      this.structs.set(key, s);
    }
    for (const t of defs.typedefs) this.typedefs.set(t.name, t);
    for (const e of defs.enums) this.enums.set(e.name, e);
  }

  struct(name: string, kind: 'struct' | 'union' = 'struct'): StructSpec {
    const s = this.structs.get(`${kind} ${name}`);
    if (!s) throw new KernelTypeError(`${kind} ${name} is not declared`);
    return s;
  }

  hasStruct(name: string, kind: 'struct' | 'union' = 'struct'): boolean {
    return this.structs.has(`${kind} ${name}`);
  }

  /** Strip typedefs, const and volatile. */
  strip(t: TypeExpr): TypeExpr {
    for (;;) {
      if (t.k === 'const' || t.k === 'volatile') t = t.of;
      else if (t.k === 'typedef') {
        const d = this.typedefs.get(t.name);
        if (!d) throw new KernelTypeError(`typedef ${t.name} is not declared`);
        t = toExpr(d.type);
      } else return t;
    }
  }

  sizeAlign(t: TypeExpr): { size: number; align: number } {
    t = this.strip(t);
    switch (t.k) {
      case 'int':
        return { size: t.size, align: t.size };
      case 'ptr':
        return { size: 8, align: 8 };
      case 'enum': {
        const size = this.enums.get(t.name)?.size ?? 4;
        return { size, align: size };
      }
      case 'array': {
        const e = this.sizeAlign(t.of);
        return { size: e.size * t.n, align: e.align };
      }
      case 'named': {
        const l = this.layoutOf(this.struct(t.name, t.kind));
        return { size: l.size, align: l.align };
      }
      case 'anon': {
        const l = this.layoutOf(t.def);
        return { size: l.size, align: l.align };
      }
      case 'void':
      case 'fnptr':
        throw new KernelTypeError(`${t.k} has no size`);
      default:
        throw new KernelTypeError('unreachable type');
    }
  }

  layout(name: string, kind: 'struct' | 'union' = 'struct'): AggregateLayout {
    return this.layoutOf(this.struct(name, kind));
  }

  layoutOf(spec: AggregateSpec): AggregateLayout {
    const hit = this.layouts.get(spec);
    if (hit) return hit;
    if (this.inProgress.has(spec)) throw new KernelTypeError('aggregate contains itself by value');
    const fixed = (spec as Partial<StructSpec>).fixed;
    if (fixed) {
      const members = fixed.members.map((m) => ({ name: m.name, offset: m.offset, type: toExpr(m.type) }));
      const align = Math.max(1, ...members.map((m) => this.sizeAlign(m.type).align));
      const l: AggregateLayout = { kind: spec.kind, size: fixed.size, align, members };
      this.layouts.set(spec, l);
      return l;
    }
    this.inProgress.add(spec);
    const members: MemberLayout[] = [];
    let bits = 0; // struct: next free bit
    let size = 0; // union: largest member
    let align = spec.align ?? 1;
    for (const f of spec.fields) {
      const [name, type, bitSize] = fieldParts(f);
      const sa = this.sizeAlign(type);
      align = Math.max(align, sa.align);
      if (bitSize !== undefined) {
        // SysV rule: a bitfield never straddles an aligned unit of its declared type
        const unit = sa.size * 8;
        if (this.strip(type).k !== 'int' || bitSize <= 0 || bitSize > unit) throw new KernelTypeError(`bad bitfield '${name}'`);
        let start = spec.kind === 'union' ? 0 : bits;
        if (Math.floor(start / unit) !== Math.floor((start + bitSize - 1) / unit)) start = roundUp(start, unit);
        const unitOff = Math.floor(start / unit) * sa.size;
        members.push({ name, offset: unitOff, type, bitShift: start - unitOff * 8, bitSize });
        if (spec.kind === 'union') size = Math.max(size, sa.size);
        else bits = start + bitSize;
        continue;
      }
      const offset = spec.kind === 'union' ? 0 : roundUp(Math.ceil(bits / 8), sa.align);
      members.push({ name, offset, type });
      if (spec.kind === 'union') size = Math.max(size, sa.size);
      else bits = (offset + sa.size) * 8;
    }
    if (spec.kind === 'struct') size = Math.ceil(bits / 8);
    size = roundUp(Math.max(size, spec.minSize ?? 0), align);
    const l: AggregateLayout = { kind: spec.kind, size, align, members };
    this.inProgress.delete(spec);
    this.layouts.set(spec, l);
    return l;
  }

  sizeof(name: string, kind: 'struct' | 'union' = 'struct'): number {
    return this.layout(name, kind).size;
  }

  /**
   * Offset and type of a field path inside a struct, C-style: anonymous members are transparent,
   * `.` descends into nested structs, `[i]` indexes arrays: `thread.fsbase`, `subsys[0]`.
   */
  field(struct: string, path: string): FieldRef {
    const key = `${struct}:${path}`;
    const hit = this.fieldCache.get(key);
    if (hit) return hit;
    let agg = this.layout(struct);
    let t: TypeExpr = { k: 'named', kind: 'struct', name: struct };
    let offset = 0;
    let bitShift: number | undefined;
    let bitSize: number | undefined;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      const m = /^(\w+)((?:\[\d+\])*)$/.exec(parts[i]);
      if (!m) throw new KernelTypeError(`bad field path '${path}'`);
      const found = this.findMember(agg, m[1]);
      if (!found) throw new KernelTypeError(`struct ${struct} has no field '${path}'`);
      offset += found.offset;
      bitShift = found.bitShift;
      bitSize = found.bitSize;
      t = this.strip(found.type);
      for (const idx of m[2].match(/\d+/g) ?? []) {
        if (t.k !== 'array') throw new KernelTypeError(`'${m[1]}' in '${path}' is not an array`);
        t = this.strip(t.of);
        offset += Number(idx) * this.sizeAlign(t).size;
      }
      if (i < parts.length - 1) {
        if (t.k === 'named') agg = this.layout(t.name, t.kind);
        else if (t.k === 'anon') agg = this.layoutOf(t.def);
        else throw new KernelTypeError(`'${parts[i]}' in '${path}' is not a struct`);
      }
    }
    const ref: FieldRef = { offset, size: this.sizeAlign(t).size, type: t, bitShift, bitSize };
    this.fieldCache.set(key, ref);
    return ref;
  }

  offsetof(struct: string, path: string): number {
    return this.field(struct, path).offset;
  }

  private findMember(agg: AggregateLayout, name: string): MemberLayout | undefined {
    for (const m of agg.members) {
      if (m.name === name) return m;
      if (m.name === undefined) {
        const t = this.strip(m.type);
        const inner = t.k === 'anon' ? this.layoutOf(t.def) : t.k === 'named' ? this.layout(t.name, t.kind) : undefined;
        const r = inner && this.findMember(inner, name);
        if (r) return { ...r, offset: m.offset + r.offset };
      }
    }
    return undefined;
  }
}

export function fieldParts(f: FieldSpec): [name: string | undefined, type: TypeExpr, bits: number | undefined] {
  if ('anon' in f) return [undefined, { k: 'anon', def: f.anon }, undefined];
  return [f[0], toExpr(f[1]), f[2]];
}

function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
