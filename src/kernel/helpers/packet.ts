// Packet access helpers for __sk_buff programs: bpf_skb_load_bytes.
// They read through the packet pointers of the context block (progtypes/skb.ts hidden tail).

import { EFAULT } from '../errno.js';
import { SKB_HIDDEN_DATA, SKB_HIDDEN_DATA_END } from '../progtypes/skb.js';
import { UNINIT_MEM, defineHelper } from './define.js';
import type { HelperImpl } from './types.js';
import { neg, off, u32, zeroDst } from './util.js';

export const packetHelpers: HelperImpl[] = [
  defineHelper('skb_load_bytes', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', UNINIT_MEM, 'ARG_CONST_SIZE'], (env, r1, r2, r3, r4) => {
    const mem = env.kernel.mem;
    const ctx = off(env, r1);
    const len = u32(r4);
    const offset = u32(r2);
    const data = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA));
    const end = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA_END));
    // offsets are relative to skb->data; anything past the linear end faults (no frags here)
    if (offset > 0x7fffffff || data < 0 || data + offset + len > end) {
      zeroDst(env, r3, len);
      return neg(EFAULT);
    }
    mem.copy(off(env, r3), data + offset, len);
    return 0n;
  }),
];
