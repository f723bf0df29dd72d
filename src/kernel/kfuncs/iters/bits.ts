// bpf_iter_bits_{new,next,destroy} (kernel/bpf/helpers.c): the set bits of a u64 array, copied
// when the iterator is created. next() returns a pointer to the bit number, which lives in the
// iterator state (offset 12, where the kernel keeps `int bit`).

import { E2BIG, EFAULT, EINVAL } from '../../errno.js';
import { iterTrio } from './handles.js';

/** BITS_ITER_NR_WORDS_MAX: the copy must fit bpf_mem_alloc's largest object (4 KiB - 8). */
export const BITS_ITER_NR_WORDS_MAX = 511;
const BIT_OFF = 12;

export const iterBits = iterTrio('bits', 16, (env, st, ptr, nrWordsArg) => {
  const mem = env.kernel.mem;
  const nrWords = Number(BigInt.asUintN(32, nrWordsArg));
  if (ptr === 0n || nrWords === 0) return -EINVAL;
  if (nrWords > BITS_ITER_NR_WORDS_MAX) return -E2BIG;
  const off = mem.toOff(ptr);
  // bpf_probe_read_kernel_common: an unreadable source is -EFAULT
  if (off < 0 || !mem.readableOff(off, nrWords * 8)) return -EFAULT;
  const words = mem.readBytes(off, nrWords * 8);
  const nrBits = nrWords * 64;
  let bit = -1;
  const isSet = (b: number): boolean => ((words[b >> 3]! >> (b & 7)) & 1) === 1;
  return {
    next: () => {
      if (bit >= nrBits) return 0n;
      let b = bit + 1;
      while (b < nrBits && !isSet(b)) b++;
      bit = b;
      if (b >= nrBits) return 0n;
      mem.writeU32(st.off + BIT_OFF, b);
      return st.ptr + BigInt(BIT_OFF);
    },
  };
});
