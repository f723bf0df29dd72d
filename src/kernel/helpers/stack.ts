// bpf_get_stack, bpf_get_task_stack and bpf_get_stackid over the simulated call stacks
// (state.ts: taskStacks / setTaskStack), with kernel/bpf/stackmap.c's flag and size rules.

import { EFAULT, EINVAL } from '../errno.js';
import { BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID, BPF_F_SKIP_FIELD_MASK, BPF_F_USER_BUILD_ID, BPF_F_USER_STACK } from '../maps/types.js';
import type { Task } from '../world/objects.js';
import { UNINIT_MEM, defineHelper } from './define.js';
import { hasOps, type StackTraceOps } from './map-ops.js';
import { taskStacks } from './state.js';
import type { CallEnv, HelperImpl } from './types.js';
import { mapArg, neg, off, u32, zeroDst } from './util.js';

/** sysctl kernel.perf_event_max_stack default */
const PERF_MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id); status BPF_STACK_BUILD_ID_IP = 2 means "only the ip" */
const BUILD_ID_SIZE = 32;
const BPF_STACK_BUILD_ID_IP = 2;

function stackOf(env: CallEnv, task: Task, user: boolean): readonly bigint[] {
  const s = taskStacks(env.kernel, task);
  return (user ? s.user : s.kernel).slice(0, PERF_MAX_STACK);
}

/** __bpf_get_stack: bytes copied, or -errno with buf zeroed. */
function getStack(env: CallEnv, task: Task, buf: bigint, size: number, flags: bigint): bigint {
  const user = (flags & BigInt(BPF_F_USER_STACK)) !== 0n;
  const buildId = (flags & BigInt(BPF_F_USER_BUILD_ID)) !== 0n;
  const fail = (errno: number): bigint => {
    zeroDst(env, buf, size);
    return neg(errno);
  };
  if (flags & ~BigInt(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)) return fail(EINVAL);
  if (!user && buildId) return fail(EINVAL);
  const elem = buildId ? BUILD_ID_SIZE : 8;
  if (size % elem) return fail(EINVAL);
  const skip = Number(flags & BigInt(BPF_F_SKIP_FIELD_MASK));
  const trace = stackOf(env, task, user);
  if (trace.length < skip) return fail(EFAULT);
  const ips = trace.slice(skip, skip + size / elem);
  const mem = env.kernel.mem;
  const o = off(env, buf);
  mem.fill(o, size, 0);
  ips.forEach((ip, i) => {
    if (buildId) {
      mem.writeU32(o + i * elem, BPF_STACK_BUILD_ID_IP);
      mem.writeU64(o + i * elem + 24, ip);
    } else {
      mem.writeU64(o + i * 8, ip);
    }
  });
  return BigInt(ips.length * elem);
}

export const stackHelpers: HelperImpl[] = [
  defineHelper('get_stack', 'RET_INTEGER', ['ARG_PTR_TO_CTX', UNINIT_MEM, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, _r1, r2, r3, r4) =>
    getStack(env, env.kernel.current, r2, u32(r3), r4), { gplOnly: true }),
  defineHelper('get_task_stack', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_BTF_ID', btf: 'struct task_struct' }, UNINIT_MEM, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, r1, r2, r3, r4) => {
    const task = env.kernel.taskByPtr(r1) ?? (r1 === env.kernel.initTask.ptr ? env.kernel.initTask : undefined);
    if (!task) {
      zeroDst(env, r2, u32(r3));
      return neg(EFAULT);
    }
    return getStack(env, task, r2, u32(r3), r4);
  }),
  defineHelper('get_stackid', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], (env, _r1, r2, r3) => {
    const map = mapArg(env, r2);
    if (!hasOps<StackTraceOps>(map, 'stackId')) return neg(EINVAL);
    if (r3 & ~BigInt(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID)) return neg(EINVAL);
    const skip = Number(r3 & BigInt(BPF_F_SKIP_FIELD_MASK));
    const maxDepth = Math.min(PERF_MAX_STACK, map.valueSize / 8 + skip);
    const trace = stackOf(env, env.kernel.current, (r3 & BigInt(BPF_F_USER_STACK)) !== 0n).slice(0, maxDepth);
    if (trace.length <= skip) return neg(EFAULT);
    return BigInt(map.stackId(trace.slice(skip), r3));
  }, { gplOnly: true }),
];
