// BTF → compilable C header, in the spirit of `bpftool btf dump file X format c`.
//
// Named types are ordered so every type used by value is complete before its user and every
// struct/union used only through a pointer is at least forward-declared. Anonymous structs,
// unions and enums are printed inline where they are used. Struct layouts are reproduced
// exactly: holes become unnamed bitfields and under-aligned members make the struct packed.

import type { Btf } from './btf.js';
import { BtfError } from './errors.js';
import type { BtfComposite, BtfEnum, BtfEnum64, BtfType } from './types.js';

export interface DumpCOptions {
  /** include guard macro; false for none (default __VMLINUX_H__ like bpftool) */
  guard?: string | false;
  /** wrap in the `preserve_access_index` pragma bpftool emits (default true) */
  preserveAccessIndex?: boolean;
  /** print btf_type_tag attributes (default false, like bpftool) */
  emitTypeTags?: boolean;
  /** print btf_decl_tag attributes on types and members (default false) */
  emitDeclTags?: boolean;
}

const enum Ord {
  None = 0,
  Ordering = 1,
  Ordered = 2,
}

const INT_WORDS = new Set(['signed', 'unsigned', 'char', 'short', 'int', 'long', '_Bool', '__int128']);
const FLOAT_NAMES = new Set(['float', 'double', 'long double']);

const isCIntName = (n: string): boolean => n !== '' && n.split(' ').every((w) => INT_WORDS.has(w));

class CDumper {
  private readonly btf: Btf;
  private readonly opts: DumpCOptions;
  private readonly state: Uint8Array;
  private readonly order: number[] = [];
  private readonly names = new Map<number, string>();
  private readonly enumValueNames = new Map<string, string>();
  /** struct/union/fwd tags already declared or defined */
  private readonly declared = new Set<string>();
  private readonly emittedEnums = new Set<number>();
  private pendingFwds: string[] = [];
  private currentTag = '';
  private referenced: Uint8Array | undefined;
  /** per id: 1 = walked weakly, 2 = walked strongly (for kinds without an Ord state) */
  private readonly walked: Uint8Array;
  /** declarator nodes printed so far: pathological DAGs would otherwise print exponentially */
  private budget = 0;

  constructor(btf: Btf, opts: DumpCOptions) {
    this.btf = btf;
    this.opts = opts;
    this.state = new Uint8Array(btf.length);
    this.walked = new Uint8Array(btf.length);
    this.assignNames();
  }

  // ---------------------------------------------------------------- names

  /** C has one tag namespace and one ordinary namespace: later clashes get a ___N suffix. */
  private assignNames(): void {
    const btf = this.btf;
    const tagUse = new Map<string, number>();
    const identUse = new Map<string, number>();
    const unique = (use: Map<string, number>, name: string): string => {
      const n = use.get(name) ?? 0;
      use.set(name, n + 1);
      return n === 0 ? name : `${name}___${n + 1}`;
    };
    const fwds: number[] = [];
    for (let id = 1; id < btf.length; id++) {
      const kind = btf.kindName(id);
      if (kind === 'fwd') {
        fwds.push(id);
        continue;
      }
      if (kind === 'struct' || kind === 'union' || kind === 'enum' || kind === 'enum64') {
        const name = btf.nameOf(id);
        if (name !== '') this.names.set(id, unique(tagUse, name));
      } else if (kind === 'typedef') {
        this.names.set(id, unique(identUse, btf.nameOf(id)));
      } else if (kind === 'int') {
        const name = btf.nameOf(id);
        if (!isCIntName(name)) this.names.set(id, unique(identUse, name));
      } else if (kind === 'float') {
        const name = btf.nameOf(id);
        if (!FLOAT_NAMES.has(name)) this.names.set(id, unique(identUse, name));
      }
    }
    // A forward declaration names the same tag as the definition it stands for.
    for (const id of fwds) {
      const name = btf.nameOf(id);
      if (!tagUse.has(name)) tagUse.set(name, 1);
      this.names.set(id, name);
    }
    for (let id = 1; id < btf.length; id++) {
      const kind = btf.kindName(id);
      if (kind !== 'enum' && kind !== 'enum64') continue;
      const t = btf.get(id) as BtfEnum | BtfEnum64;
      for (const v of t.values) this.enumValueNames.set(`${id}:${v.name}`, unique(identUse, v.name));
    }
  }

  private nameOf(id: number): string {
    return this.names.get(id) ?? this.btf.nameOf(id);
  }

  // ---------------------------------------------------------------- ordering

  private isNamedComposite(id: number): boolean {
    const t = this.btf.get(this.btf.skipModifiers(id));
    return (t.kind === 'struct' || t.kind === 'union' || t.kind === 'fwd') && t.name !== '';
  }

  /**
   * Order `id` and what it needs. `weak`: reached through a pointer (or a function prototype),
   * where a forward declaration of a struct suffices.
   */
  private orderType(id: number, weak: boolean, depth = 0): void {
    if (depth > 1000) throw new BtfError(`type [${id}]: type graph too deep or cyclic to dump`);
    const t = this.btf.get(id);
    if (t.kind === 'ptr' || t.kind === 'array' || t.kind === 'func_proto' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag') {
      const mode = weak ? 1 : 2;
      if (this.walked[id]! >= mode) return;
      this.walked[id] = mode;
    }
    switch (t.kind) {
      case 'void':
      case 'int':
      case 'float':
        if (t.kind !== 'void' && this.names.has(id) && this.state[id] === Ord.None) {
          this.state[id] = Ord.Ordered;
          this.order.push(id);
        }
        return;
      case 'ptr':
        return this.orderType(t.type, true, depth + 1);
      case 'array':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
        return this.orderType(t.type, weak, depth + 1);
      case 'func_proto':
        this.orderType(t.ret, true, depth + 1);
        for (const p of t.params) this.orderType(p.type, true, depth + 1);
        return;
      case 'struct':
      case 'union': {
        const named = t.name !== '';
        if (named && weak) return;
        if (this.state[id] !== Ord.None) return;
        this.state[id] = Ord.Ordering;
        for (const m of t.members) this.orderType(m.type, false, depth + 1);
        this.state[id] = Ord.Ordered;
        if (named) this.order.push(id);
        return;
      }
      case 'enum':
      case 'enum64':
        if (this.state[id] !== Ord.None) return;
        this.state[id] = Ord.Ordered;
        if (t.name !== '') this.order.push(id);
        return;
      case 'fwd':
        if (this.state[id] !== Ord.None) return;
        this.state[id] = Ord.Ordered;
        this.order.push(id);
        return;
      case 'typedef': {
        if (this.state[id] === Ord.None) {
          this.state[id] = Ord.Ordering;
          // `typedef struct foo foo_t;` only needs the tag, not the complete struct.
          this.orderType(t.type, weak || this.isNamedComposite(t.type), depth + 1);
          this.state[id] = Ord.Ordered;
          this.order.push(id);
        }
        // A user of foo_t by value needs struct foo complete.
        if (!weak && this.state[id] === Ord.Ordered) this.orderType(t.type, false, depth + 1);
        return;
      }
      case 'func':
      case 'var':
      case 'datasec':
      case 'decl_tag':
        return;
    }
  }

  // ---------------------------------------------------------------- printing

  private tagRef(kw: string, name: string): string {
    const key = `${kw} ${name}`;
    if (!this.declared.has(key) && key !== this.currentTag && !this.pendingFwds.includes(key)) this.pendingFwds.push(key);
    return key;
  }

  /** C declaration of `inner` with type id, anonymous composites inlined at `indent` */
  private declare(id: number, inner: string, indent: number, depth = 0): string {
    if (depth > 1000) throw new BtfError(`type [${id}]: type chain too deep or cyclic`);
    if (--this.budget < 0) throw new BtfError(`type [${id}]: C declaration too large to print`);
    const t = this.btf.get(id);
    const sp = inner === '' ? '' : ' ' + inner;
    const wrap = (s: string): string => (s.startsWith('*') ? `(${s})` : s);
    switch (t.kind) {
      case 'void':
        return 'void' + sp;
      case 'int':
      case 'float':
      case 'typedef':
        return this.nameOf(id) + sp;
      case 'struct':
      case 'union':
        if (t.name === '') return this.compositeBody(t, indent, depth) + sp;
        return this.tagRef(t.kind, this.nameOf(id)) + sp;
      case 'fwd':
        return this.tagRef(t.fwdKind, this.nameOf(id)) + sp;
      case 'enum':
      case 'enum64':
        if (t.name === '') return this.enumBody(t, indent) + sp;
        return `enum ${this.nameOf(id)}${sp}`;
      case 'ptr':
        return this.declare(t.type, '*' + inner, indent, depth + 1);
      case 'const':
      case 'volatile':
      case 'restrict': {
        const tgt = this.btf.get(this.btf.skipModifiers(t.type));
        if (tgt.kind === 'ptr') return this.declare(t.type, `${t.kind}${sp}`, indent, depth + 1);
        const rest = this.declare(t.type, inner, indent, depth + 1);
        // qualifiers reached twice (const array of const elements) are said once
        return rest.startsWith(`${t.kind} `) ? rest : `${t.kind} ${rest}`;
      }
      case 'type_tag':
        if (this.opts.emitTypeTags) {
          return this.declare(t.type, `__attribute__((btf_type_tag("${t.name}")))${sp}`, indent, depth + 1);
        }
        return this.declare(t.type, inner, indent, depth + 1);
      case 'array':
        return this.declare(t.type, `${wrap(inner)}[${t.nelems}]`, indent, depth + 1);
      case 'func_proto': {
        const ps = t.params.map((p) => this.declare(p.type, '', indent, depth + 1));
        if (t.variadic) ps.push('...');
        return this.declare(t.ret, `${wrap(inner)}(${ps.length ? ps.join(', ') : 'void'})`, indent, depth + 1);
      }
      default:
        throw new BtfError(`type [${id}] ${t.kind.toUpperCase()} cannot be used in a C declaration`);
    }
  }

  private enumBody(t: BtfEnum | BtfEnum64, indent: number): string {
    const tabs = '\t'.repeat(indent + 1);
    const lines = t.values.map((v) => {
      const name = this.enumValueNames.get(`${t.id}:${v.name}`) ?? v.name;
      let val: string;
      if (t.kind === 'enum64') val = `${v.value}${t.signed ? 'LL' : 'ULL'}`;
      else val = String(v.value);
      return `${tabs}${name} = ${val},`;
    });
    const head = t.name === '' ? 'enum' : `enum ${this.nameOf(t.id)}`;
    if (lines.length === 0) return `${head} {}`;
    let attr = '';
    // clang sizes an enum by its values; an explicitly smaller/larger one needs mode().
    const natural = this.naturalEnumSize(t);
    if (t.size !== natural) {
      const mode = { 1: 'byte', 2: 'HI', 4: 'SI', 8: 'DI' }[t.size];
      if (mode) attr = ` __attribute__((mode(${mode})))`;
    }
    return `${head} {\n${lines.join('\n')}\n${'\t'.repeat(indent)}}${attr}`;
  }

  private naturalEnumSize(t: BtfEnum | BtfEnum64): number {
    for (const v of t.values) {
      const b = BigInt(v.value);
      if (b < -0x80000000n || b > 0xffffffffn) return 8;
    }
    return 4;
  }

  private compositeBody(t: BtfComposite, indent: number, depth: number): string {
    const btf = this.btf;
    const tabs = '\t'.repeat(indent + 1);
    const lines: string[] = [];
    const packed = t.kind === 'struct' && this.isPacked(t);
    const structAlign = packed ? 1 : this.safeAlign(t.id);
    const padUnitBytes = Math.min(8, structAlign);
    const padType = { 1: 'char', 2: 'short', 4: 'int', 8: 'long' }[padUnitBytes] ?? 'char';
    const padUnit = padUnitBytes * 8;
    let cursor = 0;
    const pad = (to: number): void => {
      if (to - cursor > 256 * 1024 * 8) {
        throw new BtfError(`type [${t.id}] ${t.kind.toUpperCase()} '${t.name}': hole of ${(to - cursor) / 8} bytes is implausible`);
      }
      while (cursor < to) {
        const chunk = Math.min(to - cursor, padUnit - (cursor % padUnit));
        lines.push(`${tabs}${padType}: ${chunk};`);
        cursor += chunk;
      }
    };
    t.members.forEach((m, i) => {
      const bits = m.bitfieldSize;
      if (t.kind === 'struct') {
        let natural: number;
        if (bits) {
          const unit = this.safeSize(m.type) * 8 || 8;
          const straddles = Math.floor(cursor / unit) !== Math.floor((cursor + bits - 1) / unit);
          natural = straddles && !packed ? Math.ceil(cursor / unit) * unit : cursor;
        } else {
          const a = (packed ? 1 : this.safeAlign(m.type)) * 8;
          natural = Math.ceil(cursor / a) * a;
        }
        if (natural !== m.bitOffset && m.bitOffset > cursor) pad(m.bitOffset);
      }
      let decl = this.declare(m.type, m.name, indent + 1, depth + 1);
      if (bits) decl += `: ${bits}`;
      if (this.opts.emitDeclTags) {
        for (const tag of btf.declTags(t.id, i)) decl += ` __attribute__((btf_decl_tag("${tag.name}")))`;
      }
      lines.push(`${tabs}${decl};`);
      if (t.kind === 'struct') cursor = m.bitOffset + (bits || this.safeSize(m.type) * 8);
    });
    if (t.kind === 'struct') {
      const end = Math.ceil(cursor / (structAlign * 8)) * structAlign * 8;
      if (end !== t.size * 8 && t.size * 8 > cursor) pad(t.size * 8);
    }
    const head = t.name === '' ? t.kind : `${t.kind} ${this.nameOf(t.id)}`;
    let attrs = packed ? ' __attribute__((packed))' : '';
    if (this.opts.emitDeclTags) {
      for (const tag of btf.declTags(t.id, -1)) attrs += ` __attribute__((btf_decl_tag("${tag.name}")))`;
    }
    if (lines.length === 0) return `${head} {}${attrs}`;
    return `${head} {\n${lines.join('\n')}\n${'\t'.repeat(indent)}}${attrs}`;
  }

  private safeSize(id: number): number {
    try {
      return this.btf.sizeof(id);
    } catch {
      return 0;
    }
  }

  private safeAlign(id: number): number {
    try {
      return this.btf.alignof(id);
    } catch {
      return 1;
    }
  }

  /** a member off its natural alignment, or a size that is not a multiple of it */
  private isPacked(t: BtfComposite): boolean {
    let max = 1;
    for (const m of t.members) {
      const a = this.safeAlign(m.type);
      if (m.bitfieldSize === 0 && m.bitOffset % (a * 8) !== 0) return true;
      max = Math.max(max, a);
    }
    return t.size % max !== 0;
  }

  private flush(def: string, out: string[]): void {
    for (const f of this.pendingFwds) {
      out.push(`${f};`, '');
      this.declared.add(f);
    }
    this.pendingFwds = [];
    out.push(def);
  }

  private emit(id: number, out: string[]): void {
    this.budget = 200_000;
    const t: BtfType = this.btf.get(id);
    switch (t.kind) {
      case 'struct':
      case 'union': {
        const tag = `${t.kind} ${this.nameOf(id)}`;
        this.currentTag = tag;
        const body = this.compositeBody(t, 0, 0);
        this.currentTag = '';
        this.flush(`${body};`, out);
        this.declared.add(tag);
        return;
      }
      case 'fwd': {
        const tag = `${t.fwdKind} ${this.nameOf(id)}`;
        if (!this.declared.has(tag)) {
          out.push(`${tag};`);
          this.declared.add(tag);
        }
        return;
      }
      case 'enum':
      case 'enum64':
        if (this.emittedEnums.has(id)) return;
        this.emittedEnums.add(id);
        out.push(`${this.enumBody(t, 0)};`);
        return;
      case 'typedef': {
        // the compiler's own type; redefining it breaks every header that uses va_list
        if (t.name === '__builtin_va_list') return;
        const def = `typedef ${this.declare(t.type, this.nameOf(id), 0)};`;
        this.flush(def, out);
        return;
      }
      case 'int': {
        const base = t.encoding & 4 ? '_Bool' : `${t.signed ? 'signed' : 'unsigned'} ${intSpelling(t.size)}`;
        out.push(`typedef ${base} ${this.nameOf(id)};`);
        return;
      }
      case 'float':
        out.push(`typedef ${t.size === 4 ? 'float' : t.size === 8 ? 'double' : 'long double'} ${this.nameOf(id)};`);
        return;
      default:
        return;
    }
  }

  private isReferenced(id: number): boolean {
    if (!this.referenced) {
      const r = new Uint8Array(this.btf.length);
      for (let i = 1; i < this.btf.length; i++) {
        const t = this.btf.get(i);
        switch (t.kind) {
          case 'struct':
          case 'union':
            for (const m of t.members) r[m.type] = 1;
            break;
          case 'func_proto':
            r[t.ret] = 1;
            for (const p of t.params) r[p.type] = 1;
            break;
          case 'datasec':
            break;
          case 'ptr':
          case 'typedef':
          case 'const':
          case 'volatile':
          case 'restrict':
          case 'type_tag':
          case 'array':
          case 'var':
            r[t.type] = 1;
            break;
          default:
            break;
        }
      }
      this.referenced = r;
    }
    return this.referenced[id] === 1;
  }

  dump(): string {
    const btf = this.btf;
    for (let id = 1; id < btf.length; id++) {
      const kind = btf.kindName(id);
      if (kind === 'struct' || kind === 'union' || kind === 'typedef' || kind === 'fwd') {
        if (btf.nameOf(id) !== '') this.orderType(id, false);
      } else if (kind === 'enum' || kind === 'enum64') {
        // anonymous enums nobody uses still carry constants (vmlinux has many)
        if (btf.nameOf(id) !== '' || !this.isReferenced(id)) {
          if (this.state[id] === Ord.None) {
            this.state[id] = Ord.Ordered;
            this.order.push(id);
          }
        }
      }
    }
    const out: string[] = [];
    for (const id of this.order) {
      const before = out.length;
      this.emit(id, out);
      if (out.length !== before) out.push('');
    }
    const guard = this.opts.guard === undefined ? '__VMLINUX_H__' : this.opts.guard;
    const pai = this.opts.preserveAccessIndex ?? true;
    const head: string[] = [];
    const tail: string[] = [];
    if (guard) {
      head.push(`#ifndef ${guard}`, `#define ${guard}`, '');
      tail.unshift('', `#endif /* ${guard} */`);
    }
    if (pai) {
      head.push(
        '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX',
        '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
        '#endif',
        '',
      );
      tail.unshift('#ifndef BPF_NO_PRESERVE_ACCESS_INDEX', '#pragma clang attribute pop', '#endif');
    }
    return [...head, ...out, ...tail].join('\n') + '\n';
  }
}

function intSpelling(size: number): string {
  switch (size) {
    case 1:
      return 'char';
    case 2:
      return 'short';
    case 4:
      return 'int';
    case 8:
      return 'long long';
    default:
      return '__int128';
  }
}

/** A C header declaring every named type of `btf` (like `bpftool btf dump file X format c`). */
export function dumpC(btf: Btf, opts: DumpCOptions = {}): string {
  return new CDumper(btf, opts).dump();
}
