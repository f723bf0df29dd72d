// Operations some helpers need from specific map types, stated structurally. The maps area
// implements them on its ring buffer, stack trace, task storage and perf event array maps; a
// map without the operation makes the helper fail the way Linux fails for a wrong map type.

import type { BpfMap } from '../maps/bpf-map.js';

export interface RingbufOps {
  /** reserve a sample of `size` bytes; its data offset in kernel memory, or 0 when full */
  ringbufReserve(size: number): number;
  /** commit (discard = false) or drop (discard = true) a reserved sample by its data offset */
  ringbufCommit(sampleOff: number, flags: bigint, discard: boolean): void;
  /** BPF_RB_AVAIL_DATA / RING_SIZE / CONS_POS / PROD_POS */
  ringbufQuery(flags: bigint): bigint;
}

export interface StackTraceOps {
  /** bucket id for this trace (storing it per BPF_F_REUSE_STACKID / FAST_STACK_CMP rules), or -errno */
  stackId(ips: readonly bigint[], flags: bigint): number;
}

/** Task / cgroup (and later inode, socket) local storage maps, keyed by the owner's address. */
export interface LocalStorageOps {
  /** value offset of the owner's storage (created from initValueOff, or zeroed, when `create`), or 0 */
  storageGet(ownerPtr: bigint, initValueOff: number, create: boolean): number;
  /** 0 or -ENOENT */
  storageDelete(ownerPtr: bigint): number;
}

export interface PerfEventArrayOps {
  /** deliver a record to the event in slot `index`: 0, or -ENOENT when no event is there */
  perfEventOutput(index: number, data: Uint8Array): number;
}

export function hasOps<T extends object>(map: BpfMap | undefined, method: keyof T): map is BpfMap & T {
  return map !== undefined && typeof (map as unknown as Record<string, unknown>)[method as string] === 'function';
}
