// bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf, bpf_seq_printf, bpf_seq_write: argument
// plumbing around the format engine (format.ts), with each helper's own limits and return rules.

import { E2BIG, EFAULT, EINVAL, ENOENT, ENOSPC, EOVERFLOW } from '../errno.js';
import { BTF_F_ALL, BtfShowError, btfShow } from './btf-show.js';
import { defineHelper } from './define.js';
import {
  FormatError, FormatNoSpaceError, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, defaultPointerHash, parseFormat, renderFormat,
  type FormatMemory,
} from './format.js';
import { TASK_SIZE_MAX } from './probe-read.js';
import { helperState } from './state.js';
import type { CallEnv, HelperImpl } from './types.js';
import { MEM_RDONLY, MEM_WRITE, PTR_MAYBE_NULL } from './types.js';
import { neg, off, u32 } from './util.js';

/** Largest constant format the simulated verifier hands to bpf_snprintf (a map value). */
const MAX_CONST_FMT = 1 << 16;

function formatMemory(env: CallEnv): FormatMemory {
  const mem = env.kernel.mem;
  return {
    kernelString(ptr, max) {
      if (BigInt.asUintN(64, ptr) < 0xffff800000000000n || !mem.readable(ptr, 1)) return null;
      const o = mem.toOff(ptr);
      const avail = Math.min(max - 1, mem.highWater - o);
      const b = mem.u8;
      let n = 0;
      while (n < avail && b[o + n] !== 0) n++;
      if (n === avail && n < max - 1) return null; // ran off the mapped end before the NUL
      return mem.readBytes(o, n);
    },
    userString(ptr, max) {
      const a = BigInt.asUintN(64, ptr);
      if (a >= TASK_SIZE_MAX) return null;
      const s = env.kernel.current.mm?.user.readString(a, max);
      return s ? s.subarray(0, max - 1) : null;
    },
    kernelBytes(ptr, len) {
      return mem.readable(ptr, len) ? mem.readBytes(mem.toOff(ptr), len) : null;
    },
    hashPointer: defaultPointerHash(helperState(env.kernel).ptrKey),
  };
}

/** The format bytes up to their NUL within fmtSize, or null (no NUL: -EINVAL). */
function readFormat(env: CallEnv, ptr: bigint, fmtSize: number): Uint8Array | null {
  const mem = env.kernel.mem;
  const o = off(env, ptr);
  if (o < 0 || fmtSize <= 0 || !mem.readable(ptr, 1)) return null;
  const end = Math.min(o + fmtSize, mem.highWater);
  const b = mem.u8;
  for (let i = o; i < end; i++) if (b[i] === 0) return mem.readBytes(o, i - o);
  return null;
}

function readArgs(env: CallEnv, ptr: bigint, n: number): bigint[] {
  const mem = env.kernel.mem;
  const o = off(env, ptr);
  const args: bigint[] = [];
  for (let i = 0; i < n; i++) args.push(mem.readU64(o + 8 * i));
  return args;
}

/** Validate + render; a negative number is -errno. */
function bprintf(env: CallEnv, fmt: Uint8Array | null, args: bigint[], maxArgs: number): Uint8Array | number {
  if (fmt === null) return -EINVAL;
  try {
    return renderFormat(parseFormat(fmt, maxArgs), args, formatMemory(env));
  } catch (e) {
    if (e instanceof FormatNoSpaceError) return -ENOSPC;
    if (e instanceof FormatError) return -EINVAL;
    throw e;
  }
}

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
};

/** bstr_printf into a buffer of `size`: what fits (size-1 bytes + NUL) is stored. */
function storeTruncated(env: CallEnv, dst: bigint, size: number, out: Uint8Array): void {
  if (size === 0) return;
  const o = off(env, dst);
  const n = Math.min(out.length, size - 1);
  env.kernel.mem.writeBytes(o, out.subarray(0, n));
  env.kernel.mem.writeU8(o + n, 0);
}

function tracePrintk(env: CallEnv, out: Uint8Array | number): bigint {
  if (typeof out === 'number') return BigInt(out);
  // the trace buffer line is at most MAX_BPRINTF_BUF - 1 bytes; the helper returns the full length
  env.kernel.trace.push(latin1(out.subarray(0, MAX_BPRINTF_BUF - 1)));
  return BigInt(out.length);
}

function seqPrintf(env: CallEnv, out: Uint8Array | number): bigint {
  if (typeof out === 'number') return BigInt(out);
  const seq = env.seq;
  if (!seq) return neg(EINVAL);
  return seq.write(out) ? 0n : neg(EOVERFLOW);
}

const RDONLY_MEM = { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY } as const;
const RDONLY_MEM_OR_NULL = { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY | PTR_MAYBE_NULL } as const;
const SEQ_FILE = { type: 'ARG_PTR_TO_BTF_ID', btf: 'struct seq_file' } as const;

export const printfHelpers: HelperImpl[] = [
  // Linux declares only fmt and fmt_size: r3-r5 are read as the format asks, and may be
  // uninitialised when it asks for fewer (the verifier must not demand them).
  defineHelper('trace_printk', 'RET_INTEGER', [RDONLY_MEM, 'ARG_CONST_SIZE'], (env, r1, r2, r3, r4, r5) =>
    tracePrintk(env, bprintf(env, readFormat(env, r1, u32(r2)), [r3, r4, r5], MAX_TRACE_PRINTK_VARARGS)), { gplOnly: true }),
  defineHelper('trace_vprintk', 'RET_INTEGER', [RDONLY_MEM, 'ARG_CONST_SIZE', RDONLY_MEM_OR_NULL, 'ARG_CONST_SIZE_OR_ZERO'], (env, r1, r2, r3, r4) => {
    const dataLen = u32(r4);
    if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen && r3 === 0n)) return neg(EINVAL);
    return tracePrintk(env, bprintf(env, readFormat(env, r1, u32(r2)), readArgs(env, r3, dataLen / 8), dataLen / 8));
  }, { gplOnly: true }),
  defineHelper('snprintf', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_MEM', flags: PTR_MAYBE_NULL }, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_PTR_TO_CONST_STR', RDONLY_MEM_OR_NULL, 'ARG_CONST_SIZE_OR_ZERO'], (env, r1, r2, r3, r4, r5) => {
    const dataLen = u32(r5);
    if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen && r4 === 0n)) return neg(EINVAL);
    const out = bprintf(env, readFormat(env, r3, MAX_CONST_FMT), readArgs(env, r4, dataLen / 8), dataLen / 8);
    if (typeof out === 'number') return BigInt(out);
    storeTruncated(env, r1, u32(r2), out);
    return BigInt(out.length + 1);
  }),
  defineHelper('seq_printf', 'RET_INTEGER', [SEQ_FILE, RDONLY_MEM, 'ARG_CONST_SIZE', RDONLY_MEM_OR_NULL, 'ARG_CONST_SIZE_OR_ZERO'], (env, _r1, r2, r3, r4, r5) => {
    const dataLen = u32(r5);
    if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen && r4 === 0n)) return neg(EINVAL);
    return seqPrintf(env, bprintf(env, readFormat(env, r2, u32(r3)), readArgs(env, r4, dataLen / 8), dataLen / 8));
  }, { gplOnly: true }),
  defineHelper('seq_write', 'RET_INTEGER', [SEQ_FILE, RDONLY_MEM, 'ARG_CONST_SIZE_OR_ZERO'], (env, _r1, r2, r3) => {
    const len = u32(r3);
    const bytes = len === 0 ? new Uint8Array(0) : env.kernel.mem.readBytes(off(env, r2), len);
    return seqPrintf(env, bytes);
  }, { gplOnly: true }),
  defineHelper('seq_printf_btf', 'RET_INTEGER', [SEQ_FILE, RDONLY_MEM, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, _r1, r2, r3, r4) => {
    const text = showBtfPtr(env, r2, u32(r3), r4);
    if (typeof text === 'number') return BigInt(text);
    if (!env.seq) return neg(EINVAL);
    // like btf_type_seq_show_flags: an overflowing seq_file is not an error of this helper
    env.seq.print(text);
    return 0n;
  }),
  defineHelper('snprintf_btf', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_MEM', flags: MEM_WRITE }, 'ARG_CONST_SIZE', RDONLY_MEM, 'ARG_CONST_SIZE', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    const text = showBtfPtr(env, r3, u32(r4), r5);
    if (typeof text === 'number') return BigInt(text);
    const bytes = new TextEncoder().encode(text);
    storeTruncated(env, r1, u32(r2), bytes);
    return BigInt(bytes.length);
  }),
];

/** sizeof(struct btf_ptr): void *ptr; __u32 type_id; __u32 flags */
const BTF_PTR_SIZE = 16;

/** bpf_btf_printf_prepare + btf_type_show: the text, or -errno. */
function showBtfPtr(env: CallEnv, btfPtr: bigint, size: number, flags: bigint): string | number {
  if (size !== BTF_PTR_SIZE) return -EINVAL;
  if (flags & ~BTF_F_ALL) return -EINVAL;
  const mem = env.kernel.mem;
  const o = off(env, btfPtr);
  const objPtr = mem.readU64(o);
  const typeId = mem.readU32(o + 8);
  if (mem.readU32(o + 12) !== 0) return -EINVAL;
  const btf = env.kernel.btf;
  if (typeId <= 0 || typeId >= btf.length) return -ENOENT;
  let objSize: number;
  try {
    objSize = btf.sizeof(typeId);
  } catch {
    return -EINVAL;
  }
  if (!mem.readable(objPtr, objSize)) return -EFAULT;
  try {
    return btfShow(btf, typeId, mem.readBytes(mem.toOff(objPtr), objSize), { flags, hashPointer: defaultPointerHash(helperState(env.kernel).ptrKey) });
  } catch (e) {
    if (e instanceof BtfShowError) return -E2BIG;
    throw e;
  }
}
