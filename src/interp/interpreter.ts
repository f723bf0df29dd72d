// The public face of the reference interpreter: an `Interpreter` bound to one program and one
// kernel, run as often as the caller likes (BPF_PROG_TEST_RUN's repeat), and `runProgram` for a
// single run.
import type { KernelMemory } from '../kernel/memory.js';
import { SKB_HIDDEN_DATA, SKB_HIDDEN_DATA_END } from '../kernel/progtypes/skb.js';
import type { VerifiedProgram } from '../verifier/verified-program.js';
import { decodeProgram } from './decode.js';
import type { InterpKernel } from './env.js';
import { Machine, type PacketSource } from './machine.js';
import { warmUpInterpreter } from './warmup.js';

export interface InterpreterOptions {
  /**
   * Resolves bpf_tail_call targets: the prog array's address and the index to the program stored
   * there (or undefined: the tail call fails and the caller continues). Without it every tail
   * call fails. The public API supplies it from its program table.
   */
  resolveTailCall?: (progArrayMap: bigint, index: number) => VerifiedProgram | undefined;
  /**
   * Instruction budget per run; exceeding it raises BpfRuntimeError('insn-limit').
   * Default: unlimited for verified programs (they terminate), 1e9 for unverified ones.
   */
  maxInsns?: number;
  /** Extra CallEnv fields for helpers (attachType, seq, attachCookie, funcIp, sleepable...). */
  env?: Record<string, unknown>;
}

export interface RunOptions {
  /** address of the context; becomes r1 unless `r1` is given */
  ctxPtr?: bigint;
  r1?: bigint;
  r2?: bigint;
  r3?: bigint;
  r4?: bigint;
  r5?: bigint;
  /**
   * sk_buff linear data for legacy LD_ABS / LD_IND (bytes, or a lookup hook). Default for the
   * __sk_buff program types: the packet the context's data / data_end pointers delimit.
   */
  packet?: Uint8Array | PacketSource;
  /** run this many times (BPF_PROG_TEST_RUN repeat); the result is the last run's */
  repeat?: number;
  /** per-run CallEnv additions (e.g. the iterator's seq_file) */
  env?: Record<string, unknown>;
}

export interface RunResult {
  /** r0 at exit, as an unsigned 64-bit value */
  retval: bigint;
  /** mean wall time per run in nanoseconds */
  durationNs: number;
  /** instructions executed by the last run (callbacks included) */
  insnCount: number;
  /** tail calls taken by the last run */
  tailCalls: number;
}

/** A big-endian view of packet bytes for LD_ABS / LD_IND. */
function packetSource(p: Uint8Array): PacketSource {
  return (off, size) => {
    if (off + size > p.length) return undefined;
    if (size === 1) return p[off]!;
    if (size === 2) return (p[off]! << 8) | p[off + 1]!;
    return ((p[off]! << 24) | (p[off + 1]! << 16) | (p[off + 2]! << 8) | p[off + 3]!) >>> 0;
  };
}

/** Program types whose context is a struct __sk_buff (LD_ABS reads skb->data). */
const SKB_PROG_TYPES = new Set(['socket_filter', 'sched_cls', 'sched_act', 'cgroup_skb']);

/**
 * LD_ABS / LD_IND on the packet of an __sk_buff context block (src/kernel/progtypes/skb.ts):
 * the hidden 64-bit data / data_end pointers behind the UAPI fields, re-read on every load so a
 * helper that moves the packet is honoured.
 */
function skbPacketSource(mem: KernelMemory, ctxPtr: bigint): PacketSource | undefined {
  const ctx = mem.toOff(ctxPtr);
  if (ctx < 0 || ctx + SKB_HIDDEN_DATA_END + 8 > mem.size) return undefined;
  return (off, size) => {
    const data = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA));
    const end = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA_END));
    if (data < 0 || end < 0 || end > mem.size || data + off + size > end) return undefined;
    const b = mem.u8;
    const p = data + off;
    if (size === 1) return b[p]!;
    if (size === 2) return (b[p]! << 8) | b[p + 1]!;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  };
}

export class Interpreter {
  private readonly machine: Machine;

  constructor(
    readonly program: VerifiedProgram,
    readonly kernel: InterpKernel,
    opts: InterpreterOptions = {},
  ) {
    warmUpInterpreter();
    this.machine = new Machine(kernel, { ...(opts.env ?? {}), ctxPtr: 0n, progType: program.progType });
    this.machine.insnLimit = opts.maxInsns ?? (program.verified ? Number.MAX_SAFE_INTEGER : 1e9);
    const resolve = opts.resolveTailCall;
    if (resolve !== undefined) {
      this.machine.resolveTailCall = (map, index) => {
        const vp = resolve(map, index);
        return vp === undefined ? undefined : decodeProgram(vp);
      };
    }
    decodeProgram(program); // decode up front so the first run is not charged for it
  }

  run(opts: RunOptions = {}): RunResult {
    const m = this.machine;
    const code = decodeProgram(this.program);
    const repeat = Math.max(1, Math.floor(opts.repeat ?? 1));
    const ctx = opts.ctxPtr ?? 0n;
    const baseEnv = m.env;
    // per-run additions go into a copy, so the shared env object keeps a stable shape
    const env = opts.env === undefined ? baseEnv : { ...baseEnv, ...opts.env };
    env.ctxPtr = ctx;
    m.env = env;
    const pkt = opts.packet;
    if (pkt !== undefined) m.packet = pkt instanceof Uint8Array ? packetSource(pkt) : pkt;
    else m.packet = SKB_PROG_TYPES.has(this.program.progType) ? skbPacketSource(this.kernel.mem, ctx) : undefined;
    const regs = m.regs;
    let r0 = 0n;
    let total = 0;
    try {
      for (let k = 0; k < repeat; k++) {
        m.clearStack(this.program.verified);
        regs.fill(0n);
        regs[1] = opts.r1 ?? ctx;
        regs[2] = opts.r2 ?? 0n;
        regs[3] = opts.r3 ?? 0n;
        regs[4] = opts.r4 ?? 0n;
        regs[5] = opts.r5 ?? 0n;
        m.insnCount = 0;
        const t0 = process.hrtime.bigint();
        r0 = m.start(code);
        total += Number(process.hrtime.bigint() - t0);
      }
    } finally {
      m.env = baseEnv;
    }
    return { retval: BigInt.asUintN(64, r0), durationNs: total / repeat, insnCount: m.insnCount, tailCalls: m.tailCalls };
  }

  /** Give the interpreter's stack area back to the kernel memory. */
  dispose(): void {
    this.machine.dispose();
  }
}

/** One run of a program (a fresh Interpreter; use the class for repeated runs). */
export function runProgram(vp: VerifiedProgram, kernel: InterpKernel, opts: RunOptions & InterpreterOptions = {}): RunResult {
  const it = new Interpreter(vp, kernel, opts);
  try {
    return it.run(opts);
  } finally {
    it.dispose();
  }
}
