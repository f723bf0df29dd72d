// Runs an InterpCase on the JIT against a bare kernel (memory + empty registries), as
// test/interp/harness.ts does for the interpreter.
import { assemble } from '../../src/isa/index.js';
import { trustInsns, type InterpKernel } from '../../src/interp/index.js';
import type { InterpCase } from '../interp/cases/types.js';
import { bareKernel, hexBytes } from '../interp/harness.js';
import { compile, type JitOptions } from '../../jit/index.js';

const shared = bareKernel();

/** `verified`: mark the program verified (the cases all pass Linux's verifier) */
export async function runCaseJit(c: InterpCase, kernel: InterpKernel = shared, opts: JitOptions = {}, verified = false): Promise<bigint> {
  const vp = { ...trustInsns(assemble(c.asm), 'socket_filter'), verified };
  const mem = c.mem === undefined ? undefined : hexBytes(c.mem);
  const off = mem === undefined ? 0 : kernel.mem.alloc(Math.max(1, mem.length));
  if (mem !== undefined) kernel.mem.writeBytes(off, mem);
  const prog = await compile(vp, kernel, opts);
  try {
    const r = prog.run({ ctxPtr: mem === undefined ? 0n : kernel.mem.toPtr(off), r2: BigInt(mem?.length ?? 0), packet: mem });
    return r.retval;
  } finally {
    prog.dispose();
    if (mem !== undefined) kernel.mem.free(off);
  }
}
