// The verifier log in Linux 6.18's format: register and stack state (print_verifier_state),
// instruction lines with the state of the registers they touched appended at a fixed column
// (print_insn_state), the "from X to Y:" lines and the closing statistics line. Written from
// the kernel's observable output (captured logs under test/verifier/fixtures), not copied.

import type { Insn } from '../isa/insn.js';
import { disasm, type DisasmOptions } from '../isa/disasm.js';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, asS64, asU32, asU64 } from './scalar.js';
import {
  BPF_ADD_CONST, BPF_REG_SIZE, MAX_BPF_REG, MEM_PERCPU, MEM_RCU, MEM_RDONLY, MEM_RINGBUF, MEM_USER,
  NON_OWN_REF, MEM_ALLOC, PTR_MAYBE_NULL, PTR_TRUSTED, PTR_UNTRUSTED, SLOT_TYPE_CHAR, STACK_DYNPTR,
  STACK_INVALID, STACK_ITER, STACK_SPILL, type BaseType, type FuncState, type RegState,
  type VerifierState,
} from './state.js';
import { U32_MAX, U64_MAX, tnumIsConst, tnumIsUnknown, tnumStr } from './tnum.js';

export const BPF_LOG_LEVEL1 = 1;
export const BPF_LOG_LEVEL2 = 2;
export const BPF_LOG_STATS = 4;
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;

// Numbers up to these magnitudes print in decimal, bigger ones in hex (verbose_unum/snum).
const UNUM_MAX_DECIMAL = 0xffffn;
const SNUM_MAX_DECIMAL = 0x7fffn;
const SNUM_MIN_DECIMAL = -0x8000n;

const isUnumDecimal = (n: bigint): boolean => asU64(n) <= UNUM_MAX_DECIMAL;
const isSnumDecimal = (n: bigint): boolean => {
  const s = asS64(n);
  return s >= SNUM_MIN_DECIMAL && s <= SNUM_MAX_DECIMAL;
};
export const fmtUnum = (n: bigint): string => (isUnumDecimal(n) ? asU64(n).toString() : '0x' + asU64(n).toString(16));
export const fmtSnum = (n: bigint): string => (isSnumDecimal(n) ? asS64(n).toString() : '0x' + asU64(n).toString(16));

const BASE_NAME: Record<BaseType, string> = {
  NOT_INIT: '?', SCALAR_VALUE: 'scalar', PTR_TO_CTX: 'ctx', CONST_PTR_TO_MAP: 'map_ptr',
  PTR_TO_MAP_VALUE: 'map_value', PTR_TO_STACK: 'fp', PTR_TO_PACKET: 'pkt', PTR_TO_PACKET_META: 'pkt_meta',
  PTR_TO_PACKET_END: 'pkt_end', PTR_TO_FLOW_KEYS: 'flow_keys', PTR_TO_SOCKET: 'sock',
  PTR_TO_SOCK_COMMON: 'sock_common', PTR_TO_TCP_SOCK: 'tcp_sock', PTR_TO_TP_BUFFER: 'tp_buffer',
  PTR_TO_XDP_SOCK: 'xdp_sock', PTR_TO_BTF_ID: 'ptr_', PTR_TO_MEM: 'mem', PTR_TO_ARENA: 'arena',
  PTR_TO_BUF: 'buf', PTR_TO_FUNC: 'func', PTR_TO_MAP_KEY: 'map_key', CONST_PTR_TO_DYNPTR: 'dynptr_ptr',
  PTR_TO_INSN: 'insn',
};

/** reg_type_str: `rdonly_mem_or_null`, `trusted_ptr_`, `map_value`, ... */
export function regTypeStr(type: BaseType, flags: number): string {
  let postfix = '';
  if (flags & PTR_MAYBE_NULL) postfix = type === 'PTR_TO_BTF_ID' ? 'or_null_' : '_or_null';
  const prefix =
    (flags & MEM_RDONLY ? 'rdonly_' : '') +
    (flags & MEM_RINGBUF ? 'ringbuf_' : '') +
    (flags & MEM_USER ? 'user_' : '') +
    (flags & MEM_PERCPU ? 'percpu_' : '') +
    (flags & MEM_RCU ? 'rcu_' : '') +
    (flags & PTR_UNTRUSTED ? 'untrusted_' : '') +
    (flags & PTR_TRUSTED ? 'trusted_' : '');
  return prefix + BASE_NAME[type] + postfix;
}

/** Hooks for names the printer cannot know by itself. */
export interface PrintEnv {
  /** BTF type name for PTR_TO_BTF_ID registers (`task_struct`) */
  btfTypeName?(btf: unknown, id: number): string;
  /** iterator type name for STACK_ITER slots (`num`) */
  iterTypeName?(btf: unknown, id: number): string;
}

/** print_scalar_ranges: equal bounds are printed once, as `smin=umin=0`. */
function scalarRanges(r: RegState, parts: string[]): void {
  const s32 = (v: bigint): bigint => (isSnumDecimal(v) ? v : asU32(v));
  const mm: { name: string; val: bigint; omit: boolean }[] = [
    { name: 'smin', val: asU64(r.smin), omit: r.smin === S64_MIN },
    { name: 'smax', val: asU64(r.smax), omit: r.smax === S64_MAX },
    { name: 'umin', val: r.umin, omit: r.umin === 0n },
    { name: 'umax', val: r.umax, omit: r.umax === U64_MAX },
    { name: 'smin32', val: asU64(s32(r.s32Min)), omit: r.s32Min === S32_MIN },
    { name: 'smax32', val: asU64(s32(r.s32Max)), omit: r.s32Max === S32_MAX },
    { name: 'umin32', val: r.u32Min, omit: r.u32Min === 0n },
    { name: 'umax32', val: r.u32Max, omit: r.u32Max === U32_MAX },
  ];
  for (let i = 0; i < mm.length; i++) {
    const m1 = mm[i]!;
    if (m1.omit) continue;
    const neg1 = m1.name[0] === 's' && asS64(m1.val) < 0n;
    let s = m1.name + '=';
    for (let j = i + 2; j < mm.length; j += 2) {
      const m2 = mm[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      // Never merge a negative with a positive that happens to share the bit pattern.
      const neg2 = m2.name[0] === 's' && asS64(m2.val) < 0n;
      if (neg2 !== neg1) continue;
      m2.omit = true;
      s += m2.name + '=';
    }
    s += m1.name[0] === 's' ? fmtSnum(m1.val) : fmtUnum(m1.val);
    parts.push(s);
  }
}

/** print_reg_state: `ctx()`, `fp-8`, `P5`, `scalar(id=1,smin=...)`, `map_value(map=arr,ks=4,vs=8)`. */
export function formatRegState(r: RegState, frameno: number, penv: PrintEnv = {}): string {
  const t = r.type;
  let out = '';
  if (t === 'SCALAR_VALUE' && r.precise) out += 'P';
  if (t === 'SCALAR_VALUE' && tnumIsConst(r.varOff)) return out + fmtSnum(r.varOff.value);
  out += regTypeStr(t, r.flags);
  if (t === 'PTR_TO_ARENA') return out;
  if (t === 'PTR_TO_STACK') {
    if (frameno !== r.frameno) out += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return out + fmtSnum(r.varOff.value + BigInt(r.off));
  }
  if (t === 'PTR_TO_BTF_ID') out += penv.btfTypeName ? penv.btfTypeName(r.btf, r.btfId) : String(r.btfId);
  const parts: string[] = [];
  if (r.id) parts.push(`id=${(r.id & ~BPF_ADD_CONST) >>> 0}`);
  let addConst = '';
  if (r.id & BPF_ADD_CONST) addConst = r.off < 0 ? String(r.off) : '+' + r.off;
  if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  if (r.flags & NON_OWN_REF && r.flags & MEM_ALLOC) parts.push('non_own_ref');
  if ((t === 'CONST_PTR_TO_MAP' || t === 'PTR_TO_MAP_VALUE' || t === 'PTR_TO_MAP_KEY') && r.map) {
    if (r.map.name) parts.push(`map=${r.map.name}`);
    parts.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (t !== 'SCALAR_VALUE' && r.off) parts.push('off=' + fmtSnum(BigInt(r.off)));
  if (t === 'PTR_TO_PACKET' || t === 'PTR_TO_PACKET_META') parts.push('r=' + fmtUnum(BigInt(r.range)));
  if (t === 'PTR_TO_MEM') parts.push('sz=' + fmtUnum(BigInt(r.memSize)));
  if (t === 'CONST_PTR_TO_DYNPTR') parts.push(`type=${r.dynptr?.type ?? 'invalid'}`);
  if (tnumIsConst(r.varOff)) {
    // A pointer with a fixed, non-zero variable part.
    if (r.varOff.value) parts.push('imm=' + fmtSnum(r.varOff.value));
  } else {
    scalarRanges(r, parts);
    if (!tnumIsUnknown(r.varOff)) parts.push('var_off=' + tnumStr(r.varOff));
  }
  // The "+delta" of a linked scalar follows the id directly, without a separator.
  if (addConst) parts[0] += addConst;
  return out + '(' + parts.join(',') + ')';
}

/** Which registers and stack slots changed since the last state print (env->scratched_*). */
export class Scratch {
  regs = 0;
  stack = 0n;
  markReg(regno: number): void {
    this.regs |= 1 << regno;
  }
  markStack(spi: number): void {
    this.stack |= 1n << BigInt(spi);
  }
  markAll(): void {
    this.regs = 0xffff;
    this.stack = U64_MAX;
  }
  clean(): void {
    this.regs = 0;
    this.stack = 0n;
  }
  get any(): boolean {
    return this.regs !== 0 || this.stack !== 0n;
  }
}

/**
 * print_verifier_state for one frame: ` R1=ctx() R10=fp0 fp-8=mmmmmmmm` (each item preceded by a
 * space) and a newline. With printAll false only scratched registers/slots are printed.
 */
export function formatFuncState(
  st: VerifierState, f: FuncState, printAll: boolean, scratch?: Scratch, penv: PrintEnv = {},
): string {
  let out = '';
  if (f.frameno) out += ` frame${f.frameno}:`;
  for (let i = 0; i < MAX_BPF_REG; i++) {
    const r = f.regs[i]!;
    if (r.type === 'NOT_INIT') continue;
    if (!printAll && !(scratch && scratch.regs & (1 << i))) continue;
    out += ` R${i}=` + formatRegState(r, f.frameno, penv);
  }
  for (let i = 0; i < f.stack.length; i++) {
    if (!printAll && !(scratch && scratch.stack & (1n << BigInt(i)))) continue;
    const slot = f.stack[i]!;
    let types = '';
    let valid = false;
    for (let j = 0; j < BPF_REG_SIZE; j++) {
      const ty = slot.slotType[j]!;
      if (ty !== STACK_INVALID) valid = true;
      types += SLOT_TYPE_CHAR[ty] ?? '?';
    }
    if (!valid) continue;
    const name = ` fp${(-i - 1) * BPF_REG_SIZE}`;
    const reg = slot.spilledPtr;
    switch (slot.slotType[BPF_REG_SIZE - 1]) {
      case STACK_SPILL: {
        // Bytes above a narrow spill are shown before the spilled register.
        const k = types.indexOf(SLOT_TYPE_CHAR[STACK_SPILL]!);
        out += `${name}=${types.slice(0, k < 0 ? BPF_REG_SIZE : k)}` + formatRegState(reg, f.frameno, penv);
        break;
      }
      case STACK_DYNPTR: {
        // A dynptr spans two slots; print it once, at its second (higher index) slot.
        i += 1;
        const main = f.stack[i]?.spilledPtr ?? reg;
        const parts: string[] = [];
        if (main.id) parts.push(`id=${main.id}`);
        if (main.refObjId) parts.push(`ref_id=${main.refObjId}`);
        if (main.dynptrId) parts.push(`dynptr_id=${main.dynptrId}`);
        out += ` fp${(-i - 1) * BPF_REG_SIZE}=dynptr_${main.dynptr?.type ?? 'invalid'}(${parts.join(',')})`;
        break;
      }
      case STACK_ITER:
        // Only the first slot of an iterator carries its reference.
        if (!reg.refObjId) continue;
        out += `${name}=iter_${penv.iterTypeName && reg.iter ? penv.iterTypeName(reg.iter.btf, reg.iter.btfId) : 'unknown'}` +
          `(ref_id=${reg.refObjId},state=${reg.iter?.state ?? 'invalid'},depth=${reg.iter?.depth ?? 0})`;
        break;
      default:
        out += `${name}=${types}`;
        break;
    }
  }
  const refs = st.refs.filter((r) => r.id);
  if (st.refs.length && st.refs[0]!.id) out += ' refs=' + refs.map((r) => r.id).join(',');
  if (f.inCallbackFn) out += ' cb';
  if (f.inAsyncCallbackFn) out += ' async_cb';
  return out + '\n';
}

/** The closing statistics line. */
export interface VerifierStats {
  insnProcessed: number;
  maxStatesPerInsn: number;
  totalStates: number;
  peakStates: number;
  longestMarkReadWalk: number;
}

export function formatStats(s: VerifierStats): string {
  return (
    `processed ${s.insnProcessed} insns (limit ${BPF_COMPLEXITY_LIMIT_INSNS}) ` +
    `max_states_per_insn ${s.maxStatesPerInsn} total_states ${s.totalStates} ` +
    `peak_states ${s.peakStates} mark_read ${s.longestMarkReadWalk}\n`
  );
}

// Column rules for appending a state to the preceding instruction line.
const BPF_LOG_ALIGNMENT = 40;
const BPF_LOG_MIN_ALIGNMENT = 8;

/** vlog_alignment: how many characters pad an instruction of `pos` printed characters. */
export function vlogAlignment(pos: number): number {
  const want = Math.max(pos + BPF_LOG_MIN_ALIGNMENT / 2, BPF_LOG_ALIGNMENT);
  return Math.ceil(want / BPF_LOG_MIN_ALIGNMENT) * BPF_LOG_MIN_ALIGNMENT - pos - 1;
}

/**
 * The log buffer with the kernel's bookkeeping: after an instruction line, a state print that
 * follows immediately is appended to that line (`0: (b7) r0 = 0   ; R0=0`); if anything else was
 * logged in between, the state gets its own `N:` line.
 */
export class VerifierLog {
  private buf = '';
  private prevLogPos = 0;
  private prevInsnPrintPos = 0;
  readonly scratch = new Scratch();

  constructor(
    readonly level: number,
    readonly penv: PrintEnv = {},
    readonly disasmOpts: DisasmOptions = {},
  ) {}

  get enabled(): boolean {
    return this.level !== 0;
  }
  get endPos(): number {
    return this.buf.length;
  }
  /** verbose() */
  write(s: string): void {
    if (this.level) this.buf += s;
  }
  /** bpf_vlog_reset: drop everything after pos (log of a pruned/popped path at level 1). */
  reset(pos: number): void {
    if (pos < this.buf.length) this.buf = this.buf.slice(0, pos);
  }
  text(): string {
    return this.buf;
  }

  /** `N: (b7) r0 = 0` */
  printInsn(idx: number, insn: Insn): void {
    if (!this.level) return;
    this.prevLogPos = this.endPos;
    this.write(`${idx}: ` + disasm(insn, { ...this.disasmOpts, flavor: 'kernel', opcode: true, pc: idx }) + '\n');
    this.prevInsnPrintPos = this.endPos - this.prevLogPos;
    this.prevLogPos = this.endPos;
  }

  /** print_insn_state: the scratched part of the current frame, appended or on its own line. */
  printInsnState(st: VerifierState, insnIdx: number, frameno = st.curframe): void {
    if (!this.level) return;
    if (this.prevLogPos && this.prevLogPos === this.endPos) {
      this.buf = this.buf.slice(0, this.prevLogPos - 1);
      this.write(' '.repeat(vlogAlignment(this.prevInsnPrintPos)) + ';');
    } else {
      this.write(`${insnIdx}:`);
    }
    this.printVerifierState(st, frameno, false);
  }

  /** print_verifier_state */
  printVerifierState(st: VerifierState, frameno: number, printAll: boolean): void {
    if (!this.level) return;
    this.write(formatFuncState(st, st.frame[frameno]!, printAll, this.scratch, this.penv));
    if (!printAll) this.scratch.clean();
  }

  /** `\nfrom X to Y:` + full state, after popping a branch (level 2). */
  printFromTo(st: VerifierState, prevIdx: number, idx: number): void {
    if (!this.level) return;
    this.write(`\nfrom ${prevIdx} to ${idx}${st.speculative ? ' (speculative execution)' : ''}:`);
    this.printVerifierState(st, st.curframe, true);
  }

  printStats(s: VerifierStats, subprogStackDepths?: number[], timeUsec?: number): void {
    if (this.level & BPF_LOG_STATS) {
      this.write(`verification time ${timeUsec ?? 0} usec\n`);
      this.write('stack depth ' + (subprogStackDepths ?? [0]).join('+') + '\n');
    }
    this.write(formatStats(s));
  }
}

/** The `Live regs before insn:` table printed at log level 2 (bit i of live[k] = Ri live). */
export function formatLiveRegs(
  insns: readonly Insn[], live: readonly number[], disasmOpts: DisasmOptions = {}, scc?: ArrayLike<number>,
): string {
  let out = 'Live regs before insn:\n';
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const prev = i > 0 ? insns[i - 1] : undefined;
    if (prev && prev.code === 0x18) continue; // second half of ld_imm64
    let mask = '';
    for (let r = 0; r < 10; r++) mask += live[i]! & (1 << r) ? String(r) : '.';
    // Instructions inside a loop are prefixed with the loop's SCC number.
    const loop = scc?.[i] ? String(scc[i]).padStart(3) + ' ' : '    ';
    out += `${loop}${String(i).padStart(3)}: ${mask} ` +
      disasm(insn, { ...disasmOpts, flavor: 'kernel', opcode: true, pc: i }) + '\n';
  }
  return out;
}
