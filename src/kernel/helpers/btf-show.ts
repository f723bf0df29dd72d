// BTF-typed pretty printing for bpf_snprintf_btf / bpf_seq_printf_btf (the kernel's
// btf_type_show). The layout was matched against Linux 6.18 output:
//
//   (struct timespec64){
//    .tv_sec = (time64_t)1,
//    .tv_nsec = (long int)2,
//   }
//
// one space of indent per level, a trailing comma after every member, zero-valued members left
// out unless BTF_F_ZERO, pointers hashed unless BTF_F_PTR_RAW, modifiers dropped from type names,
// arrays as `(char[])[ 'L', 'i', ]`, anonymous members as `(union){ ... }`.

import type { Btf } from '../../btf/index.js';
import type { BtfType } from '../../btf/types.js';

export const BTF_F_COMPACT = 1n << 0n;
export const BTF_F_NONAME = 1n << 1n;
export const BTF_F_PTR_RAW = 1n << 2n;
export const BTF_F_ZERO = 1n << 3n;
export const BTF_F_ALL = BTF_F_COMPACT | BTF_F_NONAME | BTF_F_PTR_RAW | BTF_F_ZERO;

const BTF_INT_SIGNED = 1;
const BTF_INT_CHAR = 2;
const BTF_INT_BOOL = 4;
/** nesting beyond this is cut off (the kernel's BTF_SHOW_MAX_ITER is 10) */
const MAX_DEPTH = 10;

export interface ShowOptions {
  flags: bigint;
  /** %p-style hash for pointers when BTF_F_PTR_RAW is not set */
  hashPointer(ptr: bigint): bigint;
}

export class BtfShowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BtfShowError';
  }
}

class Shower {
  private out = '';
  private readonly compact: boolean;
  private readonly noname: boolean;
  private readonly zero: boolean;
  private readonly raw: boolean;

  constructor(
    private readonly btf: Btf,
    private readonly data: Uint8Array,
    private readonly opts: ShowOptions,
  ) {
    this.compact = (opts.flags & BTF_F_COMPACT) !== 0n;
    this.noname = (opts.flags & BTF_F_NONAME) !== 0n;
    this.zero = (opts.flags & BTF_F_ZERO) !== 0n;
    this.raw = (opts.flags & BTF_F_PTR_RAW) !== 0n;
  }

  run(id: number): string {
    this.value(id, 0, 0, 0, 0, '', true);
    return this.out;
  }

  /** Type name as the kernel shows it: typedef names kept, const/volatile dropped. */
  private typeName(id: number): string {
    const t = this.btf.get(id);
    switch (t.kind) {
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
        return this.typeName(t.type);
      case 'ptr': {
        const inner = this.btf.get(this.btf.skipModifiers(t.type));
        if (inner.kind === 'func_proto') return this.btf.typeToString(id).replace(/\bconst /g, '');
        const n = this.typeName(t.type);
        return n.endsWith('*') ? `${n}*` : `${n} *`;
      }
      case 'array':
        return `${this.typeName(t.type)}[]`;
      case 'struct':
      case 'union':
        return t.name ? `${t.kind} ${t.name}` : t.kind;
      case 'enum':
      case 'enum64':
        return t.name ? `enum ${t.name}` : 'enum';
      case 'void':
        return 'void';
      default:
        return t.name;
    }
  }

  private isZero(off: number, size: number): boolean {
    for (let i = off; i < off + size && i < this.data.length; i++) if (this.data[i] !== 0) return false;
    return true;
  }

  private line(depth: number, text: string): void {
    this.out += this.compact ? text : `${' '.repeat(depth)}${text}`;
  }

  private nl(): void {
    if (!this.compact) this.out += '\n';
  }

  private readUint(off: number, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.data[off + i] ?? 0);
    return v;
  }

  /**
   * Show one value. `member` is the `.name = ` prefix ('' at top level and in arrays);
   * `showType` adds the `(type)` prefix (not for array elements).
   */
  private value(id: number, off: number, bitOff: number, bitSize: number, depth: number, member: string, showType: boolean): void {
    const resolved = this.btf.resolveId(id);
    const t = this.btf.get(resolved);
    const prefix = (this.noname ? '' : member) + (showType && !this.noname ? `(${this.typeName(id)})` : '');
    const top = depth === 0;
    const end = top ? '' : ',';
    if (depth > MAX_DEPTH) throw new BtfShowError('type nesting too deep');
    switch (t.kind) {
      case 'struct':
      case 'union': {
        this.line(depth, `${prefix}{`);
        this.nl();
        for (const m of this.btf.members(resolved)) {
          const mOff = off + Math.floor(m.bitOffset / 8);
          const mSize = m.bitfieldSize ? Math.ceil(((m.bitOffset % 8) + m.bitfieldSize) / 8) : this.btf.sizeof(m.type);
          if (!this.zero && this.isZero(mOff, mSize)) continue;
          this.value(m.type, mOff, m.bitfieldSize ? m.bitOffset % 8 : 0, m.bitfieldSize, depth + 1, m.name ? `.${m.name} = ` : '', true);
        }
        this.line(depth, `}${end}`);
        break;
      }
      case 'array': {
        const elemSize = this.btf.sizeof(t.type);
        this.line(depth, `${prefix}[`);
        this.nl();
        for (let i = 0; i < t.nelems; i++) {
          const eOff = off + i * elemSize;
          if (!this.zero && this.isZero(eOff, elemSize)) continue;
          this.value(t.type, eOff, 0, 0, depth + 1, '', false);
        }
        this.line(depth, `]${end}`);
        break;
      }
      default:
        this.line(depth, `${prefix}${this.scalar(t, off, bitOff, bitSize)}${end}`);
    }
    this.nl();
  }

  private scalar(t: BtfType, off: number, bitOff: number, bitSize: number): string {
    switch (t.kind) {
      case 'int': {
        let v = bitSize ? (this.readUint(off, Math.ceil((bitOff + bitSize) / 8)) >> BigInt(bitOff)) & ((1n << BigInt(bitSize)) - 1n) : this.readUint(off, t.size);
        const bits = bitSize || t.size * 8;
        if (t.encoding & BTF_INT_BOOL) return v ? 'true' : 'false';
        if (t.encoding & BTF_INT_CHAR && t.size === 1 && v >= 0x20n && v < 0x7fn) return `'${String.fromCharCode(Number(v))}'`;
        if (t.encoding & BTF_INT_SIGNED) v = BigInt.asIntN(bits, v);
        return v.toString();
      }
      case 'enum':
      case 'enum64': {
        let v = this.readUint(off, t.size);
        if (t.kind === 'enum' ? t.signed : false) v = BigInt.asIntN(t.size * 8, v);
        const hit = t.kind === 'enum' ? t.values.find((e) => BigInt(e.value) === v || BigInt.asUintN(32, BigInt(e.value)) === v) : t.values.find((e) => e.value === v);
        return hit ? hit.name : v.toString();
      }
      case 'ptr': {
        const v = this.readUint(off, 8);
        const shown = this.raw ? v : v === 0n ? 0n : this.opts.hashPointer(v) & 0xffffffffn;
        return `0x${shown.toString(16).padStart(16, '0')}`;
      }
      case 'float':
        return `0x${this.readUint(off, t.size).toString(16)}`;
      default:
        return '';
    }
  }
}

/** Render `data` (the object's bytes) as type `typeId` of `btf`. */
export function btfShow(btf: Btf, typeId: number, data: Uint8Array, opts: ShowOptions): string {
  const s = new Shower(btf, data, opts).run(typeId);
  // the top level ends the text with a newline unless compact
  return s;
}
