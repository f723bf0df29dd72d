// An embedder adds an iterator type the kernel does not have (the selftests' bpf_testmod_seq)
// from TypeScript; programs then use it through bpf_for_each with no verifier or engine change.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { KF_ITER_DESTROY, KF_ITER_NEW, KF_ITER_NEXT, KF_RET_NULL, KFUNC_IMPLS, KFUNC_TABLE, KfuncError, registerKfuncs, type KfuncSpec } from '../../src/kernel/kfuncs/index.js';
import { defineIterType, liveIterators, type IterTypeDef } from '../../src/kernel/kfuncs/iters/index.js';
import { ENGINES, loadProg } from './helpers.js';

const EINVAL = 22;
const it0: [string, string] = ['it', 'struct bpf_iter_testmod_seq *'];
const SPECS: KfuncSpec[] = [
  { name: 'bpf_iter_testmod_seq_new', ret: 'int', args: [it0, ['value', 's64'], ['cnt', 'int']], flags: KF_ITER_NEW },
  { name: 'bpf_iter_testmod_seq_next', ret: 's64 *', args: [it0], flags: KF_ITER_NEXT | KF_RET_NULL },
  { name: 'bpf_iter_testmod_seq_destroy', ret: 'void', args: [it0], flags: KF_ITER_DESTROY },
];

/** value repeated cnt times; next() returns a pointer to the value kept in the state (offset 8). */
const TESTMOD: IterTypeDef = {
  type: 'testmod_seq',
  specs: SPECS,
  open: (env, st, value, cntArg) => {
    let cnt = Number(BigInt.asIntN(32, cntArg));
    if (cnt < 0) return -EINVAL;
    env.kernel.mem.writeU64(st.off + 8, value);
    return { next: () => (cnt-- > 0 ? st.ptr + 8n : 0n) };
  },
};

function kernelWithTestmod(): Kernel {
  const kernel = new Kernel();
  const t = defineIterType(TESTMOD, kernel.types);
  registerKfuncs(kernel, [...KFUNC_TABLE, ...t.specs], { ...KFUNC_IMPLS, ...t.impls });
  return kernel;
}

describe.each(ENGINES)('embedder-registered iterator (%s)', (engine) => {
  it('bpf_for_each(testmod_seq, ...) runs, nested with bpf_for', async () => {
    const kernel = kernelWithTestmod();
    expect(kernel.kfuncBtfId('bpf_iter_testmod_seq_next')).toBeGreaterThan(0);
    const obj = await loadProg('iter_testmod.bpf.o', engine, kernel);
    expect(obj.program('testmod_sum').run().retval).toBe(7n * 3n + 3n);
    expect(BigInt.asIntN(32, obj.program('testmod_bad').run().retval)).toBe(BigInt(-EINVAL * 10));
    expect(liveIterators(kernel)).toBe(0);
  });
});

describe('iterator trio validation', () => {
  const types = new Kernel({ bare: true }).types;
  const bad = (patch: Partial<IterTypeDef>, re: RegExp): void => {
    expect(() => defineIterType({ ...TESTMOD, ...patch }, types)).toThrow(KfuncError);
    expect(() => defineIterType({ ...TESTMOD, ...patch }, types)).toThrow(re);
  };

  it('accepts the well-formed trio in any order', () => {
    const r = defineIterType({ ...TESTMOD, specs: [SPECS[2]!, SPECS[0]!, SPECS[1]!] }, types);
    expect(r.specs.map((s) => s.name)).toEqual(SPECS.map((s) => s.name));
    expect(Object.keys(r.impls).sort()).toEqual(SPECS.map((s) => s.name).sort());
  });

  it('rejects malformed trios', () => {
    bad({ specs: SPECS.slice(0, 2) }, /exactly 3/);
    bad({ specs: [SPECS[0]!, SPECS[1]!, { ...SPECS[2]!, flags: KF_ITER_NEXT }] }, /must be named|same KF_ITER/);
    bad({ specs: [SPECS[0]!, SPECS[1]!, { ...SPECS[2]!, ret: 'int' }] }, /must return void/);
    bad({ specs: [SPECS[0]!, { ...SPECS[1]!, ret: 's64' }, SPECS[2]!] }, /must return a pointer/);
    bad({ specs: [{ ...SPECS[0]!, args: [['it', 'struct bpf_iter_num *']] }, SPECS[1]!, SPECS[2]!] }, /must be named bpf_iter_num_new/);
    bad({ specs: [SPECS[0]!, SPECS[1]!, { ...SPECS[2]!, flags: 0 }] }, /none of KF_ITER/);
    bad({ type: 'nosuch', specs: SPECS.map((s) => ({ ...s, name: s.name.replace('testmod_seq', 'nosuch'), args: s.args.map(([n, t]) => [n, String(t).replace('testmod_seq', 'nosuch')] as [string, string]) })) }, /not declared/);
    bad({ type: 'Bad-Name' }, /identifier/);
    bad({ specs: [SPECS[0]!, { ...SPECS[1]!, args: [it0, ['x', 'int']] }, SPECS[2]!] }, /exactly one argument/);
  });

  it('registering the same kfunc twice is an error', () => {
    const kernel = new Kernel();
    const t = defineIterType(TESTMOD, kernel.types);
    expect(() => registerKfuncs(kernel, [...t.specs, t.specs[0]!], t.impls)).toThrow(/twice/);
  });
});
