// Table of every valid eBPF instruction form through cpu v4 (uBPF-style, table-driven).
//
// One opcode byte can carry several forms told apart by a field value (ALU64|DIV|X is `div`
// with off=0 and `sdiv` with off=1; STX|ATOMIC|DW is eleven different operations selected by
// imm; call is helper/bpf-to-bpf/kfunc by src). Each form says, per field, what the kernel
// accepts; anything else is "uses reserved fields" to the kernel and an IsaError here.
// The verifier and interpreter reuse this table instead of re-deriving encodings.

import type { Insn } from './insn.js';
import {
  BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_JMP32, BPF_ALU64,
  BPF_K, BPF_X, BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
  BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END, BPF_TO_LE, BPF_TO_BE,
  BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_CALL, BPF_EXIT,
  BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE, BPF_JCOND, BPF_MAY_GOTO,
  BPF_W, BPF_H, BPF_B, BPF_DW, BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_MEMSX, BPF_ATOMIC,
  BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, BPF_LOAD_ACQ, BPF_STORE_REL,
  BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_FUNC,
  BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL,
  BPF_ADDR_SPACE_CAST, MAX_BPF_REG,
} from './opcodes.js';

/**
 * What a field may hold: 'zero' (reserved), 'reg' (a register r0..r10), 'any' (whole range of
 * the field), or an explicit list of allowed values (the form's discriminator).
 */
export type FieldRule = 'zero' | 'reg' | 'any' | readonly number[];

export type InsnKind =
  | 'alu' // dst op= src/imm (incl. sdiv/smod: off=1)
  | 'mov' // dst = src/imm
  | 'movsx' // dst = (s8|s16|s32)src
  | 'neg'
  | 'end' // le/be (ALU) and bswap (ALU64)
  | 'addr_space_cast'
  | 'jcond' // conditional jump
  | 'ja' // goto pc+off
  | 'gotol' // goto pc+imm
  | 'may_goto'
  | 'call'
  | 'exit'
  | 'ld_imm64'
  | 'ld_abs'
  | 'ld_ind'
  | 'ldx'
  | 'ldsx'
  | 'st'
  | 'stx'
  | 'atomic' // read-modify-write atomics, fetch or not
  | 'load_acq'
  | 'store_rel';

export interface InsnForm {
  readonly code: number;
  /** stable mnemonic, e.g. 'add64', 'sdiv32', 'movsx64', 'ldxdw', 'atomic_fetch_add64', 'call_kfunc' */
  readonly name: string;
  readonly kind: InsnKind;
  /** 64-bit operation (ALU64/JMP; DW-sized atomics) vs 32-bit (ALU/JMP32) */
  readonly wide: boolean;
  /** bytes moved by memory forms, 0 otherwise */
  readonly size: 0 | 1 | 2 | 4 | 8;
  readonly dst: FieldRule;
  readonly src: FieldRule;
  readonly off: FieldRule;
  readonly imm: FieldRule;
  /** ld_imm64 only: the second slot's imm */
  readonly imm2?: FieldRule;
}

const ALU_OPS: ReadonlyArray<readonly [number, string]> = [
  [BPF_ADD, 'add'], [BPF_SUB, 'sub'], [BPF_MUL, 'mul'], [BPF_DIV, 'div'], [BPF_OR, 'or'],
  [BPF_AND, 'and'], [BPF_LSH, 'lsh'], [BPF_RSH, 'rsh'], [BPF_MOD, 'mod'], [BPF_XOR, 'xor'],
  [BPF_MOV, 'mov'], [BPF_ARSH, 'arsh'],
];

const JMP_OPS: ReadonlyArray<readonly [number, string]> = [
  [BPF_JEQ, 'jeq'], [BPF_JGT, 'jgt'], [BPF_JGE, 'jge'], [BPF_JSET, 'jset'], [BPF_JNE, 'jne'],
  [BPF_JSGT, 'jsgt'], [BPF_JSGE, 'jsge'], [BPF_JLT, 'jlt'], [BPF_JLE, 'jle'], [BPF_JSLT, 'jslt'],
  [BPF_JSLE, 'jsle'],
];

const SIZES: ReadonlyArray<readonly [number, 1 | 2 | 4 | 8, string]> = [
  [BPF_B, 1, 'b'], [BPF_H, 2, 'h'], [BPF_W, 4, 'w'], [BPF_DW, 8, 'dw'],
];

const ATOMIC_RMW: ReadonlyArray<readonly [number, string]> = [
  [BPF_ADD, 'atomic_add'], [BPF_OR, 'atomic_or'], [BPF_AND, 'atomic_and'], [BPF_XOR, 'atomic_xor'],
  [BPF_ADD | BPF_FETCH, 'atomic_fetch_add'], [BPF_OR | BPF_FETCH, 'atomic_fetch_or'],
  [BPF_AND | BPF_FETCH, 'atomic_fetch_and'], [BPF_XOR | BPF_FETCH, 'atomic_fetch_xor'],
  [BPF_XCHG, 'xchg'], [BPF_CMPXCHG, 'cmpxchg'],
];

function buildForms(): InsnForm[] {
  const forms: InsnForm[] = [];
  const add = (f: InsnForm): void => {
    forms.push(Object.freeze(f));
  };

  for (const cls of [BPF_ALU, BPF_ALU64]) {
    const wide = cls === BPF_ALU64;
    const w = wide ? '64' : '32';
    for (const [op, name] of ALU_OPS) {
      const kind: InsnKind = op === BPF_MOV ? 'mov' : 'alu';
      const base = { wide, size: 0 as const, dst: 'reg' as const };
      add({ ...base, code: cls | op | BPF_K, name: name + w, kind, src: 'zero', off: 'zero', imm: 'any' });
      add({ ...base, code: cls | op | BPF_X, name: name + w, kind, src: 'reg', off: 'zero', imm: 'zero' });
      if (op === BPF_DIV || op === BPF_MOD) {
        // cpu v4 signed division: same opcode, off = 1
        const sname = 's' + name + w;
        add({ ...base, code: cls | op | BPF_K, name: sname, kind, src: 'zero', off: [1], imm: 'any' });
        add({ ...base, code: cls | op | BPF_X, name: sname, kind, src: 'reg', off: [1], imm: 'zero' });
      }
      if (op === BPF_MOV) {
        // movsx: sign-extend the low 8/16(/32) bits of src; the 32-bit form has no s32 variant
        add({
          ...base, code: cls | op | BPF_X, name: 'movsx' + w, kind: 'movsx', src: 'reg',
          off: wide ? [8, 16, 32] : [8, 16], imm: 'zero',
        });
        if (wide) {
          add({
            ...base, code: cls | op | BPF_X, name: 'addr_space_cast', kind: 'addr_space_cast',
            src: 'reg', off: [BPF_ADDR_SPACE_CAST], imm: [1, 1 << 16],
          });
        }
      }
    }
    add({ code: cls | BPF_NEG | BPF_K, name: 'neg' + w, kind: 'neg', wide, size: 0, dst: 'reg', src: 'zero', off: 'zero', imm: 'zero' });
    if (wide) {
      add({ code: cls | BPF_END | BPF_TO_LE, name: 'bswap', kind: 'end', wide, size: 0, dst: 'reg', src: 'zero', off: 'zero', imm: [16, 32, 64] });
    } else {
      add({ code: cls | BPF_END | BPF_TO_LE, name: 'le', kind: 'end', wide, size: 0, dst: 'reg', src: 'zero', off: 'zero', imm: [16, 32, 64] });
      add({ code: cls | BPF_END | BPF_TO_BE, name: 'be', kind: 'end', wide, size: 0, dst: 'reg', src: 'zero', off: 'zero', imm: [16, 32, 64] });
    }
  }

  for (const cls of [BPF_JMP, BPF_JMP32]) {
    const wide = cls === BPF_JMP;
    const sfx = wide ? '' : '32';
    for (const [op, name] of JMP_OPS) {
      add({ code: cls | op | BPF_K, name: name + sfx, kind: 'jcond', wide, size: 0, dst: 'reg', src: 'zero', off: 'any', imm: 'any' });
      add({ code: cls | op | BPF_X, name: name + sfx, kind: 'jcond', wide, size: 0, dst: 'reg', src: 'reg', off: 'any', imm: 'zero' });
    }
  }
  add({ code: BPF_JMP | BPF_JA, name: 'ja', kind: 'ja', wide: true, size: 0, dst: 'zero', src: 'zero', off: 'any', imm: 'zero' });
  add({ code: BPF_JMP32 | BPF_JA, name: 'gotol', kind: 'gotol', wide: true, size: 0, dst: 'zero', src: 'zero', off: 'zero', imm: 'any' });
  add({ code: BPF_JMP | BPF_JCOND, name: 'may_goto', kind: 'may_goto', wide: true, size: 0, dst: 'zero', src: [BPF_MAY_GOTO], off: 'any', imm: 'zero' });
  add({ code: BPF_JMP | BPF_CALL, name: 'call', kind: 'call', wide: true, size: 0, dst: 'zero', src: [0], off: 'zero', imm: 'any' });
  add({ code: BPF_JMP | BPF_CALL, name: 'call_local', kind: 'call', wide: true, size: 0, dst: 'zero', src: [BPF_PSEUDO_CALL], off: 'zero', imm: 'any' });
  // kfunc calls keep off: it indexes fd_array for a module's BTF
  add({ code: BPF_JMP | BPF_CALL, name: 'call_kfunc', kind: 'call', wide: true, size: 0, dst: 'zero', src: [BPF_PSEUDO_KFUNC_CALL], off: 'any', imm: 'any' });
  add({ code: BPF_JMP | BPF_EXIT, name: 'exit', kind: 'exit', wide: true, size: 0, dst: 'zero', src: 'zero', off: 'zero', imm: 'zero' });

  // ld_imm64: the pseudo source decides what imm/imm2 mean (kernel resolve_pseudo_ldimm64)
  const ldImm = (src: number, name: string, imm2: FieldRule): void =>
    add({ code: BPF_LD | BPF_IMM | BPF_DW, name, kind: 'ld_imm64', wide: true, size: 8, dst: 'reg', src: [src], off: 'zero', imm: 'any', imm2 });
  ldImm(0, 'ld_imm64', 'any');
  ldImm(BPF_PSEUDO_MAP_FD, 'ld_map_fd', 'zero');
  ldImm(BPF_PSEUDO_MAP_VALUE, 'ld_map_value', 'any');
  ldImm(BPF_PSEUDO_BTF_ID, 'ld_btf_id', 'any');
  ldImm(BPF_PSEUDO_FUNC, 'ld_func', 'zero');
  ldImm(BPF_PSEUDO_MAP_IDX, 'ld_map_idx', 'zero');
  ldImm(BPF_PSEUDO_MAP_IDX_VALUE, 'ld_map_idx_value', 'any');

  for (const [sz, bytes, sn] of SIZES) {
    if (sz !== BPF_DW) {
      add({ code: BPF_LD | BPF_ABS | sz, name: 'ldabs' + sn, kind: 'ld_abs', wide: false, size: bytes, dst: 'zero', src: 'zero', off: 'zero', imm: 'any' });
      add({ code: BPF_LD | BPF_IND | sz, name: 'ldind' + sn, kind: 'ld_ind', wide: false, size: bytes, dst: 'zero', src: 'reg', off: 'zero', imm: 'any' });
      add({ code: BPF_LDX | BPF_MEMSX | sz, name: 'ldxs' + sn, kind: 'ldsx', wide: true, size: bytes, dst: 'reg', src: 'reg', off: 'any', imm: 'zero' });
    }
    add({ code: BPF_LDX | BPF_MEM | sz, name: 'ldx' + sn, kind: 'ldx', wide: bytes === 8, size: bytes, dst: 'reg', src: 'reg', off: 'any', imm: 'zero' });
    add({ code: BPF_ST | BPF_MEM | sz, name: 'st' + sn, kind: 'st', wide: bytes === 8, size: bytes, dst: 'reg', src: 'zero', off: 'any', imm: 'any' });
    add({ code: BPF_STX | BPF_MEM | sz, name: 'stx' + sn, kind: 'stx', wide: bytes === 8, size: bytes, dst: 'reg', src: 'reg', off: 'any', imm: 'zero' });
    const bits = String(bytes * 8);
    if (sz === BPF_W || sz === BPF_DW) {
      for (const [op, name] of ATOMIC_RMW) {
        add({ code: BPF_STX | BPF_ATOMIC | sz, name: name + bits, kind: 'atomic', wide: bytes === 8, size: bytes, dst: 'reg', src: 'reg', off: 'any', imm: [op] });
      }
    }
    add({ code: BPF_STX | BPF_ATOMIC | sz, name: 'load_acquire' + bits, kind: 'load_acq', wide: bytes === 8, size: bytes, dst: 'reg', src: 'reg', off: 'any', imm: [BPF_LOAD_ACQ] });
    add({ code: BPF_STX | BPF_ATOMIC | sz, name: 'store_release' + bits, kind: 'store_rel', wide: bytes === 8, size: bytes, dst: 'reg', src: 'reg', off: 'any', imm: [BPF_STORE_REL] });
  }
  return forms;
}

/** Every valid instruction form, in table order. */
export const INSN_FORMS: readonly InsnForm[] = Object.freeze(buildForms());

/** Forms by opcode byte (256 entries; an empty list means the opcode is invalid). */
export const OPCODES: ReadonlyArray<readonly InsnForm[]> = (() => {
  const t: InsnForm[][] = Array.from({ length: 256 }, () => []);
  for (const f of INSN_FORMS) t[f.code].push(f);
  return Object.freeze(t.map((l) => Object.freeze(l)));
})();

/** Kernel-style symbolic name of an opcode byte, e.g. "BPF_ALU64|BPF_ADD|BPF_K". */
export function opcodeName(code: number): string {
  const cls = ['BPF_LD', 'BPF_LDX', 'BPF_ST', 'BPF_STX', 'BPF_ALU', 'BPF_JMP', 'BPF_JMP32', 'BPF_ALU64'][code & 7];
  const c = code & 7;
  if (c === BPF_ALU || c === BPF_ALU64) {
    const ops = ['ADD', 'SUB', 'MUL', 'DIV', 'OR', 'AND', 'LSH', 'RSH', 'NEG', 'MOD', 'XOR', 'MOV', 'ARSH', 'END', '0xe0', '0xf0'];
    const src = (code & 0xf0) === BPF_END ? (code & 8 ? 'BPF_TO_BE' : 'BPF_TO_LE') : code & 8 ? 'BPF_X' : 'BPF_K';
    return `${cls}|BPF_${ops[code >> 4]}|${src}`;
  }
  if (c === BPF_JMP || c === BPF_JMP32) {
    const ops = ['JA', 'JEQ', 'JGT', 'JGE', 'JSET', 'JNE', 'JSGT', 'JSGE', 'CALL', 'EXIT', 'JLT', 'JLE', 'JSLT', 'JSLE', 'JCOND', '0xf0'];
    return `${cls}|BPF_${ops[code >> 4]}|${code & 8 ? 'BPF_X' : 'BPF_K'}`;
  }
  const sizes = ['BPF_W', 'BPF_H', 'BPF_B', 'BPF_DW'];
  const modes = ['BPF_IMM', 'BPF_ABS', 'BPF_IND', 'BPF_MEM', 'BPF_MEMSX', '0xa0', 'BPF_ATOMIC', '0xe0'];
  return `${cls}|${modes[code >> 5]}|${sizes[(code >> 3) & 3]}`;
}

const fits = (rule: FieldRule, v: number): boolean =>
  rule === 'any' ||
  (rule === 'zero' ? v === 0 : rule === 'reg' ? v >= 0 && v < MAX_BPF_REG : rule.includes(v));

/**
 * The form an instruction is an instance of, or undefined when the opcode is unknown or a field
 * breaks every form of it. imm2 is only checked when present (decoded ld_imm64).
 */
export function findForm(insn: Insn): InsnForm | undefined {
  const forms = OPCODES[insn.code & 0xff];
  for (let i = 0; i < forms.length; i++) {
    const f = forms[i];
    if (
      fits(f.dst, insn.dst) && fits(f.src, insn.src) && fits(f.off, insn.off) && fits(f.imm, insn.imm) &&
      (f.imm2 === undefined || insn.imm2 === undefined || fits(f.imm2, insn.imm2))
    ) {
      return f;
    }
  }
  return undefined;
}

type FieldName = 'dst' | 'src' | 'off' | 'imm' | 'imm2';

function violations(f: InsnForm, insn: Insn): FieldName[] {
  const bad: FieldName[] = [];
  if (!fits(f.dst, insn.dst)) bad.push('dst');
  if (!fits(f.src, insn.src)) bad.push('src');
  if (!fits(f.off, insn.off)) bad.push('off');
  if (!fits(f.imm, insn.imm)) bad.push('imm');
  if (f.imm2 !== undefined && insn.imm2 !== undefined && !fits(f.imm2, insn.imm2)) bad.push('imm2');
  return bad;
}

/**
 * Why an instruction is invalid (null when it is valid). The reason names the opcode and the
 * first offending field with what the kernel would accept there.
 */
export function insnProblem(insn: Insn): string | null {
  const code = insn.code & 0xff;
  const forms = OPCODES[code];
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  if (forms.length === 0) return `unknown opcode ${hex} (${opcodeName(code)})`;
  // Pick the form the instruction most likely meant: fewest bad fields, then fewest bad
  // discriminators (a wrong off on `div` is more likely a bad `div` than a bad `sdiv`).
  const weight = (f: InsnForm, v: FieldName[]): number =>
    v.reduce((n, k) => n + (Array.isArray(f[k]) ? 2 : 1), 0);
  let best: FieldName[] | undefined;
  let bestScore = 0;
  const all: Array<[InsnForm, FieldName[]]> = [];
  for (const f of forms) {
    const v = violations(f, insn);
    if (v.length === 0) return null;
    all.push([f, v]);
    const score = weight(f, v);
    if (best === undefined || v.length < best.length || (v.length === best.length && score < bestScore)) {
      best = v;
      bestScore = score;
    }
  }
  const bestForms = all.filter(([, v]) => v.length === best!.length && v[0] === best![0]).map(([f]) => f);
  const field = best![0];
  const value = insn[field] ?? 0;
  const rules = bestForms.map((f) => f[field] ?? 'any');
  const what = describeRules(rules);
  const label = field === 'dst' || field === 'src' ? `${field} register` : field === 'imm2' ? 'ld_imm64 second-slot imm' : field;
  if ((field === 'dst' || field === 'src') && rules.every((r) => r === 'reg')) {
    return `${opcodeName(code)} (${hex}): invalid ${field} register r${value} (max r10)`;
  }
  return `${opcodeName(code)} (${hex}) uses reserved fields: ${label} must be ${what}, got ${value}`;
}

function describeRules(rules: FieldRule[]): string {
  const values = new Set<number>();
  for (const r of rules) {
    if (r === 'zero') values.add(0);
    else if (r === 'reg') return 'a register r0..r10';
    else if (r !== 'any') for (const v of r) values.add(v);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const hex = sorted.some((v) => v > 0xff);
  const list = sorted.map((v) => (hex ? `0x${v.toString(16)}` : String(v)));
  return list.length === 1 ? list[0] : `one of ${list.join(', ')}`;
}
