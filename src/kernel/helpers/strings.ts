// bpf_strncmp, bpf_strtol, bpf_strtoul (kernel/bpf/helpers.c semantics).

import { EINVAL, ERANGE } from '../errno.js';
import { defineHelper } from './define.js';
import type { CallEnv, HelperImpl } from './types.js';
import { MEM_ALIGNED, MEM_RDONLY, MEM_UNINIT, MEM_WRITE } from './types.js';
import { neg, off, u32 } from './util.js';

/** BPF_STRTOX_BASE_MASK: the low 5 bits of flags give the base. */
const BASE_MASK = 0x1fn;

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x7a) return l - 0x61 + 10;
  return 99;
}

/** __bpf_strtoull: consumed length (>0) with value and sign, or -errno. */
export function strtoull(buf: Uint8Array, flags: bigint): { consumed: number; value: bigint; negative: boolean } | number {
  let base = Number(flags & BASE_MASK);
  if (buf.length === 0) return -EINVAL;
  if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return -EINVAL;
  if (flags & ~BASE_MASK) return -EINVAL;
  let i = 0;
  while (i < buf.length && isSpace(buf[i]!)) i++;
  const negative = i < buf.length && buf[i] === 0x2d;
  if (negative) i++;
  if (i >= buf.length) return -EINVAL;
  // the kernel parses a NUL-terminated copy of at most 63 bytes
  const s = buf.subarray(i, i + Math.min(buf.length - i, 63));
  const at = (k: number): number => (k < s.length ? s[k]! : 0);
  let p = 0;
  if (base === 0) {
    if (at(0) === 0x30) base = (at(1) | 0x20) === 0x78 && digitValue(at(2)) < 16 ? 16 : 8;
    else base = 10;
  }
  if (base === 16 && at(0) === 0x30 && (at(1) | 0x20) === 0x78) p = 2;
  let value = 0n;
  let digits = 0;
  let overflow = false;
  const b = BigInt(base);
  for (;;) {
    const d = digitValue(at(p + digits));
    if (d >= base) break;
    value = value * b + BigInt(d);
    if (value > 0xffffffffffffffffn) overflow = true;
    digits++;
  }
  if (overflow) return -ERANGE;
  if (digits === 0) return -EINVAL;
  return { consumed: i + p + digits, value, negative };
}

function readBuf(env: CallEnv, ptr: bigint, len: number): Uint8Array {
  return env.kernel.mem.readBytes(off(env, ptr), len);
}

const STR_ARGS = [{ type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', flags: MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, size: 8 }] as const;

export const stringHelpers: HelperImpl[] = [
  defineHelper('strncmp', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE', 'ARG_PTR_TO_CONST_STR'], (env, r1, r2, r3) => {
    const mem = env.kernel.mem;
    const a = off(env, r1);
    const b = off(env, r3);
    const n = u32(r2);
    for (let i = 0; i < n; i++) {
      const c1 = mem.readU8(a + i);
      const c2 = mem.readU8(b + i);
      if (c1 !== c2) return c1 < c2 ? -1n : 1n;
      if (c1 === 0) break;
    }
    return 0n;
  }),
  defineHelper('strtol', 'RET_INTEGER', STR_ARGS, (env, r1, r2, r3, r4) => {
    const r = strtoull(readBuf(env, r1, u32(r2)), r3);
    if (typeof r === 'number') return BigInt(r);
    let v: bigint;
    if (r.negative) {
      if (r.value > 1n << 63n) return neg(ERANGE);
      v = -r.value;
    } else {
      if (r.value >= 1n << 63n) return neg(ERANGE);
      v = r.value;
    }
    env.kernel.mem.writeU64(off(env, r4), BigInt.asUintN(64, v));
    return BigInt(r.consumed);
  }),
  defineHelper('strtoul', 'RET_INTEGER', STR_ARGS, (env, r1, r2, r3, r4) => {
    const r = strtoull(readBuf(env, r1, u32(r2)), r3);
    if (typeof r === 'number') return BigInt(r);
    if (r.negative) return neg(EINVAL);
    env.kernel.mem.writeU64(off(env, r4), r.value);
    return BigInt(r.consumed);
  }),
];
