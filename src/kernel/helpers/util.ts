// Small conversions shared by the helper implementations.

import type { CallEnv } from './types.js';
import type { BpfMap } from '../maps/bpf-map.js';

export const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
export const neg = (errno: number): bigint => BigInt(-errno);

/** Linear offset of a kernel pointer argument, or -1 (outside kernel memory). */
export function off(env: CallEnv, ptr: bigint): number {
  return env.kernel.mem.toOff(ptr);
}

/** The map whose struct bpf_map is at `ptr` (a verified program only passes real maps). */
export function mapArg(env: CallEnv, ptr: bigint): BpfMap | undefined {
  return env.kernel.maps.mapByPtr(ptr);
}

/** Zero [ptr, ptr+len) if it is inside kernel memory (the error paths of probe reads). */
export function zeroDst(env: CallEnv, ptr: bigint, len: number): void {
  const o = off(env, ptr);
  if (o >= 0 && len > 0 && o + len <= env.kernel.mem.size) env.kernel.mem.fill(o, len, 0);
}
