// Verified programs run without explicit bounds checks: wasm's own trap is the check. These
// tests hold that path to the interpreter's results and make sure a bad access still surfaces as
// BpfRuntimeError('bad-access') — never a raw WebAssembly.RuntimeError — and that probe loads
// still read 0.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { KERNEL_BASE } from '../../src/kernel/memory.js';
import { BpfRuntimeError, trustInsns } from '../../src/interp/index.js';
import type { VerifiedProgram } from '../../src/verifier/verified-program.js';
import { compile } from '../../jit/index.js';
import { allCases } from '../interp/cases/index.js';
import { bareKernel } from '../interp/harness.js';
import { runCaseJit } from './harness.js';

const verified = (vp: VerifiedProgram): VerifiedProgram => ({ ...vp, verified: true });

async function runError(k: Kernel | ReturnType<typeof bareKernel>, vp: VerifiedProgram): Promise<unknown> {
  const p = await compile(vp, k);
  try {
    p.run();
  } catch (e) {
    return e;
  } finally {
    p.dispose();
  }
  return undefined;
}

describe('verified programs (no explicit bounds checks)', () => {
  it('every interpreter case agrees when marked verified', async () => {
    const k = bareKernel();
    const bad: string[] = [];
    for (const c of allCases) {
      const got = await runCaseJit(c, k, {}, true);
      if (got !== BigInt.asUintN(64, c.expect)) bad.push(`${c.name}: 0x${got.toString(16)}`);
    }
    expect(bad).toEqual([]);
  }, 300_000);

  const k = bareKernel();
  const beyond = (): bigint => KERNEL_BASE + BigInt(k.mem.size) + 0x100n;
  const programs: [string, string][] = [
    ['load past the memory end', `r1 = ${beyond()} ll\nr0 = *(u64 *)(r1 +0)\nexit`],
    ['load with a positive offset past the end', `r1 = ${KERNEL_BASE + BigInt(k.mem.size) - 8n} ll\nr0 = *(u32 *)(r1 +16)\nexit`],
    ['load with a negative offset below the memory', `r1 = ${KERNEL_BASE} ll\nr0 = *(u64 *)(r1 -8)\nexit`],
    ['store past the memory end', `r1 = ${beyond()} ll\n*(u64 *)(r1 +0) = 7\nr0 = 0\nexit`],
    ['store from a register past the end', `r1 = ${beyond()} ll\nr2 = 5\n*(u8 *)(r1 +3) = r2\nr0 = 0\nexit`],
    ['atomic add past the end', `r1 = ${beyond()} ll\nr2 = 1\nlock *(u64 *)(r1 +0) += r2\nr0 = 0\nexit`],
    ['atomic fetch past the end', `r1 = ${beyond()} ll\nr2 = 1\nr2 = atomic_fetch_add((u32 *)(r1 +0), r2)\nr0 = 0\nexit`],
  ];
  for (const [name, asm] of programs) {
    it(`${name}: BpfRuntimeError bad-access (pc unknown), as the interpreter's kind`, async () => {
      const vp = verified(trustInsns(assemble(asm)));
      const e = await runError(k, vp);
      expect(e).toBeInstanceOf(BpfRuntimeError);
      expect((e as BpfRuntimeError).kind).toBe('bad-access');
      expect((e as BpfRuntimeError).pc).toBe(-1);
      // the unverified program keeps the precise pc and address
      const eu = await runError(k, trustInsns(assemble(asm)));
      expect(eu).toBeInstanceOf(BpfRuntimeError);
      expect((eu as BpfRuntimeError).kind).toBe('bad-access');
      expect((eu as BpfRuntimeError).pc).toBeGreaterThanOrEqual(0);
    });
  }

  it('a bad access inside a bpf_loop callback is bad-access, not a helper error', async () => {
    const kk = new Kernel();
    const vp = verified(
      trustInsns(
        assemble(`r1 = 3
r2 = func[5]
r3 = 0
r4 = 0
call bpf_loop
exit
r1 = 0x${(KERNEL_BASE + 0xfff00000n).toString(16)} ll
r0 = *(u64 *)(r1 +0)
r0 = 0
exit`),
      ),
    );
    const e = await runError(kk, vp);
    expect(e).toBeInstanceOf(BpfRuntimeError);
    expect((e as BpfRuntimeError).message).toMatch(/invalid memory access/);
    expect((e as BpfRuntimeError).kind).toBe('bad-access');
  });

  it('the program and the JIT stay usable after a trap', async () => {
    const vp = verified(trustInsns(assemble(`r1 = ${beyond()} ll\nr0 = *(u64 *)(r1 +0)\nexit`)));
    const ok = verified(trustInsns(assemble(`*(u64 *)(r10 -8) = 41\nr0 = *(u64 *)(r10 -8)\nr0 += 1\nexit`)));
    expect(await runError(k, vp)).toBeInstanceOf(BpfRuntimeError);
    const p = await compile(ok, k);
    expect(p.run().retval).toBe(42n);
    p.dispose();
  });

  it('probe loads of a verified program still read 0 instead of trapping', async () => {
    const vp = verified(trustInsns(assemble(`r1 = ${beyond()} ll\nr0 = 9\nr0 = *(u64 *)(r1 +0)\nr0 += 1\nexit`)));
    const probeLoad = new Uint8Array(vp.insns.length);
    probeLoad[3] = 1;
    const p = await compile({ ...vp, probeLoad }, k);
    try {
      expect(p.run().retval).toBe(1n);
    } finally {
      p.dispose();
    }
  });
});
