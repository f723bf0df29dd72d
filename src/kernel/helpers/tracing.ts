// Tracing-program helpers: bpf_d_path and the fentry/fexit argument accessors
// bpf_get_func_arg / bpf_get_func_ret / bpf_get_func_arg_cnt.

import { EINVAL, ENAMETOOLONG, EFAULT } from '../errno.js';
import { defineHelper } from './define.js';
import type { CallEnv, HelperImpl } from './types.js';
import { MEM_ALIGNED, MEM_UNINIT, MEM_WRITE } from './types.js';
import { neg, off, u32 } from './util.js';

const U64_OUT = { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', flags: MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, size: 8 } as const;

/** Number of arguments of the traced function (the trampoline stores it below ctx in Linux). */
function argCount(env: CallEnv): number {
  return env.funcArgCnt ?? 0;
}

/** The file whose embedded f_path is at `ptr`, if any. */
function fileByPathPtr(env: CallEnv, ptr: bigint) {
  const fPath = BigInt(env.kernel.types.offsetof('file', 'f_path'));
  const p = BigInt.asUintN(64, ptr);
  return env.kernel.files.find((f) => f.ptr + fPath === p);
}

export const tracingHelpers: HelperImpl[] = [
  defineHelper('d_path', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_BTF_ID', btf: 'struct path' }, { type: 'ARG_PTR_TO_MEM', flags: MEM_WRITE }, 'ARG_CONST_SIZE_OR_ZERO'], (env, r1, r2, r3) => {
    const file = fileByPathPtr(env, r1);
    if (!file) return neg(EFAULT);
    const bytes = new TextEncoder().encode(file.path);
    const size = u32(r3);
    // d_path() builds the name at the end of the buffer; the helper moves it to the front
    if (bytes.length + 1 > size) return neg(ENAMETOOLONG);
    const o = off(env, r2);
    env.kernel.mem.writeBytes(o, bytes);
    env.kernel.mem.writeU8(o + bytes.length, 0);
    return BigInt(bytes.length + 1);
  }),
  defineHelper('get_func_arg', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', U64_OUT], (env, r1, r2, r3) => {
    const n = u32(r2);
    const mem = env.kernel.mem;
    if (n >= argCount(env)) return neg(EINVAL);
    mem.writeU64(off(env, r3), mem.readU64(off(env, r1) + 8 * n));
    return 0n;
  }),
  defineHelper('get_func_ret', 'RET_INTEGER', ['ARG_PTR_TO_CTX', U64_OUT], (env, r1, r2) => {
    const mem = env.kernel.mem;
    // fexit / fmod_ret: the return value sits right after the arguments
    mem.writeU64(off(env, r2), mem.readU64(off(env, r1) + 8 * argCount(env)));
    return 0n;
  }),
  defineHelper('get_func_arg_cnt', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], (env) => BigInt(argCount(env))),
];
