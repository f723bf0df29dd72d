// The kernel's BTF, generated from the same type table the world's memory layout comes from.
//
// Types are emitted depth-first from the declarations: a named struct gets its id before its
// members are visited, so self-referencing structs (task_struct *real_parent) resolve to it.
// Structs that are only referenced (struct vfsmount *, struct super_block *) become FWDs, as a
// program can only hold pointers to them.

import { fieldParts, TypeTable } from './layout.js';
import { KernelTypeError, toExpr, type FuncSpec, type TypeExpr } from './types.js';

const KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, FUNC: 12, FUNC_PROTO: 13 } as const;
const BTF_MAGIC = 0xeb9f;
const BTF_INT_SIGNED = 1;
const BTF_INT_BOOL = 4;

interface Rec {
  name: string;
  kind: number;
  vlen: number;
  kflag: number;
  sizeOrType: number;
  /** extra u32 words after the common header (members, params, enum values, array, int) */
  extra: (number | string)[];
}

export interface KernelBtf {
  bytes: Uint8Array;
  /** kfunc name → FUNC id */
  funcIds: Map<string, number>;
  /** `struct X` / `union X` / typedef name → type id */
  typeIds: Map<string, number>;
}

/**
 * Encode the table (plus kfunc prototypes) as raw BTF. String offsets and type ids are a pure
 * function of the declarations, so two kernels with the same tables have identical BTF.
 */
export function buildKernelBtf(types: TypeTable, funcs: readonly FuncSpec[] = []): KernelBtf {
  const recs: Rec[] = [];
  const keyed = new Map<string, number>();
  const anonIds = new WeakMap<object, number>();
  const typeIds = new Map<string, number>();

  const push = (r: Rec): number => {
    recs.push(r);
    return recs.length; // ids start at 1
  };
  const memo = (key: string, make: () => Rec): number => {
    const hit = keyed.get(key);
    if (hit !== undefined) return hit;
    const id = push(make());
    keyed.set(key, id);
    return id;
  };

  const aggregate = (id: number, kind: 'struct' | 'union', layout: ReturnType<TypeTable['layoutOf']>): void => {
    const extra: (number | string)[] = [];
    for (const m of layout.members) extra.push(m.name ?? '', idOf(m.type), m.offset * 8);
    const r = recs[id - 1];
    r.kind = kind === 'struct' ? KIND.STRUCT : KIND.UNION;
    r.vlen = layout.members.length;
    r.sizeOrType = layout.size;
    r.extra = extra;
  };

  const idOf = (t: TypeExpr): number => {
    switch (t.k) {
      case 'void':
        return 0;
      case 'int': {
        // pahole's encodings: plain char has none, _Bool is BOOL, signed types SIGNED
        const enc = t.bool ? BTF_INT_BOOL : t.signed && t.name !== 'char' ? BTF_INT_SIGNED : 0;
        return memo(`int ${t.name}`, () => ({ name: t.name, kind: KIND.INT, vlen: 0, kflag: 0, sizeOrType: t.size, extra: [(enc << 24) | (t.size * 8)] }));
      }
      case 'named': {
        const key = `${t.kind} ${t.name}`;
        const hit = keyed.get(key);
        if (hit !== undefined) return hit;
        if (!types.hasStruct(t.name, t.kind)) {
          return memo(`fwd ${key}`, () => ({ name: t.name, kind: KIND.FWD, vlen: 0, kflag: t.kind === 'union' ? 1 : 0, sizeOrType: 0, extra: [] }));
        }
        const id = push({ name: t.name, kind: 0, vlen: 0, kflag: 0, sizeOrType: 0, extra: [] });
        keyed.set(key, id);
        typeIds.set(key, id);
        aggregate(id, t.kind, types.layout(t.name, t.kind));
        return id;
      }
      case 'anon': {
        const hit = anonIds.get(t.def);
        if (hit !== undefined) return hit;
        const id = push({ name: '', kind: 0, vlen: 0, kflag: 0, sizeOrType: 0, extra: [] });
        anonIds.set(t.def, id);
        aggregate(id, t.def.kind, types.layoutOf(t.def));
        return id;
      }
      case 'enum': {
        const e = types.enums.get(t.name);
        return memo(`enum ${t.name}`, () => ({
          name: t.name, kind: KIND.ENUM, vlen: e ? e.values.length : 0, kflag: 0, sizeOrType: e?.size ?? 4,
          extra: e ? e.values.flatMap(([n, v]) => [n, v >>> 0]) : [],
        }));
      }
      case 'typedef': {
        const key = `typedef ${t.name}`;
        const hit = keyed.get(key);
        if (hit !== undefined) return hit;
        const d = types.typedefs.get(t.name);
        if (!d) throw new KernelTypeError(`typedef ${t.name} is not declared`);
        const id = push({ name: t.name, kind: KIND.TYPEDEF, vlen: 0, kflag: 0, sizeOrType: 0, extra: [] });
        keyed.set(key, id);
        typeIds.set(t.name, id);
        recs[id - 1].sizeOrType = idOf(toExpr(d.type));
        return id;
      }
      case 'ptr': {
        const to = idOf(t.to);
        return memo(`ptr ${to}`, () => ({ name: '', kind: KIND.PTR, vlen: 0, kflag: 0, sizeOrType: to, extra: [] }));
      }
      case 'const': {
        const of = idOf(t.of);
        return memo(`const ${of}`, () => ({ name: '', kind: KIND.CONST, vlen: 0, kflag: 0, sizeOrType: of, extra: [] }));
      }
      case 'volatile': {
        const of = idOf(t.of);
        return memo(`volatile ${of}`, () => ({ name: '', kind: KIND.VOLATILE, vlen: 0, kflag: 0, sizeOrType: of, extra: [] }));
      }
      case 'array': {
        const of = idOf(t.of);
        const index = idOf(toExpr('int'));
        return memo(`array ${of} ${t.n}`, () => ({ name: '', kind: KIND.ARRAY, vlen: 0, kflag: 0, sizeOrType: 0, extra: [of, index, t.n] }));
      }
      case 'fnptr':
        return proto(t.ret, t.args.map((a) => ['', a] as const));
    }
  };

  const proto = (ret: TypeExpr, args: readonly (readonly [string, TypeExpr])[]): number => {
    const retId = idOf(ret);
    const argIds = args.map(([, a]) => idOf(a));
    return memo(`proto ${retId} ${args.map(([n], i) => `${n}:${argIds[i]}`).join(',')}`, () => ({
      name: '', kind: KIND.FUNC_PROTO, vlen: args.length, kflag: 0, sizeOrType: retId,
      extra: args.flatMap(([n], i) => [n, argIds[i]]),
    }));
  };

  // Declarations in table order, so ids are stable as the table grows at the end.
  for (const s of types.structs.values()) idOf({ k: 'named', kind: s.kind, name: s.name });
  for (const d of types.typedefs.values()) idOf({ k: 'typedef', name: d.name });
  for (const e of types.enums.values()) idOf({ k: 'enum', name: e.name });

  const funcIds = new Map<string, number>();
  for (const f of funcs) {
    if (funcIds.has(f.name)) throw new KernelTypeError(`kfunc ${f.name} declared twice`);
    const p = proto(toExpr(f.ret), f.args.map(([n, t]) => [n, toExpr(t)] as const));
    funcIds.set(f.name, push({ name: f.name, kind: KIND.FUNC, vlen: 0, kflag: 0, sizeOrType: p, extra: [] }));
  }

  return { bytes: encode(recs), funcIds, typeIds };
}

function encode(recs: Rec[]): Uint8Array {
  const strs: string[] = [''];
  const strOff = new Map<string, number>([['', 0]]);
  let strLen = 1;
  const te = new TextEncoder();
  const str = (s: string): number => {
    const hit = strOff.get(s);
    if (hit !== undefined) return hit;
    const off = strLen;
    strOff.set(s, off);
    strs.push(s);
    strLen += te.encode(s).length + 1;
    return off;
  };
  const words: number[] = [];
  for (const r of recs) {
    words.push(str(r.name), ((r.kflag ? 1 : 0) << 31) | (r.kind << 24) | r.vlen, r.sizeOrType);
    for (const x of r.extra) words.push(typeof x === 'string' ? str(x) : x);
  }
  const typeLen = words.length * 4;
  const hdrLen = 24;
  const out = new Uint8Array(hdrLen + typeLen + strLen);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  dv.setUint8(2, 1);
  dv.setUint8(3, 0);
  dv.setUint32(4, hdrLen, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, typeLen, true);
  dv.setUint32(16, typeLen, true);
  dv.setUint32(20, strLen, true);
  words.forEach((w, i) => dv.setUint32(hdrLen + i * 4, w >>> 0, true));
  let p = hdrLen + typeLen;
  for (const s of strs) {
    const b = te.encode(s);
    out.set(b, p);
    p += b.length + 1;
  }
  return out;
}

export { fieldParts };
