// Binary encoding of eBPF instructions: 8-byte little-endian slots
//   byte 0: opcode, byte 1: dst (low nibble) | src (high nibble), bytes 2-3: off (s16),
//   bytes 4-7: imm (s32); ld_imm64 spans two slots, the second holding only the high imm.
// decode() runs on million-instruction programs: one pass, one object per slot, no DataView.

import type { Insn } from './insn.js';
import { IsaError } from './errors.js';
import { OPCODES, insnProblem, type FieldRule } from './table.js';
import { MAX_BPF_REG } from './opcodes.js';

const LD_IMM64 = 0x18;

export interface DecodeOptions {
  /**
   * Check every field against the opcode table (unknown opcodes, reserved fields in use,
   * register numbers > 10). Default true. With false only the structure is checked (whole
   * slots, complete ld_imm64 pairs), so that broken programs can still be disassembled.
   */
  strict?: boolean;
}

// The opcode table compiled to numbers for the hot loop: per field a kind (0 any, 1 zero,
// 2 register, 3 list) and the list itself.
const K_ANY = 0;
const K_ZERO = 1;
const K_REG = 2;
const K_SET = 3;
interface CompiledForm {
  dk: number; sk: number; ok: number; ik: number; i2k: number;
  sSet: readonly number[]; oSet: readonly number[]; iSet: readonly number[];
}
const kindOf = (r: FieldRule | undefined): number =>
  r === undefined || r === 'any' ? K_ANY : r === 'zero' ? K_ZERO : r === 'reg' ? K_REG : K_SET;
const setOf = (r: FieldRule | undefined): readonly number[] => (Array.isArray(r) ? r : []);
const COMPILED: ReadonlyArray<readonly CompiledForm[]> = OPCODES.map((forms) =>
  forms.map((f) => ({
    dk: kindOf(f.dst), sk: kindOf(f.src), ok: kindOf(f.off), ik: kindOf(f.imm), i2k: kindOf(f.imm2),
    sSet: setOf(f.src), oSet: setOf(f.off), iSet: setOf(f.imm),
  })),
);

function fieldOk(k: number, set: readonly number[], v: number): boolean {
  if (k === K_ANY) return true;
  if (k === K_ZERO) return v === 0;
  if (k === K_REG) return v < MAX_BPF_REG;
  for (let i = 0; i < set.length; i++) if (set[i] === v) return true;
  return false;
}

export function decode(bytes: Uint8Array, opts?: DecodeOptions): Insn[] {
  const strict = opts?.strict ?? true;
  if (bytes.length % 8 !== 0) {
    throw new IsaError(bytes.length >> 3, `program length ${bytes.length} is not a multiple of 8 bytes`);
  }
  const n = bytes.length >> 3;
  const out: Insn[] = new Array<Insn>(n);
  for (let i = 0; i < n; i++) {
    const p = i << 3;
    const code = bytes[p];
    const regs = bytes[p + 1];
    const dst = regs & 0x0f;
    const src = regs >> 4;
    const off = ((bytes[p + 2] | (bytes[p + 3] << 8)) << 16) >> 16;
    const imm = bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24);
    if (code === LD_IMM64) {
      if (i + 1 >= n) throw new IsaError(i, 'truncated ld_imm64: the second slot is missing');
      const q = p + 8;
      const hi = bytes[q + 4] | (bytes[q + 5] << 8) | (bytes[q + 6] << 16) | (bytes[q + 7] << 24);
      out[i] = { code, dst, src, off, imm, imm2: hi };
      if (bytes[q] !== 0 || bytes[q + 1] !== 0 || bytes[q + 2] !== 0 || bytes[q + 3] !== 0) {
        throw new IsaError(i + 1, 'invalid bpf_ld_imm64 insn: second slot must have code, regs and off zero');
      }
      out[i + 1] = { code: 0, dst: 0, src: 0, off: 0, imm: hi };
      if (strict && !valid(code, dst, src, off, imm, hi)) check(out[i], i);
      i++;
      continue;
    }
    out[i] = { code, dst, src, off, imm };
    if (strict && !valid(code, dst, src, off, imm, 0)) check(out[i], i);
  }
  return out;
}

function check(insn: Insn, slot: number): void {
  if (!valid(insn.code, insn.dst, insn.src, insn.off, insn.imm, insn.imm2 ?? 0)) {
    throw new IsaError(slot, insnProblem(insn) ?? 'invalid instruction');
  }
}

function valid(code: number, dst: number, src: number, off: number, imm: number, imm2: number): boolean {
  const forms = COMPILED[code];
  for (let k = 0; k < forms.length; k++) {
    const f = forms[k];
    if (
      fieldOk(f.dk, f.sSet, dst) && fieldOk(f.sk, f.sSet, src) && fieldOk(f.ok, f.oSet, off) &&
      fieldOk(f.ik, f.iSet, imm) && (f.i2k !== K_ZERO || imm2 === 0)
    ) {
      return true;
    }
  }
  return false;
}

/** Validate an already-decoded program (e.g. built by hand or by the assembler). */
export function validate(insns: readonly Insn[]): void {
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i];
    if (insn.code === LD_IMM64) {
      const next = insns[i + 1];
      if (next === undefined) throw new IsaError(i, 'truncated ld_imm64: the second slot is missing');
      if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        throw new IsaError(i + 1, 'invalid bpf_ld_imm64 insn: second slot must have code, regs and off zero');
      }
      check({ ...insn, imm2: insn.imm2 ?? next.imm }, i);
      i++;
      continue;
    }
    check(insn, i);
  }
}

function field(slot: number, name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new IsaError(slot, `${name} ${v} does not fit its field (${lo}..${hi})`);
  }
  return v;
}

/**
 * Encode instructions (one Insn per slot, ld_imm64 second halves included). An ld_imm64's
 * high word comes from its imm2 when set, else from the following slot's imm. imm and off
 * accept their unsigned spellings too (imm 0xffffffff = -1).
 */
export function encode(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i];
    const p = i << 3;
    out[p] = field(i, 'code', insn.code, 0, 0xff);
    out[p + 1] = field(i, 'dst', insn.dst, 0, 15) | (field(i, 'src', insn.src, 0, 15) << 4);
    const off = field(i, 'off', insn.off, -0x8000, 0xffff);
    out[p + 2] = off & 0xff;
    out[p + 3] = (off >> 8) & 0xff;
    writeImm(out, p + 4, field(i, 'imm', insn.imm, -0x80000000, 0xffffffff));
    if (insn.code === LD_IMM64) {
      const next = insns[i + 1];
      if (next === undefined) throw new IsaError(i, 'truncated ld_imm64: the second slot is missing');
      i++;
      const q = p + 8;
      out[q] = field(i, 'code', next.code, 0, 0xff);
      out[q + 1] = field(i, 'dst', next.dst, 0, 15) | (field(i, 'src', next.src, 0, 15) << 4);
      const off2 = field(i, 'off', next.off, -0x8000, 0xffff);
      out[q + 2] = off2 & 0xff;
      out[q + 3] = (off2 >> 8) & 0xff;
      writeImm(out, q + 4, field(i, 'imm', insn.imm2 ?? next.imm, -0x80000000, 0xffffffff));
    }
  }
  return out;
}

function writeImm(out: Uint8Array, p: number, v: number): void {
  out[p] = v & 0xff;
  out[p + 1] = (v >>> 8) & 0xff;
  out[p + 2] = (v >>> 16) & 0xff;
  out[p + 3] = (v >>> 24) & 0xff;
}
