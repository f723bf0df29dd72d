// Type-compatibility rules shared by CO-RE and ksym resolution (libbpf's "shallow" check):
// kinds must agree after skipping modifiers and typedefs (enum ~ enum64); composites and enums
// are compatible by kind alone (their names were already matched); pointers, arrays and
// function prototypes recurse.

import type { Btf, BtfType } from '../btf/index.js';

const MAX_DEPTH = 32;

/** `task_struct___v2` → `task_struct`: the name without libbpf's ___flavor suffix. */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') {
      return name.slice(0, i + 1);
    }
  }
  return name;
}

export const isAnyEnum = (t: BtfType): boolean => t.kind === 'enum' || t.kind === 'enum64';
export const kindCompat = (a: BtfType, b: BtfType): boolean => a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));

/** Throws Error('too deep') past MAX_DEPTH so cyclic BTF cannot hang the caller. */
export function typesCompatible(lb: Btf, lid: number, tb: Btf, tid: number, depth = 0): boolean {
  if (depth > MAX_DEPTH) throw new Error('type compatibility check too deep');
  const lt = lb.resolve(lid);
  const tt = tb.resolve(tid);
  // A forward declaration stands for the struct/union it names (kfunc prototypes written
  // against `struct task_struct;` must match the kernel's full definition).
  const fwdOf = (a: BtfType, b: BtfType): boolean => a.kind === 'fwd' && (b.kind === 'struct' || b.kind === 'union') && a.fwdKind === b.kind;
  if (fwdOf(lt, tt) || fwdOf(tt, lt)) return true;
  if (!kindCompat(lt, tt)) return false;
  switch (lt.kind) {
    case 'void':
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
    case 'fwd':
      return true;
    case 'int':
      return lt.bitsOffset === 0 && tt.kind === 'int' && tt.bitsOffset === 0;
    case 'ptr':
      return typesCompatible(lb, lt.type, tb, (tt as typeof lt).type, depth + 1);
    case 'array':
      return typesCompatible(lb, lt.type, tb, (tt as typeof lt).type, depth + 1);
    case 'func_proto': {
      const tp = tt as typeof lt;
      if (lt.params.length !== tp.params.length || lt.variadic !== tp.variadic) return false;
      for (let i = 0; i < lt.params.length; i++) {
        if (!typesCompatible(lb, lt.params[i]!.type, tb, tp.params[i]!.type, depth + 1)) return false;
      }
      return typesCompatible(lb, lt.ret, tb, tp.ret, depth + 1);
    }
    default:
      return false;
  }
}
