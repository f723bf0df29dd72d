// The JIT against the real simulated Kernel: host helpers, callbacks re-entering wasm, inline
// array-map lookups and bpf_iter_num, tail calls — each compared with the interpreter.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { BpfRuntimeError, Interpreter, runProgram, trustInsns } from '../../src/interp/index.js';
import type { VerifiedProgram } from '../../src/verifier/verified-program.js';
import { compile, type JitOptions } from '../../jit/index.js';

function kernel(): Kernel {
  return new Kernel();
}

const u32le = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);

async function both(k: Kernel, vp: VerifiedProgram, opts: JitOptions = {}): Promise<{ jit: bigint; interp: bigint }> {
  const interp = runProgram(vp, k).retval;
  const p = await compile(vp, k, opts);
  try {
    return { jit: p.run().retval, interp };
  } finally {
    p.dispose();
  }
}

function iterSum(k: Kernel, n: number): VerifiedProgram {
  const id = (name: string): number => k.kfuncBtfId(name);
  return trustInsns(
    assemble(`r6 = 0
r1 = r10
r1 += -8
r2 = 0
r3 = ${n}
call bpf_iter_num_new#${id('bpf_iter_num_new')}
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next#${id('bpf_iter_num_next')}
if r0 == 0 goto done
r1 = *(u32 *)(r0 +0)
r1 *= r1
r6 += r1
goto loop
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy#${id('bpf_iter_num_destroy')}
r0 = r6
exit`),
  );
}

describe('JIT with the simulated kernel', () => {
  it('array map lookup (inlined) and atomic add, as the interpreter', async () => {
    for (const inline of [true, false]) {
      const k = kernel();
      const { map } = k.maps.createMap({ type: 2, keySize: 4, valueSize: 8, maxEntries: 4, name: 'counts' });
      const prog = trustInsns(
        assemble(`*(u32 *)(r10 -4) = r1
r1 = ${map.ptr} ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 +0) += r1
r0 = 1
out:
exit`),
      );
      const p = await compile(prog, k, { inline });
      for (let n = 0; n < 5; n++) expect(p.run({ r1: 1n }).retval).toBe(1n);
      expect(p.run({ r1: 4n }).retval).toBe(0n); // key out of range -> NULL
      expect(p.run({ r1: 0xffffffffn }).retval).toBe(0n);
      expect(new DataView(map.lookup(u32le(1))!.buffer).getBigUint64(0, true)).toBe(5n);
      new Interpreter(prog, k).run({ r1: 1n });
      expect(new DataView(map.lookup(u32le(1))!.buffer).getBigUint64(0, true)).toBe(6n);
      p.dispose();
    }
  });

  it('hash map helpers through host imports', async () => {
    const k = kernel();
    const { map } = k.maps.createMap({ type: 1, keySize: 4, valueSize: 8, maxEntries: 4, name: 'h' });
    const prog = trustInsns(
      assemble(`*(u32 *)(r10 -4) = 7
*(u64 *)(r10 -16) = 99
r1 = ${map.ptr} ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call bpf_map_update_elem
r1 = ${map.ptr} ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 +0)
out:
exit`),
    );
    expect(await both(k, prog)).toEqual({ jit: 99n, interp: 99n });
  });

  it('runs bpf_loop callbacks (re-entering the module)', async () => {
    const k = kernel();
    const prog = trustInsns(
      assemble(`*(u64 *)(r10 -8) = 0
r1 = 100
r2 = func[9]
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r1 = *(u64 *)(r10 -8)
r0 <<= 32
r0 |= r1
exit
r3 = *(u64 *)(r2 +0)
r3 += r1
*(u64 *)(r2 +0) = r3
r0 = 0
exit`),
    );
    expect(await both(k, prog)).toEqual({ jit: (100n << 32n) | 4950n, interp: (100n << 32n) | 4950n });
  });

  it('prints through bpf_trace_printk', async () => {
    const k = kernel();
    const prog = trustInsns(
      assemble(`r1 = 0xa6425206968 ll
*(u64 *)(r10 -8) = r1
r1 = r10
r1 += -8
r2 = 7
r3 = 42
call bpf_trace_printk
r0 = 0
exit`),
    );
    const p = await compile(prog, k);
    p.run();
    expect(k.trace.join('')).toContain('hi 42');
  });

  it('inlines bpf_iter_num_{new,next,destroy} with the kfuncs results', async () => {
    const k = kernel();
    for (const n of [0, 1, 10, 1000]) {
      let want = 0n;
      for (let i = 0n; i < BigInt(n); i++) want += i * i;
      const vp = iterSum(k, n);
      expect(await both(k, vp)).toEqual({ jit: want, interp: want });
      expect((await both(k, vp, { inline: false })).jit).toBe(want);
    }
  });

  it('bpf_iter_num_new rejects start > end and huge ranges like the kfunc', async () => {
    const k = kernel();
    const id = k.kfuncBtfId('bpf_iter_num_new');
    for (const [s, e] of [[5, 1], [0, 0x7fffffff], [-5, 3]]) {
      const vp = trustInsns(
        assemble(`r1 = r10
r1 += -8
r2 = ${s}
r3 = ${e}
call bpf_iter_num_new#${id}
r6 = r0
r1 = *(u64 *)(r10 -8)
r0 <<= 32
r0 ^= r1
exit`),
      );
      const r = await both(k, vp);
      expect(r.jit).toBe(r.interp);
    }
  });

  it('tail calls replace the program and stop after 33', async () => {
    const k = kernel();
    // counts its own entries in a stack slot that tail calls share (same frame)
    const self = trustInsns(
      assemble(`r6 = r1
r1 = *(u64 *)(r10 -8)
r1 += 1
*(u64 *)(r10 -8) = r1
r1 = r6
r2 = 0x1234 ll
r3 = 0
call bpf_tail_call
r0 = *(u64 *)(r10 -8)
exit`),
    );
    const resolveTailCall = (): VerifiedProgram => self;
    const it1 = new Interpreter(self, k, { resolveTailCall });
    const want = it1.run().retval;
    const p = await compile(self, k, { resolveTailCall });
    const r = p.run();
    expect(r.retval).toBe(want);
    expect(r.tailCalls).toBe(33);
    expect(want).toBe(34n);
  });

  it('faults cleanly outside the linear memory in unverified programs', async () => {
    const k = kernel();
    const p = await compile(trustInsns(assemble('r1 = 0x10 ll\nr0 = *(u64 *)(r1 +0)\nexit')), k);
    expect(() => p.run()).toThrow(BpfRuntimeError);
    const q = await compile(trustInsns(assemble('r1 = 0xffff888000000000 ll\nr1 += 0x7fffffff\nr1 += 0x7fffffff\n*(u32 *)(r1 +0) = 1\nr0 = 0\nexit')), k);
    expect(() => q.run()).toThrow(/invalid write of 4 bytes/);
  });

  it('probe loads read 0 on a fault', async () => {
    const k = kernel();
    const vp = trustInsns(assemble('r1 = 0x10 ll\nr0 = *(u64 *)(r1 +0)\nr0 += 5\nexit'));
    vp.probeLoad[2] = 1;
    expect(await both(k, vp)).toEqual({ jit: 5n, interp: 5n });
  });

  it('a helper exception becomes BpfRuntimeError(helper-error)', async () => {
    const k = kernel();
    const p = await compile(trustInsns(assemble('call 999\nexit')), k);
    expect(() => p.run()).toThrow(BpfRuntimeError);
  });
});

describe('JIT tiers', () => {
  it('the optimized tier computes the same results', async () => {
    const k = kernel();
    const vp = iterSum(k, 5000);
    let want = 0n;
    for (let i = 0n; i < 5000n; i++) want += i * i;
    const p = await compile(vp, k, { tier: 'optimized' });
    expect(p.run({ repeat: 3 }).retval).toBe(want);
    p.dispose();
  });
});

describe('unverified register-file sharing across bpf-to-bpf calls', () => {
  it('callee sees the caller r0/r6-r9 and leaves r1-r5 changed, as the interpreter', async () => {
    const k = kernel();
    const vp = trustInsns(assemble('r0 = 3\nr6 = 5\nr1 = 1\ncall f\nr0 += r1\nr0 += r6\nexit\nf:\nr0 *= r6\nr1 = 100\nr6 = 1000\nexit'));
    expect(await both(k, vp)).toEqual({ jit: 120n, interp: 120n });
  });
});
