// bpf_iter_num_{new,next,destroy}: the open-coded numeric iterator (kernel/bpf/bpf_iter.c).
// State (8 bytes on the program's stack): s32 cur (last value handed out), s32 end (exclusive).

import { E2BIG, EINVAL } from '../errno.js';
import { BPF_MAX_LOOPS } from '../helpers/callbacks.js';
import type { CallEnv, HelperFn } from '../helpers/types.js';

function stateOff(env: CallEnv, it: bigint): number {
  return env.kernel.mem.toOff(it);
}

const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

export const bpfIterNumNew: HelperFn = (env, it, start, end) => {
  const mem = env.kernel.mem;
  const o = stateOff(env, it);
  const s = s32(start);
  const e = s32(end);
  // an empty range (start == end) is fine: the first next() returns NULL
  let err = 0;
  if (s > e) err = -EINVAL;
  else if (e - s > BPF_MAX_LOOPS) err = -E2BIG;
  if (err) {
    mem.writeU32(o, 0);
    mem.writeU32(o + 4, 0);
    return BigInt(err);
  }
  // next() increments before returning, so start one below (wrapping like the kernel's int)
  mem.writeU32(o, (s - 1) >>> 0);
  mem.writeU32(o + 4, e >>> 0);
  return 0n;
};

export const bpfIterNumNext: HelperFn = (env, it) => {
  const mem = env.kernel.mem;
  const o = stateOff(env, it);
  const cur = mem.readI32(o);
  const end = mem.readI32(o + 4);
  const next = (cur + 1) | 0;
  if (next >= end) {
    mem.writeU32(o, 0);
    mem.writeU32(o + 4, 0);
    return 0n;
  }
  mem.writeU32(o, next >>> 0);
  return it;
};

export const bpfIterNumDestroy: HelperFn = (env, it) => {
  const mem = env.kernel.mem;
  const o = stateOff(env, it);
  mem.writeU32(o, 0);
  mem.writeU32(o + 4, 0);
  return 0n;
};
