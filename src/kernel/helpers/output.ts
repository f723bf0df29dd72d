// Getting data out of a program: bpf_perf_event_output and the ring buffer helpers.

import { E2BIG, EAGAIN, EINVAL } from '../errno.js';
import type { Kernel } from '../kernel.js';
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP } from '../maps/types.js';
import { defineHelper } from './define.js';
import { hasOps, type PerfEventArrayOps, type RingbufOps } from './map-ops.js';
import { helperState } from './state.js';
import type { CallEnv, HelperImpl } from './types.js';
import { MEM_RDONLY, OBJ_RELEASE } from './types.js';
import { mapArg, neg, off, u32 } from './util.js';

const BPF_F_INDEX_MASK = 0xffffffffn;
const BPF_F_CURRENT_CPU = 0xffffffffn;
const RB_FLAGS = BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP);

export const outputHelpers: HelperImpl[] = [
  defineHelper('perf_event_output', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE_OR_ZERO'], (env, _r1, r2, r3, r4, r5) => {
    const map = mapArg(env, r2);
    if (!map || map.type !== BPF_MAP_TYPE_PERF_EVENT_ARRAY) return neg(EINVAL);
    if (r3 & ~BPF_F_INDEX_MASK) return neg(EINVAL);
    const index = (r3 & BPF_F_INDEX_MASK) === BPF_F_CURRENT_CPU ? env.kernel.currentCpu : Number(r3 & BPF_F_INDEX_MASK);
    if (index >= map.maxEntries) return neg(E2BIG);
    const size = u32(r5);
    const data = size ? env.kernel.mem.readBytes(off(env, r4), size) : new Uint8Array(0);
    if (hasOps<PerfEventArrayOps>(map, 'perfEventOutput')) {
      const r = map.perfEventOutput(index, data);
      if (r < 0) return BigInt(r);
    }
    helperState(env.kernel).perfOutput.push({ mapPtr: map.ptr, mapName: map.name, index, data });
    return 0n;
  }, { gplOnly: true }),
  defineHelper('ringbuf_output', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, r1, r2, r3, r4) => {
    const map = mapArg(env, r1);
    if (!hasOps<RingbufOps>(map, 'ringbufReserve')) return neg(EINVAL);
    if (r4 & ~RB_FLAGS) return neg(EINVAL);
    const size = u32(r3);
    const rec = map.ringbufReserve(size);
    if (rec === 0) return neg(EAGAIN);
    if (size) env.kernel.mem.copy(rec, off(env, r2), size);
    map.ringbufCommit(rec, r4, false);
    return 0n;
  }),
  defineHelper('ringbuf_reserve', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL', ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, r1, r2, r3) => {
    const map = mapArg(env, r1);
    if (!hasOps<RingbufOps>(map, 'ringbufReserve') || r3 !== 0n) return 0n;
    const rec = map.ringbufReserve(u32(r2));
    if (rec === 0) return 0n;
    reservations(env.kernel).set(rec, map);
    return env.kernel.mem.toPtr(rec);
  }),
  defineHelper('ringbuf_submit', 'RET_VOID', [{ type: 'ARG_PTR_TO_RINGBUF_MEM', flags: OBJ_RELEASE }, 'ARG_ANYTHING'], (env, r1, r2) => {
    commit(env, r1, r2, false);
    return 0n;
  }),
  defineHelper('ringbuf_discard', 'RET_VOID', [{ type: 'ARG_PTR_TO_RINGBUF_MEM', flags: OBJ_RELEASE }, 'ARG_ANYTHING'], (env, r1, r2) => {
    commit(env, r1, r2, true);
    return 0n;
  }),
  defineHelper('ringbuf_query', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], (env, r1, r2) => {
    const map = mapArg(env, r1);
    return hasOps<RingbufOps>(map, 'ringbufQuery') ? map.ringbufQuery(r2) : 0n;
  }),
];

// The kernel finds a sample's ring buffer from the sample header; we remember it at reserve time.
const reserved = new WeakMap<Kernel, Map<number, RingbufOps>>();

export function reservations(kernel: Kernel): Map<number, RingbufOps> {
  let m = reserved.get(kernel);
  if (!m) reserved.set(kernel, (m = new Map()));
  return m;
}

export function commit(env: CallEnv, samplePtr: bigint, flags: bigint, discard: boolean): void {
  const sampleOff = off(env, samplePtr);
  const rs = reservations(env.kernel);
  const map = rs.get(sampleOff);
  if (!map) return;
  rs.delete(sampleOff);
  map.ringbufCommit(sampleOff, flags, discard);
}
