// Adding an iterator type from TypeScript: an embedder supplies the three prototypes and a
// constructor; we check the trio as a whole (the per-kfunc checks are validateKfunc's) and
// produce specs + implementations for registerKfuncs. The verifier needs nothing new: it reads
// KF_ITER_* flags and the state struct from the kernel BTF like for the built-in iterators.

import type { HelperFn } from '../../helpers/types.js';
import type { TypeTable } from '../../btf/layout.js';
import { KF_ITER_DESTROY, KF_ITER_MASK, KF_ITER_NEW, KF_ITER_NEXT, KfuncError, type KfuncSpec } from '../types.js';
import { validateKfunc } from '../validate.js';
import { iterTrio, type IterOpen } from './handles.js';

export interface IterTypeDef {
  /** `<type>` in bpf_iter_<type>_{new,next,destroy} and struct bpf_iter_<type> */
  type: string;
  /** the three prototypes, in any order */
  specs: readonly KfuncSpec[];
  /** the constructor: a cursor or -errno */
  open: IterOpen;
}

/** Check a trio and return what registerKfuncs takes. Throws KfuncError for malformed trios. */
export function defineIterType(def: IterTypeDef, types: TypeTable): { specs: KfuncSpec[]; impls: Record<string, HelperFn> } {
  const fail = (why: string): never => {
    throw new KfuncError(`iterator ${def.type}: ${why}`);
  };
  if (!/^[a-z_][a-z0-9_]*$/.test(def.type)) fail('type must be a lower-case C identifier');
  if (def.specs.length !== 3) fail(`needs exactly 3 kfuncs (new, next, destroy), got ${def.specs.length}`);
  const stateName = `bpf_iter_${def.type}`;
  const byKind = new Map<number, KfuncSpec>();
  for (const s of def.specs) {
    validateKfunc(s, types);
    const k = s.flags & KF_ITER_MASK;
    if (!k) fail(`${s.name} has none of KF_ITER_NEW / KF_ITER_NEXT / KF_ITER_DESTROY`);
    if (byKind.has(k)) fail(`two kfuncs with the same KF_ITER_* flag (${byKind.get(k)!.name}, ${s.name})`);
    byKind.set(k, s);
    if (!s.name.startsWith(`${stateName}_`)) fail(`${s.name} is not a ${stateName}_* kfunc`);
  }
  for (const k of [KF_ITER_NEW, KF_ITER_NEXT, KF_ITER_DESTROY]) if (!byKind.has(k)) fail('new, next and destroy must all be present');
  const size = types.sizeof(stateName);
  const fns = iterTrio(def.type, size, def.open);
  return {
    specs: [byKind.get(KF_ITER_NEW)!, byKind.get(KF_ITER_NEXT)!, byKind.get(KF_ITER_DESTROY)!],
    impls: { [`${stateName}_new`]: fns.new, [`${stateName}_next`]: fns.next, [`${stateName}_destroy`]: fns.destroy },
  };
}
