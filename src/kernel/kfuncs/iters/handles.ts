// Live open-coded iterators. The program's stack holds only `struct bpf_iter_<type>` bytes; we
// keep a handle (u32 at offset 0, never 0 for a live iterator) there and the cursor here, per
// kernel. A state whose handle is unknown, or belongs to another kind or another stack slot,
// behaves like a failed constructor's state: next() returns NULL.

import type { Kernel } from '../../kernel.js';
import type { CallEnv, HelperFn } from '../../helpers/types.js';

export interface IterCursor {
  /** the next object's address, or 0n at the end (kept: later calls return NULL again) */
  next(): bigint;
  /** release what the iterator holds (task/file references) */
  destroy?(): void;
}

interface Live {
  kind: string;
  stateOff: number;
  cursor: IterCursor;
}

class IterHandles {
  readonly live = new Map<number, Live>();
  private nextId = 1;

  open(kind: string, stateOff: number, cursor: IterCursor): number {
    let id = this.nextId;
    while (id === 0 || this.live.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    this.live.set(id, { kind, stateOff, cursor });
    return id;
  }

  find(kind: string, stateOff: number, id: number): Live | undefined {
    const l = id === 0 ? undefined : this.live.get(id);
    return l && l.kind === kind && l.stateOff === stateOff ? l : undefined;
  }
}

const tables = new WeakMap<Kernel, IterHandles>();

function handlesOf(kernel: Kernel): IterHandles {
  let t = tables.get(kernel);
  if (!t) tables.set(kernel, (t = new IterHandles()));
  return t;
}

/** Open-coded iterators created and not yet destroyed (tests assert programs clean up). */
export function liveIterators(kernel: Kernel): number {
  return tables.get(kernel)?.live.size ?? 0;
}

/** Where the state lives; -1 when `it` is not in kernel memory. */
function stateOffOf(env: CallEnv, it: bigint, size: number): number {
  const off = env.kernel.mem.toOff(it);
  return off >= 0 && env.kernel.mem.readableOff(off, size) ? off : -1;
}

/**
 * What a constructor gets: the state's offset and address, r2..r5. It returns a cursor or a
 * negative errno (the state is then left zeroed, as the kernel leaves it: next() gives NULL).
 */
export type IterOpen = (env: CallEnv, state: { off: number; ptr: bigint }, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => IterCursor | number;

export interface IterTrioFns {
  new: HelperFn;
  next: HelperFn;
  destroy: HelperFn;
  /** the live cursor of a state (companion kfuncs such as bpf_iter_task_file_get_fd) */
  cursorOf(env: CallEnv, it: bigint): IterCursor | undefined;
}

/** Build bpf_iter_<kind>_{new,next,destroy} around a constructor; `size` is the state size. */
export function iterTrio(kind: string, size: number, open: IterOpen): IterTrioFns {
  const find = (env: CallEnv, it: bigint): { off: number; live: Live | undefined; id: number } => {
    const off = stateOffOf(env, it, size);
    if (off < 0) return { off, live: undefined, id: 0 };
    const id = env.kernel.mem.readU32(off);
    return { off, live: handlesOf(env.kernel).find(kind, off, id), id };
  };
  return {
    new: (env, it, r2, r3, r4, r5) => {
      const off = stateOffOf(env, it, size);
      if (off < 0) return -22n; // EINVAL: the verifier never lets this happen
      env.kernel.mem.writeBytes(off, new Uint8Array(size));
      const c = open(env, { off, ptr: it }, r2, r3, r4, r5);
      if (typeof c === 'number') return BigInt(c);
      env.kernel.mem.writeU32(off, handlesOf(env.kernel).open(kind, off, c));
      return 0n;
    },
    next: (env, it) => {
      const { live } = find(env, it);
      return live ? live.cursor.next() : 0n;
    },
    destroy: (env, it) => {
      const { off, live, id } = find(env, it);
      if (!live) return 0n;
      live.cursor.destroy?.();
      handlesOf(env.kernel).live.delete(id);
      env.kernel.mem.writeBytes(off, new Uint8Array(size));
      return 0n;
    },
    cursorOf: (env, it) => find(env, it).live?.cursor,
  };
}

/** A cursor over a precomputed list of addresses. */
export function listCursor(ptrs: readonly bigint[], onDestroy?: () => void): IterCursor {
  let i = 0;
  return {
    next: () => (i < ptrs.length ? ptrs[i++]! : 0n),
    destroy: onDestroy,
  };
}
