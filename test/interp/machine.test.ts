// Engine behaviour beyond single instructions: helpers, kfuncs, callbacks, tail calls, memory
// faults and probe loads, run-time limits, and the Interpreter API.
import { describe, expect, it } from 'vitest';
import { assemble, type Insn } from '../../src/isa/index.js';
import { KERNEL_BASE } from '../../src/kernel/memory.js';
import {
  BpfRuntimeError,
  FUNC_PTR_BASE,
  Interpreter,
  MAX_TAIL_CALL_CNT,
  funcPtrOf,
  runProgram,
  slotOfFuncPtr,
  trustInsns,
  type InterpCallEnv,
  type RunResult,
} from '../../src/interp/index.js';
import type { VerifiedProgram } from '../../src/verifier/verified-program.js';
import { bareKernel } from './harness.js';

type Fn = (env: InterpCallEnv, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

function kernelWith(helpers: Record<number, Fn> = {}, kfuncs: Record<number, Fn> = {}): ReturnType<typeof bareKernel> {
  const k = bareKernel();
  for (const [id, fn] of Object.entries(helpers)) k.helpers.register({ proto: { id: Number(id), name: `h${id}` }, fn });
  for (const [id, fn] of Object.entries(kfuncs)) k.kfuncs.register({ name: `kf${id}`, btfId: Number(id), flags: 0, fn });
  return k;
}

const run = (asm: string | Insn[], k = kernelWith(), opts: Parameters<typeof runProgram>[2] = {}): RunResult =>
  runProgram(trustInsns(typeof asm === 'string' ? assemble(asm) : asm), k, opts);

function runtimeError(f: () => unknown): BpfRuntimeError {
  try {
    f();
  } catch (e) {
    if (e instanceof BpfRuntimeError) return e;
    throw e;
  }
  throw new Error('expected a BpfRuntimeError');
}

describe('helper and kfunc calls', () => {
  it('passes r1-r5, returns r0 and keeps r6-r9', () => {
    const seen: bigint[] = [];
    const k = kernelWith({
      7: (_env, a, b, c, d, e) => {
        seen.push(a, b, c, d, e);
        return a * 1000n + e;
      },
    });
    const r = run('r6 = 60\nr7 = 70\nr8 = 80\nr9 = 90\nr1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = -5\ncall 7\nr0 += r6\nr0 += r7\nr0 += r8\nr0 += r9\nexit', k);
    // arguments arrive as unsigned 64-bit values
    expect(seen).toEqual([1n, 2n, 3n, 4n, (1n << 64n) - 5n]);
    expect(r.retval).toBe(1000n - 5n + 300n);
  });

  it('gives helpers the ctx pointer and program type', () => {
    let env: InterpCallEnv | undefined;
    const k = kernelWith({ 9: (e) => ((env = e), 0n) });
    const ctx = KERNEL_BASE + 0x20000n;
    runProgram(trustInsns(assemble('call 9\nexit'), 'xdp'), k, { ctxPtr: ctx });
    expect(env?.ctxPtr).toBe(ctx);
    expect(env?.progType).toBe('xdp');
    expect(env?.kernel).toBe(k);
  });

  it('wraps a helper result to 64 bits', () => {
    const k = kernelWith({ 5: () => (1n << 64n) + 3n });
    expect(run('call 5\nexit', k).retval).toBe(3n);
  });

  it('calls kfuncs by BTF id', () => {
    const k = kernelWith({}, { 4242: (_e, a, b) => a - b });
    const prog = assemble('r1 = 50\nr2 = 8\nexit');
    prog.splice(2, 0, { code: 0x85, dst: 0, src: 2, off: 0, imm: 4242 });
    expect(run(prog, k).retval).toBe(42n);
  });

  it('reports unknown helpers and kfuncs with their pc', () => {
    const e = runtimeError(() => run('r0 = 0\ncall 99\nexit'));
    expect(e.kind).toBe('unknown-helper');
    expect(e.pc).toBe(1);
    const e2 = runtimeError(() => run([{ code: 0x85, dst: 0, src: 2, off: 0, imm: 777 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]));
    expect(e2.kind).toBe('unknown-kfunc');
  });
});

describe('callbacks (bpf_loop style)', () => {
  // bpf_loop(nr, callback, ctx, flags): stops when the callback returns 1
  const bpfLoop: Fn = (env, nr, fn, ctx) => {
    let i = 0n;
    while (i < nr) {
      const r = env.callback(fn, i, ctx, 0n, 0n, 0n);
      i++;
      if (r === 1n) break;
    }
    return i;
  };
  // slot 14 is the callback; the ld_imm64 at slot 3 names it with imm = 14 - 3 - 1
  const prog = (cb: string): string => `*(u64 *)(r10 -8) = 0
r6 = 7
r1 = 10
r2 = func[10]
r3 = r10
r3 += -8
r4 = 0
call 181
r1 = *(u64 *)(r10 -8)
r0 <<= 16
r0 |= r1
r0 += r6
exit
${cb}`;

  it('runs the callback subprogram with its own frame and keeps the caller registers', () => {
    const k = kernelWith({ 181: bpfLoop });
    const r = run(prog('r3 = *(u64 *)(r2 +0)\nr3 += r1\n*(u64 *)(r2 +0) = r3\n*(u64 *)(r10 -8) = 1\nr6 = 0\nr0 = 0\nexit'), k);
    expect(r.retval).toBe((10n << 16n) + 45n + 7n);
  });

  it('lets the callback stop the loop', () => {
    const k = kernelWith({ 181: bpfLoop });
    const r = run(prog('r3 = *(u64 *)(r2 +0)\nr3 += r1\n*(u64 *)(r2 +0) = r3\nr0 = 0\nif r1 < 3 goto +1\nr0 = 1\nexit'), k);
    expect(r.retval).toBe((4n << 16n) + 6n + 7n);
  });

  it('rejects a callback address that is not a subprogram', () => {
    const k = kernelWith({ 181: (env) => env.callback(FUNC_PTR_BASE + 8n, 0n, 0n, 0n, 0n, 0n) });
    expect(runtimeError(() => run('call 181\nr0 = 0\nexit', k)).kind).toBe('bad-callback');
  });

  it('represents function addresses as FUNC_PTR_BASE + slot * 8', () => {
    const r = run('r0 = func[2]\nexit\nr0 = 0\nexit');
    expect(r.retval).toBe(FUNC_PTR_BASE + 3n * 8n);
    expect(slotOfFuncPtr(funcPtrOf(17))).toBe(17);
    expect(slotOfFuncPtr(KERNEL_BASE)).toBe(-1);
  });
});

describe('tail calls', () => {
  const MAP = 0xffff888000123000n;
  const target = trustInsns(assemble('r0 = 7\nexit'));

  it('replaces the running program and keeps r1 (ctx)', () => {
    let sawCtx = 0n;
    const k = kernelWith({ 3: (env) => ((sawCtx = env.ctxPtr), 0n) });
    const caller = trustInsns(assemble(`r2 = ${MAP} ll\nr3 = 0\ncall 12\nr0 = 99\nexit`));
    const tgt = trustInsns(assemble('r6 = r1\ncall 3\nr0 = r6\nexit'));
    const ctx = KERNEL_BASE + 0x30000n;
    const r = runProgram(caller, k, { ctxPtr: ctx, resolveTailCall: (m, i) => (m === MAP && i === 0 ? tgt : undefined) });
    expect(r.retval).toBe(ctx);
    expect(sawCtx).toBe(ctx);
    expect(r.tailCalls).toBe(1);
  });

  it('continues after a failed tail call', () => {
    const caller = trustInsns(assemble(`r2 = ${MAP} ll\nr3 = 1\ncall 12\nr0 += 1000\nexit`));
    const r = runProgram(caller, kernelWith(), { resolveTailCall: (_m, i) => (i === 0 ? target : undefined) });
    // the engine's own bpf_tail_call returns -ENOENT when there is nothing to call
    expect(r.retval).toBe(BigInt.asUintN(64, -2n + 1000n));
    expect(r.tailCalls).toBe(0);
  });

  it(`stops after ${MAX_TAIL_CALL_CNT} tail calls`, () => {
    const k = kernelWith();
    const counter = k.mem.alloc(8);
    // every execution bumps *(u64 *)ctx and tail-calls itself
    const self: VerifiedProgram = trustInsns(
      assemble(`r6 = r1\nr1 = *(u64 *)(r6 +0)\nr1 += 1\n*(u64 *)(r6 +0) = r1\nr1 = r6\nr2 = ${MAP} ll\nr3 = 0\ncall 12\nr0 = *(u64 *)(r6 +0)\nexit`),
    );
    const r = runProgram(self, k, { ctxPtr: k.mem.toPtr(counter), resolveTailCall: () => self });
    expect(r.retval).toBe(BigInt(MAX_TAIL_CALL_CNT + 1));
    expect(r.tailCalls).toBe(MAX_TAIL_CALL_CNT);
  });

  it('a tail call from a subprogram returns to the caller of that subprogram', () => {
    const caller = trustInsns(assemble(`call f\nr0 += 100\nexit\nf:\nr2 = ${MAP} ll\nr3 = 0\ncall 12\nr0 = 1\nexit`));
    const r = runProgram(caller, kernelWith(), { resolveTailCall: () => target });
    expect(r.retval).toBe(107n);
  });
});

describe('memory', () => {
  it('reads and writes kernel memory at any alignment', () => {
    const k = kernelWith();
    const off = k.mem.alloc(32);
    k.mem.writeBytes(off, Uint8Array.from({ length: 32 }, (_, i) => i + 1));
    const p = k.mem.toPtr(off);
    const r = run('r0 = *(u32 *)(r1 +1)\nr2 = *(u64 *)(r1 +3)\nr3 = *(u16 *)(r1 +5)\nr4 = *(s16 *)(r1 +7)\nexit', k, { ctxPtr: p });
    expect(r.retval).toBe(0x05040302n);
    const r2 = run('r2 = *(u64 *)(r1 +3)\nr0 = r2\nexit', k, { ctxPtr: p });
    expect(r2.retval).toBe(0x0b0a090807060504n);
    run('r2 = 0x1122334455667788 ll\n*(u64 *)(r1 +9) = r2\n*(u32 *)(r1 +19) = r2\n*(u16 *)(r1 +25) = r2\nr0 = 0\nexit', k, { ctxPtr: p });
    expect([...k.mem.readBytes(off + 9, 8)]).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect([...k.mem.readBytes(off + 19, 4)]).toEqual([0x88, 0x77, 0x66, 0x55]);
    expect([...k.mem.readBytes(off + 25, 2)]).toEqual([0x88, 0x77]);
  });

  it('faults cleanly on a NULL dereference with pc and address', () => {
    const e = runtimeError(() => run('r1 = 0\nr0 = *(u64 *)(r1 +16)\nexit'));
    expect(e.kind).toBe('bad-access');
    expect(e.pc).toBe(1);
    expect(e.addr).toBe(16n);
  });

  it('faults on addresses past the end of the linear memory and outside the kernel range', () => {
    const k = kernelWith();
    const end = k.mem.toPtr(k.mem.size);
    expect(runtimeError(() => run(`r1 = ${end - 4n} ll\nr0 = *(u64 *)(r1 +0)\nexit`, k)).kind).toBe('bad-access');
    expect(runtimeError(() => run('r1 = 0x7fff00001000 ll\n*(u32 *)(r1 +0) = 1\nr0 = 0\nexit', k)).kind).toBe('bad-access');
    expect(runtimeError(() => run(`r1 = ${KERNEL_BASE - 8n} ll\nr0 = *(u8 *)(r1 +0)\nexit`, k)).kind).toBe('bad-access');
    expect(runtimeError(() => run('r0 = 0\nlock *(u64 *)(r0 +0) += r0\nexit', k)).kind).toBe('bad-access');
  });

  it('adds negative and positive instruction offsets', () => {
    const k = kernelWith();
    const off = k.mem.alloc(8);
    k.mem.writeU64(off, 0xabcdn);
    const base = k.mem.toPtr(off) - 0x100n; // add the 0x100 back through the instruction offset
    expect(run(`r1 = ${base} ll\nr0 = *(u64 *)(r1 +256)\nexit`, k).retval).toBe(0xabcdn);
    expect(run(`r1 = ${k.mem.toPtr(off) + 0x7000n} ll\nr0 = *(u64 *)(r1 -28672)\nexit`, k).retval).toBe(0xabcdn);
  });

  it('probe loads read 0 where the access would fault', () => {
    const insns = assemble('r1 = 0\nr0 = *(u64 *)(r1 +8)\nr2 = -1\nr2 = *(u32 *)(r2 +0)\nr0 |= r2\nexit');
    const vp = trustInsns(insns);
    vp.probeLoad[1] = 1;
    vp.probeLoad[3] = 1;
    expect(runProgram(vp, kernelWith()).retval).toBe(0n);
  });

  it('sees memory grown by a helper', () => {
    const k = kernelWith({
      1: (env) => env.kernel.mem.toPtr(env.kernel.mem.alloc(64 << 20)),
    });
    const before = k.mem.size;
    const r = run('*(u64 *)(r10 -8) = 5\ncall 1\nr1 = 0x77\n*(u64 *)(r0 +4096) = r1\nr0 = *(u64 *)(r0 +4096)\nr1 = *(u64 *)(r10 -8)\nr0 += r1\nexit', k);
    expect(k.mem.size).toBeGreaterThan(before);
    expect(r.retval).toBe(0x77n + 5n);
  });

  it('sees memory grown behind the kernel memory\'s back (wasm memory.grow in a helper)', () => {
    const k = kernelWith({
      1: (env) => {
        env.kernel.mem.memory.grow(1); // detaches the views without going through KernelMemory
        return 0n;
      },
    });
    const gen = k.mem.generation;
    const r = run('*(u64 *)(r10 -8) = 5\ncall 1\nr1 = *(u64 *)(r10 -8)\n*(u64 *)(r10 -16) = r1\nr0 = *(u64 *)(r10 -16)\nexit', k);
    expect(r.retval).toBe(5n);
    expect(k.mem.generation).toBeGreaterThan(gen);
  });

  it('gives every run a zeroed stack', () => {
    const it = new Interpreter(trustInsns(assemble('r0 = *(u64 *)(r10 -8)\n*(u64 *)(r10 -8) = 5\nexit')), kernelWith());
    expect(it.run().retval).toBe(0n);
    expect(it.run().retval).toBe(0n);
    it.dispose();
  });
});

describe('stack clearing between runs', () => {
  it('a verified program gets every frame it reached zeroed (only those are cleared)', () => {
    // main calls sub; sub returns what its frame held, then dirties it
    const vp = trustInsns(assemble('call sub\nexit\nsub:\nr0 = *(u64 *)(r10 -8)\n*(u64 *)(r10 -8) = 5\nexit'));
    vp.verified = true;
    const it = new Interpreter(vp, kernelWith());
    expect(it.run().retval).toBe(0n);
    expect(it.run().retval).toBe(0n);
    expect(it.run({ repeat: 3 }).retval).toBe(0n);
    it.dispose();
  });
});

describe('control and limits', () => {
  it('reports invalid opcodes only when executed', () => {
    const ok = run([{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }, { code: 0xff, dst: 0, src: 0, off: 0, imm: 0 }]);
    expect(ok.retval).toBe(1n);
    const e = runtimeError(() => run([{ code: 0xff, dst: 0, src: 0, off: 0, imm: 0 }]));
    expect(e.kind).toBe('invalid-insn');
    expect(e.message).toMatch(/invalid opcode 0xff/);
  });

  it('refuses unresolved map references', () => {
    const e = runtimeError(() => run('r1 = map_fd[3]\nr0 = 0\nexit'));
    expect(e.kind).toBe('invalid-insn');
    expect(e.message).toMatch(/unresolved map reference/);
  });

  it('stops at the end of the program and at jumps out of it', () => {
    expect(runtimeError(() => run('r0 = 0')).kind).toBe('pc-out-of-range');
    expect(runtimeError(() => run([{ code: 0x05, dst: 0, src: 0, off: 100, imm: 0 }])).kind).toBe('pc-out-of-range');
  });

  it('limits call depth to 8 frames', () => {
    const e = runtimeError(() => run('call f\nexit\nf:\ncall f\nexit'));
    expect(e.kind).toBe('call-depth');
  });

  it('stops unverified infinite loops at the instruction budget', () => {
    const e = runtimeError(() => run('r0 = 0\nl:\ngoto l', kernelWith(), { maxInsns: 10_000 }));
    expect(e.kind).toBe('insn-limit');
  });

  it('counts executed instructions', () => {
    expect(run('r0 = 0\nr1 = 3\nl:\nr1 -= 1\nif r1 != 0 goto l\nexit').insnCount).toBe(2 + 3 * 2 + 1);
  });

  it('passes r1-r5 from the run options', () => {
    const r = run('r0 = r1\nr0 += r2\nr0 += r3\nr0 += r4\nr0 += r5\nexit', kernelWith(), { r1: 1n, r2: 2n, r3: 3n, r4: 4n, r5: 5n });
    expect(r.retval).toBe(15n);
  });

  it('repeats runs and reports the mean duration', () => {
    const it = new Interpreter(trustInsns(assemble('r0 = 0\nr1 = 100\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\nexit')), kernelWith());
    const r = it.run({ repeat: 20 });
    expect(r.retval).toBe(5050n);
    expect(r.durationNs).toBeGreaterThan(0);
    it.dispose();
  });
});

describe('trustInsns', () => {
  it('finds subprograms from calls and function references', () => {
    const vp = trustInsns(assemble('r1 = func[3]\ncall f\nexit\nr0 = 0\nexit\nf:\nr0 = 1\nexit'));
    expect(vp.subprogs.map((s) => [s.start, s.end])).toEqual([
      [0, 4],
      [4, 6],
      [6, 8],
    ]);
    expect(vp.verified).toBe(false);
  });
});

describe('warm-up', () => {
  it('runs every interpreter arm to the end', async () => {
    const { runWarmUp } = await import('../../src/interp/warmup.js');
    expect(() => runWarmUp()).not.toThrow();
  });
});

describe('helper failures', () => {
  it('wraps a throwing helper in a BpfRuntimeError with pc and cause', () => {
    const boom = new Error('boom');
    const k = kernelWith({
      3: () => {
        throw boom;
      },
    });
    const e = runtimeError(() => run('r0 = 0\ncall 3\nexit', k));
    expect(e.kind).toBe('helper-error');
    expect(e.pc).toBe(1);
    expect(e.message).toMatch(/helper h3 failed: boom/);
    expect(e.cause).toBe(boom);
  });

  it('keeps frames apart by STACK_FRAME_STRIDE', async () => {
    const { STACK_FRAME_STRIDE } = await import('../../src/interp/index.js');
    const r = run('call f\nr1 = r10\nr1 -= r0\nr0 = r1\nexit\nf:\nr0 = r10\nexit');
    expect(r.retval).toBe(BigInt.asUintN(64, BigInt(-STACK_FRAME_STRIDE)));
  });
});

describe('CallEnv additions', () => {
  it('shows per-run env fields to helpers for that run only', () => {
    const seen: unknown[] = [];
    const k = kernelWith({ 2: (env) => (seen.push(env.seq, env.attachType), 0n) });
    const it = new Interpreter(trustInsns(assemble('call 2\nexit')), k, { env: { attachType: 'trace_iter' } });
    it.run({ env: { seq: 'S1' } });
    it.run();
    expect(seen).toEqual(['S1', 'trace_iter', undefined, 'trace_iter']);
    it.dispose();
  });
});

describe('legacy packet loads', () => {
  it('read the __sk_buff packet by default for skb program types', async () => {
    const { SKB_HIDDEN_DATA, SKB_HIDDEN_DATA_END } = await import('../../src/kernel/progtypes/skb.js');
    const k = kernelWith();
    const ctx = k.mem.alloc(256);
    const data = k.mem.alloc(16);
    k.mem.writeBytes(data, Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]));
    k.mem.writeU64(ctx + SKB_HIDDEN_DATA, k.mem.toPtr(data));
    k.mem.writeU64(ctx + SKB_HIDDEN_DATA_END, k.mem.toPtr(data + 6));
    const prog = (asm: string, type = 'socket_filter'): bigint =>
      runProgram(trustInsns(assemble(asm), type), k, { ctxPtr: k.mem.toPtr(ctx) }).retval;
    expect(prog('r6 = r1\nr0 = *(u32 *)skb[0]\nexit')).toBe(0xdeadbeefn);
    expect(prog('r6 = r1\nr0 = *(u16 *)skb[4]\nexit', 'sched_cls')).toBe(0x0102n);
    expect(prog('r6 = r1\nr0 = *(u16 *)skb[5]\nr0 = 9\nexit')).toBe(0n);
    expect(prog('r6 = r1\nr0 = *(u8 *)skb[0]\nexit', 'xdp')).toBe(0n); // no skb: the load fails
  });
});

describe('asynchronous callbacks', () => {
  it('run a callback of the last program after the run ended (bpf_timer style)', () => {
    let saved: { env: InterpCallEnv; fn: bigint } | undefined;
    const k = kernelWith({ 170: (env, _a, fn) => ((saved = { env, fn }), 0n) });
    // slot 5 is the callback: ld_imm64 at slot 0 names it with imm 4
    const it = new Interpreter(trustInsns(assemble('r2 = func[4]\ncall 170\nr0 = 1\nexit\nr0 = r1\nr0 *= 3\nexit')), k);
    expect(it.run().retval).toBe(1n);
    expect(saved!.env.callback(saved!.fn, 14n, 0n, 0n, 0n, 0n)).toBe(42n);
    it.dispose();
  });
});
