// Runs an InterpCase on the interpreter against a bare kernel (memory + empty registries).
import { assemble } from '../../src/isa/index.js';
import { KernelMemory } from '../../src/kernel/memory.js';
import { HelperRegistry, KfuncRegistry } from '../../src/kernel/registry.js';
import { runProgram, trustInsns, type InterpKernel } from '../../src/interp/index.js';
import type { InterpCase } from './cases/types.js';

export function bareKernel(): InterpKernel & { helpers: HelperRegistry; kfuncs: KfuncRegistry } {
  return { mem: new KernelMemory({ initialBytes: 1 << 20 }), helpers: new HelperRegistry(), kfuncs: new KfuncRegistry() };
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
  const r = runProgram(vp, kernel, {
    packet: c.mem === undefined ? undefined : hexBytes(c.mem),
    maxInsns: 100_000_000,
  });
  return r.retval;
}
