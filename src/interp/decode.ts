// Pre-decoding of a VerifiedProgram into flat typed arrays, the form the interpreter loop runs.
//
// Every field the loop needs is one typed-array load away; jump and call targets are absolute;
// ld_imm64 constants and sign-extended immediates are ready-made BigInts. Anything the loop must
// not execute (reserved encodings, unresolved map references, jumps out of the program, the
// second half of an ld_imm64) decodes to opcode INVALID with a message, so the loop's `default`
// arm is the single place that reports it - and only if control actually gets there.
import { isLdImm64, type Insn } from '../isa/insn.js';
import {
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  BPF_PSEUDO_BTF_ID,
} from '../isa/opcodes.js';
import type { VerifiedProgram } from '../verifier/verified-program.js';
import { funcPtrOf } from './funcptr.js';
import type { HelperFnLike } from './env.js';

/** Decoded opcode of slots that must not execute. (0x00 = LD|IMM|W is not a valid encoding.) */
export const INVALID = 0x00;

export interface DecodedProgram {
  readonly vp: VerifiedProgram;
  /** number of slots; index `n` holds an INVALID sentinel ("fell off the end"), `n + 1` an exit */
  readonly n: number;
  readonly op: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int32Array;
  readonly imm: Int32Array;
  /** sign-extended imm, the ld_imm64 constant, or a function address for BPF_PSEUDO_FUNC */
  readonly immB: BigInt64Array;
  /** absolute target slot of jumps and bpf-to-bpf calls (n when out of range) */
  readonly tgt: Int32Array;
  readonly probe: Uint8Array;
  /** 1 at every subprogram start (valid callback targets) */
  readonly subprogStart: Uint8Array;
  /** why a slot decoded to INVALID */
  readonly invalid: Map<number, string>;
  /** helper / kfunc functions, resolved on first use */
  readonly callFns: (HelperFnLike | undefined)[];
}

const VALID = new Uint8Array(256);
function allow(...codes: number[]): void {
  for (const c of codes) VALID[c] = 1;
}
// ALU / ALU64, K and X forms of every operation (neg and end have only one form each)
for (const cls of [0x04, 0x07]) {
  for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) allow(cls | op, cls | op | 0x08);
  allow(cls | 0x80);
}
allow(0xd4, 0xdc, 0xd7); // le, be, bswap
// JMP / JMP32 conditions
for (const cls of [0x05, 0x06]) {
  for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) allow(cls | op, cls | op | 0x08);
}
allow(0x05, 0x06, 0x85, 0x95, 0xe5); // ja, gotol, call, exit, may_goto
allow(0x18); // ld_imm64
allow(0x20, 0x28, 0x30, 0x40, 0x48, 0x50); // legacy LD_ABS / LD_IND (W, H, B)
allow(0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91); // ldx, ldsx
allow(0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b); // st, stx
allow(0xc3, 0xdb, 0xcb, 0xd3); // atomics W, DW; B/H only for load-acquire / store-release

const ATOMIC_RMW = new Set([0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]);
const LOAD_ACQ = 0x100;
const STORE_REL = 0x110;

function fieldProblem(x: Insn): string | undefined {
  const code = x.code;
  if (!VALID[code]) return `invalid opcode 0x${code.toString(16).padStart(2, '0')}`;
  // r11 is BPF_REG_AX, the hidden scratch register of the verifier's own rewrites
  if (x.dst > 11 || x.src > 11) {
    if (!(code === 0x18 || code === 0x85)) return `invalid register r${Math.max(x.dst, x.src)}`;
  }
  const cls = code & 7;
  const op = code & 0xf0;
  if (cls === 0x04 || cls === 0x07) {
    if (op === 0xd0 && ![16, 32, 64].includes(x.imm)) return `invalid byte swap width ${x.imm}`;
    if ((op === 0x30 || op === 0x90) && x.off !== 0 && x.off !== 1) return `invalid div/mod off ${x.off}`;
    if (code === 0xbf && x.off === 1) return 'addr_space_cast (BPF arena) is not supported';
    if (op === 0xb0 && (code & 8) !== 0) {
      const ok = cls === 0x07 ? [0, 8, 16, 32] : [0, 8, 16];
      if (!ok.includes(x.off)) return `invalid movsx width ${x.off}`;
    }
  }
  if (code === 0xc3 || code === 0xdb) {
    if (!ATOMIC_RMW.has(x.imm) && x.imm !== LOAD_ACQ && x.imm !== STORE_REL) return `invalid atomic op 0x${x.imm.toString(16)}`;
  }
  if (code === 0xcb || code === 0xd3) {
    if (x.imm !== LOAD_ACQ && x.imm !== STORE_REL) return `invalid atomic op 0x${x.imm.toString(16)} for 8/16-bit access`;
  }
  if (code === 0xe5 && x.src !== 0) return `invalid jcond src ${x.src}`;
  if (code === 0x85 && x.src > 2) return `invalid call src ${x.src}`;
  return undefined;
}

const cache = new WeakMap<VerifiedProgram, DecodedProgram>();

/** Decode once per VerifiedProgram (cached; the program must not be mutated afterwards). */
export function decodeProgram(vp: VerifiedProgram): DecodedProgram {
  let d = cache.get(vp);
  if (d === undefined) {
    d = decodeUncached(vp);
    cache.set(vp, d);
  }
  return d;
}

function decodeUncached(vp: VerifiedProgram): DecodedProgram {
  const insns = vp.insns;
  const n = insns.length;
  const op = new Uint8Array(n + 2);
  const dst = new Uint8Array(n + 2);
  const src = new Uint8Array(n + 2);
  const off = new Int32Array(n + 2);
  const imm = new Int32Array(n + 2);
  const immB = new BigInt64Array(n + 2);
  const tgt = new Int32Array(n + 2);
  const probe = new Uint8Array(n + 2);
  const subprogStart = new Uint8Array(n + 2);
  const invalid = new Map<number, string>();
  invalid.set(n, 'control fell off the end of the program');
  op[n + 1] = 0x95; // where a failed legacy packet load goes: exit with r0 = 0

  const bad = (i: number, why: string): void => {
    op[i] = INVALID;
    invalid.set(i, why);
  };
  const target = (t: number): number => (t >= 0 && t < n ? t : n);

  for (const sp of vp.subprogs) if (sp.start >= 0 && sp.start < n) subprogStart[sp.start] = 1;
  if (n > 0) subprogStart[0] = 1;

  for (let i = 0; i < n; i++) {
    const x = insns[i]!;
    op[i] = x.code & 0xff;
    dst[i] = x.dst;
    src[i] = x.src;
    off[i] = x.off;
    imm[i] = x.imm | 0;
    immB[i] = BigInt(x.imm | 0);
    probe[i] = vp.probeLoad[i] ?? 0;
    const problem = fieldProblem(x);
    if (problem !== undefined) {
      bad(i, problem);
      continue;
    }
    const code = x.code;
    if (isLdImm64(x)) {
      if (i + 1 >= n) {
        bad(i, 'ld_imm64 without its second half');
        continue;
      }
      // the second slot is only ever reached by a (rejected-by-the-verifier) jump into it
      bad(i + 1, 'jump into the middle of ld_imm64');
      switch (x.src) {
        case 0:
          immB[i] = BigInt.asIntN(64, (BigInt(x.imm2 ?? 0) << 32n) | BigInt.asUintN(32, BigInt(x.imm)));
          break;
        case BPF_PSEUDO_FUNC: {
          const t = i + x.imm + 1;
          if (t < 0 || t >= n) bad(i, `function reference to slot ${t} outside the program`);
          else immB[i] = BigInt.asIntN(64, funcPtrOf(t));
          break;
        }
        case BPF_PSEUDO_MAP_FD:
        case BPF_PSEUDO_MAP_VALUE:
        case BPF_PSEUDO_MAP_IDX:
        case BPF_PSEUDO_MAP_IDX_VALUE:
          bad(i, `unresolved map reference (ld_imm64 src ${x.src}); the program was not fixed up`);
          break;
        case BPF_PSEUDO_BTF_ID:
          bad(i, 'unresolved ksym reference (ld_imm64 src BPF_PSEUDO_BTF_ID)');
          break;
        default:
          bad(i, `invalid ld_imm64 src ${x.src}`);
      }
      i++;
      continue;
    }
    const cls = code & 7;
    if (cls === 0x05 || cls === 0x06) {
      if (code === 0x85) {
        if (x.src === BPF_PSEUDO_CALL) {
          const t = i + x.imm + 1;
          tgt[i] = target(t);
          if (t >= 0 && t < n) subprogStart[t] = 1;
        } else if (x.src === BPF_PSEUDO_KFUNC_CALL) {
          // the verifier may record the id separately (e.g. after rewriting imm)
          const id = vp.kfuncs.get(i);
          if (id !== undefined) imm[i] = id;
        }
      } else if (code === 0x06) {
        tgt[i] = target(i + x.imm + 1); // gotol: 32-bit offset in imm
      } else if (code !== 0x95) {
        tgt[i] = target(i + x.off + 1);
      }
    }
  }
  // callback targets are subprogram starts too
  for (let i = 0; i < n; i++) {
    const x = insns[i]!;
    if (isLdImm64(x) && x.src === BPF_PSEUDO_FUNC) {
      const t = i + x.imm + 1;
      if (t >= 0 && t < n) subprogStart[t] = 1;
    }
  }
  // pre-sized so that filling it in stays a packed array, not a dictionary
  const callFns = new Array<HelperFnLike | undefined>(n + 2).fill(undefined);
  return { vp, n, op, dst, src, off, imm, immB, tgt, probe, subprogStart, invalid, callFns };
}
