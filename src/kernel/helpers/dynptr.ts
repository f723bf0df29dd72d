// Dynptr helpers for local memory and ring buffer samples (kernel/bpf/helpers.c, ringbuf.c).
// struct bpf_dynptr_kern (16 bytes on the program's stack): u64 data; u32 size, whose bits
// 0-23 are the size, 28-30 the type and 31 the read-only flag; u32 offset.

import { E2BIG, EAGAIN, EINVAL } from '../errno.js';
import { defineHelper, UNINIT_MEM } from './define.js';
import { hasOps, type RingbufOps } from './map-ops.js';
import { commit, reservations } from './output.js';
import type { CallEnv, HelperImpl } from './types.js';
import { DYNPTR_TYPE_LOCAL, DYNPTR_TYPE_RINGBUF, MEM_RDONLY, MEM_UNINIT, OBJ_RELEASE } from './types.js';
import { mapArg, neg, off, u32 } from './util.js';

export const DYNPTR_MAX_SIZE = (1 << 24) - 1;
const DYNPTR_SIZE_MASK = 0xffffff;
const DYNPTR_TYPE_SHIFT = 28;
const DYNPTR_RDONLY_BIT = 0x80000000;
export const BPF_DYNPTR_TYPE_LOCAL = 1;
export const BPF_DYNPTR_TYPE_RINGBUF = 2;

interface Dynptr {
  data: bigint;
  size: number;
  type: number;
  rdonly: boolean;
  offset: number;
}

function readDynptr(env: CallEnv, p: bigint): Dynptr {
  const mem = env.kernel.mem;
  const o = off(env, p);
  const sz = mem.readU32(o + 8);
  return { data: mem.readU64(o), size: sz & DYNPTR_SIZE_MASK, type: (sz >>> DYNPTR_TYPE_SHIFT) & 7, rdonly: (sz & DYNPTR_RDONLY_BIT) !== 0, offset: mem.readU32(o + 12) };
}

function initDynptr(env: CallEnv, p: bigint, data: bigint, type: number, size: number): void {
  const mem = env.kernel.mem;
  const o = off(env, p);
  mem.writeU64(o, data);
  mem.writeU32(o + 8, (size | (type << DYNPTR_TYPE_SHIFT)) >>> 0);
  mem.writeU32(o + 12, 0);
}

function setNull(env: CallEnv, p: bigint): void {
  env.kernel.mem.fill(off(env, p), 16, 0);
}

/** bpf_dynptr_check_off_len */
function checkOffLen(d: Dynptr, offset: number, len: number): number {
  if (offset > d.size || len > d.size - offset) return -E2BIG;
  return 0;
}

const DYNPTR_RDONLY = { type: 'ARG_PTR_TO_DYNPTR', flags: MEM_RDONLY } as const;

export const dynptrHelpers: HelperImpl[] = [
  defineHelper('dynptr_from_mem', 'RET_INTEGER', [UNINIT_MEM, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_DYNPTR', flags: DYNPTR_TYPE_LOCAL | MEM_UNINIT }], (env, r1, r2, r3, r4) => {
    const size = u32(r2);
    let err = 0;
    if (size > DYNPTR_MAX_SIZE) err = -E2BIG;
    else if (r3 !== 0n) err = -EINVAL;
    if (err) {
      setNull(env, r4);
      return BigInt(err);
    }
    initDynptr(env, r4, r1, BPF_DYNPTR_TYPE_LOCAL, size);
    return 0n;
  }),
  defineHelper('dynptr_read', 'RET_INTEGER', [UNINIT_MEM, 'ARG_CONST_SIZE_OR_ZERO', DYNPTR_RDONLY, 'ARG_ANYTHING', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    const d = readDynptr(env, r3);
    const len = u32(r2);
    const offset = u32(r4);
    if (d.data === 0n || r5 !== 0n) return neg(EINVAL);
    const err = checkOffLen(d, offset, len);
    if (err) return BigInt(err);
    const mem = env.kernel.mem;
    if (len) mem.copy(off(env, r1), mem.toOff(d.data) + d.offset + offset, len);
    return 0n;
  }),
  defineHelper('dynptr_write', 'RET_INTEGER', [DYNPTR_RDONLY, 'ARG_ANYTHING', { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    const d = readDynptr(env, r1);
    const len = u32(r4);
    const offset = u32(r2);
    if (d.data === 0n || d.rdonly) return neg(EINVAL);
    const err = checkOffLen(d, offset, len);
    if (err) return BigInt(err);
    if (r5 !== 0n) return neg(EINVAL);
    const mem = env.kernel.mem;
    if (len) mem.copy(mem.toOff(d.data) + d.offset + offset, off(env, r3), len);
    return 0n;
  }),
  defineHelper('dynptr_data', 'RET_PTR_TO_DYNPTR_MEM_OR_NULL', [DYNPTR_RDONLY, 'ARG_ANYTHING', 'ARG_CONST_ALLOC_SIZE_OR_ZERO'], (env, r1, r2, r3) => {
    const d = readDynptr(env, r1);
    const offset = u32(r2);
    if (d.data === 0n || checkOffLen(d, offset, u32(r3)) || d.rdonly) return 0n;
    return d.data + BigInt(d.offset + offset);
  }),
  defineHelper('ringbuf_reserve_dynptr', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_DYNPTR', flags: DYNPTR_TYPE_RINGBUF | MEM_UNINIT }], (env, r1, r2, r3, r4) => {
    const size = u32(r2);
    const map = mapArg(env, r1);
    let err = 0;
    let rec = 0;
    if (size > DYNPTR_MAX_SIZE) err = -E2BIG;
    else if (r3 !== 0n) err = -EINVAL;
    else if (!hasOps<RingbufOps>(map, 'ringbufReserve')) err = -EINVAL;
    else if ((rec = map.ringbufReserve(size)) === 0) err = -EAGAIN;
    if (err) {
      setNull(env, r4);
      return BigInt(err);
    }
    reservations(env.kernel).set(rec, map as unknown as RingbufOps);
    initDynptr(env, r4, env.kernel.mem.toPtr(rec), BPF_DYNPTR_TYPE_RINGBUF, size);
    return 0n;
  }),
  defineHelper('ringbuf_submit_dynptr', 'RET_VOID', [{ type: 'ARG_PTR_TO_DYNPTR', flags: DYNPTR_TYPE_RINGBUF | OBJ_RELEASE }, 'ARG_ANYTHING'], (env, r1, r2) => {
    const d = readDynptr(env, r1);
    if (d.data === 0n) return 0n;
    commit(env, d.data, r2, false);
    setNull(env, r1);
    return 0n;
  }),
  defineHelper('ringbuf_discard_dynptr', 'RET_VOID', [{ type: 'ARG_PTR_TO_DYNPTR', flags: DYNPTR_TYPE_RINGBUF | OBJ_RELEASE }, 'ARG_ANYTHING'], (env, r1, r2) => {
    const d = readDynptr(env, r1);
    if (d.data === 0n) return 0n;
    commit(env, d.data, r2, true);
    setNull(env, r1);
    return 0n;
  }),
];
