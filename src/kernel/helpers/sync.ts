// bpf_spin_lock / bpf_spin_unlock and bpf_kptr_xchg. Programs run one at a time in the
// simulation, so a lock can never be contended: the lock word just records held (1) / free (0),
// which keeps it visible to tests and to value copies that must skip it.

import { defineHelper } from './define.js';
import type { HelperImpl } from './types.js';
import { OBJ_RELEASE, PTR_MAYBE_NULL } from './types.js';
import { off } from './util.js';

export const syncHelpers: HelperImpl[] = [
  defineHelper('spin_lock', 'RET_VOID', ['ARG_PTR_TO_SPIN_LOCK'], (env, r1) => {
    env.kernel.mem.writeU32(off(env, r1), 1);
    return 0n;
  }),
  defineHelper('spin_unlock', 'RET_VOID', ['ARG_PTR_TO_SPIN_LOCK'], (env, r1) => {
    env.kernel.mem.writeU32(off(env, r1), 0);
    return 0n;
  }),
  defineHelper('kptr_xchg', 'RET_PTR_TO_BTF_ID_OR_NULL', ['ARG_PTR_TO_KPTR', { type: 'ARG_PTR_TO_BTF_ID', flags: PTR_MAYBE_NULL | OBJ_RELEASE }], (env, r1, r2) => {
    const o = off(env, r1);
    const old = env.kernel.mem.readU64(o);
    env.kernel.mem.writeU64(o, r2);
    return old;
  }),
];
