// The kernel's BTF, generated from the same type table the world's memory layout comes from.
//
// Types are emitted depth-first from the declarations: a named struct gets its id before its
// members are visited, so self-referencing structs (task_struct *real_parent) resolve to it.
// Structs that are only referenced (struct vfsmount *, struct super_block *) become FWDs, as a
// program can only hold pointers to them.

import { BtfWriter, type StructMemberSpec } from '../../btf/index.js';
import type { AggregateLayout, TypeTable } from './layout.js';
import { KernelTypeError, toExpr, type FuncSpec, type TypeExpr } from './types.js';

export interface KernelBtf {
  bytes: Uint8Array;
  /** kfunc name → FUNC id */
  funcIds: Map<string, number>;
  /** `struct X` / `union X` / typedef name → type id */
  typeIds: Map<string, number>;
}

/**
 * Encode the table (plus kfunc prototypes) as BTF. Type ids and string offsets are a pure
 * function of the declarations, so two kernels with the same tables have identical BTF.
 */
export function buildKernelBtf(types: TypeTable, funcs: readonly FuncSpec[] = []): KernelBtf {
  const w = new BtfWriter();
  const keyed = new Map<string, number>();
  const anonIds = new WeakMap<object, number>();
  const typeIds = new Map<string, number>();

  const memo = (key: string, make: () => number): number => {
    const hit = keyed.get(key);
    if (hit !== undefined) return hit;
    const id = make();
    keyed.set(key, id);
    return id;
  };

  const members = (layout: AggregateLayout): StructMemberSpec[] =>
    layout.members.map((m) => ({ name: m.name ?? '', type: idOf(m.type), offset: m.offset, bitOffset: m.bitShift, bitSize: m.bitSize }));

  const idOf = (t: TypeExpr): number => {
    switch (t.k) {
      case 'void':
        return 0;
      case 'int':
        // pahole's encodings: plain char has none, _Bool is BOOL, signed types SIGNED
        return memo(`int ${t.name}`, () => w.addInt(t.name, t.size, { bool: t.bool, signed: t.signed && t.name !== 'char' && !t.bool }));
      case 'named': {
        const key = `${t.kind} ${t.name}`;
        const hit = keyed.get(key);
        if (hit !== undefined) return hit;
        if (!types.hasStruct(t.name, t.kind)) return memo(`fwd ${key}`, () => w.addFwd(t.name, t.kind));
        // the id exists before the members are visited: self references resolve to it
        const id = t.kind === 'struct' ? w.addStruct(t.name, 0) : w.addUnion(t.name, 0);
        keyed.set(key, id);
        typeIds.set(key, id);
        const l = types.layout(t.name, t.kind);
        w.setMembers(id, members(l), l.size);
        return id;
      }
      case 'anon': {
        const hit = anonIds.get(t.def);
        if (hit !== undefined) return hit;
        const id = t.def.kind === 'struct' ? w.addStruct('', 0) : w.addUnion('', 0);
        anonIds.set(t.def, id);
        const l = types.layoutOf(t.def);
        w.setMembers(id, members(l), l.size);
        return id;
      }
      case 'enum': {
        const e = types.enums.get(t.name);
        return memo(`enum ${t.name}`, () => w.addEnum(t.name, (e?.values ?? []).map(([name, value]) => ({ name, value })), { size: e?.size ?? 4 }));
      }
      case 'typedef': {
        const key = `typedef ${t.name}`;
        const hit = keyed.get(key);
        if (hit !== undefined) return hit;
        const d = types.typedefs.get(t.name);
        if (!d) throw new KernelTypeError(`typedef ${t.name} is not declared`);
        const id = w.addTypedef(t.name, 0);
        keyed.set(key, id);
        typeIds.set(t.name, id);
        const target = idOf(toExpr(d.type));
        const rec = w.getType(id);
        if (rec.kind === 'typedef') rec.type = target;
        return id;
      }
      case 'ptr': {
        const to = idOf(t.to);
        return memo(`ptr ${to}`, () => w.addPtr(to));
      }
      case 'const': {
        const of = idOf(t.of);
        return memo(`const ${of}`, () => w.addConst(of));
      }
      case 'volatile': {
        const of = idOf(t.of);
        return memo(`volatile ${of}`, () => w.addVolatile(of));
      }
      case 'array': {
        const of = idOf(t.of);
        return memo(`array ${of} ${t.n}`, () => w.addArray(of, t.n));
      }
      case 'fnptr':
        return proto(t.ret, t.args.map((a) => ['', a] as const));
    }
  };

  const proto = (ret: TypeExpr, args: readonly (readonly [string, TypeExpr])[]): number => {
    const retId = idOf(ret);
    const argIds = args.map(([, a]) => idOf(a));
    return memo(`proto ${retId} ${args.map(([n], i) => `${n}:${argIds[i]}`).join(',')}`, () =>
      w.addFuncProto(retId, args.map(([name], i) => ({ name, type: argIds[i] }))));
  };

// Declarations in table order, so ids are stable as the table grows at the end.
  for (const s of types.structs.values()) idOf({ k: 'named', kind: s.kind, name: s.name });
  for (const d of types.typedefs.values()) idOf({ k: 'typedef', name: d.name });
  for (const e of types.enums.values()) idOf({ k: 'enum', name: e.name });

  const funcIds = new Map<string, number>();
  for (const f of funcs) {
    if (funcIds.has(f.name)) throw new KernelTypeError(`kfunc ${f.name} declared twice`);
    const p = proto(toExpr(f.ret), f.args.map(([n, t]) => [n, toExpr(t)] as const));
    // kfuncs appear in vmlinux as static FUNCs (pahole's linkage for them)
    funcIds.set(f.name, w.addFunc(f.name, p, 'static'));
  }

  return { bytes: w.finish(), funcIds, typeIds };
}

