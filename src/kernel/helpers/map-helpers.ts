// bpf_map_{lookup,update,delete}_elem, push/pop/peek and lookup_percpu_elem: thin shims over the
// maps' program-side operations, which already return Linux's values (offsets / 0 / -errno).

import { EINVAL } from '../errno.js';
import { defineHelper } from './define.js';
import type { HelperImpl } from './types.js';
import { MEM_UNINIT, MEM_WRITE } from './types.js';
import { mapArg, neg, off, u32 } from './util.js';

export const mapHelpers: HelperImpl[] = [
  defineHelper('map_lookup_elem', 'RET_PTR_TO_MAP_VALUE_OR_NULL', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'], (env, r1, r2) => {
    const map = mapArg(env, r1);
    if (!map) return 0n;
    const v = map.lookupElem(off(env, r2));
    return v > 0 ? env.kernel.mem.toPtr(v) : 0n;
  }),
  defineHelper('map_update_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'], (env, r1, r2, r3, r4) => {
    const map = mapArg(env, r1);
    if (!map) return neg(EINVAL);
    return BigInt(map.updateElem(off(env, r2), off(env, r3), r4));
  }),
  defineHelper('map_delete_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'], (env, r1, r2) => {
    const map = mapArg(env, r1);
    if (!map) return neg(EINVAL);
    return BigInt(map.deleteElem(off(env, r2)));
  }),
  defineHelper('map_push_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'], (env, r1, r2, r3) => {
    const map = mapArg(env, r1);
    if (!map) return neg(EINVAL);
    return BigInt(map.pushElem(off(env, r2), r3));
  }),
  defineHelper('map_pop_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', { type: 'ARG_PTR_TO_MAP_VALUE', flags: MEM_UNINIT | MEM_WRITE }], (env, r1, r2) => {
    const map = mapArg(env, r1);
    if (!map) return neg(EINVAL);
    return BigInt(map.popElem(off(env, r2)));
  }),
  defineHelper('map_peek_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', { type: 'ARG_PTR_TO_MAP_VALUE', flags: MEM_UNINIT | MEM_WRITE }], (env, r1, r2) => {
    const map = mapArg(env, r1);
    if (!map) return neg(EINVAL);
    return BigInt(map.peekElem(off(env, r2)));
  }),
  defineHelper('map_lookup_percpu_elem', 'RET_PTR_TO_MAP_VALUE_OR_NULL', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'], (env, r1, r2, r3) => {
    const map = mapArg(env, r1);
    const cpu = u32(r3);
    // the kernel returns NULL for a CPU beyond nr_cpu_ids
    if (!map || cpu >= env.kernel.nrCpus) return 0n;
    const v = map.lookupPercpuElem(off(env, r2), cpu);
    return v > 0 ? env.kernel.mem.toPtr(v) : 0n;
  }),
];
