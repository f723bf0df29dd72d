// The vocabulary of the kernel's self-description: C-like type expressions.
//
// The simulated kernel declares its structs once, as data (see tables.ts). Both the memory
// layout of the world's objects and the kernel BTF are computed from those declarations, so a
// field's offset in memory and its offset in kernel.btf cannot disagree.

export class KernelTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelTypeError';
  }
}

export type TypeExpr =
  | { k: 'void' }
  | { k: 'int'; name: string; size: number; signed: boolean; bool?: boolean; char?: boolean }
  | { k: 'named'; kind: 'struct' | 'union'; name: string }
  | { k: 'enum'; name: string }
  | { k: 'typedef'; name: string }
  | { k: 'ptr'; to: TypeExpr }
  | { k: 'const'; of: TypeExpr }
  | { k: 'volatile'; of: TypeExpr }
  | { k: 'array'; of: TypeExpr; n: number }
  | { k: 'anon'; def: AggregateSpec }
  | { k: 'fnptr'; ret: TypeExpr; args: TypeExpr[] };

/** A field: `[name, type]`, `[name, type, bits]` for a bitfield, or an anonymous member `{ anon: {...} }`. */
export type FieldSpec =
  | readonly [name: string, type: string | TypeExpr]
  | readonly [name: string, type: string | TypeExpr, bits: number]
  | { readonly anon: AggregateSpec };

export interface AggregateSpec {
  kind: 'struct' | 'union';
  fields: readonly FieldSpec[];
  /** pad the aggregate to at least this many bytes (opaque tails) */
  minSize?: number;
  /** force a larger alignment (e.g. __attribute__((aligned(8)))) */
  align?: number;
}

export interface StructSpec extends AggregateSpec {
  name: string;
  /**
   * Members at fixed offsets instead of C layout, for structs whose layout another area owns
   * (struct bpf_map: src/kernel/maps). `fields` is then ignored.
   */
  fixed?: { size: number; members: readonly { name: string; offset: number; type: string | TypeExpr }[] };
}

export interface EnumSpec {
  name: string;
  size?: number;
  values: readonly (readonly [string, number])[];
}

export interface TypedefSpec {
  name: string;
  type: string | TypeExpr;
}

/** One kfunc prototype: `ret name(args...)` in type-string syntax. */
export interface FuncSpec {
  name: string;
  ret: string | TypeExpr;
  args: readonly (readonly [name: string, type: string | TypeExpr])[];
}

// The C integer types with the names BTF (and pahole) give them.
const INTS: Record<string, { size: number; signed: boolean; bool?: boolean; char?: boolean }> = {
  char: { size: 1, signed: true, char: true },
  'signed char': { size: 1, signed: true, char: true },
  'unsigned char': { size: 1, signed: false, char: true },
  _Bool: { size: 1, signed: false, bool: true },
  'short int': { size: 2, signed: true },
  'short unsigned int': { size: 2, signed: false },
  int: { size: 4, signed: true },
  'unsigned int': { size: 4, signed: false },
  'long int': { size: 8, signed: true },
  'long unsigned int': { size: 8, signed: false },
  'long long int': { size: 8, signed: true },
  'long long unsigned int': { size: 8, signed: false },
};

export const INT_NAMES = Object.keys(INTS);

export function intType(name: string): TypeExpr {
  const i = INTS[name];
  if (!i) throw new KernelTypeError(`unknown integer type '${name}'`);
  return { k: 'int', name, ...i };
}

export function fnPtr(ret: string | TypeExpr, ...args: (string | TypeExpr)[]): TypeExpr {
  return { k: 'ptr', to: { k: 'fnptr', ret: toExpr(ret), args: args.map(toExpr) } };
}

export function anon(kind: 'struct' | 'union', fields: readonly FieldSpec[], align?: number): TypeExpr {
  return { k: 'anon', def: { kind, fields, align } };
}

export function toExpr(t: string | TypeExpr): TypeExpr {
  return typeof t === 'string' ? parseType(t) : t;
}

const parseCache = new Map<string, TypeExpr>();

/**
 * Parse a C type string: `[const] base [*...] [const] [[N]]`, where base is `struct X`, `union X`,
 * `enum X`, an integer type name, `void` or a typedef name. Examples: `struct file **`,
 * `char[16]`, `const unsigned char *`, `u64`.
 */
export function parseType(src: string): TypeExpr {
  const hit = parseCache.get(src);
  if (hit) return hit;
  let s = src.trim();
  let arrayN: number | undefined;
  const am = /\[(\d+)\]$/.exec(s);
  if (am) {
    arrayN = Number(am[1]);
    s = s.slice(0, am.index).trim();
  }
  let stars = 0;
  let base = s;
  const sm = /^(.*?)\s*((?:\*\s*(?:const\s*)?)*)$/.exec(s);
  if (sm && sm[2]) {
    base = sm[1];
    stars = (sm[2].match(/\*/g) ?? []).length;
  }
  let isConst = false;
  let isVolatile = false;
  for (;;) {
    if (base.startsWith('const ')) {
      isConst = true;
      base = base.slice(6).trim();
    } else if (base.startsWith('volatile ')) {
      isVolatile = true;
      base = base.slice(9).trim();
    } else break;
  }
  let t: TypeExpr;
  const words = base.split(/\s+/);
  if (base === 'void') t = { k: 'void' };
  else if (words[0] === 'struct' || words[0] === 'union') {
    if (words.length !== 2) throw new KernelTypeError(`bad type '${src}'`);
    t = { k: 'named', kind: words[0], name: words[1] };
  } else if (words[0] === 'enum') {
    if (words.length !== 2) throw new KernelTypeError(`bad type '${src}'`);
    t = { k: 'enum', name: words[1] };
  } else if (INTS[base]) t = intType(base);
  else if (/^[A-Za-z_]\w*$/.test(base)) t = { k: 'typedef', name: base };
  else throw new KernelTypeError(`bad type '${src}'`);
  if (isVolatile) t = { k: 'volatile', of: t };
  if (isConst) t = { k: 'const', of: t };
  for (let i = 0; i < stars; i++) t = { k: 'ptr', to: t };
  if (arrayN !== undefined) t = { k: 'array', of: t, n: arrayN };
  parseCache.set(src, t);
  return t;
}
