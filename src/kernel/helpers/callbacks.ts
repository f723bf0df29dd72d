// Helpers that call back into the program or switch programs: bpf_loop, bpf_for_each_map_elem,
// bpf_find_vma, bpf_tail_call. The engine runs the callback subprogram through env.callback.

import { E2BIG, EINVAL, ENOENT } from '../errno.js';
import { defineHelper } from './define.js';
import type { HelperImpl } from './types.js';
import { mapArg, neg, u32 } from './util.js';

/** BPF_MAX_LOOPS: bpf_loop's and bpf_iter_num's iteration limit (8M). */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

export const callbackHelpers: HelperImpl[] = [
  defineHelper('loop', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'], (env, r1, r2, r3, r4) => {
    const nr = u32(r1);
    if (r4 !== 0n) return neg(EINVAL);
    if (nr > BPF_MAX_LOOPS) return neg(E2BIG);
    for (let i = 0; i < nr; i++) {
      // callback returns 0 to continue, 1 to stop; the helper returns the number of calls made
      if (env.callback(r2, BigInt(i), r3, 0n, 0n, 0n) !== 0n) return BigInt(i + 1);
    }
    return BigInt(nr);
  }),
  defineHelper('for_each_map_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'], (env, r1, r2, r3, r4) => {
    if (r4 !== 0n) return neg(EINVAL);
    const map = mapArg(env, r1);
    if (!map) return neg(EINVAL);
    const mem = env.kernel.mem;
    // callback(map, key, value, ctx): 0 continue, 1 stop
    return BigInt(map.forEachElem((keyOff, valueOff) => env.callback(r2, r1, mem.toPtr(keyOff), mem.toPtr(valueOff), r3, 0n) !== 0n));
  }),
  defineHelper('find_vma', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_BTF_ID', btf: 'struct task_struct' }, 'ARG_ANYTHING', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    if (r5 !== 0n) return neg(EINVAL);
    const task = env.kernel.taskByPtr(r1);
    if (!task?.mm) return neg(ENOENT);
    const addr = BigInt.asUintN(64, r2);
    const vma = task.mm.vmaAt(addr);
    if (!vma) return neg(ENOENT);
    env.callback(r3, r1, vma.ptr, r4, 0n, 0n);
    return 0n;
  }),
  defineHelper('tail_call', 'RET_VOID', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], (env, _r1, r2, r3) =>
    env.tailCall(r2, u32(r3)) ? 0n : neg(ENOENT)),
];
