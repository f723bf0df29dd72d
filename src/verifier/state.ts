// The verifier's abstract machine state: bpf_reg_state, bpf_stack_state, bpf_func_state and
// bpf_verifier_state, with the kernel's names, plus deep copy and the pruning comparisons
// (regsafe, stacksafe, refsafe, states_equal) as Linux 6.18 defines them. Written from the
// kernel's documented behaviour, not copied.

import {
  type ScalarRange, copyRange, markKnown, markRangeUnknown, S32_MAX, S32_MIN, S64_MAX, S64_MIN,
} from './scalar.js';
import { U32_MAX, U64_MAX, tnumIn, tnumUnknown } from './tnum.js';

export const MAX_BPF_REG = 11;
export const BPF_REG_FP = 10;
export const BPF_REG_SIZE = 8;
export const MAX_BPF_STACK = 512;
export const MAX_CALL_FRAMES = 8;

// ---------------------------------------------------------------------------------------------
// Register types

/** enum bpf_reg_type, base types (the low bits in the kernel). */
export type BaseType =
  | 'NOT_INIT' | 'SCALAR_VALUE' | 'PTR_TO_CTX' | 'CONST_PTR_TO_MAP' | 'PTR_TO_MAP_VALUE'
  | 'PTR_TO_MAP_KEY' | 'PTR_TO_STACK' | 'PTR_TO_PACKET_META' | 'PTR_TO_PACKET'
  | 'PTR_TO_PACKET_END' | 'PTR_TO_FLOW_KEYS' | 'PTR_TO_SOCKET' | 'PTR_TO_SOCK_COMMON'
  | 'PTR_TO_TCP_SOCK' | 'PTR_TO_TP_BUFFER' | 'PTR_TO_XDP_SOCK' | 'PTR_TO_BTF_ID' | 'PTR_TO_MEM'
  | 'PTR_TO_ARENA' | 'PTR_TO_BUF' | 'PTR_TO_FUNC' | 'CONST_PTR_TO_DYNPTR' | 'PTR_TO_INSN';

/** enum bpf_type_flag (the kernel's bits above BPF_BASE_TYPE_BITS; ours start at bit 0). */
export const PTR_MAYBE_NULL = 1 << 0;
export const MEM_RDONLY = 1 << 1;
export const MEM_RINGBUF = 1 << 2;
export const MEM_USER = 1 << 3;
export const MEM_PERCPU = 1 << 4;
export const OBJ_RELEASE = 1 << 5;
export const PTR_UNTRUSTED = 1 << 6;
export const MEM_UNINIT = 1 << 7;
export const DYNPTR_TYPE_LOCAL = 1 << 8;
export const DYNPTR_TYPE_RINGBUF = 1 << 9;
export const MEM_FIXED_SIZE = 1 << 10;
export const MEM_ALLOC = 1 << 11;
export const PTR_TRUSTED = 1 << 12;
export const MEM_RCU = 1 << 13;
export const NON_OWN_REF = 1 << 14;
export const DYNPTR_TYPE_SKB = 1 << 15;
export const DYNPTR_TYPE_XDP = 1 << 16;
export const MEM_ALIGNED = 1 << 17;
export const MEM_WRITE = 1 << 18;
export const DYNPTR_TYPE_SKB_META = 1 << 19;
export const DYNPTR_TYPE_FILE = 1 << 20;

/** Set in a scalar's id when it is "another register + constant" (linked registers). */
export const BPF_ADD_CONST64 = 1 << 31;
/** ... the same, computed by a 32-bit ALU op (the result is zero-extended). */
export const BPF_ADD_CONST32 = 1 << 30;
export const BPF_ADD_CONST = BPF_ADD_CONST64 | BPF_ADD_CONST32;

/** Packet range markers for pointers compared against pkt_end (reg->range < 0). */
export const AT_PKT_END = -1;
export const BEYOND_PKT_END = -2;

/** What the verifier needs to know of a map (a kernel BpfMap satisfies it structurally). */
export interface VerifierMap {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** map-in-map: the template of inner maps */
  innerMap?: VerifierMap;
}

export type DynptrType = 'local' | 'ringbuf' | 'skb' | 'xdp' | 'skb_meta' | 'file' | 'invalid';
export type IterState = 'active' | 'drained' | 'invalid';

export interface RegState extends ScalarRange {
  type: BaseType;
  /** bpf_type_flag bits */
  flags: number;
  /** fixed part of a pointer offset (s32); for BPF_ADD_CONST scalars the constant delta */
  off: number;
  // --- the kernel's union: which member matters depends on type ---
  /** PTR_TO_PACKET*: bytes known accessible from the packet start (or BEYOND/AT_PKT_END) */
  range: number;
  /** CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY */
  map?: VerifierMap;
  mapUid: number;
  /** PTR_TO_BTF_ID and friends: which BTF (opaque) and type id */
  btf?: unknown;
  btfId: number;
  /** PTR_TO_MEM, PTR_TO_BUF */
  memSize: number;
  /** CONST_PTR_TO_DYNPTR and STACK_DYNPTR slots */
  dynptr?: { type: DynptrType; firstSlot: boolean };
  /** STACK_ITER slots: iterator BTF type, state and nesting depth */
  iter?: { btf?: unknown; btfId: number; state: IterState; depth: number };
  /** STACK_IRQ_FLAG slots */
  irq?: { kfuncClass: number };
  /** PTR_TO_FUNC: subprogram number; PTR_TO_INSN etc. may reuse it */
  subprogno: number;
  /** dynptr slices: id of the dynptr they come from */
  dynptrId: number;
  // --- not part of the union ---
  id: number;
  refObjId: number;
  /** PTR_TO_STACK: which call frame's stack */
  frameno: number;
  /** instruction that last wrote the subregister (DEF_NOT_SUBREG = 0 when 64-bit) */
  subregDef: number;
  /** scalar whose exact value mattered for safety (backtracked precision) */
  precise: boolean;
}

export const baseType = (r: RegState): BaseType => r.type;
export const typeMayBeNull = (r: RegState): boolean => (r.flags & PTR_MAYBE_NULL) !== 0;
export const isPointer = (r: RegState): boolean => r.type !== 'SCALAR_VALUE' && r.type !== 'NOT_INIT';
export const isPktPointer = (r: RegState): boolean =>
  r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META';

function blankReg(type: BaseType): RegState {
  return {
    type, flags: 0, off: 0, range: 0, mapUid: 0, btfId: 0, memSize: 0, subprogno: 0, dynptrId: 0,
    id: 0, refObjId: 0, frameno: 0, subregDef: 0, precise: false,
    varOff: tnumUnknown, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX,
    s32Min: S32_MIN, s32Max: S32_MAX, u32Min: 0n, u32Max: U32_MAX,
  };
}

/** __mark_reg_not_init: an unreadable register. */
export function notInitReg(): RegState {
  const r = blankReg('NOT_INIT');
  return r;
}

/** An unknown, imprecise scalar (__mark_reg_unknown for a privileged loader). */
export function unknownScalar(): RegState {
  return blankReg('SCALAR_VALUE');
}

/** A known constant scalar. */
export function constScalar(v: bigint): RegState {
  const r = blankReg('SCALAR_VALUE');
  markKnown(r, v);
  return r;
}

/** A pointer of `type` with known-zero variable offset (__mark_reg_known_zero + type). */
export function pointerReg(type: BaseType, fields: Partial<RegState> = {}): RegState {
  const r = blankReg(type);
  markKnown(r, 0n);
  return Object.assign(r, fields);
}

/** Turn `r` into an unknown scalar in place (mark_reg_unknown). */
export function markRegUnknown(r: RegState): void {
  const fresh = unknownScalar();
  Object.assign(r, fresh);
  delete r.map;
  delete r.btf;
  delete r.dynptr;
  delete r.iter;
  delete r.irq;
  markRangeUnknown(r);
}

/** Turn `r` into NOT_INIT in place. */
export function markRegNotInit(r: RegState): void {
  markRegUnknown(r);
  r.type = 'NOT_INIT';
}

/** A known constant scalar, in place (__mark_reg_known after mark_reg_unknown). */
export function markRegKnown(r: RegState, v: bigint): void {
  markRegUnknown(r);
  markKnown(r, v);
}

export function cloneReg(r: RegState): RegState {
  const c: RegState = { ...r };
  if (r.dynptr) c.dynptr = { ...r.dynptr };
  if (r.iter) c.iter = { ...r.iter };
  if (r.irq) c.irq = { ...r.irq };
  return c;
}

/** copy_register_state: dst becomes src (in place, so references to dst stay valid). */
export function copyRegState(dst: RegState, src: RegState): void {
  for (const k of Object.keys(dst) as (keyof RegState)[]) if (!(k in src)) delete dst[k];
  Object.assign(dst, cloneReg(src));
  copyRange(dst, src);
}

// ---------------------------------------------------------------------------------------------
// Stack

/** enum bpf_stack_slot_type */
export const STACK_INVALID = 0;
export const STACK_SPILL = 1;
export const STACK_MISC = 2;
export const STACK_ZERO = 3;
export const STACK_DYNPTR = 4;
export const STACK_ITER = 5;
export const STACK_IRQ_FLAG = 6;
/** slot_type_char in the kernel's log */
export const SLOT_TYPE_CHAR = ['?', 'r', 'm', '0', 'd', 'i', 'f'];

/**
 * One 8-byte stack slot. slotType[j] describes the byte at fp - 8*(spi+1) + (7 - j)... i.e.
 * index 7 is the lowest address of the slot, exactly as the kernel indexes it.
 */
export interface StackSlot {
  slotType: Uint8Array;
  spilledPtr: RegState;
}

export function newStackSlot(): StackSlot {
  return { slotType: new Uint8Array(BPF_REG_SIZE), spilledPtr: notInitReg() };
}

export const cloneStackSlot = (s: StackSlot): StackSlot => ({
  slotType: s.slotType.slice(),
  spilledPtr: cloneReg(s.spilledPtr),
});

export const isSpilledReg = (s: StackSlot): boolean => s.slotType[BPF_REG_SIZE - 1] === STACK_SPILL;
export const isSpilledScalarReg = (s: StackSlot): boolean =>
  isSpilledReg(s) && s.spilledPtr.type === 'SCALAR_VALUE';
/** A full 8-byte scalar spill. */
export const isSpilledScalarReg64 = (s: StackSlot): boolean =>
  isSpilledScalarReg(s) && s.slotType.every((t) => t === STACK_SPILL);

/** Slot index (spi) and byte index within it for a stack offset like -8. */
export function stackSlotOf(off: number): { spi: number; byte: number } {
  const slot = -off - 1;
  return { spi: Math.floor(slot / BPF_REG_SIZE), byte: slot % BPF_REG_SIZE };
}

// ---------------------------------------------------------------------------------------------
// Frames and states

export interface FuncState {
  regs: RegState[];
  /** stack[spi]; allocated_stack = stack.length * 8 */
  stack: StackSlot[];
  /** call instruction that created this frame (-1 for main) */
  callsite: number;
  frameno: number;
  subprogno: number;
  inCallbackFn: boolean;
  inAsyncCallbackFn: boolean;
  inExceptionCallbackFn: boolean;
  asyncEntryCnt: number;
  /** allowed return range of a callback (smin/smax) */
  callbackRetRange: { minval: bigint; maxval: bigint; returnRangeSet?: boolean };
  callbackDepth: number;
}

export const allocatedStack = (f: FuncState): number => f.stack.length * BPF_REG_SIZE;

export function newFuncState(callsite: number, frameno: number, subprogno: number): FuncState {
  const regs: RegState[] = [];
  for (let i = 0; i < MAX_BPF_REG; i++) regs.push(notInitReg());
  return {
    regs, stack: [], callsite, frameno, subprogno, inCallbackFn: false, inAsyncCallbackFn: false,
    inExceptionCallbackFn: false, asyncEntryCnt: 0, callbackRetRange: { minval: 0n, maxval: 0n },
    callbackDepth: 0,
  };
}

/** Make sure the frame has at least `size` bytes of stack (grow_stack_state). */
export function growStack(f: FuncState, size: number): void {
  const n = Math.ceil(size / BPF_REG_SIZE);
  while (f.stack.length < n) f.stack.push(newStackSlot());
}

export function cloneFuncState(f: FuncState): FuncState {
  return {
    ...f,
    regs: f.regs.map(cloneReg),
    stack: f.stack.map(cloneStackSlot),
    callbackRetRange: { ...f.callbackRetRange },
  };
}

/** enum ref_state_type */
export type RefType = 'REF_TYPE_PTR' | 'REF_TYPE_IRQ' | 'REF_TYPE_LOCK' | 'REF_TYPE_RES_LOCK' | 'REF_TYPE_RES_LOCK_IRQ';

/** bpf_reference_state: an acquired object that must be released before exit. */
export interface RefState {
  type: RefType;
  id: number;
  /** instruction that acquired it (for "Unreleased reference id=%d alloc_insn=%d") */
  insnIdx: number;
  /** lock identity for lock references */
  ptr?: unknown;
}

export interface JmpHistoryEntry {
  idx: number;
  prevIdx: number;
  flags: number;
  linkedRegs: bigint;
  /** scalars sharing an id at a conditional jump (precision spreads to all of them) */
  linked?: { isReg: boolean; idx: number }[];
}

export interface VerifierState {
  frame: FuncState[];
  curframe: number;
  refs: RefState[];
  activeLocks: number;
  activeLockId: number;
  activeLockPtr?: unknown;
  activeRcuLocks: number;
  activePreemptLocks: number;
  activeIrqId: number;
  speculative: boolean;
  inSleepable: boolean;
  /** first and last instruction of the straight-line segment since the state was created */
  firstInsnIdx: number;
  lastInsnIdx: number;
  /** instruction this state describes (for explored states) */
  insnIdx: number;
  /** number of unexplored descendants (for loop detection and pruning) */
  branches: number;
  dfsDepth: number;
  callbackUnrollDepth: number;
  mayGotoDepth: number;
  parent?: VerifierState;
  loopEntry?: VerifierState;
  usedAsLoopEntry: boolean;
  jmpHistory: JmpHistoryEntry[];
}

export function newVerifierState(): VerifierState {
  return {
    frame: [newFuncState(-1, 0, 0)], curframe: 0, refs: [], activeLocks: 0, activeLockId: 0,
    activeRcuLocks: 0, activePreemptLocks: 0, activeIrqId: 0, speculative: false, inSleepable: false,
    firstInsnIdx: 0, lastInsnIdx: 0, insnIdx: 0, branches: 1, dfsDepth: 0, callbackUnrollDepth: 0,
    mayGotoDepth: 0, usedAsLoopEntry: false, jmpHistory: [],
  };
}

/** copy_verifier_state: a deep copy sharing only `parent`/`loopEntry` links. */
export function cloneVerifierState(s: VerifierState): VerifierState {
  return {
    ...s,
    frame: s.frame.map(cloneFuncState),
    refs: s.refs.map((r) => ({ ...r })),
    jmpHistory: s.jmpHistory.map((h) => ({ ...h })),
  };
}

export const curFrame = (s: VerifierState): FuncState => s.frame[s.curframe]!;
export const curRegs = (s: VerifierState): RegState[] => curFrame(s).regs;

/** Every register and spilled register of every frame (bpf_for_each_reg_in_vstate). */
export function* eachReg(s: VerifierState): Generator<{ frame: FuncState; reg: RegState }> {
  for (let i = 0; i <= s.curframe; i++) {
    const f = s.frame[i]!;
    for (const reg of f.regs) yield { frame: f, reg };
    for (const slot of f.stack) if (isSpilledReg(slot)) yield { frame: f, reg: slot.spilledPtr };
  }
}

// ---------------------------------------------------------------------------------------------
// State equivalence for pruning

/** enum exact_level */
export type ExactLevel = 'NOT_EXACT' | 'EXACT' | 'RANGE_WITHIN';

/** bpf_idmap: old id -> cur id correspondence built while comparing two states. */
export class IdMap {
  private readonly pairs = new Map<number, number>();
  private readonly curSeen = new Set<number>();
  constructor(private tmpIdGen: number) {}

  /** check_ids: ids must correspond one-to-one. */
  checkIds(oldId: number, curId: number): boolean {
    if (!oldId !== !curId) return false;
    if (oldId === 0) return true;
    const mapped = this.pairs.get(oldId);
    if (mapped !== undefined) return mapped === curId;
    if (this.curSeen.has(curId)) return false;
    this.pairs.set(oldId, curId);
    this.curSeen.add(curId);
    return true;
  }

  /** check_scalar_ids: a zero id is a unique fresh id (so 0 never matches a shared id twice). */
  checkScalarIds(oldId: number, curId: number): boolean {
    const o = oldId || ++this.tmpIdGen;
    const c = curId || ++this.tmpIdGen;
    return this.checkIds(o, c);
  }
}

export interface CompareEnv {
  /** env->id_gen at comparison time (fresh ids for check_scalar_ids start above it) */
  idGen: number;
  /** env->explore_alu_limits (unprivileged speculation checks) */
  exploreAluLimits?: boolean;
  /** compare every scalar as if precise (when precision tracking is not available) */
  allPrecise?: boolean;
  /** env->allow_uninit_stack (privileged: reading uninit stack is allowed) */
  allowUninitStack?: boolean;
  /** live_regs_before of an instruction (bit i = Ri read later); all live when absent */
  liveRegsBefore?(insnIdx: number): number;
}

export function rangeWithin(o: ScalarRange, c: ScalarRange): boolean {
  return (
    o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
    o.u32Min <= c.u32Min && o.u32Max >= c.u32Max && o.s32Min <= c.s32Min && o.s32Max >= c.s32Max
  );
}

function sameRange(a: ScalarRange, b: ScalarRange): boolean {
  return (
    a.varOff.value === b.varOff.value && a.varOff.mask === b.varOff.mask &&
    a.smin === b.smin && a.smax === b.smax && a.umin === b.umin && a.umax === b.umax &&
    a.s32Min === b.s32Min && a.s32Max === b.s32Max && a.u32Min === b.u32Min && a.u32Max === b.u32Max
  );
}

/** The union members that the kernel compares with memcmp (everything before var_off). */
function sameUnion(a: RegState, b: RegState): boolean {
  return (
    a.type === b.type && a.flags === b.flags && a.off === b.off && a.range === b.range &&
    a.map === b.map && a.mapUid === b.mapUid && a.btf === b.btf && a.btfId === b.btfId &&
    a.memSize === b.memSize && a.subprogno === b.subprogno && a.dynptrId === b.dynptrId &&
    a.dynptr?.type === b.dynptr?.type && a.dynptr?.firstSlot === b.dynptr?.firstSlot &&
    a.iter?.btfId === b.iter?.btfId && a.iter?.state === b.iter?.state &&
    a.iter?.depth === b.iter?.depth && a.irq?.kfuncClass === b.irq?.kfuncClass
  );
}

/** regs_exact: identical up to a consistent renaming of ids. */
export function regsExact(o: RegState, c: RegState, idmap: IdMap): boolean {
  return (
    sameUnion(o, c) && sameRange(o, c) &&
    idmap.checkIds(o.id, c.id) && idmap.checkIds(o.refObjId, c.refObjId)
  );
}

/** regsafe: is every behaviour of `cur` covered by the already-verified `old`? */
export function regsafe(env: CompareEnv, o: RegState, c: RegState, idmap: IdMap, exact: ExactLevel): boolean {
  if (exact === 'EXACT') return regsExact(o, c, idmap);
  if (o.type === 'NOT_INIT' && (exact === 'NOT_EXACT' || c.type === 'NOT_INIT')) return true;
  if (o.type !== c.type || o.flags !== c.flags) return false;
  switch (o.type) {
    case 'SCALAR_VALUE':
      if (env.exploreAluLimits) {
        return sameUnion(o, c) && sameRange(o, c) && idmap.checkScalarIds(o.id, c.id);
      }
      // An imprecise scalar's value never mattered for the old path's safety.
      if (!o.precise && !env.allPrecise && exact === 'NOT_EXACT') return true;
      if ((o.id & BPF_ADD_CONST) !== (c.id & BPF_ADD_CONST)) return false;
      if (o.id & BPF_ADD_CONST && o.off !== c.off) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) && idmap.checkScalarIds(o.id, c.id);
    case 'PTR_TO_MAP_KEY':
    case 'PTR_TO_MAP_VALUE':
    case 'PTR_TO_MEM':
    case 'PTR_TO_BUF':
    case 'PTR_TO_TP_BUFFER':
      return (
        sameUnion(o, c) && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) &&
        idmap.checkIds(o.id, c.id) && idmap.checkIds(o.refObjId, c.refObjId)
      );
    case 'PTR_TO_PACKET_META':
    case 'PTR_TO_PACKET':
      // At least the old range must be known accessible, at the same fixed offset.
      if (o.range > c.range) return false;
      if (o.off !== c.off) return false;
      if (!idmap.checkIds(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case 'PTR_TO_STACK':
      // fp-8 of one frame is not fp-8 of another.
      return regsExact(o, c, idmap) && o.frameno === c.frameno;
    case 'PTR_TO_ARENA':
      return true;
    default:
      return regsExact(o, c, idmap);
  }
}

const UNBOUND_REG = unknownScalar();

/** scalar_reg_for_stack: a slot that reads back as a scalar register (full spill or all misc). */
function scalarRegForStack(env: CompareEnv, s: StackSlot): RegState | null {
  if (isSpilledScalarReg64(s)) return s.spilledPtr;
  // Reading all-STACK_MISC bytes gives an unbound scalar (STACK_INVALID counts when allowed).
  const allMisc = s.slotType.every(
    (t) => t === STACK_MISC || (env.allowUninitStack === true && t === STACK_INVALID),
  );
  return allMisc ? UNBOUND_REG : null;
}

/** stacksafe: compare the explored stack slot by slot; extra current slots are ignored. */
export function stacksafe(env: CompareEnv, o: FuncState, c: FuncState, idmap: IdMap, exact: ExactLevel): boolean {
  const oldAlloc = allocatedStack(o);
  const curAlloc = allocatedStack(c);
  for (let i = 0; i < oldAlloc; i++) {
    const spi = Math.floor(i / BPF_REG_SIZE);
    const j = i % BPF_REG_SIZE;
    const os = o.stack[spi]!;
    const cs = c.stack[spi];
    if (exact === 'EXACT' && (i >= curAlloc || os.slotType[j] !== cs!.slotType[j])) return false;
    if (os.slotType[j] === STACK_INVALID) continue;
    if (env.allowUninitStack && os.slotType[j] === STACK_MISC) continue;
    if (i >= curAlloc || !cs) return false;
    const oldReg = scalarRegForStack(env, os);
    const curReg = scalarRegForStack(env, cs);
    if (oldReg && curReg) {
      if (!regsafe(env, oldReg, curReg, idmap, exact)) return false;
      i += BPF_REG_SIZE - 1 - j;
      continue;
    }
    // Old was safe with unknown bytes, so it is safe with zeroes; not the other way round.
    if (os.slotType[j] === STACK_MISC && cs.slotType[j] === STACK_ZERO) continue;
    if (os.slotType[j] !== cs.slotType[j]) return false;
    if (j !== BPF_REG_SIZE - 1) continue;
    const or = os.spilledPtr;
    const cr = cs.spilledPtr;
    switch (os.slotType[BPF_REG_SIZE - 1]) {
      case STACK_SPILL:
        if (!regsafe(env, or, cr, idmap, exact)) return false;
        break;
      case STACK_DYNPTR:
        if (or.dynptr?.type !== cr.dynptr?.type || or.dynptr?.firstSlot !== cr.dynptr?.firstSlot ||
          !idmap.checkIds(or.refObjId, cr.refObjId)) return false;
        break;
      case STACK_ITER:
        // Iterator depth is deliberately not compared, or loops would never converge.
        if (or.iter?.btf !== cr.iter?.btf || or.iter?.btfId !== cr.iter?.btfId ||
          or.iter?.state !== cr.iter?.state || !idmap.checkIds(or.refObjId, cr.refObjId)) return false;
        break;
      case STACK_IRQ_FLAG:
        if (!idmap.checkIds(or.refObjId, cr.refObjId) || or.irq?.kfuncClass !== cr.irq?.kfuncClass) return false;
        break;
      case STACK_MISC:
      case STACK_ZERO:
      case STACK_INVALID:
        continue;
      default:
        return false;
    }
  }
  return true;
}

/** refsafe: same acquired references (up to renaming) and same lock state. */
export function refsafe(o: VerifierState, c: VerifierState, idmap: IdMap): boolean {
  if (o.refs.length !== c.refs.length) return false;
  if (o.activeLocks !== c.activeLocks) return false;
  if (o.activePreemptLocks !== c.activePreemptLocks) return false;
  if (o.activeRcuLocks !== c.activeRcuLocks) return false;
  if (!idmap.checkIds(o.activeIrqId, c.activeIrqId)) return false;
  if (!idmap.checkIds(o.activeLockId, c.activeLockId) || o.activeLockPtr !== c.activeLockPtr) return false;
  for (let i = 0; i < o.refs.length; i++) {
    const a = o.refs[i]!;
    const b = c.refs[i]!;
    if (!idmap.checkIds(a.id, b.id) || a.type !== b.type) return false;
    if (a.type !== 'REF_TYPE_PTR' && a.type !== 'REF_TYPE_IRQ' && a.ptr !== b.ptr) return false;
  }
  return true;
}

export function funcStatesEqual(
  env: CompareEnv, o: FuncState, c: FuncState, insnIdx: number, idmap: IdMap, exact: ExactLevel,
): boolean {
  if (o.callbackDepth > c.callbackDepth) return false;
  const live = env.liveRegsBefore ? env.liveRegsBefore(insnIdx) : 0x7ff;
  for (let i = 0; i < MAX_BPF_REG; i++) {
    if ((live & (1 << i)) && !regsafe(env, o.regs[i]!, c.regs[i]!, idmap, exact)) return false;
  }
  return stacksafe(env, o, c, idmap, exact);
}

/** The instruction each frame of `st` is at: the current one, or the call of the next frame. */
function frameInsnIdx(st: VerifierState, frame: number): number {
  return frame === st.curframe ? st.insnIdx : st.frame[frame + 1]!.callsite;
}

/** states_equal: may `cur` be pruned because `old` (fully explored) covers it? */
export function statesEqual(env: CompareEnv, o: VerifierState, c: VerifierState, exact: ExactLevel = 'NOT_EXACT'): boolean {
  if (o.curframe !== c.curframe) return false;
  const idmap = new IdMap(env.idGen);
  // A speculative path must never prune a real one.
  if (o.speculative && !c.speculative) return false;
  if (o.inSleepable !== c.inSleepable) return false;
  if (!refsafe(o, c, idmap)) return false;
  for (let i = 0; i <= o.curframe; i++) {
    if (o.frame[i]!.callsite !== c.frame[i]!.callsite) return false;
    if (!funcStatesEqual(env, o.frame[i]!, c.frame[i]!, frameInsnIdx(o, i), idmap, exact)) return false;
  }
  return true;
}
