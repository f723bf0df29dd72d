// Disassembler with two flavours:
//  - 'kernel': the Linux verifier-log syntax (kernel/bpf/disasm.c), e.g. `r1 = *(u64 *)(r10 -8)`,
//    `if r1 > 0x5 goto pc+3`, `call bpf_map_lookup_elem#1`;
//  - 'llvm': what `llvm-objdump-19 -d` prints, e.g. `r1 = *(u64 *)(r10 - 0x8)`,
//    `if r1 > 0x5 goto +0x3 <f+0x20>`, `call 0x1`, `r1 = 0x0 ll`.
// The formats were taken from the kernel's log output and from llvm-objdump runs over
// test/isa/fixtures; the printing code is our own.

import type { Insn } from './insn.js';
import { ldImm64Value } from './insn.js';
import {
  BPF_ALU, BPF_ALU64, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_ST, BPF_STX,
  BPF_END, BPF_NEG, BPF_X, BPF_TO_BE, BPF_MEM, BPF_MEMSX, BPF_ATOMIC, BPF_ABS, BPF_IND, BPF_IMM,
  BPF_DW, BPF_JA, BPF_EXIT, BPF_CALL, BPF_JCOND, BPF_MAY_GOTO, BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
  BPF_LOAD_ACQ, BPF_STORE_REL, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE, BPF_MOV, BPF_ADDR_SPACE_CAST, BPF_DIV, BPF_MOD,
} from './opcodes.js';
import { findForm } from './table.js';
import { helperName as builtinHelperName } from './helpers.js';

export type DisasmFlavor = 'kernel' | 'llvm';

export interface DisasmOptions {
  /** 'kernel' (default) or 'llvm' */
  flavor?: DisasmFlavor;
  /** British spelling accepted too */
  flavour?: DisasmFlavor;
  /** kernel: prefix the opcode as the verifier log does: `(b7) r0 = 0` */
  opcode?: boolean;
  /**
   * kernel: print what the kernel's syntax would lose in a form assemble() reads back:
   * pseudo ld_imm64 as `r1 = map_fd[5]`, `r1 = map_value[5]+8`, `r1 = btf_id[7]`, `r1 = func[3]`,
   * `r1 = map_idx[0]`, `r1 = map_idx_value[0]+8`; kfunc calls with a module-BTF index as
   * `call name#id@off`.
   */
  exact?: boolean;
  /** kernel: false prints map pointers (MAP_FD / MAP_VALUE ld_imm64) as 0, like an unprivileged log */
  allowPtrLeaks?: boolean;
  /** name of a helper id (kernel flavour); defaults to Linux's table */
  helperName?(id: number): string | undefined;
  /** name of a kfunc by BTF id and off (module BTF index); default `kernel-function` */
  kfuncName?(btfId: number, off: number): string | undefined;
  /** llvm: print as `llvm-objdump --mcpu=v3/v4` does (w registers for sub-register loads/stores) */
  alu32?: boolean;
  /** slot index of the instruction (needed for jumpLabel) */
  pc?: number;
  /** llvm: annotation of a jump target slot, printed as ` <label>` as objdump does */
  jumpLabel?(targetSlot: number): string | undefined;
}

const ALU_STR = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian', '?', '?'];
const JMP_STR = ['jmp', '==', '>', '>=', '&', '!=', 's>', 's>=', 'call', 'exit', '<', '<=', 's<', 's<=', '?', '?'];
const LDST = ['u32', 'u16', 'u8', 'u64'];
const LDSX = ['s32', 's16', 's8', 's64'];
const ATOMIC_OP: Record<number, string> = { 0x00: 'add', 0x40: 'or', 0x50: 'and', 0xa0: 'xor' };

const hex2 = (code: number): string => code.toString(16).padStart(2, '0');
/** printf("%+d") */
const plus = (v: number): string => (v < 0 ? String(v) : '+' + v);
/** llvm signed hex: 0x5, -0x8 */
const shex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));
/** llvm signed hex with explicit sign: +0x3, -0x1 */
const sphex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '+0x' + v.toString(16));
/** llvm memory operand: (r10 - 0x8) */
const llvmAddr = (reg: number, off: number): string => `r${reg} ${off < 0 ? '-' : '+'} 0x${Math.abs(off).toString(16)}`;

const PSEUDO_LD = ['', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];
export const PSEUDO_LD_NAMES: readonly string[] = PSEUDO_LD;

export function disasm(insn: Insn, opts?: DisasmOptions): string {
  const flavor = opts?.flavor ?? opts?.flavour ?? 'kernel';
  if (flavor === 'llvm') return disasmLlvm(insn, opts);
  const text = disasmKernel(insn, opts);
  return opts?.opcode ? `(${hex2(insn.code)}) ${text}` : text;
}

function disasmKernel(insn: Insn, opts: DisasmOptions | undefined): string {
  const { code, dst, src, off, imm } = insn;
  const cls = code & 7;
  const op = code & 0xf0;
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    const r = cls === BPF_ALU ? 'w' : 'r';
    if (op === BPF_END) {
      if (cls === BPF_ALU64) return `r${dst} = bswap${imm} r${dst}`;
      return `r${dst} = ${(code & 8) === BPF_TO_BE ? 'be' : 'le'}${imm} r${dst}`;
    }
    if (op === BPF_NEG) return `${r}${dst} = -${r}${dst}`;
    if (code === (BPF_ALU64 | BPF_MOV | BPF_X) && off === BPF_ADDR_SPACE_CAST) {
      return `r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`;
    }
    const sdiv = (op === BPF_DIV || op === BPF_MOD) && off === 1;
    const opStr = sdiv ? (op === BPF_DIV ? 's/=' : 's%=') : ALU_STR[op >> 4];
    if (code & BPF_X) {
      const sx = op === BPF_MOV && (off === 8 || off === 16 || off === 32) ? `(s${off})` : '';
      return `${r}${dst} ${opStr} ${sx}${r}${src}`;
    }
    return `${r}${dst} ${opStr} ${imm}`;
  }
  const mode = code & 0xe0;
  const size = LDST[(code >> 3) & 3];
  if (cls === BPF_STX) {
    if (mode === BPF_MEM) return `*(${size} *)(r${dst} ${plus(off)}) = r${src}`;
    if (mode !== BPF_ATOMIC) return `BUG_${hex2(code)}`;
    const bits = (code & 0x18) === BPF_DW ? '64' : '';
    const mem = `(${size} *)(r${dst} ${plus(off)})`;
    if (ATOMIC_OP[imm] !== undefined) return `lock *${mem} ${ALU_STR[imm >> 4]} r${src}`;
    if ((imm & BPF_FETCH) && ATOMIC_OP[imm & ~BPF_FETCH] !== undefined && imm < 0xe0) {
      return `r${src} = atomic${bits}_fetch_${ATOMIC_OP[imm & ~BPF_FETCH]}(${mem}, r${src})`;
    }
    if (imm === BPF_CMPXCHG) return `r0 = atomic${bits}_cmpxchg(${mem}, r0, r${src})`;
    if (imm === BPF_XCHG) return `r${src} = atomic${bits}_xchg(${mem}, r${src})`;
    if (imm === BPF_LOAD_ACQ) return `r${dst} = load_acquire((${size} *)(r${src} ${plus(off)}))`;
    if (imm === BPF_STORE_REL) return `store_release(${mem}, r${src})`;
    return `BUG_${hex2(code)}`;
  }
  if (cls === BPF_ST) {
    if (mode === BPF_MEM) return `*(${size} *)(r${dst} ${plus(off)}) = ${imm}`;
    return `BUG_st_${hex2(code)}`;
  }
  if (cls === BPF_LDX) {
    if (mode !== BPF_MEM && mode !== BPF_MEMSX) return `BUG_ldx_${hex2(code)}`;
    const sz = mode === BPF_MEM ? size : LDSX[(code >> 3) & 3];
    return `r${dst} = *(${sz} *)(r${src} ${plus(off)})`;
  }
  if (cls === BPF_LD) {
    if (mode === BPF_ABS) return `r0 = *(${size} *)skb[${imm}]`;
    if (mode === BPF_IND) return `r0 = *(${size} *)skb[r${src} + ${imm}]`;
    if (mode === BPF_IMM && (code & 0x18) === BPF_DW) {
      if (opts?.exact && src !== 0) {
        const name = PSEUDO_LD[src] ?? `pseudo${src}`;
        const hi = insn.imm2 ?? 0;
        return `r${dst} = ${name}[${imm}]${hi !== 0 ? '+' + (hi >>> 0) : ''}`;
      }
      let v = ldImm64Value(insn);
      if ((src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE) && opts?.allowPtrLeaks === false) v = 0n;
      return `r${dst} = 0x${v.toString(16)}`;
    }
    return `BUG_ld_${hex2(code)}`;
  }
  // BPF_JMP / BPF_JMP32
  const r = cls === BPF_JMP32 ? 'w' : 'r';
  if (op === BPF_CALL) {
    if (src === BPF_PSEUDO_CALL) return `call pc${plus(imm)}`;
    if (src === BPF_PSEUDO_KFUNC_CALL) {
      const name = opts?.kfuncName?.(imm, off) ?? 'kernel-function';
      return `call ${name}#${imm}${opts?.exact && off !== 0 ? '@' + off : ''}`;
    }
    const name = opts?.helperName?.(imm) ?? builtinHelperName(imm) ?? 'unknown';
    return `call ${name}#${imm}`;
  }
  if (code === (BPF_JMP | BPF_JA)) return `goto pc${plus(off)}`;
  if (code === (BPF_JMP | BPF_JCOND) && src === BPF_MAY_GOTO) return `may_goto pc${plus(off)}`;
  if (code === (BPF_JMP32 | BPF_JA)) return `gotol pc${plus(imm)}`;
  if (code === (BPF_JMP | BPF_EXIT)) return 'exit';
  if (code & BPF_X) return `if ${r}${dst} ${JMP_STR[op >> 4]} ${r}${src} goto pc${plus(off)}`;
  return `if ${r}${dst} ${JMP_STR[op >> 4]} 0x${(imm >>> 0).toString(16)} goto pc${plus(off)}`;
}

function disasmLlvm(insn: Insn, opts: DisasmOptions | undefined): string {
  const form = findForm(insn);
  if (form === undefined) return '<unknown>';
  const { dst, src, off, imm } = insn;
  const R = form.wide ? 'r' : 'w';
  const target = (rel: number): string => {
    const pc = opts?.pc;
    const label = pc !== undefined ? opts?.jumpLabel?.(pc + 1 + rel) : undefined;
    return label !== undefined ? `${sphex(rel)} <${label}>` : sphex(rel);
  };
  const bits = form.size * 8;
  const sub = opts?.alu32 && form.size < 8 ? 'w' : 'r';
  switch (form.kind) {
    case 'alu':
    case 'mov': {
      const op = insn.code & 0xf0;
      const sdiv = (op === BPF_DIV || op === BPF_MOD) && off === 1;
      const opStr = sdiv ? (op === BPF_DIV ? 's/=' : 's%=') : ALU_STR[op >> 4];
      return insn.code & BPF_X ? `${R}${dst} ${opStr} ${R}${src}` : `${R}${dst} ${opStr} ${shex(imm)}`;
    }
    case 'movsx':
      return `${R}${dst} = (s${off})${R}${src}`;
    case 'neg':
      return `${R}${dst} = -${R}${dst}`;
    case 'end':
      return `r${dst} = ${form.name}${imm} r${dst}`;
    case 'addr_space_cast':
      return `r${dst} = addr_space_cast(r${src}, ${shex(imm >>> 16)}, ${shex(imm & 0xffff)})`;
    case 'jcond': {
      const rhs = insn.code & BPF_X ? `${R}${src}` : shex(imm);
      return `if ${R}${dst} ${JMP_STR[(insn.code & 0xf0) >> 4]} ${rhs} goto ${target(off)}`;
    }
    case 'ja':
      return `goto ${target(off)}`;
    case 'gotol':
      return `gotol ${target(imm)}`;
    case 'may_goto':
      return `may_goto ${target(off)}`;
    case 'call':
      return `call ${shex(imm)}`;
    case 'exit':
      return 'exit';
    case 'ld_imm64':
      if (src !== 0) return `ld_pseudo\tr${dst}, ${shex(src)}, 0x${(imm >>> 0).toString(16)}`;
      return `r${dst} = ${shex64(BigInt.asIntN(64, ldImm64Value(insn)))} ll`;
    case 'ld_abs':
      return `r0 = *(u${bits} *)skb[${shex(imm)}]`;
    case 'ld_ind':
      return `r0 = *(u${bits} *)skb[r${src}]`;
    case 'ldx':
      return `${sub}${dst} = *(u${bits} *)(${llvmAddr(src, off)})`;
    case 'ldsx':
      return `r${dst} = *(s${bits} *)(${llvmAddr(src, off)})`;
    case 'st':
      return `*(u${bits} *)(${llvmAddr(dst, off)}) = ${shex(imm)}`;
    case 'stx':
      return `*(u${bits} *)(${llvmAddr(dst, off)}) = ${sub}${src}`;
    case 'atomic': {
      const mem = llvmAddr(dst, off);
      const w = form.wide ? 'r' : 'w';
      if (imm === BPF_XCHG) return form.wide ? `r${src} = xchg_64(${mem}, r${src})` : `w${src} = xchg32_32(${mem}, w${src})`;
      if (imm === BPF_CMPXCHG) {
        return form.wide ? `r0 = cmpxchg_64(${mem}, r0, r${src})` : `w0 = cmpxchg32_32(${mem}, w0, w${src})`;
      }
      const name = ATOMIC_OP[imm & ~BPF_FETCH];
      if (imm & BPF_FETCH) return `${w}${src} = atomic_fetch_${name}((u${bits} *)(${mem}), ${w}${src})`;
      // objdump without alu32 knows only the legacy 32-bit xadd, and prints it with an r register
      const lw = !form.wide && (opts?.alu32 || imm !== 0) ? 'w' : 'r';
      return `lock *(u${bits} *)(${mem}) ${ALU_STR[imm >> 4]} ${lw}${src}`;
    }
    case 'load_acq':
      return `${bits === 64 ? 'r' : 'w'}${dst} = load_acquire((u${bits} *)(${llvmAddr(src, off)}))`;
    case 'store_rel':
      return `store_release((u${bits} *)(${llvmAddr(dst, off)}), ${bits === 64 ? 'r' : 'w'}${src})`;
  }
}

function shex64(v: bigint): string {
  return v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16);
}

export interface DisasmProgramOptions extends DisasmOptions {
  /** a name for the relocation at a slot (map, kfunc, subprogram), appended as `; name` */
  relocName?(slot: number): string | undefined;
}

/**
 * One line per instruction (ld_imm64 second halves are not listed):
 *  kernel: `12: (85) call bpf_map_lookup_elem#1` (the verifier log's layout; `opcode: false` drops
 *          the `(85)`),
 *  llvm:   `      12:\t85 00 00 00 01 00 00 00\tcall 0x1` (llvm-objdump's layout).
 */
export function disasmProgram(insns: readonly Insn[], opts?: DisasmProgramOptions): string[] {
  const flavor = opts?.flavor ?? opts?.flavour ?? 'kernel';
  // one options object reused for every line: listings of huge programs stay cheap
  const o: DisasmOptions = { ...opts, flavor, pc: 0 };
  const withCode = opts?.opcode !== false;
  const relocName = opts?.relocName;
  const lines: string[] = new Array<string>();
  for (let i = 0; i < insns.length; i++) {
    let insn = insns[i];
    const wide = insn.code === 0x18;
    if (wide && insn.imm2 === undefined && insns[i + 1] !== undefined) insn = { ...insn, imm2: insns[i + 1].imm };
    o.pc = i;
    let line: string;
    if (flavor === 'llvm') {
      line = `${String(i).padStart(8)}:\t${insnBytes(insn, wide ? insns[i + 1] : undefined)}\t${disasmLlvm(insn, o)}`;
    } else {
      const text = disasmKernel(insn, o);
      line = withCode ? `${i}: (${hex2(insn.code)}) ${text}` : `${i}: ${text}`;
    }
    if (relocName !== undefined) {
      const reloc = relocName(i);
      if (reloc !== undefined) line += ` ; ${reloc}`;
    }
    lines.push(line);
    if (wide) i++;
  }
  return lines;
}

function insnBytes(insn: Insn, second: Insn | undefined): string {
  const b: number[] = [];
  const push = (x: Insn, imm: number): void => {
    b.push(x.code & 0xff, ((x.src & 15) << 4) | (x.dst & 15), x.off & 0xff, (x.off >> 8) & 0xff);
    b.push(imm & 0xff, (imm >>> 8) & 0xff, (imm >>> 16) & 0xff, (imm >>> 24) & 0xff);
  };
  push(insn, insn.imm);
  if (second !== undefined) push(second, insn.imm2 ?? second.imm);
  return b.map(hex2).join(' ');
}
