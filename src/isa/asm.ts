// Assembler for the disassembler's syntax (both flavours), so tests can be written as text:
//
//   r1 = 0                        ; mov
//   loop:                         // label
//   r1 += 1
//   if r1 < 10 goto loop          # jumps take labels, pc+N (kernel) or +N / +0xN (llvm)
//   r2 = 0x123456789 ll           ; ld_imm64
//   call bpf_map_lookup_elem      ; helper by name, name#id, or id; `call label` = bpf-to-bpf
//   exit
//
// One instruction per line. Comments start with `;`, `//`, or a `#` at the start of a line or
// after whitespace (`#` inside `call name#1` is part of the instruction). A leading slot number
// as in verifier logs (`3: (b7) r0 = 0`) or objdump listings (`3:\tb7 00 .. 00\tr0 = 0x0`) is
// skipped, so logs can be pasted back.
//
// One ambiguity: `r1 = 0x10` (no `ll`) is an ld_imm64 in the kernel flavour (the verifier log
// prints mov immediates in decimal and only ld_imm64 in hex), but a mov in the llvm flavour
// (`flavor: 'llvm'`), where ld_imm64 always carries `ll`. Decimal `r1 = 16` is always a mov
// (an ld_imm64 when the value does not fit in 32 signed bits).

import type { Insn } from './insn.js';
import { AsmError } from './errors.js';
import {
  BPF_ALU, BPF_ALU64, BPF_JMP, BPF_JMP32, BPF_K, BPF_X, BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,
  BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END, BPF_TO_LE,
  BPF_TO_BE, BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_CALL,
  BPF_EXIT, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE, BPF_JCOND, BPF_W, BPF_H, BPF_B, BPF_DW, BPF_LD,
  BPF_LDX, BPF_ST, BPF_STX, BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_MEMSX, BPF_ATOMIC, BPF_FETCH,
  BPF_XCHG, BPF_CMPXCHG, BPF_LOAD_ACQ, BPF_STORE_REL, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL,
  BPF_ADDR_SPACE_CAST,
} from './opcodes.js';
import { helperId, helperName } from './helpers.js';
import { PSEUDO_LD_NAMES } from './disasm.js';

export interface AssembleOptions {
  /** how to read `rN = 0x..` without `ll`: 'kernel' (default) = ld_imm64, 'llvm' = mov */
  flavor?: 'kernel' | 'llvm';
  flavour?: 'kernel' | 'llvm';
  /** resolve helper names not in Linux's table (or override it) */
  helperId?(name: string): number | undefined;
}

const ALU_OPS: Record<string, number> = {
  '+=': BPF_ADD, '-=': BPF_SUB, '*=': BPF_MUL, '/=': BPF_DIV, '|=': BPF_OR, '&=': BPF_AND,
  '<<=': BPF_LSH, '>>=': BPF_RSH, '%=': BPF_MOD, '^=': BPF_XOR, '=': BPF_MOV, 's>>=': BPF_ARSH,
  's/=': BPF_DIV, 's%=': BPF_MOD,
};
const JMP_OPS: Record<string, number> = {
  '==': BPF_JEQ, '>': BPF_JGT, '>=': BPF_JGE, '&': BPF_JSET, '!=': BPF_JNE, 's>': BPF_JSGT,
  's>=': BPF_JSGE, '<': BPF_JLT, '<=': BPF_JLE, 's<': BPF_JSLT, 's<=': BPF_JSLE,
};
const SIZE_BY_BITS: Record<string, number> = { '8': BPF_B, '16': BPF_H, '32': BPF_W, '64': BPF_DW };
const LOCK_OPS: Record<string, number> = { '+=': BPF_ADD, '|=': BPF_OR, '&=': BPF_AND, '^=': BPF_XOR };
const FETCH_OPS: Record<string, number> = { add: BPF_ADD, or: BPF_OR, and: BPF_AND, xor: BPF_XOR };

const NUM = '[+-]?(?:0x[0-9a-fA-F]+|\\d+)';
const REG = '([rw])(\\d+)';
const MEM = `\\(\\s*r(\\d+)\\s*(?:([+-])\\s*(0x[0-9a-fA-F]+|\\d+))?\\s*\\)`;
const LABEL = '[A-Za-z_.$][\\w.$]*';
// compiled once: assemble() runs on long generated programs
const RE_LABEL = new RegExp(`^${LABEL}$`);
const RE_IF = new RegExp(`^if ${REG} (s?[<>]=?|==|!=|&) (?:${REG}|(${NUM})) goto (\\S+)$`);
const RE_LOCK = new RegExp(`^lock \\*\\(u(32|64) \\*\\)${MEM} (\\S+) ${REG}$`);
const RE_FETCH = new RegExp(`^${REG} = atomic(?:64)?_fetch_(add|or|and|xor)\\(\\(u(32|64) \\*\\)${MEM}, ${REG}\\)$`);
const RE_XCHG_K = new RegExp(`^${REG} = atomic(?:64)?_xchg\\(\\(u(32|64) \\*\\)${MEM}, ${REG}\\)$`);
const RE_XCHG_L = new RegExp(`^${REG} = xchg(32)?_(32|64)\\(r(\\d+)\\s*(?:([+-])\\s*(0x[0-9a-fA-F]+|\\d+))?, ${REG}\\)$`);
const RE_CMPXCHG_K = new RegExp(`^[rw]0 = atomic(?:64)?_cmpxchg\\(\\(u(32|64) \\*\\)${MEM}, [rw]0, ${REG}\\)$`);
const RE_CMPXCHG_L = new RegExp(`^[rw]0 = cmpxchg(32)?_(32|64)\\(r(\\d+)\\s*(?:([+-])\\s*(0x[0-9a-fA-F]+|\\d+))?, [rw]0, ${REG}\\)$`);
const RE_LOAD_ACQ = new RegExp(`^${REG} = load_acquire\\(\\(u(8|16|32|64) \\*\\)${MEM}\\)$`);
const RE_STORE_REL = new RegExp(`^store_release\\(\\(u(8|16|32|64) \\*\\)${MEM}, ${REG}\\)$`);
const RE_LDX = new RegExp(`^${REG} = \\*\\(([us])(8|16|32|64) \\*\\)${MEM}$`);
const RE_STORE = new RegExp(`^\\*\\(u(8|16|32|64) \\*\\)${MEM} = (?:${REG}|(${NUM}))$`);
const RE_PSEUDO = new RegExp(`^r(\\d+) = ([a-z_]+)\\[(${NUM})\\](?:\\+(${NUM}))?(?: ll)?$`);
const RE_ASCAST = new RegExp(`^r(\\d+) = addr_space_cast\\(r(\\d+), (${NUM}), (${NUM})\\)$`);
const RE_NEG = new RegExp(`^${REG} = -${REG}$`);
const RE_MOVSX = new RegExp(`^${REG} = \\(s(8|16|32)\\)${REG}$`);
const RE_ALU = new RegExp(`^${REG} (s?[-+*/%|&^]?=|<<=|s?>>=) (?:${REG}|(${NUM})( ll)?)$`);
const RE_NUM = new RegExp(`^${NUM}$`);
const RE_LABEL_DEF = new RegExp(`^(${LABEL}):(?!=)\\s*`);

/** A jump/call target not yet resolved: a label, or an already-numeric relative offset. */
type Target = { label: string } | { rel: number };

interface Pending {
  insn: Insn;
  line: number;
  /** field receiving the resolved relative target */
  target?: { t: Target; field: 'off' | 'imm' };
}

class LineParser {
  constructor(
    readonly line: number,
    readonly opts: AssembleOptions | undefined,
    readonly out: Pending[],
  ) {}

  push(insn: Insn, target?: Pending['target']): void {
    this.out.push({ insn, line: this.line, target });
  }

  sizeOf(bits: string): number {
    return SIZE_BY_BITS[bits] ?? this.fail(`bad size u${bits}`);
  }

  fail(reason: string): never {
    throw new AsmError(this.line, reason);
  }

  num(s: string, lo: bigint, hi: bigint, what: string): bigint {
    const m = /^([+-]?)(0x[0-9a-fA-F]+|\d+)$/.exec(s.trim());
    if (!m) this.fail(`bad number '${s}' for ${what}`);
    const v = m[1] === '-' ? -BigInt(m[2]) : BigInt(m[2]);
    if (v < lo || v > hi) this.fail(`${what} ${s} out of range`);
    return v;
  }

  /** 32-bit immediate; accepts the signed and the unsigned spelling, stores signed */
  imm(s: string): number {
    return Number(BigInt.asIntN(32, this.num(s, -(2n ** 31n), 2n ** 32n - 1n, 'immediate')));
  }

  off(sign: string | undefined, s: string | undefined): number {
    if (s === undefined) return 0;
    const v = this.num((sign === '-' ? '-' : '') + s, -(2n ** 15n), 2n ** 15n - 1n, 'offset');
    return Number(v);
  }

  reg(s: string): number {
    const n = Number(s);
    if (!(n >= 0 && n <= 10) || !/^\d+$/.test(s)) this.fail(`invalid register r${s}`);
    return n;
  }

  target(s: string): Target {
    const t = s.trim();
    let m = /^pc([+-]\d+)$/.exec(t);
    if (m) return { rel: Number(m[1]) };
    m = /^([+-])(0x[0-9a-fA-F]+|\d+)$/.exec(t);
    if (m) return { rel: Number(this.num(m[1] + m[2], -(2n ** 31n), 2n ** 31n - 1n, 'jump offset')) };
    if (RE_LABEL.test(t)) return { label: t };
    return this.fail(`bad jump target '${s}'`);
  }
}

const ins = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

function parseInsn(p: LineParser, text: string, out: Pending[]): void {
  const flavor = p.opts?.flavor ?? p.opts?.flavour ?? 'kernel';
  let m: RegExpExecArray | null;
  // objdump appends the jump target's symbol: `goto +0x3 <f+0x20>`
  const s = text.replace(/(goto|gotol|may_goto)(\s+\S+)\s+<[^<>]*>$/, '$1$2');

  if (s === 'exit') return p.push(ins(BPF_JMP | BPF_EXIT));
  if ((m = /^goto (\S+)$/.exec(s))) return p.push(ins(BPF_JMP | BPF_JA), { t: p.target(m[1]), field: 'off' });
  if ((m = /^gotol (\S+)$/.exec(s))) return p.push(ins(BPF_JMP32 | BPF_JA), { t: p.target(m[1]), field: 'imm' });
  if ((m = /^may_goto (\S+)$/.exec(s))) return p.push(ins(BPF_JMP | BPF_JCOND), { t: p.target(m[1]), field: 'off' });

  if ((m = RE_IF.exec(s))) {
    const cls = m[1] === 'w' ? BPF_JMP32 : BPF_JMP;
    const op = JMP_OPS[m[3]] ?? p.fail(`bad condition ${m[3]}`);
    const t = { t: p.target(m[7]), field: 'off' as const };
    if (m[4] !== undefined) {
      if (m[4] !== m[1]) p.fail('mixed r/w registers in a condition');
      return p.push(ins(cls | op | BPF_X, p.reg(m[2]), p.reg(m[5])), t);
    }
    return p.push(ins(cls | op | BPF_K, p.reg(m[2]), 0, 0, p.imm(m[6])), t);
  }

  if ((m = /^call (.+)$/.exec(s))) return parseCall(p, m[1].trim());

  // atomics
  if ((m = RE_LOCK.exec(s))) {
    const op = LOCK_OPS[m[5]] ?? p.fail(`bad atomic operation ${m[5]}`);
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[1]), p.reg(m[2]), p.reg(m[7]), p.off(m[3], m[4]), op));
  }
  if ((m = RE_FETCH.exec(s))) {
    if (m[2] !== m[9]) p.fail('fetch result register must be the source register');
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[4]), p.reg(m[5]), p.reg(m[9]), p.off(m[6], m[7]), FETCH_OPS[m[3]] | BPF_FETCH));
  }
  if ((m = RE_XCHG_K.exec(s))) {
    if (m[2] !== m[8]) p.fail('xchg result register must be the source register');
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[3]), p.reg(m[4]), p.reg(m[8]), p.off(m[5], m[6]), BPF_XCHG));
  }
  if ((m = RE_XCHG_L.exec(s))) {
    if (m[2] !== m[9]) p.fail('xchg result register must be the source register');
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[4]), p.reg(m[5]), p.reg(m[9]), p.off(m[6], m[7]), BPF_XCHG));
  }
  if ((m = RE_CMPXCHG_K.exec(s))) {
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[1]), p.reg(m[2]), p.reg(m[6]), p.off(m[3], m[4]), BPF_CMPXCHG));
  }
  if ((m = RE_CMPXCHG_L.exec(s))) {
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[2]), p.reg(m[3]), p.reg(m[7]), p.off(m[4], m[5]), BPF_CMPXCHG));
  }
  if ((m = RE_LOAD_ACQ.exec(s))) {
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[3]), p.reg(m[2]), p.reg(m[4]), p.off(m[5], m[6]), BPF_LOAD_ACQ));
  }
  if ((m = RE_STORE_REL.exec(s))) {
    return p.push(ins(BPF_STX | BPF_ATOMIC | p.sizeOf(m[1]), p.reg(m[2]), p.reg(m[6]), p.off(m[3], m[4]), BPF_STORE_REL));
  }

  // legacy packet access
  if ((m = /^r0 = \*\(u(8|16|32) \*\)skb\[(.+)\]$/.exec(s))) {
    const inner = m[2].trim();
    // the kernel prints `skb[r1 + -4]`
    const ind = /^r(\d+)(?:\s*([+-])\s*([+-]?)(0x[0-9a-fA-F]+|\d+))?$/.exec(inner);
    if (ind) {
      const neg = (ind[2] === '-') !== (ind[3] === '-');
      const imm = ind[4] === undefined ? 0 : p.imm((neg ? '-' : '') + ind[4]);
      return p.push(ins(BPF_LD | BPF_IND | p.sizeOf(m[1]), 0, p.reg(ind[1]), 0, imm));
    }
    return p.push(ins(BPF_LD | BPF_ABS | p.sizeOf(m[1]), 0, 0, 0, p.imm(inner)));
  }

  // loads and stores
  if ((m = RE_LDX.exec(s))) {
    const sx = m[3] === 's';
    if (sx && m[4] === '64') p.fail('there is no sign-extending 64-bit load');
    return p.push(ins(BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | p.sizeOf(m[4]), p.reg(m[2]), p.reg(m[5]), p.off(m[6], m[7])));
  }
  if ((m = RE_STORE.exec(s))) {
    const size = p.sizeOf(m[1]);
    if (m[5] !== undefined) return p.push(ins(BPF_STX | BPF_MEM | size, p.reg(m[2]), p.reg(m[6]), p.off(m[3], m[4])));
    return p.push(ins(BPF_ST | BPF_MEM | size, p.reg(m[2]), 0, p.off(m[3], m[4]), p.imm(m[7])));
  }

  // ld_imm64 pseudo forms
  if ((m = /^ld_pseudo\s+r(\d+),\s*(\S+),\s*(\S+)$/.exec(s))) {
    const src = Number(p.num(m[2], 1n, 15n, 'pseudo source'));
    return pushWide(out, p, ins(BPF_LD | BPF_IMM | BPF_DW, p.reg(m[1]), src, 0, p.imm(m[3])), 0);
  }
  if ((m = RE_PSEUDO.exec(s))) {
    const src = PSEUDO_LD_NAMES.indexOf(m[2]);
    if (src <= 0) p.fail(`unknown ld_imm64 pseudo source '${m[2]}'`);
    const hi = m[4] === undefined ? 0 : p.imm(m[4]);
    return pushWide(out, p, ins(BPF_LD | BPF_IMM | BPF_DW, p.reg(m[1]), src, 0, p.imm(m[3])), hi);
  }

  // ALU
  if ((m = /^r(\d+) = (le|be|bswap)(16|32|64) r(\d+)$/.exec(s))) {
    if (m[1] !== m[4]) p.fail('byte swap works in place: both registers must be the same');
    const code = m[2] === 'bswap' ? BPF_ALU64 | BPF_END | BPF_TO_LE : BPF_ALU | BPF_END | (m[2] === 'be' ? BPF_TO_BE : BPF_TO_LE);
    return p.push(ins(code, p.reg(m[1]), 0, 0, Number(m[3])));
  }
  if ((m = RE_ASCAST.exec(s))) {
    const dstAs = Number(p.num(m[3], 0n, 0xffffn, 'address space'));
    const srcAs = Number(p.num(m[4], 0n, 0xffffn, 'address space'));
    return p.push(ins(BPF_ALU64 | BPF_MOV | BPF_X, p.reg(m[1]), p.reg(m[2]), BPF_ADDR_SPACE_CAST, ((dstAs << 16) | srcAs) | 0));
  }
  if ((m = RE_NEG.exec(s))) {
    if (m[1] !== m[3] || m[2] !== m[4]) p.fail('negation works in place: both registers must be the same');
    return p.push(ins((m[1] === 'w' ? BPF_ALU : BPF_ALU64) | BPF_NEG, p.reg(m[2])));
  }
  if ((m = RE_MOVSX.exec(s))) {
    if (m[1] !== m[4]) p.fail('mixed r/w registers in movsx');
    return p.push(ins((m[1] === 'w' ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, p.reg(m[2]), p.reg(m[5]), Number(m[3])));
  }
  if ((m = RE_ALU.exec(s))) {
    const [, rw, d, opStr, rs, sreg, lit, ll] = m;
    const op = ALU_OPS[opStr] ?? p.fail(`bad ALU operator ${opStr}`);
    const cls = rw === 'w' ? BPF_ALU : BPF_ALU64;
    const signed = opStr === 's/=' || opStr === 's%=' ? 1 : 0;
    if (rs !== undefined) {
      if (rs !== rw) p.fail('mixed r/w registers in an ALU instruction');
      return p.push(ins(cls | op | BPF_X, p.reg(d), p.reg(sreg), signed));
    }
    if (op === BPF_MOV && rw === 'r') {
      const isHex = /^\+?0x/i.test(lit);
      const v = p.num(lit, -(2n ** 63n), 2n ** 64n - 1n, 'immediate');
      const fitsS32 = v >= -(2n ** 31n) && v < 2n ** 31n;
      if (ll !== undefined || (isHex && flavor === 'kernel') || !fitsS32) {
        const u = BigInt.asUintN(64, v);
        const lo = Number(BigInt.asIntN(32, u));
        const hi = Number(BigInt.asIntN(32, u >> 32n));
        return pushWide(out, p, ins(BPF_LD | BPF_IMM | BPF_DW, p.reg(d)), hi, lo);
      }
    }
    if (ll !== undefined) p.fail("'ll' only applies to 64-bit moves");
    return p.push(ins(cls | op | BPF_K, p.reg(d), 0, signed, p.imm(lit)));
  }
  p.fail(`cannot parse '${text}'`);
}

function pushWide(out: Pending[], p: LineParser, first: Insn, hi: number, lo?: number): void {
  if (lo !== undefined) first.imm = lo;
  first.imm2 = hi;
  out.push({ insn: first, line: p.line });
  out.push({ insn: ins(0, 0, 0, 0, hi), line: p.line });
}

function parseCall(p: LineParser, arg: string): void {
  const CALL = BPF_JMP | BPF_CALL;
  let m: RegExpExecArray | null;
  if ((m = /^pc([+-]\d+)$/.exec(arg))) return p.push(ins(CALL, 0, BPF_PSEUDO_CALL, 0, p.imm(m[1])));
  // `name#id` as the kernel prints: helpers for Linux's names (or `unknown`), kfuncs otherwise
  if ((m = /^([\w.$-]+)#(-?\d+)(?:@(-?\d+))?$/.exec(arg))) {
    const id = p.imm(m[2]);
    const name = m[1];
    const off = m[3] === undefined ? 0 : Number(p.num(m[3], -(2n ** 15n), 2n ** 15n - 1n, 'kfunc BTF index'));
    const isHelper =
      m[3] === undefined && name !== 'kernel-function' &&
      (name === 'unknown' || helperName(id) === name || p.opts?.helperId?.(name) === id);
    if (isHelper) return p.push(ins(CALL, 0, 0, 0, id));
    return p.push(ins(CALL, 0, BPF_PSEUDO_KFUNC_CALL, off, id));
  }
  if (RE_NUM.test(arg)) return p.push(ins(CALL, 0, 0, 0, p.imm(arg)));
  if (RE_LABEL.test(arg)) {
    const id = p.opts?.helperId?.(arg) ?? helperId(arg);
    // labels win over helper names; resolved after all labels are known
    return p.push(ins(CALL, 0, id === undefined ? BPF_PSEUDO_CALL : 0, 0, id ?? 0), {
      t: { label: arg },
      field: 'imm',
    });
  }
  p.fail(`bad call target '${arg}'`);
}

function stripComment(line: string): string {
  let s = line;
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  const slash = s.indexOf('//');
  if (slash >= 0) s = s.slice(0, slash);
  const hash = /(^|\s)#/.exec(s);
  if (hash) s = s.slice(0, hash.index);
  return s;
}

/** Assemble text (kernel or llvm syntax, labels, comments) into instructions, one per slot. */
export function assemble(text: string, opts?: AssembleOptions): Insn[] {
  const pending: Pending[] = [];
  const labels = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const p = new LineParser(li + 1, opts, pending);
    let s = stripComment(lines[li]).trim();
    // objdump function headers: `0000000000000000 <name>:`
    if (/^[0-9a-fA-F]+ <[^>]*>:$/.test(s)) continue;
    // verifier log `12: (85) ...` / objdump `12:\t85 00 ... 00\t...`
    s = s.replace(/^\d+:\s*(?:\([0-9a-fA-F]{2}\)\s*|(?:[0-9a-fA-F]{2}\s){8}(?:(?:[0-9a-fA-F]{2}\s){8})?)?/, '');
    let lm: RegExpExecArray | null;
    while ((lm = RE_LABEL_DEF.exec(s))) {
      if (labels.has(lm[1])) p.fail(`label '${lm[1]}' defined twice`);
      labels.set(lm[1], pending.length);
      s = s.slice(lm[0].length);
    }
    s = s.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
    if (s === '') continue;
    parseInsn(p, s, pending);
  }
  const insns: Insn[] = new Array<Insn>(pending.length);
  for (let pc = 0; pc < pending.length; pc++) {
    const { insn, target, line } = pending[pc];
    insns[pc] = insn;
    if (target === undefined) continue;
    let rel: number;
    if ('rel' in target.t) {
      rel = target.t.rel;
    } else {
      const at = labels.get(target.t.label);
      if (at === undefined) {
        // `call name` with no such label: a helper name resolved at parse time
        if (target.field === 'imm' && insn.src === 0 && (insn.code & 0xf0) === BPF_CALL) continue;
        throw new AsmError(line, `unknown label${(insn.code & 0xf0) === BPF_CALL ? ' or helper' : ''} '${target.t.label}'`);
      }
      if ((insn.code & 0xf0) === BPF_CALL) insn.src = BPF_PSEUDO_CALL;
      rel = at - pc - 1;
    }
    if (target.field === 'off') {
      if (rel < -0x8000 || rel > 0x7fff) throw new AsmError(line, `jump offset ${rel} out of range (use gotol)`);
      insn.off = rel;
    } else {
      if (rel < -(2 ** 31) || rel >= 2 ** 31) throw new AsmError(line, `jump offset ${rel} out of range`);
      insn.imm = rel;
    }
  }
  return insns;
}

