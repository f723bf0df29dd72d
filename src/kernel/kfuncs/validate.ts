// Registration checks for kfunc prototypes, as Linux applies when a kfunc set is registered
// (kernel/bpf/btf.c btf_check_kfunc_protos / btf_check_iter_kfuncs), plus a few of ours that the
// verifier would otherwise trip over later.

import type { TypeTable } from '../btf/layout.js';
import { parseType, type TypeExpr } from '../btf/types.js';
import { KF_ACQUIRE, KF_ALL, KF_ITER_DESTROY, KF_ITER_MASK, KF_ITER_NEW, KF_ITER_NEXT, KF_RET_NULL, KfuncError, type KfuncSpec } from './types.js';

/** MAX_BPF_FUNC_REG_ARGS: arguments pass in r1..r5 */
const MAX_ARGS = 5;
const ITER_PREFIX = 'bpf_iter_';

function strip(t: TypeExpr): TypeExpr {
  while (t.k === 'const' || t.k === 'volatile') t = t.of;
  return t;
}

function parse(spec: KfuncSpec, what: string, type: string | TypeExpr): TypeExpr {
  try {
    return typeof type === 'string' ? parseType(type) : type;
  } catch (e) {
    throw new KfuncError(`kfunc ${spec.name}: bad ${what} type: ${(e as Error).message}`);
  }
}

/**
 * Throw KfuncError unless `spec` is a well-formed kfunc. `types` gives struct sizes (iterator
 * state must be a positive multiple of 8 bytes to live on the BPF stack).
 */
export function validateKfunc(spec: KfuncSpec, types: TypeTable): void {
  const fail = (why: string): never => {
    throw new KfuncError(`kfunc ${spec.name}: ${why}`);
  };
  if (!/^[A-Za-z_]\w*$/.test(spec.name)) fail('name is not a C identifier');
  if (!Number.isInteger(spec.flags) || spec.flags < 0 || spec.flags & ~KF_ALL) fail(`unknown flag bits 0x${(spec.flags & ~KF_ALL).toString(16)}`);
  if (spec.args.length > MAX_ARGS) fail(`${spec.args.length} arguments (at most ${MAX_ARGS})`);
  const ret = strip(parse(spec, 'return', spec.ret));
  const args = spec.args.map(([n, t]) => strip(parse(spec, `argument '${n}'`, t)));
  if ((spec.flags & (KF_ACQUIRE | KF_RET_NULL)) && ret.k !== 'ptr') fail('KF_ACQUIRE / KF_RET_NULL kfuncs must return a pointer');

  const iter = spec.flags & KF_ITER_MASK;
  if (!iter) return;
  // exactly one of KF_ITER_{NEW,NEXT,DESTROY}
  if (iter & (iter - 1)) fail('more than one of KF_ITER_NEW / KF_ITER_NEXT / KF_ITER_DESTROY');
  if (args.length < 1) fail('an iterator kfunc takes `struct bpf_iter_<type> *` first');
  const a0 = args[0]!;
  const st = a0.k === 'ptr' ? strip(a0.to) : undefined;
  if (!st || st.k !== 'named' || st.kind !== 'struct') fail('first argument must be `struct bpf_iter_<type> *`');
  const stName = (st as { name: string }).name;
  if (!stName.startsWith(ITER_PREFIX)) fail(`first argument must point to a struct bpf_iter_<type>, not struct ${stName}`);
  if (!types.hasStruct(stName)) fail(`struct ${stName} is not declared`);
  const size = types.sizeof(stName);
  if (size === 0 || size % 8) fail(`struct ${stName} is ${size} bytes; iterator state must be a positive multiple of 8`);
  const type = stName.slice(ITER_PREFIX.length);
  const sfx = iter === KF_ITER_NEW ? 'new' : iter === KF_ITER_NEXT ? 'next' : 'destroy';
  const expected = `bpf_iter_${type}_${sfx}`;
  if (spec.name !== expected) fail(`an iterator ${sfx} kfunc over struct ${stName} must be named ${expected}`);
  if (iter !== KF_ITER_NEW && args.length !== 1) fail(`bpf_iter_<type>_${sfx} takes exactly one argument`);
  if (iter === KF_ITER_NEXT && ret.k !== 'ptr') fail('bpf_iter_<type>_next must return a pointer');
  if (iter === KF_ITER_DESTROY && ret.k !== 'void') fail('bpf_iter_<type>_destroy must return void');
}
