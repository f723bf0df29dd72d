// Runs an InterpCase on the interpreter against a bare kernel (memory + empty registries).
import { assemble } from '../../src/isa/index.js';
import { KernelMemory } from '../../src/kernel/memory.js';
import { runProgram, trustInsns, type InterpKernel } from '../../src/interp/index.js';
import type { InterpCase } from './cases/types.js';

type Entry = { proto: { id: number; name: string }; fn: unknown };
type KfEntry = { name: string; btfId: number; flags: number; fn: unknown };

/** Memory plus bare helper/kfunc tables: what the interpreter needs and nothing else. */
export interface BareKernel extends InterpKernel {
  helpers: { get(id: number): Entry | undefined; register(e: Entry): void };
  kfuncs: { byBtfId(id: number): KfEntry | undefined; register(e: KfEntry): void };
}

export function bareKernel(): BareKernel {
  const helpers = new Map<number, Entry>();
  const kfuncs = new Map<number, KfEntry>();
  return {
    mem: new KernelMemory({ initialBytes: 1 << 20 }),
    helpers: { get: (id) => helpers.get(id), register: (e) => void helpers.set(e.proto.id, e) },
    kfuncs: { byBtfId: (id) => kfuncs.get(id), register: (e) => void kfuncs.set(e.btfId, e) },
  };
}

const shared = bareKernel();

export function hexBytes(h: string): Uint8Array {
  const s = h.replace(/\s+/g, '');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function runCase(c: InterpCase, kernel: InterpKernel = shared): bigint {
  const vp = trustInsns(assemble(c.asm), 'socket_filter');
  const mem = c.mem === undefined ? undefined : hexBytes(c.mem);
  const off = mem === undefined ? 0 : kernel.mem.alloc(Math.max(1, mem.length));
  if (mem !== undefined) kernel.mem.writeBytes(off, mem);
  try {
    const r = runProgram(vp, kernel, {
      ctxPtr: mem === undefined ? 0n : kernel.mem.toPtr(off),
      r2: BigInt(mem?.length ?? 0),
      packet: mem,
      maxInsns: 100_000_000,
    });
    return r.retval;
  } finally {
    if (mem !== undefined) kernel.mem.free(off);
  }
}
