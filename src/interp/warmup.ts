// Type-feedback warm-up for the interpreter loop.
//
// V8 compiles Machine.exec with TurboFan using the type feedback gathered while it ran in the
// bytecode interpreter. A switch arm that never ran has no feedback, so the first program that
// reaches it deoptimizes the whole loop ("insufficient type feedback"), and a stream of programs
// using new opcodes can keep the loop bouncing between tiers. Running one synthetic program that
// goes through every arm (jumps both taken and not taken, aligned and unaligned memory, faulting
// probe loads, calls, helpers, tail calls, packet loads) once per process avoids that.
import type { Insn } from '../isa/insn.js';
import { KernelMemory } from '../kernel/memory.js';
import type { VerifiedProgram } from '../verifier/verified-program.js';
import { decodeProgram } from './decode.js';
import type { InterpKernel } from './env.js';
import { Machine } from './machine.js';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const ldImm64 = (dst: number, v: bigint): Insn[] => [
  { code: 0x18, dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) },
  I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
];

function program(): { insns: Insn[]; probe: number[] } {
  const p: Insn[] = [];
  const probe: number[] = [];
  const mov = (d: number, v: number): void => void p.push(I(0xb7, d, 0, 0, v));
  // ALU, both widths, K and X, signed and unsigned div/mod, every shift distance class
  for (const cls of [0x04, 0x07]) {
    for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) {
      for (const [a, b] of [
        [7, 3],
        [-9, 0],
        [5, 40],
      ]) {
        for (const off of op === 0x30 || op === 0x90 ? [0, 1] : [0]) {
          mov(1, a!);
          mov(2, b!);
          p.push(I(cls | op | 0x08, 1, 2, off, 0));
          if (b !== 0 || (op !== 0x30 && op !== 0x90)) p.push(I(cls | op, 1, 0, off, b! & (cls === 0x07 ? 63 : 31)));
        }
      }
    }
    p.push(I(cls | 0x80, 1));
  }
  for (const w of [8, 16, 32]) {
    p.push(I(0xbf, 1, 2, w));
    if (w < 32) p.push(I(0xbc, 1, 2, w));
  }
  for (const code of [0xd4, 0xdc, 0xd7]) for (const w of [16, 32, 64]) p.push(I(code, 1, 0, 0, w));
  p.push(...ldImm64(3, 0x123456789abcdefn));
  // every conditional jump, taken and not taken (offset 0: control flow is the same either way)
  for (const cls of [0x05, 0x06]) {
    for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
      for (const [a, b] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [-1, 1],
      ]) {
        mov(1, a!);
        mov(2, b!);
        p.push(I(cls | op | 0x08, 1, 2, 0), I(cls | op, 1, 0, 0, b!));
      }
    }
  }
  p.push(I(0x05, 0, 0, 0), I(0x06, 0, 0, 0, 0), I(0xe5, 0, 0, 0));
  // memory: stack (aligned) and stack + 1 (unaligned), every size, loads, sign-extending loads,
  // stores of registers and immediates, atomics
  p.push(I(0xbf, 6, 10), I(0x07, 6, 0, 0, -64), I(0xbf, 7, 10), I(0x07, 7, 0, 0, -31));
  for (const base of [6, 7]) {
    for (const [st, stx, ldx, ldsx] of [
      [0x62, 0x63, 0x61, 0x81],
      [0x6a, 0x6b, 0x69, 0x89],
      [0x72, 0x73, 0x71, 0x91],
      [0x7a, 0x7b, 0x79, -1],
    ]) {
      p.push(I(st!, base, 0, 8, -3), I(stx!, base, 1, 8), I(ldx!, 2, base, 8));
      if (ldsx! > 0) p.push(I(ldsx!, 2, base, 8));
    }
  }
  p.push(I(0x7a, 6, 0, 0, 5));
  for (const code of [0xc3, 0xdb]) {
    for (const a of [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1]) p.push(I(code, 6, 1, 0, a));
    mov(0, 5);
    p.push(I(code, 6, 1, 0, 0xf1), I(code, 6, 1, 0, 0xf1));
  }
  for (const code of [0xc3, 0xdb, 0xcb, 0xd3]) p.push(I(code, 2, 6, 0, 0x100), I(code, 6, 1, 0, 0x110));
  // probe loads that fault
  mov(8, 0);
  for (const code of [0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91]) {
    probe.push(p.length);
    p.push(I(code, 2, 8, 8));
  }
  // a bpf-to-bpf call, a helper call, a kfunc call, a tail call (the target exits), packet loads
  const callAt = p.length;
  p.push(I(0x85, 0, 1, 0, 0)); // patched below
  p.push(I(0x85, 0, 0, 0, 1), I(0x85, 0, 2, 0, 1));
  mov(1, 0);
  p.push(I(0x20, 0, 0, 0, 0), I(0x28, 0, 0, 0, 0), I(0x30, 0, 0, 0, 0), I(0x40, 0, 1, 0, 0), I(0x48, 0, 1, 0, 0), I(0x50, 0, 1, 0, 0));
  p.push(I(0x85, 0, 0, 0, 12)); // tail call: does not return
  p.push(I(0x95));
  const sub = p.length;
  p[callAt] = I(0x85, 0, 1, 0, sub - callAt - 1);
  mov(0, 1);
  p.push(I(0x95));
  return { insns: p, probe };
}

function asProgram(insns: Insn[], probe: number[] = []): VerifiedProgram {
  const probeLoad = new Uint8Array(insns.length);
  for (const i of probe) probeLoad[i] = 1;
  return { insns, progType: 'warmup', subprogs: [{ start: 0, end: insns.length, stackDepth: 512 }], probeLoad, dead: new Uint8Array(insns.length), kfuncs: new Map(), verified: false };
}

let done = false;

/** Run the warm-up programs; throws if any of them does not run to its end. */
export function runWarmUp(): void {
  const { insns, probe } = program();
  const main = decodeProgram(asProgram(insns, probe));
  const exitNow = decodeProgram(asProgram([I(0xb7, 0, 0, 0, 2), I(0x95)]));
  const failedLoad = decodeProgram(asProgram([I(0xb7, 0, 0, 0, 3), I(0x20, 0, 0, 0, 100), I(0x95)]));
  const fn = (): bigint => 0n;
  const kernel: InterpKernel = {
    mem: new KernelMemory({ initialBytes: 1 << 17 }),
    helpers: { get: (id) => (id === 12 ? undefined : { proto: { name: 'warmup' }, fn }) },
    kfuncs: { byBtfId: () => ({ name: 'warmup', fn }) },
  };
  const m = new Machine(kernel, { ctxPtr: 0n, progType: 'warmup' });
  m.resolveTailCall = () => exitNow;
  m.packet = (off, size) => (off === 0 ? size : undefined);
  for (let k = 0; k < 3; k++) {
    m.regs.fill(0n);
    if (m.start(main) !== 2n) throw new Error('warm-up program did not reach its tail call');
    m.regs.fill(0n);
    if (m.start(failedLoad) !== 0n) throw new Error('warm-up packet load did not fail');
  }
}

/** Warm the interpreter loop up once per process (failures are ignored: it is only an optimisation). */
export function warmUpInterpreter(): void {
  if (done) return;
  done = true;
  try {
    runWarmUp();
  } catch {
    // the loop is merely compiled later, with less feedback
  }
}
