// The interpreter loop: one `switch` on the full opcode byte over pre-decoded typed arrays.
//
// Registers live in a BigInt64Array with an Int32Array alias over the same bytes (r32[2k] is the
// low half of rk, r32[2k+1] the high half). 64-bit add/sub/mul/bitwise operate on the BigInts
// (V8 lowers these to machine int64 arithmetic when the result is stored into the typed array);
// 32-bit ALU, shifts, comparisons, address computation and memory access use the int32 halves
// with plain number arithmetic, which is the fast path for everything else.
//
// A pointer into the simulated kernel is KERNEL_BASE + offset with KERNEL_BASE's low half zero,
// so an access is in bounds when the high half equals KERNEL_BASE's high half and the low half
// (plus the instruction's offset) lands inside [GUARD_SIZE, memory size). Anything else goes to
// slowEa(), which redoes the computation exactly and then faults: a probe load reads 0, any other
// access raises a BpfRuntimeError naming pc and address. Nothing outside the linear memory is
// ever reachable.
import { GUARD_SIZE, KERNEL_BASE, type KernelMemory } from '../kernel/memory.js';
import { bswap16, bswap32, div32, div64, mod32, mod64 } from './alu.js';
import { decodeProgram, type DecodedProgram } from './decode.js';
import type { HelperFnLike, InterpCallEnv, InterpKernel } from './env.js';
import { BpfRuntimeError } from './errors.js';
import { slotOfFuncPtr } from './funcptr.js';

/** The kernel's MAX_CALL_FRAMES: main program plus 7 nested calls/callbacks. */
export const MAX_CALL_FRAMES = 8;
/** Every frame gets the whole MAX_BPF_STACK; r10 points at its top. */
export const STACK_FRAME_SIZE = 512;
/**
 * Distance between the r10 of consecutive frames: MAX_BPF_STACK plus room for the hidden slots
 * that verifier rewrites put below a program's own stack (may_goto's counter, inlined bpf_loop's
 * three spills), so a frame never reaches into its caller's.
 */
export const STACK_FRAME_STRIDE = STACK_FRAME_SIZE + 64;
/** may_goto budget per frame (kernel BPF_MAX_LOOPS): the counter the verifier's rewrite keeps. */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
/** Tail calls allowed per run (kernel MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALL_CNT = 33;
/** BPF_FUNC_tail_call, handled by the engine when the kernel registers no such helper. */
const BPF_FUNC_TAIL_CALL = 12;

const BASE_HI = Number(KERNEL_BASE >> 32n) | 0;
const ENOENT = 2;

/** Resolves a tail-call target: prog array map address + index -> program (or none). */
export type TailCallResolver = (progArrayMap: bigint, index: number) => DecodedProgram | undefined;

/** Hook for legacy LD_ABS / LD_IND: bytes of the packet (sk_buff linear data) or none. */
export interface PacketSource {
  (off: number, size: 1 | 2 | 4): number | undefined;
}

export class Machine {
  readonly regs = new BigInt64Array(12);
  readonly r32 = new Int32Array(this.regs.buffer);
  /** unsigned alias: helpers receive their arguments as unsigned 64-bit values */
  private readonly regsU = new BigUint64Array(this.regs.buffer);
  readonly mem: KernelMemory;
  /** r6..r10 of each suspended frame */
  private readonly saved = new BigInt64Array(MAX_CALL_FRAMES * 5);
  private readonly retPc = new Int32Array(MAX_CALL_FRAMES);
  private readonly retCode: (DecodedProgram | undefined)[] = new Array<DecodedProgram | undefined>(MAX_CALL_FRAMES).fill(undefined);
  /** the hidden may_goto counter of each live frame */
  private readonly mayGoto = new Int32Array(MAX_CALL_FRAMES);
  /** r10 of each frame */
  readonly fp = new BigInt64Array(MAX_CALL_FRAMES);
  /** linear offset of the stack area (MAX_CALL_FRAMES * STACK_FRAME_STRIDE bytes) */
  readonly stackOff: number;

  insnCount = 0;
  insnLimit = Number.MAX_SAFE_INTEGER;
  tailCalls = 0;
  private pendingTail: DecodedProgram | undefined = undefined;
  private curCode: DecodedProgram | undefined = undefined;
  private curDepth = 0;
  /** deepest frame entered since the stack was last cleared */
  private maxDepth = 0;
  /** the program the last run started with, and whether a run is in progress */
  private mainCode: DecodedProgram | undefined = undefined;
  private running = false;
  /** the CallEnv helpers see; the Interpreter swaps in a per-run copy when a run adds fields */
  env: InterpCallEnv;
  resolveTailCall: TailCallResolver | undefined = undefined;
  packet: PacketSource | undefined = undefined;

  constructor(readonly kernel: InterpKernel, env: { ctxPtr: bigint; progType: string; [extra: string]: unknown }) {
    this.mem = kernel.mem;
    this.stackOff = this.mem.alloc(MAX_CALL_FRAMES * STACK_FRAME_STRIDE, 16);
    for (let k = 0; k < MAX_CALL_FRAMES; k++) this.fp[k] = this.mem.toPtr(this.stackOff + (k + 1) * STACK_FRAME_STRIDE);
    this.env = {
      ...env,
      kernel,
      callback: (f, a1, a2, a3, a4, a5) => this.callback(f, a1, a2, a3, a4, a5),
      tailCall: (m, idx) => this.armTailCall(m, idx),
    };
  }

  /** Release the stack area back to the kernel memory. */
  dispose(): void {
    this.mem.free(this.stackOff);
  }

  /**
   * Zero the stack (runs start from a clean stack so both engines agree). A verified program
   * only touches the frames it reached, so `onlyUsed` clears frames 0..deepest frame entered
   * since the last clear; an unverified one may write anywhere above its r10, so it gets all.
   */
  clearStack(onlyUsed = false): void {
    this.mem.refreshViews();
    const frames = onlyUsed ? this.maxDepth + 1 : MAX_CALL_FRAMES;
    this.mem.u8.fill(0, this.stackOff, this.stackOff + frames * STACK_FRAME_STRIDE);
    this.maxDepth = 0;
  }

  /** Run `code` from slot 0 as frame 0 with the registers already set up (r1..r5); r10 is set here. */
  start(code: DecodedProgram): bigint {
    this.tailCalls = 0;
    this.pendingTail = undefined;
    this.regs[10] = this.fp[0];
    this.mayGoto[0] = BPF_MAX_LOOPS;
    this.mainCode = code;
    this.running = true;
    try {
      return this.exec(code, 0, 0);
    } finally {
      this.running = false;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Run until the frame `base` (entered at `pc`) exits; returns its r0. */
  exec(code: DecodedProgram, pc: number, base: number): bigint {
    const regs = this.regs;
    const r32 = this.r32;
    const saved = this.saved;
    const mayGoto = this.mayGoto;
    const mem = this.mem;
    mem.refreshViews();
    let u8 = mem.u8;
    let u16 = mem.u16;
    let i32 = mem.i32;
    let i64 = mem.i64;
    let dv = mem.dv;
    let memEnd = mem.size;
    let gen = mem.generation;
    let op = code.op;
    let dst = code.dst;
    let src = code.src;
    let off = code.off;
    let imm = code.imm;
    let immB = code.immB;
    let tgt = code.tgt;
    let depth = base;
    let n = 0;
    let lim = this.insnLimit - this.insnCount;

    for (;;) {
      const i = pc++;
      if (++n > lim) this.limitExceeded(i);
      switch (op[i]) {
        // ---- ALU64 ------------------------------------------------------------------------
        case 0x07: regs[dst[i]] += immB[i]; break;
        case 0x0f: regs[dst[i]] += regs[src[i]]; break;
        case 0x17: regs[dst[i]] -= immB[i]; break;
        case 0x1f: regs[dst[i]] -= regs[src[i]]; break;
        case 0x27: regs[dst[i]] *= immB[i]; break;
        case 0x2f: regs[dst[i]] *= regs[src[i]]; break;
        case 0x37: { const d = dst[i]; regs[d] = div64(regs[d], immB[i], off[i] === 1); break; }
        case 0x3f: { const d = dst[i]; regs[d] = div64(regs[d], regs[src[i]], off[i] === 1); break; }
        case 0x47: regs[dst[i]] |= immB[i]; break;
        case 0x4f: regs[dst[i]] |= regs[src[i]]; break;
        case 0x57: regs[dst[i]] &= immB[i]; break;
        case 0x5f: regs[dst[i]] &= regs[src[i]]; break;
        case 0x67: lsh64(r32, dst[i] << 1, imm[i] & 63); break;
        case 0x6f: lsh64(r32, dst[i] << 1, r32[src[i] << 1]! & 63); break;
        case 0x77: rsh64(r32, dst[i] << 1, imm[i] & 63); break;
        case 0x7f: rsh64(r32, dst[i] << 1, r32[src[i] << 1]! & 63); break;
        case 0x87: { const d = dst[i]; regs[d] = -regs[d]; break; }
        case 0x97: { const d = dst[i]; regs[d] = mod64(regs[d], immB[i], off[i] === 1); break; }
        case 0x9f: { const d = dst[i]; regs[d] = mod64(regs[d], regs[src[i]], off[i] === 1); break; }
        case 0xa7: regs[dst[i]] ^= immB[i]; break;
        case 0xaf: regs[dst[i]] ^= regs[src[i]]; break;
        case 0xb7: regs[dst[i]] = immB[i]; break;
        case 0xbf: {
          const o = off[i];
          if (o === 0) {
            regs[dst[i]] = regs[src[i]];
          } else {
            // movsx: sign-extend the low 8/16/32 bits into all 64
            const d2 = dst[i] << 1;
            const v = r32[src[i] << 1]!;
            const lo = o === 8 ? (v << 24) >> 24 : o === 16 ? (v << 16) >> 16 : v;
            r32[d2] = lo;
            r32[d2 + 1] = lo >> 31;
          }
          break;
        }
        case 0xc7: arsh64(r32, dst[i] << 1, imm[i] & 63); break;
        case 0xcf: arsh64(r32, dst[i] << 1, r32[src[i] << 1]! & 63); break;
        case 0xd7: { // bswap16/32/64 (ALU64 | END | TO_LE)
          const d2 = dst[i] << 1;
          const w = imm[i];
          if (w === 16) { r32[d2] = bswap16(r32[d2]!); r32[d2 + 1] = 0; }
          else if (w === 32) { r32[d2] = bswap32(r32[d2]!); r32[d2 + 1] = 0; }
          else { const lo = r32[d2]!; r32[d2] = bswap32(r32[d2 + 1]!); r32[d2 + 1] = bswap32(lo); }
          break;
        }

        // ---- ALU (32-bit; every result zero-extends into the upper half) --------------------
        case 0x04: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! + imm[i]!; r32[d2 + 1] = 0; break; }
        case 0x0c: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! + r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0x14: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! - imm[i]!; r32[d2 + 1] = 0; break; }
        case 0x1c: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! - r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0x24: { const d2 = dst[i] << 1; r32[d2] = Math.imul(r32[d2]!, imm[i]!); r32[d2 + 1] = 0; break; }
        case 0x2c: { const d2 = dst[i] << 1; r32[d2] = Math.imul(r32[d2]!, r32[src[i] << 1]!); r32[d2 + 1] = 0; break; }
        case 0x34: { const d2 = dst[i] << 1; r32[d2] = div32(r32[d2]!, imm[i]!, off[i] === 1); r32[d2 + 1] = 0; break; }
        case 0x3c: { const d2 = dst[i] << 1; r32[d2] = div32(r32[d2]!, r32[src[i] << 1]!, off[i] === 1); r32[d2 + 1] = 0; break; }
        case 0x44: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! | imm[i]!; r32[d2 + 1] = 0; break; }
        case 0x4c: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! | r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0x54: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! & imm[i]!; r32[d2 + 1] = 0; break; }
        case 0x5c: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! & r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        // JavaScript shifts already take the count modulo 32, exactly the kernel's (& 31)
        case 0x64: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! << imm[i]!; r32[d2 + 1] = 0; break; }
        case 0x6c: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! << r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0x74: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! >>> imm[i]!; r32[d2 + 1] = 0; break; }
        case 0x7c: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! >>> r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0x84: { const d2 = dst[i] << 1; r32[d2] = -r32[d2]!; r32[d2 + 1] = 0; break; }
        case 0x94: { const d2 = dst[i] << 1; r32[d2] = mod32(r32[d2]!, imm[i]!, off[i] === 1); r32[d2 + 1] = 0; break; }
        case 0x9c: { const d2 = dst[i] << 1; r32[d2] = mod32(r32[d2]!, r32[src[i] << 1]!, off[i] === 1); r32[d2 + 1] = 0; break; }
        case 0xa4: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! ^ imm[i]!; r32[d2 + 1] = 0; break; }
        case 0xac: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! ^ r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0xb4: { const d2 = dst[i] << 1; r32[d2] = imm[i]!; r32[d2 + 1] = 0; break; }
        case 0xbc: {
          const d2 = dst[i] << 1;
          const v = r32[src[i] << 1]!;
          const o = off[i];
          r32[d2] = o === 0 ? v : o === 8 ? (v << 24) >> 24 : (v << 16) >> 16;
          r32[d2 + 1] = 0;
          break;
        }
        case 0xc4: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! >> imm[i]!; r32[d2 + 1] = 0; break; }
        case 0xcc: { const d2 = dst[i] << 1; r32[d2] = r32[d2]! >> r32[src[i] << 1]!; r32[d2 + 1] = 0; break; }
        case 0xd4: { // le16/32/64: a truncation on a little-endian machine
          const d2 = dst[i] << 1;
          const w = imm[i];
          if (w === 16) { r32[d2] = r32[d2]! & 0xffff; r32[d2 + 1] = 0; }
          else if (w === 32) r32[d2 + 1] = 0;
          break;
        }
        case 0xdc: { // be16/32/64
          const d2 = dst[i] << 1;
          const w = imm[i];
          if (w === 16) { r32[d2] = bswap16(r32[d2]!); r32[d2 + 1] = 0; }
          else if (w === 32) { r32[d2] = bswap32(r32[d2]!); r32[d2 + 1] = 0; }
          else { const lo = r32[d2]!; r32[d2] = bswap32(r32[d2 + 1]!); r32[d2 + 1] = bswap32(lo); }
          break;
        }

        // ---- JMP (64-bit compares; K is the sign-extended imm) --------------------------------
        case 0x05: pc = tgt[i]!; break;
        case 0x15: { const d2 = dst[i] << 1; const b = imm[i]!; if (r32[d2] === b && r32[d2 + 1] === b >> 31) pc = tgt[i]!; break; }
        case 0x1d: { const d2 = dst[i] << 1; const s2 = src[i] << 1; if (r32[d2] === r32[s2] && r32[d2 + 1] === r32[s2 + 1]) pc = tgt[i]!; break; }
        case 0x55: { const d2 = dst[i] << 1; const b = imm[i]!; if (r32[d2] !== b || r32[d2 + 1] !== b >> 31) pc = tgt[i]!; break; }
        case 0x5d: { const d2 = dst[i] << 1; const s2 = src[i] << 1; if (r32[d2] !== r32[s2] || r32[d2 + 1] !== r32[s2 + 1]) pc = tgt[i]!; break; }
        case 0x45: { const d2 = dst[i] << 1; const b = imm[i]!; if ((r32[d2]! & b) !== 0 || (r32[d2 + 1]! & (b >> 31)) !== 0) pc = tgt[i]!; break; }
        case 0x4d: { const d2 = dst[i] << 1; const s2 = src[i] << 1; if ((r32[d2]! & r32[s2]!) !== 0 || (r32[d2 + 1]! & r32[s2 + 1]!) !== 0) pc = tgt[i]!; break; }
        case 0x25: if (ucmp(r32, dst[i] << 1, imm[i]!) > 0) pc = tgt[i]!; break;
        case 0x2d: if (ucmpR(r32, dst[i] << 1, src[i] << 1) > 0) pc = tgt[i]!; break;
        case 0x35: if (ucmp(r32, dst[i] << 1, imm[i]!) >= 0) pc = tgt[i]!; break;
        case 0x3d: if (ucmpR(r32, dst[i] << 1, src[i] << 1) >= 0) pc = tgt[i]!; break;
        case 0xa5: if (ucmp(r32, dst[i] << 1, imm[i]!) < 0) pc = tgt[i]!; break;
        case 0xad: if (ucmpR(r32, dst[i] << 1, src[i] << 1) < 0) pc = tgt[i]!; break;
        case 0xb5: if (ucmp(r32, dst[i] << 1, imm[i]!) <= 0) pc = tgt[i]!; break;
        case 0xbd: if (ucmpR(r32, dst[i] << 1, src[i] << 1) <= 0) pc = tgt[i]!; break;
        case 0x65: if (scmp(r32, dst[i] << 1, imm[i]!) > 0) pc = tgt[i]!; break;
        case 0x6d: if (scmpR(r32, dst[i] << 1, src[i] << 1) > 0) pc = tgt[i]!; break;
        case 0x75: if (scmp(r32, dst[i] << 1, imm[i]!) >= 0) pc = tgt[i]!; break;
        case 0x7d: if (scmpR(r32, dst[i] << 1, src[i] << 1) >= 0) pc = tgt[i]!; break;
        case 0xc5: if (scmp(r32, dst[i] << 1, imm[i]!) < 0) pc = tgt[i]!; break;
        case 0xcd: if (scmpR(r32, dst[i] << 1, src[i] << 1) < 0) pc = tgt[i]!; break;
        case 0xd5: if (scmp(r32, dst[i] << 1, imm[i]!) <= 0) pc = tgt[i]!; break;
        case 0xdd: if (scmpR(r32, dst[i] << 1, src[i] << 1) <= 0) pc = tgt[i]!; break;
        case 0xe5: { // may_goto: taken once this frame's budget is spent
          const c = mayGoto[depth]!;
          if (c === 0) pc = tgt[i]!;
          else mayGoto[depth] = c - 1;
          break;
        }

        // ---- JMP32 (low halves only) ---------------------------------------------------------
        case 0x06: pc = tgt[i]!; break; // gotol
        case 0x16: if (r32[dst[i] << 1] === imm[i]) pc = tgt[i]!; break;
        case 0x1e: if (r32[dst[i] << 1] === r32[src[i] << 1]) pc = tgt[i]!; break;
        case 0x56: if (r32[dst[i] << 1] !== imm[i]) pc = tgt[i]!; break;
        case 0x5e: if (r32[dst[i] << 1] !== r32[src[i] << 1]) pc = tgt[i]!; break;
        case 0x46: if ((r32[dst[i] << 1]! & imm[i]!) !== 0) pc = tgt[i]!; break;
        case 0x4e: if ((r32[dst[i] << 1]! & r32[src[i] << 1]!) !== 0) pc = tgt[i]!; break;
        case 0x26: if (r32[dst[i] << 1]! >>> 0 > imm[i]! >>> 0) pc = tgt[i]!; break;
        case 0x2e: if (r32[dst[i] << 1]! >>> 0 > r32[src[i] << 1]! >>> 0) pc = tgt[i]!; break;
        case 0x36: if (r32[dst[i] << 1]! >>> 0 >= imm[i]! >>> 0) pc = tgt[i]!; break;
        case 0x3e: if (r32[dst[i] << 1]! >>> 0 >= r32[src[i] << 1]! >>> 0) pc = tgt[i]!; break;
        case 0xa6: if (r32[dst[i] << 1]! >>> 0 < imm[i]! >>> 0) pc = tgt[i]!; break;
        case 0xae: if (r32[dst[i] << 1]! >>> 0 < r32[src[i] << 1]! >>> 0) pc = tgt[i]!; break;
        case 0xb6: if (r32[dst[i] << 1]! >>> 0 <= imm[i]! >>> 0) pc = tgt[i]!; break;
        case 0xbe: if (r32[dst[i] << 1]! >>> 0 <= r32[src[i] << 1]! >>> 0) pc = tgt[i]!; break;
        case 0x66: if (r32[dst[i] << 1]! > imm[i]!) pc = tgt[i]!; break;
        case 0x6e: if (r32[dst[i] << 1]! > r32[src[i] << 1]!) pc = tgt[i]!; break;
        case 0x76: if (r32[dst[i] << 1]! >= imm[i]!) pc = tgt[i]!; break;
        case 0x7e: if (r32[dst[i] << 1]! >= r32[src[i] << 1]!) pc = tgt[i]!; break;
        case 0xc6: if (r32[dst[i] << 1]! < imm[i]!) pc = tgt[i]!; break;
        case 0xce: if (r32[dst[i] << 1]! < r32[src[i] << 1]!) pc = tgt[i]!; break;
        case 0xd6: if (r32[dst[i] << 1]! <= imm[i]!) pc = tgt[i]!; break;
        case 0xde: if (r32[dst[i] << 1]! <= r32[src[i] << 1]!) pc = tgt[i]!; break;

        // ---- calls and exit ------------------------------------------------------------------
        case 0x85: {
          if (src[i] === 1) {
            // bpf-to-bpf call: the callee gets its own frame; the caller's r6-r10 come back on exit
            if (depth + 1 >= MAX_CALL_FRAMES) {
              throw new BpfRuntimeError('call-depth', i, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
            }
            const k = depth * 5;
            saved[k] = regs[6]!;
            saved[k + 1] = regs[7]!;
            saved[k + 2] = regs[8]!;
            saved[k + 3] = regs[9]!;
            saved[k + 4] = regs[10]!;
            this.retPc[depth] = pc;
            this.retCode[depth] = code;
            depth++;
            if (depth > this.maxDepth) this.maxDepth = depth;
            regs[10] = this.fp[depth]!;
            mayGoto[depth] = BPF_MAX_LOOPS;
            pc = tgt[i]!;
            break;
          }
          this.insnCount += n;
          n = 0;
          this.curCode = code;
          this.curDepth = depth;
          regs[0] = this.callExternal(code, i);
          lim = this.insnLimit - this.insnCount;
          // a helper that grew the memory detached our views (their length drops to 0)
          if (u8.length === 0 || mem.generation !== gen) {
            mem.refreshViews();
            gen = mem.generation;
            u8 = mem.u8; u16 = mem.u16; i32 = mem.i32; i64 = mem.i64; dv = mem.dv; memEnd = mem.size;
          }
          const t = this.pendingTail;
          if (t !== undefined) {
            // the tail-called program replaces this one in the same frame (same r10, r1 = ctx)
            this.pendingTail = undefined;
            code = t;
            op = t.op; dst = t.dst; src = t.src; off = t.off; imm = t.imm; immB = t.immB; tgt = t.tgt;
            pc = 0;
            mayGoto[depth] = BPF_MAX_LOOPS;
          }
          break;
        }
        case 0x95: {
          if (depth === base) {
            this.insnCount += n;
            return regs[0]!;
          }
          depth--;
          const k = depth * 5;
          regs[6] = saved[k]!;
          regs[7] = saved[k + 1]!;
          regs[8] = saved[k + 2]!;
          regs[9] = saved[k + 3]!;
          regs[10] = saved[k + 4]!;
          pc = this.retPc[depth]!;
          const c = this.retCode[depth]!;
          if (c !== code) {
            code = c;
            op = c.op; dst = c.dst; src = c.src; off = c.off; imm = c.imm; immB = c.immB; tgt = c.tgt;
          }
          break;
        }

        // ---- ld_imm64 ----------------------------------------------------------------------
        case 0x18: regs[dst[i]] = immB[i]!; pc++; break;

        // ---- loads: *(size *)(src + off) ------------------------------------------------------
        case 0x61: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 4 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 4, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          const d2 = dst[i] << 1;
          r32[d2] = (o & 3) === 0 ? i32[o >> 2]! : dv.getInt32(o, true);
          r32[d2 + 1] = 0;
          break;
        }
        case 0x69: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 2 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 2, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          const d2 = dst[i] << 1;
          r32[d2] = (o & 1) === 0 ? u16[o >> 1]! : u8[o]! | (u8[o + 1]! << 8);
          r32[d2 + 1] = 0;
          break;
        }
        case 0x71: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 1 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 1, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          const d2 = dst[i] << 1;
          r32[d2] = u8[o]!;
          r32[d2 + 1] = 0;
          break;
        }
        case 0x79: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 8 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 8, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          // separate stores: a BigInt phi (one value from two sources) would be heap-allocated
          if ((o & 7) === 0) regs[dst[i]] = i64[o >> 3]!;
          else regs[dst[i]] = dv.getBigInt64(o, true);
          break;
        }
        // sign-extending loads
        case 0x81: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 4 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 4, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          const d2 = dst[i] << 1;
          const v = (o & 3) === 0 ? i32[o >> 2]! : dv.getInt32(o, true);
          r32[d2] = v;
          r32[d2 + 1] = v >> 31;
          break;
        }
        case 0x89: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 2 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 2, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          const d2 = dst[i] << 1;
          const v = (((o & 1) === 0 ? u16[o >> 1]! : u8[o]! | (u8[o + 1]! << 8)) << 16) >> 16;
          r32[d2] = v;
          r32[d2 + 1] = v >> 31;
          break;
        }
        case 0x91: {
          const s2 = src[i] << 1;
          let o = (r32[s2]! >>> 0) + off[i]!;
          if (r32[s2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 1 > memEnd) {
            o = this.slowEa(code, i, src[i]!, 1, false);
            if (o < 0) { regs[dst[i]] = 0n; break; }
          }
          const d2 = dst[i] << 1;
          const v = (u8[o]! << 24) >> 24;
          r32[d2] = v;
          r32[d2 + 1] = v >> 31;
          break;
        }

        // ---- stores: *(size *)(dst + off) = src / imm -------------------------------------------
        case 0x62:
        case 0x63: {
          const d2 = dst[i] << 1;
          let o = (r32[d2]! >>> 0) + off[i]!;
          if (r32[d2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 4 > memEnd) o = this.slowEa(code, i, dst[i]!, 4, true);
          const v = op[i] === 0x63 ? r32[src[i] << 1]! : imm[i]!;
          if ((o & 3) === 0) i32[o >> 2] = v;
          else dv.setInt32(o, v, true);
          break;
        }
        case 0x6a:
        case 0x6b: {
          const d2 = dst[i] << 1;
          let o = (r32[d2]! >>> 0) + off[i]!;
          if (r32[d2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 2 > memEnd) o = this.slowEa(code, i, dst[i]!, 2, true);
          const v = op[i] === 0x6b ? r32[src[i] << 1]! : imm[i]!;
          if ((o & 1) === 0) u16[o >> 1] = v;
          else { u8[o] = v; u8[o + 1] = v >>> 8; }
          break;
        }
        case 0x72:
        case 0x73: {
          const d2 = dst[i] << 1;
          let o = (r32[d2]! >>> 0) + off[i]!;
          if (r32[d2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 1 > memEnd) o = this.slowEa(code, i, dst[i]!, 1, true);
          u8[o] = op[i] === 0x73 ? r32[src[i] << 1]! : imm[i]!;
          break;
        }
        // 64-bit stores of a register and of an immediate are separate arms: selecting the BigInt
        // to store with a conditional would make V8 heap-allocate it
        case 0x7b: {
          const d2 = dst[i] << 1;
          let o = (r32[d2]! >>> 0) + off[i]!;
          if (r32[d2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 8 > memEnd) o = this.slowEa(code, i, dst[i]!, 8, true);
          if ((o & 7) === 0) i64[o >> 3] = regs[src[i]]!;
          else dv.setBigInt64(o, regs[src[i]]!, true);
          break;
        }
        case 0x7a: {
          const d2 = dst[i] << 1;
          let o = (r32[d2]! >>> 0) + off[i]!;
          if (r32[d2 + 1] !== BASE_HI || o < GUARD_SIZE || o + 8 > memEnd) o = this.slowEa(code, i, dst[i]!, 8, true);
          if ((o & 7) === 0) i64[o >> 3] = immB[i]!;
          else dv.setBigInt64(o, immB[i]!, true);
          break;
        }

        // ---- atomics -----------------------------------------------------------------------
        case 0xc3:
        case 0xdb:
        case 0xcb:
        case 0xd3:
          this.atomic(code, i);
          break;

        // ---- legacy packet loads (socket filters): r0 = ntoh(packet[off]) ----------------------
        case 0x20:
        case 0x28:
        case 0x30:
        case 0x40:
        case 0x48:
        case 0x50: {
          const v = this.ldAbs(code, i);
          if (v < 0) {
            regs[0] = 0n;
            pc = code.n + 1; // the exit sentinel: the program ends with r0 = 0
          } else {
            r32[0] = v;
            r32[1] = 0;
          }
          break;
        }

        default:
          throw this.invalidInsn(code, i);
      }
    }
  }

  // ---- cold paths -------------------------------------------------------------------------

  private limitExceeded(i: number): never {
    throw new BpfRuntimeError('insn-limit', i, `instruction budget of ${this.insnLimit} exhausted`);
  }

  private invalidInsn(code: DecodedProgram, i: number): BpfRuntimeError {
    if (i < 0 || i > code.n) return new BpfRuntimeError('pc-out-of-range', i, 'jump outside the program');
    const why = code.invalid.get(i) ?? `invalid opcode 0x${code.op[i]!.toString(16)}`;
    return new BpfRuntimeError(i === code.n ? 'pc-out-of-range' : 'invalid-insn', i, why);
  }

  /**
   * Exact effective address of reg + off for a `size`-byte access that missed the fast path.
   * Returns the linear offset, or -1 for a faulting probe load (which then reads 0).
   */
  private slowEa(code: DecodedProgram, i: number, reg: number, size: number, write: boolean): number {
    const addr = BigInt.asUintN(64, this.regs[reg]! + BigInt(code.off[i]!));
    const o = addr - KERNEL_BASE;
    if (o >= BigInt(GUARD_SIZE) && o + BigInt(size) <= BigInt(this.mem.size)) return Number(o);
    if (!write && code.probe[i] === 1) return -1;
    throw new BpfRuntimeError(
      'bad-access',
      i,
      `invalid ${write ? 'write' : 'read'} of ${size} bytes at 0x${addr.toString(16)}`,
      addr,
    );
  }

  private atomic(code: DecodedProgram, i: number): void {
    const opc = code.op[i]!;
    const size = opc === 0xdb ? 8 : opc === 0xc3 ? 4 : opc === 0xcb ? 2 : 1;
    const aop = code.imm[i]!;
    const regs = this.regs;
    const r32 = this.r32;
    const d = code.dst[i]!;
    const s = code.src[i]!;
    const mem = this.mem;
    if (aop === 0x100) {
      // load-acquire: dst = *(size *)(src + off), zero-extended
      const o = this.slowOrFastEa(code, i, s, size, false);
      if (o < 0) { regs[d] = 0n; return; }
      if (size === 8) regs[d] = mem.dv.getBigInt64(o, true);
      else {
        r32[d << 1] = size === 4 ? mem.dv.getInt32(o, true) : size === 2 ? mem.dv.getUint16(o, true) : mem.u8[o]!;
        r32[(d << 1) + 1] = 0;
      }
      return;
    }
    const o = this.slowOrFastEa(code, i, d, size, true);
    if (aop === 0x110) {
      // store-release: *(size *)(dst + off) = src
      if (size === 8) mem.dv.setBigInt64(o, regs[s]!, true);
      else if (size === 4) mem.dv.setInt32(o, r32[s << 1]!, true);
      else if (size === 2) mem.dv.setUint16(o, r32[s << 1]! & 0xffff, true);
      else mem.u8[o] = r32[s << 1]!;
      return;
    }
    const dv = mem.dv;
    if (size === 8 && (o & 7) === 0) {
      // aligned 64-bit (all the verifier allows): no BigInt phis, so nothing is heap-allocated
      const i64 = mem.i64;
      const k = o >> 3;
      const old = i64[k]!;
      switch (aop) {
        case 0x00: i64[k] = old + regs[s]!; return;
        case 0x40: i64[k] = old | regs[s]!; return;
        case 0x50: i64[k] = old & regs[s]!; return;
        case 0xa0: i64[k] = old ^ regs[s]!; return;
        case 0x01: i64[k] = old + regs[s]!; regs[s] = old; return;
        case 0x41: i64[k] = old | regs[s]!; regs[s] = old; return;
        case 0x51: i64[k] = old & regs[s]!; regs[s] = old; return;
        case 0xa1: i64[k] = old ^ regs[s]!; regs[s] = old; return;
        case 0xe1: i64[k] = regs[s]!; regs[s] = old; return;
        default: // cmpxchg: compare with r0, r0 = old
          if (old === regs[0]) i64[k] = regs[s]!;
          regs[0] = old;
          return;
      }
    }
    if (size === 8) {
      const old = dv.getBigInt64(o, true);
      const v = regs[s]!;
      let nv: bigint;
      switch (aop & ~1) {
        case 0x00: nv = old + v; break;
        case 0x40: nv = old | v; break;
        case 0x50: nv = old & v; break;
        case 0xa0: nv = old ^ v; break;
        case 0xe0: nv = v; break; // xchg
        default: { // cmpxchg: compare with r0, r0 = old
          nv = old === regs[0] ? v : old;
          dv.setBigInt64(o, nv, true);
          regs[0] = old;
          return;
        }
      }
      dv.setBigInt64(o, BigInt.asIntN(64, nv), true);
      if (aop & 1) regs[s] = old;
    } else {
      const old = dv.getInt32(o, true);
      const v = r32[s << 1]!;
      let nv: number;
      switch (aop & ~1) {
        case 0x00: nv = (old + v) | 0; break;
        case 0x40: nv = old | v; break;
        case 0x50: nv = old & v; break;
        case 0xa0: nv = old ^ v; break;
        case 0xe0: nv = v; break;
        default: {
          // 32-bit cmpxchg compares the low half of r0 and zero-extends the old value into r0
          nv = old === r32[0] ? v : old;
          dv.setInt32(o, nv, true);
          r32[0] = old;
          r32[1] = 0;
          return;
        }
      }
      dv.setInt32(o, nv, true);
      if (aop & 1) {
        r32[s << 1] = old;
        r32[(s << 1) + 1] = 0;
      }
    }
  }

  private slowOrFastEa(code: DecodedProgram, i: number, reg: number, size: number, write: boolean): number {
    const r32 = this.r32;
    const o = (r32[reg << 1]! >>> 0) + code.off[i]!;
    if (r32[(reg << 1) + 1] === BASE_HI && o >= GUARD_SIZE && o + size <= this.mem.size) return o;
    return this.slowEa(code, i, reg, size, write);
  }

  /** Legacy LD_ABS / LD_IND: the big-endian packet word, or -1 when out of bounds. */
  private ldAbs(code: DecodedProgram, i: number): number {
    const opc = code.op[i]!;
    const size = (opc & 0x18) === 0x00 ? 4 : (opc & 0x18) === 0x08 ? 2 : 1;
    let off = code.imm[i]!;
    // LD_IND adds the source register; the kernel passes the sum on as an int
    if ((opc & 0xe0) === 0x40) off = (off + this.r32[code.src[i]! << 1]!) | 0;
    if (off < 0 || this.packet === undefined) return -1;
    const v = this.packet(off, size);
    return v === undefined ? -1 : v;
  }

  private callExternal(code: DecodedProgram, i: number): bigint {
    let fn = code.callFns[i];
    if (fn === undefined) {
      fn = this.resolveCall(code, i);
      code.callFns[i] = fn;
    }
    const r = this.regsU;
    let v: bigint;
    try {
      v = fn(this.env, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
    } catch (e) {
      if (e instanceof BpfRuntimeError) throw e; // from a callback the helper ran
      const what = code.src[i] === 2 ? `kfunc ${this.kernel.kfuncs.byBtfId(code.imm[i]!)?.name ?? code.imm[i]}` : `helper ${this.kernel.helpers.get(code.imm[i]!)?.proto.name ?? code.imm[i]}`;
      throw new BpfRuntimeError('helper-error', i, `${what} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
    }
    return typeof v === 'bigint' ? v : BigInt(v as number);
  }

  private resolveCall(code: DecodedProgram, i: number): HelperFnLike {
    const id = code.imm[i]!;
    if (code.src[i] === 2) {
      const k = this.kernel.kfuncs.byBtfId(id);
      if (k === undefined) throw new BpfRuntimeError('unknown-kfunc', i, `call to unknown kfunc (btf id ${id})`);
      return k.fn as HelperFnLike;
    }
    const h = this.kernel.helpers.get(id);
    if (h !== undefined) return h.fn as HelperFnLike;
    if (id === BPF_FUNC_TAIL_CALL) {
      return (env, _ctx, map, index) => (env.tailCall(map, index) ? 0n : BigInt(-ENOENT));
    }
    throw new BpfRuntimeError('unknown-helper', i, `call to unknown helper ${id}`);
  }

  /**
   * CallEnv.callback: run the subprogram at `funcPtr` as a new frame above the calling helper's.
   * Outside a run (an asynchronous callback such as a bpf_timer firing later) it runs as frame 0
   * of the program the last run started with.
   */
  callback(funcPtr: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
    const code = this.running ? this.curCode : this.mainCode;
    const caller = this.running ? this.curDepth : -1;
    if (code === undefined) throw new BpfRuntimeError('bad-callback', -1, 'callback before any program run');
    const slot = slotOfFuncPtr(funcPtr);
    const pcNow = -1;
    if (slot < 0 || slot >= code.n || code.subprogStart[slot] !== 1) {
      throw new BpfRuntimeError('bad-callback', pcNow, `callback address 0x${BigInt.asUintN(64, funcPtr).toString(16)} is no subprogram`);
    }
    const depth = caller + 1;
    if (depth >= MAX_CALL_FRAMES) throw new BpfRuntimeError('call-depth', slot, `callback exceeds ${MAX_CALL_FRAMES} frames`);
    if (depth > this.maxDepth) this.maxDepth = depth;
    const regs = this.regs;
    const save = regs.slice(0, 11);
    regs[1] = a1;
    regs[2] = a2;
    regs[3] = a3;
    regs[4] = a4;
    regs[5] = a5;
    regs[10] = this.fp[depth]!;
    this.mayGoto[depth] = BPF_MAX_LOOPS;
    const wasRunning = this.running;
    this.running = true;
    try {
      // unsigned, like the arguments helpers receive
      return BigInt.asUintN(64, this.exec(code, slot, depth));
    } finally {
      regs.set(save);
      this.curCode = code;
      this.curDepth = caller;
      this.running = wasRunning;
    }
  }

  /** CallEnv.tailCall: arm a tail call into progArrayMap[index]; false when it cannot happen. */
  armTailCall(progArrayMap: bigint, index: bigint | number): boolean {
    if (this.resolveTailCall === undefined) return false;
    const idx = Number(BigInt.asUintN(32, BigInt(index)));
    const target = this.resolveTailCall(BigInt.asUintN(64, progArrayMap), idx);
    if (target === undefined) return false;
    if (this.tailCalls >= MAX_TAIL_CALL_CNT) return false;
    this.tailCalls++;
    this.pendingTail = target;
    return true;
  }
}

/** Decode a program for this machine (exported for tail-call resolvers). */
export const decodeFor = decodeProgram;

// ---- 64-bit shifts and compares on int32 halves ---------------------------------------------

function lsh64(r32: Int32Array, d2: number, n: number): void {
  if (n === 0) return;
  const lo = r32[d2]!;
  if (n < 32) {
    r32[d2 + 1] = (r32[d2 + 1]! << n) | (lo >>> (32 - n));
    r32[d2] = lo << n;
  } else {
    r32[d2 + 1] = lo << (n - 32);
    r32[d2] = 0;
  }
}

function rsh64(r32: Int32Array, d2: number, n: number): void {
  if (n === 0) return;
  const hi = r32[d2 + 1]!;
  if (n < 32) {
    r32[d2] = (r32[d2]! >>> n) | (hi << (32 - n));
    r32[d2 + 1] = hi >>> n;
  } else {
    r32[d2] = hi >>> (n - 32);
    r32[d2 + 1] = 0;
  }
}

function arsh64(r32: Int32Array, d2: number, n: number): void {
  if (n === 0) return;
  const hi = r32[d2 + 1]!;
  if (n < 32) {
    r32[d2] = (r32[d2]! >>> n) | (hi << (32 - n));
    r32[d2 + 1] = hi >> n;
  } else {
    r32[d2] = hi >> (n - 32);
    r32[d2 + 1] = hi >> 31;
  }
}

/** Unsigned compare of a register with a sign-extended imm: -1, 0, 1. */
function ucmp(r32: Int32Array, d2: number, b: number): number {
  const ah = r32[d2 + 1]! >>> 0;
  const bh = (b >> 31) >>> 0;
  if (ah !== bh) return ah < bh ? -1 : 1;
  const al = r32[d2]! >>> 0;
  const bl = b >>> 0;
  return al === bl ? 0 : al < bl ? -1 : 1;
}

function ucmpR(r32: Int32Array, d2: number, s2: number): number {
  const ah = r32[d2 + 1]! >>> 0;
  const bh = r32[s2 + 1]! >>> 0;
  if (ah !== bh) return ah < bh ? -1 : 1;
  const al = r32[d2]! >>> 0;
  const bl = r32[s2]! >>> 0;
  return al === bl ? 0 : al < bl ? -1 : 1;
}

/** Signed compare of a register with a sign-extended imm. */
function scmp(r32: Int32Array, d2: number, b: number): number {
  const ah = r32[d2 + 1]!;
  const bh = b >> 31;
  if (ah !== bh) return ah < bh ? -1 : 1;
  const al = r32[d2]! >>> 0;
  const bl = b >>> 0;
  return al === bl ? 0 : al < bl ? -1 : 1;
}

function scmpR(r32: Int32Array, d2: number, s2: number): number {
  const ah = r32[d2 + 1]!;
  const bh = r32[s2 + 1]!;
  if (ah !== bh) return ah < bh ? -1 : 1;
  const al = r32[d2]! >>> 0;
  const bl = r32[s2]! >>> 0;
  return al === bl ? 0 : al < bl ? -1 : 1;
}
