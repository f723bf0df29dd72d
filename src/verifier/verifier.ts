// The main simulation loop (do_check): a depth-first walk over all paths with a stack of pending
// branches, state pruning at prune points (is_state_visited with states_equal), the 1M processed
// instruction limit, and the instruction checks for ALU, loads/stores to the stack, the context
// and map values, conditional jumps, exits and simple helper calls. Messages are Linux 6.18's.
//
// Precision backtracking (precision.ts) marks the scalars whose exact values mattered, so
// pruning treats other scalars as equal, as Linux does. Covered: atomics, helper arguments
// (memory + size pairs, ctx, stack, ring buffer references), bpf-to-bpf calls (global functions
// are walked like static ones), kfuncs with scalar arguments and the open-coded iterators.
// Not yet: may_goto, legacy packet loads, callbacks (bpf_loop), PTR_TO_BTF_ID, dynptrs, locks.

import type { Insn } from '../isa/insn.js';
import { disasm } from '../isa/disasm.js';
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_ARSH, BPF_ATOMIC, BPF_CALL, BPF_CLASS, BPF_DIV, BPF_END, BPF_EXIT,
  BPF_IMM, BPF_JA, BPF_JCOND, BPF_JEQ, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_K, BPF_LD, BPF_LDX, BPF_LSH,
  BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MODE, BPF_MOV, BPF_NEG, BPF_OP, BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE, BPF_RSH, BPF_SIZE, BPF_SRC, BPF_ST, BPF_STX, BPF_SUB, BPF_X, BPF_AND,
  BPF_OR, BPF_XOR, BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, BPF_LOAD_ACQ, BPF_STORE_REL, sizeBytes, BPF_DW, BPF_W, BPF_H, BPF_B, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
} from '../isa/opcodes.js';
import { ldImm64Value } from '../isa/insn.js';
import type { HelperProto } from '../kernel/helpers/types.js';
import type { ProgTypeDef } from '../kernel/progtypes/types.js';
import { checkCfg, checkLdImm64, checkSubprogs, computeScc, isLdImm64, type CfgInfo, type Subprog } from './cfg.js';
import { E2BIG, EACCES, EFAULT, EINVAL, VerifierError } from './errors.js';
import { computeLiveRegs } from './liveness.js';
import { insnStackAccessFlags, markChainPrecision, propagatePrecision, type PrecisionEnv } from './precision.js';
import { BPF_LOG_LEVEL2, VerifierLog, formatLiveRegs, regTypeStr, type VerifierStats } from './log.js';
import {
  adjustScalarMinMaxVals, asS32, asS64, coerceRegToSize, coerceRegToSizeSx, coerceSubregToSizeSx,
  isRegConst, isScalarBranchTaken, knownRange, regBoundsSync, regConstValue, regSetMinMax,
  zext32To64, boundsViolation, scalarAddNoSync, mark32Unbounded, boundsViolationMessage, markUnbounded, S64_MAX, S64_MIN,
} from './scalar.js';
import {
  AT_PKT_END, BEYOND_PKT_END, MEM_FIXED_SIZE, MEM_RDONLY, MEM_RINGBUF, OBJ_RELEASE, STACK_ITER, MEM_UNINIT, MEM_WRITE, BPF_ADD_CONST, BPF_ADD_CONST32, BPF_ADD_CONST64, BPF_REG_FP, BPF_REG_SIZE, MAX_BPF_REG, MAX_BPF_STACK, MAX_CALL_FRAMES, newFuncState, PTR_MAYBE_NULL, STACK_INVALID,
  STACK_MISC, STACK_SPILL, STACK_ZERO, cloneReg, cloneVerifierState, copyRegState, curFrame, eachReg,
  growStack, isSpilledReg, markRegKnown, markRegNotInit, markRegUnknown, newVerifierState,
  pointerReg, statesEqual, type CompareEnv, type JmpHistoryEntry, type FuncState, type RegState, type VerifierMap,
  type VerifierState,
} from './state.js';
import { U64_MAX, fls64, tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, tnumStr, tnumSub } from './tnum.js';
import type { VerifiedProgram } from './verified-program.js';
import { KF_ITER_DESTROY, KF_ITER_NEW, KF_ITER_NEXT, KF_RET_NULL } from '../kernel/kfuncs/types.js';

export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
const BPF_COMPLEXITY_LIMIT_JMP_SEQ = 8192;
const BPF_MAX_VAR_OFF = 1 << 29;
const BPF_FUNC_map_lookup_elem = 1;

export interface VerifyOptions {
  /** 'socket_filter', 'xdp', ... (recorded in the result) */
  progType: string;
  /** the program type's context rules; without it any ctx access is rejected */
  progTypeDef?: ProgTypeDef;
  /** 0 (no log), 1, 2; |4 adds the stats lines */
  logLevel?: number;
  /** maps referenced by ld_imm64 (BPF_PSEUDO_MAP_IDX/_VALUE: index; MAP_FD/_VALUE: resolveMapFd) */
  maps?: readonly VerifierMap[];
  resolveMapFd?(fd: number): VerifierMap | undefined;
  /** address the engines use for a map (ld_imm64 is rewritten to it) */
  mapAddress?(map: VerifierMap): bigint;
  /** address of a map value for direct value access (BPF_PSEUDO_MAP_VALUE) */
  mapValueAddress?(map: VerifierMap, off: number): bigint;
  /** helper prototypes; calls to ids it does not know are rejected as the kernel does */
  helperProto?(id: number): HelperProto | undefined;
  /** helpers allowed for this program type (else any known helper is allowed) */
  helperAllowed?(id: number): boolean;
  subprogNames?: readonly { name: string; start: number }[];
  /** kfunc prototypes by BTF id (the imm of `call` with src = BPF_PSEUDO_KFUNC_CALL) */
  kfunc?(btfId: number): VerifierKfunc | undefined;
  /** override BPF_COMPLEXITY_LIMIT_INSNS (tests) */
  insnLimit?: number;
}

/** A kfunc as the verifier needs it: the kernel BTF prototype (C type strings) and KF_* flags. */
export interface VerifierKfunc {
  name: string;
  /** KF_* bits (src/kernel/kfuncs/types.ts) */
  flags: number;
  /** e.g. 'int', 'void', 'int *' */
  ret: string;
  /** [name, C type] per argument, e.g. ['it', 'struct bpf_iter_num *'] */
  args: readonly (readonly [string, string])[];
  /** KF_ITER_*: size of the iterator state (struct bpf_iter_<type>) in bytes; default 8 */
  iterSize?: number;
}

export interface VerifyResult {
  prog: VerifiedProgram;
  log: string;
  stats: VerifierStats;
}

interface StackElem {
  st: VerifierState;
  insnIdx: number;
  prevInsnIdx: number;
  logPos: number;
}

interface ExploredState {
  state: VerifierState;
  hitCnt: number;
  missCnt: number;
  /** dead registers already cleared (clean_verifier_state) */
  cleaned: boolean;
}

type AccessType = 'read' | 'write';

/** map_flags bits the verifier enforces on program-side map value access (uapi values) */
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_WRONLY_PROG = 1 << 8;

/** Verify `insns`; returns the VerifiedProgram or throws VerifierError with the log. */
export function verifyProgram(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const v = new Verifier(insns, opts);
  return v.run();
}

class Verifier {
  readonly log: VerifierLog;
  private readonly insns: Insn[];
  private cfg!: CfgInfo;
  private subprogs: Subprog[] = [];
  private live: number[] = [];
  private cur!: VerifierState;
  private insnIdx = 0;
  private prevInsnIdx = 0;
  private idGen = 0;
  private readonly stack: StackElem[] = [];
  private readonly explored = new Map<number, ExploredState[]>();
  private exploredSize = 0;
  private readonly stats: VerifierStats = { insnProcessed: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, longestMarkReadWalk: 0 };
  private jmpsProcessed = 0;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;
  private readonly seen: Uint8Array;
  private readonly stackDepth: number[] = [];
  private readonly ctxRewrite = new Map<number, { off: number; size: number }>();
  private readonly mapAt = new Map<number, { map: VerifierMap; value: boolean; off: number }>();
  private readonly limit: number;
  private curHistEnt: JmpHistoryEntry | undefined;
  /** strongly connected component of each instruction (0: not in a loop) */
  private scc: ArrayLike<number> = [];

  constructor(insns0: readonly Insn[], private readonly opts: VerifyOptions) {
    this.insns = insns0.map((i) => ({ ...i }));
    const kfuncName = (id: number): string | undefined => opts.kfunc?.(id)?.name;
    this.log = new VerifierLog(opts.logLevel ?? 0, { iterTypeName: (_btf, id) => iterName(id) }, { kfuncName });
    this.seen = new Uint8Array(insns0.length);
    this.limit = opts.insnLimit ?? BPF_COMPLEXITY_LIMIT_INSNS;
  }

  private fail(errno: number, msg: string): never {
    throw new VerifierError(errno, msg, this.insnIdx);
  }

  run(): VerifyResult {
    try {
      if (this.insns.length === 0) this.fail(EINVAL, 'empty program');
      checkLdImm64(this.insns);
      this.resolveMaps();
      // add_kfunc_call: every kfunc named by a call must exist before simulation starts
      this.insns.forEach((x, i) => {
        if (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_KFUNC_CALL && !this.opts.kfunc?.(x.imm)) {
          throw new VerifierError(EINVAL, `kernel btf_id ${x.imm} is not a function`, i);
        }
      });
      this.subprogs = checkSubprogs(this.insns);
      if (this.log.level & BPF_LOG_LEVEL2) {
        this.subprogs.forEach((s, i) => this.log.write(`func#${i} @${s.start}\n`));
      }
      this.cfg = checkCfg(this.insns, { allowBackEdges: true });
      this.live = computeLiveRegs(this.insns, this.cfg.succ, (insn) => this.callParams(insn));
      this.scc = computeScc(this.cfg.succ);
      if (this.log.level & BPF_LOG_LEVEL2) {
        const scc = this.scc;
        this.log.write(formatLiveRegs(this.insns.map((x, i) => this.displayInsn(i, x)), this.live, this.disasmOpts(), scc));
      }
      this.subprogs.forEach((_s, i) => (this.stackDepth[i] = 0));
      this.doCheck();
      this.checkMaxStackDepth();
    } catch (e) {
      if (e instanceof VerifierError) {
        if (!e.logged) this.log.write(e.message + '\n');
        this.log.printStats(this.stats, this.stackDepth);
        e.log = this.log.text();
        throw e;
      }
      throw e;
    }
    this.log.printStats(this.stats, this.stackDepth);
    return { prog: this.output(), log: this.log.text(), stats: { ...this.stats } };
  }

  private disasmOpts(): { helperName?(id: number): string | undefined; kfuncName?(id: number): string | undefined } {
    const proto = this.opts.helperProto;
    const kfuncName = (id: number): string | undefined => this.opts.kfunc?.(id)?.name;
    return proto ? { helperName: (id: number) => { const p = proto(id); return p ? `bpf_${p.name}` : undefined; }, kfuncName } : { kfuncName };
  }

  /** The kernel prints map references as the map's (or value's) address once resolved. */
  private displayInsn(idx: number, insn: Insn): Insn {
    const m = this.mapAt.get(idx);
    if (!m) return insn;
    const addr = m.value ? this.opts.mapValueAddress?.(m.map, m.off) : this.opts.mapAddress?.(m.map);
    if (addr === undefined) return insn;
    return { code: 0x18, dst: insn.dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, addr)), imm2: Number(BigInt.asIntN(32, addr >> 32n)) };
  }

  private callParams(insn: Insn): number {
    if (insn.src === BPF_PSEUDO_KFUNC_CALL) return this.opts.kfunc?.(insn.imm)?.args.length ?? 5;
    if (insn.src === BPF_PSEUDO_CALL) return 5;
    const p = this.opts.helperProto?.(insn.imm);
    return p ? p.args.length : 5;
  }

  // ------------------------------------------------------------------------------------------
  // ld_imm64 map references

  private resolveMaps(): void {
    for (let i = 0; i < this.insns.length; i++) {
      const insn = this.insns[i]!;
      if (!isLdImm64(insn)) continue;
      const src = insn.src;
      if (src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE || src === BPF_PSEUDO_MAP_IDX || src === BPF_PSEUDO_MAP_IDX_VALUE) {
        const byIdx = src === BPF_PSEUDO_MAP_IDX || src === BPF_PSEUDO_MAP_IDX_VALUE;
        const map = byIdx ? this.opts.maps?.[insn.imm] : this.opts.resolveMapFd?.(insn.imm) ?? this.opts.maps?.[insn.imm];
        if (!map) {
          this.insnIdx = i;
          if (byIdx) this.fail(EINVAL, `fd_idx ${insn.imm} out of range`);
          this.fail(EINVAL, `fd ${insn.imm} is not pointing to valid bpf_map`);
        }
        const value = src === BPF_PSEUDO_MAP_VALUE || src === BPF_PSEUDO_MAP_IDX_VALUE;
        const off = value ? (insn.imm2 ?? 0) : 0;
        if (value && (off < 0 || off >= map.valueSize)) {
          this.insnIdx = i;
          this.fail(EINVAL, `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`);
        }
        this.mapAt.set(i, { map, value, off });
      }
      i++;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Main loop

  private initialState(): VerifierState {
    const st = newVerifierState();
    const regs = st.frame[0]!.regs;
    regs[1] = pointerReg('PTR_TO_CTX');
    regs[BPF_REG_FP] = pointerReg('PTR_TO_STACK', { frameno: 0 });
    return st;
  }

  private doCheck(): void {
    this.cur = this.initialState();
    this.log.scratch.markAll();
    let doPrintState = false;
    this.insnIdx = 0;
    this.prevInsnIdx = -1;
    for (;;) {
      const idx = this.insnIdx;
      if (idx < 0 || idx >= this.insns.length) this.fail(EFAULT, `invalid insn idx ${idx} insn_cnt ${this.insns.length}`);
      const insn = this.insns[idx]!;
      if (++this.stats.insnProcessed > this.limit) {
        this.fail(E2BIG, `BPF program is too large. Processed ${this.stats.insnProcessed} insn`);
      }
      this.cur.lastInsnIdx = this.prevInsnIdx;
      this.cur.insnIdx = idx;
      this.curHistEnt = undefined;
      if (this.cfg.prunePoints[idx] || this.iterNextAt(idx)) {
        const visited = this.isStateVisited(idx);
        if (visited) {
          if (this.log.level) {
            if (doPrintState) {
              this.log.write(`\nfrom ${this.prevInsnIdx} to ${idx}${this.cur.speculative ? ' (speculative execution)' : ''}: safe\n`);
            } else {
              this.log.write(`${idx}: safe\n`);
            }
          }
          // A pruned path is finished like one that reached exit.
          this.updateBranchCounts(this.cur);
          if (!this.popState()) return;
          doPrintState = true;
          continue;
        }
      }
      if (this.cfg.jmpPoints[idx]) this.pushJmpHistory(0);
      if (this.log.level & BPF_LOG_LEVEL2 && doPrintState) {
        this.log.printFromTo(this.cur, this.prevInsnIdx, idx);
        doPrintState = false;
      }
      if (this.log.level) {
        if (this.log.scratch.any) this.log.printInsnState(this.cur, idx);
        this.log.printInsn(idx, this.displayInsn(idx, insn));
      }
      this.seen[idx] = 1;
      const cls = BPF_CLASS(insn.code);
      if (cls === BPF_ALU || cls === BPF_ALU64) {
        this.checkAluOp(insn);
        this.insnIdx++;
      } else if (cls === BPF_LDX) {
        this.checkLdx(insn);
        this.insnIdx++;
      } else if (cls === BPF_STX || cls === BPF_ST) {
        this.checkStore(insn);
        this.insnIdx++;
      } else if (cls === BPF_LD) {
        this.checkLd(insn);
        this.insnIdx += isLdImm64(insn) ? 2 : 1;
      } else {
        this.jmpsProcessed++;
        const op = BPF_OP(insn.code);
        if (op === BPF_EXIT) {
          this.checkExit(insn);
          if (this.cur.curframe) {
            // exit from a subprogram: continue in the caller (prepare_func_exit)
            this.prepareFuncExit();
            doPrintState = true;
            this.prevInsnIdx = idx;
            continue;
          }
          this.updateBranchCounts(this.cur);
          if (!this.popState()) return;
          doPrintState = true;
          continue;
        } else if (op === BPF_JA) {
          if (insn.src !== 0 || insn.dst !== 0 || (cls === BPF_JMP && insn.imm !== 0) || (cls === BPF_JMP32 && insn.off !== 0)) {
            this.fail(EINVAL, 'BPF_JA uses reserved fields');
          }
          this.insnIdx += (cls === BPF_JMP32 ? insn.imm : insn.off) + 1;
        } else if (op === BPF_CALL) {
          if (insn.src === BPF_PSEUDO_CALL) this.checkFuncCall(insn);
          else if (insn.src === BPF_PSEUDO_KFUNC_CALL) {
            this.checkKfuncCall(insn);
            this.insnIdx++;
          } else {
            this.checkCall(insn);
            this.insnIdx++;
          }
        } else if (op === BPF_JCOND) {
          this.fail(EINVAL, 'may_goto is not supported yet');
        } else {
          this.checkCondJmp(insn);
        }
      }
      this.prevInsnIdx = idx;
    }
  }

  /** push_jmp_history: remember how we got here (and which stack slot an insn touched). */
  private pushJmpHistory(flags: number): void {
    // One entry per visit of an instruction; a second push during the same visit merges.
    if (this.curHistEnt) {
      this.curHistEnt.flags |= flags;
      return;
    }
    this.curHistEnt = { idx: this.insnIdx, prevIdx: this.prevInsnIdx, flags, linkedRegs: 0n };
    this.cur.jmpHistory.push(this.curHistEnt);
  }

  private precisionEnv(): PrecisionEnv {
    return {
      insns: this.insns, log: this.log, logLevel2: (this.log.level & BPF_LOG_LEVEL2) !== 0,
      disasm: (i: number) => disasm(this.displayInsn(i, this.insns[i]!), { ...this.disasmOpts(), flavor: 'kernel', opcode: true, pc: i }),
    };
  }

  /** mark_chain_precision for a register of the current state. */
  private markPrecise(regno: number): void {
    markChainPrecision(this.precisionEnv(), this.cur, regno);
  }

  private popState(): boolean {
    const e = this.stack.pop();
    if (!e) return false;
    if (!(this.log.level & BPF_LOG_LEVEL2)) this.log.reset(e.logPos);
    this.cur = e.st;
    this.insnIdx = e.insnIdx;
    this.prevInsnIdx = e.prevInsnIdx;
    this.log.scratch.markAll();
    return true;
  }

  private pushStack(insnIdx: number, prevInsnIdx: number): VerifierState {
    const st = cloneVerifierState(this.cur);
    this.stack.push({ st, insnIdx, prevInsnIdx, logPos: this.log.endPos });
    if (this.stack.length > BPF_COMPLEXITY_LIMIT_JMP_SEQ) {
      this.fail(E2BIG, `The sequence of ${this.stack.length} jumps is too complex.`);
    }
    if (st.parent) st.parent.branches++;
    return st;
  }

  private updateBranchCounts(st0: VerifierState): void {
    let st: VerifierState | undefined = st0;
    while (st) {
      const br = --st.branches;
      if (br) break;
      st = st.parent;
    }
  }

  private compareEnv(): CompareEnv {
    return {
      idGen: this.idGen, allowUninitStack: true,
      liveRegsBefore: (i: number) => this.live[i]! | (1 << BPF_REG_FP),
    };
  }

  /** is_state_visited: 1 = an explored state covers cur (prune), 0 = continue. */
  private isStateVisited(idx: number): boolean {
    const cur = this.cur;
    let addNewState = false;
    if (this.jmpsProcessed - this.prevJmpsProcessed >= 2 && this.stats.insnProcessed - this.prevInsnProcessed >= 8) {
      addNewState = true;
    }
    const iterNext = this.iterNextAt(idx);
    // iter_next() is a forced checkpoint: process_iter_next_call needs the parent state here
    if (iterNext) addNewState = true;
    const list = this.explored.get(idx) ?? [];
    // clean_live_states: fully explored states forget registers nobody reads any more.
    for (const sl of list) {
      if (sl.cleaned || sl.state.branches) continue;
      sl.cleaned = true;
      const st = sl.state;
      st.frame.forEach((f, fi) => {
        // each frame is at its own instruction: the current one or its call
        const at = fi === st.curframe ? idx : st.frame[fi + 1]!.callsite;
        const live = this.live[at]! | (1 << BPF_REG_FP);
        f.regs.forEach((r, i) => {
          if (!(live & (1 << i))) markRegNotInit(r);
        });
      });
    }
    let statesCnt = 0;
    const env = this.compareEnv();
    for (let k = 0; k < list.length; k++) {
      const sl = list[k]!;
      statesCnt++;
      if (sl.state.branches) {
        // Open-coded iterator loops converge at next(): an equivalent state with the iterator
        // still active is a loop already being explored (is_state_visited's iterator rule).
        if (iterNext) {
          if (statesEqual(env, sl.state, cur, 'RANGE_WITHIN') && this.iterStateAtR1(cur)?.state === 'active') {
            sl.hitCnt++;
            if (this.cfg.jmpPoints[idx]) this.pushJmpHistory(0);
            propagatePrecision(this.precisionEnv(), sl.state, cur);
            return true;
          }
          // a forced checkpoint: the new state is kept regardless of how recent the last one is
          sl.missCnt++;
          continue;
        }
        // The old state is on the current path: a loop. Same state again means it never ends.
        if (statesEqual(env, sl.state, cur, 'EXACT') && !iterActiveDepthsDiffer(sl.state, cur)) {
          const msg = `infinite loop detected at insn ${idx}`;
          this.log.write(msg + '\n');
          this.log.write('cur state:');
          this.log.printVerifierState(cur, cur.curframe, true);
          this.log.write('old state:');
          this.log.printVerifierState(sl.state, cur.curframe, true);
          const e = new VerifierError(EINVAL, msg, idx);
          e.logged = true;
          throw e;
        }
        if (this.jmpsProcessed - this.prevJmpsProcessed < 20 && this.stats.insnProcessed - this.prevInsnProcessed < 100) {
          addNewState = false;
        }
        sl.missCnt++;
        continue;
      }
      // incomplete_read_marks: inside a loop still being explored, the old state's precision
      // marks are not final, so scalars must be within its ranges, precise or not.
      const loop = this.scc[idx] !== 0;
      if (statesEqual(env, sl.state, cur, loop ? 'RANGE_WITHIN' : 'NOT_EXACT')) {
        sl.hitCnt++;
        // What made the old state safe must stay exact on this path too.
        if (this.cfg.jmpPoints[idx]) this.pushJmpHistory(0);
        propagatePrecision(this.precisionEnv(), sl.state, cur);
        return true;
      }
      sl.missCnt++;
      // Drop explored states that keep missing (they cost time, not safety).
      if (sl.missCnt > sl.hitCnt * 3 + 3) {
        list.splice(k, 1);
        k--;
        this.exploredSize--;
      }
    }
    if (this.stats.maxStatesPerInsn < statesCnt) this.stats.maxStatesPerInsn = statesCnt;
    if (!addNewState) return false;
    this.stats.totalStates++;
    this.exploredSize++;
    if (this.stats.peakStates < this.exploredSize) this.stats.peakStates = this.exploredSize;
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = this.stats.insnProcessed;
    const copy = cloneVerifierState(cur);
    copy.insnIdx = idx;
    copy.branches = 1;
    list.push({ state: copy, hitCnt: 0, missCnt: 0, cleaned: false });
    this.explored.set(idx, list);
    cur.parent = copy;
    cur.firstInsnIdx = idx;
    cur.jmpHistory = [];
    // Precision is re-learned per segment: marks go to the explored (parent) states.
    for (const { reg } of eachReg(cur)) if (reg.type === 'SCALAR_VALUE') reg.precise = false;
    cur.dfsDepth = copy.dfsDepth + 1;
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // Registers

  private regs(): RegState[] {
    return curFrame(this.cur).regs;
  }

  /** check_reg_arg(SRC_OP) */
  private checkRegRead(regno: number): RegState {
    if (regno >= MAX_BPF_REG) this.fail(EINVAL, `R${regno} is invalid`);
    const r = this.regs()[regno]!;
    this.log.scratch.markReg(regno);
    if (r.type === 'NOT_INIT') this.fail(EACCES, `R${regno} !read_ok`);
    return r;
  }

  /** check_reg_arg(DST_OP*) */
  private checkRegWrite(regno: number, mark = true): RegState {
    if (regno >= MAX_BPF_REG) this.fail(EINVAL, `R${regno} is invalid`);
    if (regno === BPF_REG_FP) this.fail(EACCES, 'frame pointer is read only');
    const r = this.regs()[regno]!;
    this.log.scratch.markReg(regno);
    if (mark) markRegUnknown(r);
    return r;
  }

  private isPointerValue(r: RegState): boolean {
    return r.type !== 'SCALAR_VALUE' && r.type !== 'NOT_INIT';
  }

  private assignScalarIdBeforeMov(r: RegState): void {
    if (r.type !== 'SCALAR_VALUE') return;
    if (r.id & BPF_ADD_CONST) {
      r.id = 0;
      r.off = 0;
    }
    if (!r.id && !tnumIsConst(r.varOff)) r.id = ++this.idGen;
  }

  private sanityCheck(r: RegState, ctx: string): void {
    if (r.type !== 'SCALAR_VALUE') return;
    const msg = boundsViolation(r);
    if (msg) {
      this.log.write('verifier bug: ' + boundsViolationMessage(r, ctx, msg) + '\n');
      markUnbounded(r);
    }
  }

  // ------------------------------------------------------------------------------------------
  // ALU

  private checkAluOp(insn: Insn): void {
    const op = BPF_OP(insn.code);
    const alu64 = BPF_CLASS(insn.code) === BPF_ALU64;
    const regs = this.regs();
    if (op === BPF_END || op === BPF_NEG) {
      if (op === BPF_NEG) {
        if (BPF_SRC(insn.code) !== BPF_K || insn.src !== 0 || insn.off !== 0 || insn.imm !== 0) this.fail(EINVAL, 'BPF_NEG uses reserved fields');
      } else if (insn.src !== 0 || insn.off !== 0 || (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) ||
        (alu64 && BPF_SRC(insn.code) !== BPF_K)) {
        this.fail(EINVAL, 'BPF_END uses reserved fields');
      }
      const d = this.checkRegRead(insn.dst);
      if (this.isPointerValue(d)) this.fail(EACCES, `R${insn.dst} pointer arithmetic prohibited`);
      if (d.type === 'SCALAR_VALUE') {
        this.checkRegWrite(insn.dst, false);
        if (!adjustScalarMinMaxVals(insn, d, d)) markRegUnknown(d);
        else d.id = 0;
      } else {
        this.checkRegWrite(insn.dst);
      }
    } else if (op === BPF_MOV) {
      this.checkMov(insn);
    } else if (op > BPF_END) {
      this.fail(EINVAL, `invalid BPF_ALU opcode ${op.toString(16)}`);
    } else {
      if (BPF_SRC(insn.code) === BPF_X) {
        if (insn.imm !== 0 || insn.off > 1 || (insn.off === 1 && op !== BPF_MOD && op !== BPF_DIV)) this.fail(EINVAL, 'BPF_ALU uses reserved fields');
        this.checkRegRead(insn.src);
      } else if (insn.src !== 0 || insn.off > 1 || (insn.off === 1 && op !== BPF_MOD && op !== BPF_DIV)) {
        this.fail(EINVAL, 'BPF_ALU uses reserved fields');
      }
      this.checkRegRead(insn.dst);
      if ((op === BPF_MOD || op === BPF_DIV) && BPF_SRC(insn.code) === BPF_K && insn.imm === 0) this.fail(EINVAL, 'div by zero');
      if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && BPF_SRC(insn.code) === BPF_K) {
        const size = alu64 ? 64 : 32;
        if (insn.imm < 0 || insn.imm >= size) this.fail(EINVAL, `invalid shift ${insn.imm}`);
      }
      this.checkRegWrite(insn.dst, false);
      this.adjustRegMinMaxVals(insn);
    }
    this.sanityCheck(regs[insn.dst]!, 'alu');
  }

  private checkMov(insn: Insn): void {
    const alu64 = BPF_CLASS(insn.code) === BPF_ALU64;
    const regs = this.regs();
    if (BPF_SRC(insn.code) === BPF_X) {
      const okOff = alu64 ? [0, 8, 16, 32] : [0, 8, 16];
      if (!okOff.includes(insn.off) || insn.imm) this.fail(EINVAL, 'BPF_MOV uses reserved fields');
      this.checkRegRead(insn.src);
    } else if (insn.src !== 0 || insn.off !== 0) {
      this.fail(EINVAL, 'BPF_MOV uses reserved fields');
    }
    const dst = this.checkRegWrite(insn.dst, false);
    if (BPF_SRC(insn.code) === BPF_X) {
      const src = regs[insn.src]!;
      if (alu64) {
        if (insn.off === 0) {
          this.assignScalarIdBeforeMov(src);
          copyRegState(dst, src);
          dst.subregDef = 0;
        } else {
          if (this.isPointerValue(src)) this.fail(EACCES, `R${insn.src} sign-extension part of pointer`);
          const noSext = src.umax < 1n << BigInt(insn.off - 1);
          if (noSext) this.assignScalarIdBeforeMov(src);
          copyRegState(dst, src);
          if (!noSext) dst.id = 0;
          coerceRegToSizeSx(dst, insn.off >> 3);
          dst.subregDef = 0;
        }
      } else {
        if (this.isPointerValue(src)) this.fail(EACCES, `R${insn.src} partial copy of pointer`);
        if (insn.off === 0) {
          const fits = fls64(src.umax) <= 32;
          if (fits) this.assignScalarIdBeforeMov(src);
          copyRegState(dst, src);
          if (!fits) dst.id = 0;
        } else {
          const noSext = src.umax < 1n << BigInt(insn.off - 1);
          if (noSext) this.assignScalarIdBeforeMov(src);
          copyRegState(dst, src);
          if (!noSext) dst.id = 0;
          coerceSubregToSizeSx(dst, insn.off >> 3);
        }
        dst.subregDef = this.insnIdx + 1;
        zext32To64(dst);
        regBoundsSync(dst);
      }
    } else {
      markRegKnown(dst, alu64 ? BigInt(insn.imm) : BigInt.asUintN(32, BigInt(insn.imm)));
    }
  }

  private adjustRegMinMaxVals(insn: Insn): void {
    const regs = this.regs();
    const dst = regs[insn.dst]!;
    const op = BPF_OP(insn.code);
    const alu32 = BPF_CLASS(insn.code) !== BPF_ALU64;
    let src: RegState;
    if (BPF_SRC(insn.code) === BPF_X) {
      src = regs[insn.src]!;
      if (src.type !== 'SCALAR_VALUE') {
        if (dst.type !== 'SCALAR_VALUE') {
          if (op === BPF_SUB) {
            markRegUnknown(dst);
            return;
          }
          this.fail(EACCES, `R${insn.dst} pointer ${ALU_NAME[op >> 4]} pointer prohibited`);
        }
        // scalar += pointer: the result is the pointer
        this.markPrecise(insn.dst);
        this.adjustPtrMinMaxVals(insn, dst, src, dst);
        return;
      }
      if (dst.type !== 'SCALAR_VALUE') {
        this.markPrecise(insn.src);
        this.adjustPtrMinMaxVals(insn, dst, dst, src);
        return;
      }
      if (dst.precise) this.markPrecise(insn.src);
    } else {
      src = { ...pointerReg('SCALAR_VALUE'), ...knownRange(BigInt(insn.imm)) };
      if (dst.type !== 'SCALAR_VALUE') {
        this.adjustPtrMinMaxVals(insn, dst, dst, src);
        return;
      }
    }
    const srcCopy = cloneReg(src);
    const dstWidth = fls64(dst.umax);
    if (!adjustScalarMinMaxVals(insn, dst, srcCopy)) {
      markRegUnknown(dst);
      return;
    }
    // Remember "dst = other +/- const" so a later branch on the other register refines dst too.
    if ((op === BPF_ADD || op === BPF_SUB) && dst.id && isRegConst(srcCopy, alu32)) {
      const val = regConstValue(srcCopy, alu32);
      let off = Number(asS32(val));
      let clear = !alu32 && (asS64(val) < -(1n << 31n) || asS64(val) > (1n << 31n) - 1n);
      // a 32-bit op links only a register whose value already fitted in 32 bits
      if (alu32 && dstWidth > 32) clear = true;
      if (op === BPF_SUB) {
        if (off === -0x8000_0000) clear = true;
        off = -off;
      }
      if (clear || dst.id & BPF_ADD_CONST) {
        dst.off = 0;
        dst.id = 0;
      } else {
        dst.id = (dst.id | (alu32 ? BPF_ADD_CONST32 : BPF_ADD_CONST64)) >>> 0;
        dst.off = off;
      }
    } else {
      dst.id = 0;
    }
  }

  /** Pointer arithmetic (adjust_ptr_min_max_vals), for the pointer types phase 1 knows. */
  private adjustPtrMinMaxVals(insn: Insn, dstReg: RegState, ptr: RegState, off: RegState): void {
    const op = BPF_OP(insn.code);
    const dst = insn.dst;
    if (BPF_CLASS(insn.code) !== BPF_ALU64) this.fail(EACCES, `R${dst} 32-bit pointer arithmetic prohibited`);
    if (ptr.flags & PTR_MAYBE_NULL) {
      this.fail(EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr.type, ptr.flags)} prohibited, null-check it first`);
    }
    switch (ptr.type) {
      case 'CONST_PTR_TO_MAP':
      case 'PTR_TO_PACKET_END':
      case 'PTR_TO_SOCKET':
      case 'PTR_TO_SOCK_COMMON':
      case 'PTR_TO_TCP_SOCK':
      case 'PTR_TO_XDP_SOCK':
        this.fail(EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr.type, ptr.flags)} prohibited`);
    }
    const known = tnumIsConst(off.varOff);
    const sminVal = off.smin;
    const smaxVal = off.smax;
    const uminVal = off.umin;
    const umaxVal = off.umax;
    if ((known && (sminVal !== smaxVal || uminVal !== umaxVal)) || sminVal > smaxVal || uminVal > umaxVal) {
      markRegUnknown(dstReg);
      return;
    }
    const p = cloneReg(ptr);
    if (dstReg !== ptr) copyRegState(dstReg, ptr);
    // Pointers carry no 32-bit bounds.
    mark32Unbounded(dstReg);
    switch (op) {
      case BPF_ADD: {
        if (known && BigInt(p.off) + sminVal === BigInt(asS32(BigInt(p.off) + sminVal))) {
          dstReg.off = p.off + Number(sminVal);
          break;
        }
        const s1 = p.smin + sminVal;
        const s2 = p.smax + smaxVal;
        if (s1 < S64_MIN || s1 > S64_MAX || s2 < S64_MIN || s2 > S64_MAX) {
          dstReg.smin = S64_MIN;
          dstReg.smax = S64_MAX;
        } else {
          dstReg.smin = s1;
          dstReg.smax = s2;
        }
        const u1 = p.umin + uminVal;
        const u2 = p.umax + umaxVal;
        if (u1 > U64_MAX || u2 > U64_MAX) {
          dstReg.umin = 0n;
          dstReg.umax = U64_MAX;
        } else {
          dstReg.umin = u1;
          dstReg.umax = u2;
        }
        dstReg.varOff = tnumAdd(p.varOff, off.varOff);
        if (p.type === 'PTR_TO_PACKET' || p.type === 'PTR_TO_PACKET_META') {
          dstReg.id = ++this.idGen;
          dstReg.range = 0;
        }
        break;
      }
      case BPF_SUB: {
        if (dstReg === off) this.fail(EACCES, `R${dst} tried to subtract pointer from scalar`);
        if (p.type === 'PTR_TO_STACK') this.fail(EACCES, `R${dst} subtraction from stack pointer prohibited`);
        if (known && BigInt(p.off) - sminVal === BigInt(asS32(BigInt(p.off) - sminVal))) {
          dstReg.off = p.off - Number(sminVal);
          break;
        }
        const s1 = p.smin - smaxVal;
        const s2 = p.smax - sminVal;
        if (s1 < S64_MIN || s1 > S64_MAX || s2 < S64_MIN || s2 > S64_MAX) {
          dstReg.smin = S64_MIN;
          dstReg.smax = S64_MAX;
        } else {
          dstReg.smin = s1;
          dstReg.smax = s2;
        }
        if (p.umin < umaxVal) {
          dstReg.umin = 0n;
          dstReg.umax = U64_MAX;
        } else {
          dstReg.umin = p.umin - umaxVal;
          dstReg.umax = p.umax - uminVal;
        }
        dstReg.varOff = tnumSub(p.varOff, off.varOff);
        if (p.type === 'PTR_TO_PACKET' || p.type === 'PTR_TO_PACKET_META') {
          dstReg.id = ++this.idGen;
          if (sminVal < 0n) dstReg.range = 0;
        }
        break;
      }
      case BPF_AND:
      case BPF_OR:
      case BPF_XOR:
        this.fail(EACCES, `R${dst} bitwise operator ${ALU_NAME[op >> 4]} on pointer prohibited`);
        break;
      default:
        this.fail(EACCES, `R${dst} pointer arithmetic with ${ALU_NAME[op >> 4]} operator prohibited`);
    }
    // check_reg_sane_offset
    if (dstReg.smin <= -BigInt(BPF_MAX_VAR_OFF) || dstReg.smax >= BigInt(BPF_MAX_VAR_OFF) ||
      dstReg.off <= -BPF_MAX_VAR_OFF || dstReg.off >= BPF_MAX_VAR_OFF) {
      if (!tnumIsConst(dstReg.varOff) || dstReg.smin !== dstReg.smax) {
        this.fail(EACCES, `value ${asS64(off.smin)} makes ${regTypeStr(ptr.type, ptr.flags)} pointer be out of bounds`);
      }
    }
    regBoundsSync(dstReg);
  }

  // ------------------------------------------------------------------------------------------
  // Memory

  private checkLdx(insn: Insn): void {
    const mode = BPF_MODE(insn.code);
    if (mode !== BPF_MEM && mode !== BPF_MEMSX) this.fail(EINVAL, 'unknown opcode ' + insn.code.toString(16).padStart(2, '0'));
    if (insn.imm !== 0) this.fail(EINVAL, 'BPF_LDX uses reserved fields');
    this.checkRegRead(insn.src);
    this.checkRegWrite(insn.dst, false);
    this.checkMemAccess(insn.src, insn.off, sizeBytes(BPF_SIZE(insn.code)), 'read', insn.dst, mode === BPF_MEMSX);
  }

  private checkStore(insn: Insn): void {
    const mode = BPF_MODE(insn.code);
    if (BPF_CLASS(insn.code) === BPF_STX) {
      if (mode === BPF_ATOMIC) {
        this.checkAtomic(insn);
        return;
      }
      if (mode !== BPF_MEM || insn.imm !== 0) this.fail(EINVAL, 'BPF_STX uses reserved fields');
      this.checkRegRead(insn.src);
      this.checkRegRead(insn.dst);
      this.checkMemAccess(insn.dst, insn.off, sizeBytes(BPF_SIZE(insn.code)), 'write', insn.src, false, insn);
    } else {
      if (mode !== BPF_MEM || insn.src !== 0) this.fail(EINVAL, 'BPF_ST uses reserved fields');
      this.checkRegRead(insn.dst);
      this.checkMemAccess(insn.dst, insn.off, sizeBytes(BPF_SIZE(insn.code)), 'write', -1, false, insn);
    }
  }

  /** check_atomic: read-modify-write forms, load-acquire and store-release. */
  private checkAtomic(insn: Insn): void {
    const imm = insn.imm;
    const size = BPF_SIZE(insn.code);
    switch (imm) {
      case BPF_ADD: case BPF_ADD | BPF_FETCH: case BPF_AND: case BPF_AND | BPF_FETCH:
      case BPF_OR: case BPF_OR | BPF_FETCH: case BPF_XOR: case BPF_XOR | BPF_FETCH:
      case BPF_XCHG: case BPF_CMPXCHG: {
        if (size !== BPF_W && size !== BPF_DW) this.fail(EINVAL, 'invalid atomic operand size');
        this.checkRegRead(insn.src);
        this.checkRegRead(insn.dst);
        if (imm === BPF_CMPXCHG) this.checkRegRead(0);
        // allow_ptr_leaks (privileged loader): pointers in src/r0 are not rejected here.
        if (this.atomicForbiddenReg(this.regs()[insn.dst]!)) {
          this.fail(EACCES, `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(this.regs()[insn.dst]!.type, this.regs()[insn.dst]!.flags)} is not allowed`);
        }
        const loadReg = imm === BPF_CMPXCHG ? 0 : imm & BPF_FETCH ? insn.src : -1;
        const bytes = sizeBytes(size);
        // Read first (and fill the fetch register as a load would), then write the same memory.
        this.checkMemAccess(insn.dst, insn.off, bytes, 'read', -1, false);
        if (loadReg >= 0) {
          this.checkRegWrite(loadReg, false);
          this.checkMemAccess(insn.dst, insn.off, bytes, 'read', loadReg, false);
        }
        this.checkMemAccess(insn.dst, insn.off, bytes, 'write', -1, false, insn);
        return;
      }
      case BPF_LOAD_ACQ: {
        const ptr = this.checkRegRead(insn.src);
        if (this.atomicForbiddenReg(ptr)) {
          this.fail(EACCES, `BPF_ATOMIC loads from R${insn.src} ${regTypeStr(ptr.type, ptr.flags)} is not allowed`);
        }
        this.checkRegWrite(insn.dst, false);
        this.checkMemAccess(insn.src, insn.off, sizeBytes(size), 'read', insn.dst, false);
        return;
      }
      case BPF_STORE_REL: {
        this.checkRegRead(insn.src);
        const ptr = this.checkRegRead(insn.dst);
        if (this.atomicForbiddenReg(ptr)) {
          this.fail(EACCES, `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(ptr.type, ptr.flags)} is not allowed`);
        }
        this.checkMemAccess(insn.dst, insn.off, sizeBytes(size), 'write', insn.src, false, insn);
        return;
      }
      default:
        this.fail(EINVAL, `BPF_ATOMIC uses invalid atomic opcode ${(imm >>> 0).toString(16).padStart(2, '0')}`);
    }
  }

  /** ctx, packet, flow keys and socket pointers take no atomic access. */
  private atomicForbiddenReg(r: RegState): boolean {
    return ['PTR_TO_CTX', 'PTR_TO_PACKET', 'PTR_TO_PACKET_META', 'PTR_TO_FLOW_KEYS', 'PTR_TO_SOCKET',
      'PTR_TO_SOCK_COMMON', 'PTR_TO_TCP_SOCK', 'PTR_TO_XDP_SOCK'].includes(r.type);
  }

  private checkLd(insn: Insn): void {
    if (BPF_MODE(insn.code) !== BPF_IMM || BPF_SIZE(insn.code) !== BPF_DW) {
      this.fail(EINVAL, 'legacy packet access (BPF_ABS/BPF_IND) is not supported yet');
    }
    if (insn.off !== 0) this.fail(EINVAL, 'BPF_LD_IMM64 uses reserved fields');
    const dst = this.checkRegWrite(insn.dst);
    const m = this.mapAt.get(this.insnIdx);
    if (insn.src === 0) {
      markRegKnown(dst, ldImm64Value(insn));
      return;
    }
    if (!m) this.fail(EINVAL, `unsupported ld_imm64 src ${insn.src}`);
    const r = m.value
      ? pointerReg('PTR_TO_MAP_VALUE', { map: m.map, off: m.off })
      : pointerReg('CONST_PTR_TO_MAP', { map: m.map });
    copyRegState(dst, r);
  }

  /** check_mem_access for the pointer types phase 1 handles. */
  private checkMemAccess(regno: number, off: number, size: number, t: AccessType, valueRegno: number, sx: boolean, storeInsn?: Insn): void {
    const regs = this.regs();
    const reg = regs[regno]!;
    const totalOff = reg.off + off;
    if (t === 'write' && valueRegno >= 0 && reg.type !== 'PTR_TO_STACK' && this.isPointerValue(regs[valueRegno]!) && reg.type !== 'PTR_TO_MAP_VALUE') {
      // Only the stack and map values may hold pointers (privileged: map values allowed).
      this.fail(EACCES, `R${valueRegno} leaks addr into ${reg.type === 'PTR_TO_CTX' ? 'ctx' : 'mem'}`);
    }
    // A maybe-NULL pointer is a type of its own in the kernel (base type | PTR_MAYBE_NULL), so
    // no case below may see one: only a NULL check turns it into the pointer it names.
    if (reg.flags & PTR_MAYBE_NULL) this.fail(EACCES, `R${regno} invalid mem access '${regTypeStr(reg.type, reg.flags)}'`);
    switch (reg.type) {
      case 'PTR_TO_STACK': {
        this.checkStackAlignment(reg, off, size);
        this.checkStackAccessWithinBounds(regno, reg, off, size, t);
        if (!tnumIsConst(reg.varOff)) this.fail(EACCES, `variable stack access is not supported yet`);
        const f = this.cur.frame[reg.frameno]!;
        const absOff = Number(reg.varOff.value) + totalOff;
        this.updateStackDepth(-absOff, f.subprogno);
        if (t === 'write') this.stackWrite(f, absOff, size, valueRegno, storeInsn!);
        else this.stackRead(f, absOff, size, valueRegno, sx);
        break;
      }
      case 'PTR_TO_CTX': {
        if (reg.off) this.fail(EACCES, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
        if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
          this.fail(EACCES, `variable ctx access var_off=${tnumStr(reg.varOff)} disallowed`);
        }
        const def = this.opts.progTypeDef;
        const acc = def && def.isValidAccess(off, size, t === 'write') ? def.convertCtxAccess(off, size, t === 'write') : null;
        if (!acc) this.fail(EACCES, `invalid bpf_context access off=${off} size=${size}`);
        if (acc.realOff !== off || acc.realSize !== size) this.ctxRewrite.set(this.insnIdx, { off: acc.realOff, size: acc.realSize });
        if (t === 'read' && valueRegno >= 0) {
          const dst = regs[valueRegno]!;
          switch (acc.kind) {
            case 'packet': copyRegState(dst, pointerReg('PTR_TO_PACKET', { id: 0 })); break;
            case 'packet_end': copyRegState(dst, pointerReg('PTR_TO_PACKET_END')); break;
            case 'packet_meta': copyRegState(dst, pointerReg('PTR_TO_PACKET_META')); break;
            case 'plain':
              markRegUnknown(dst);
              if (size < BPF_REG_SIZE) this.coerceLoaded(dst, size, sx);
              break;
            default:
              this.fail(EACCES, `context field ${acc.field} is not supported yet`);
          }
        }
        break;
      }
      case 'PTR_TO_MAP_VALUE': {
        const map = reg.map!;
        // check_map_access_type: the program-side access flags of the map.
        if (t === 'write' && map.flags & BPF_F_RDONLY_PROG) {
          this.fail(EACCES, `write into map forbidden, value_size=${map.valueSize} off=${totalOff} size=${size}`);
        }
        if (t === 'read' && map.flags & BPF_F_WRONLY_PROG) {
          this.fail(EACCES, `read from map forbidden, value_size=${map.valueSize} off=${totalOff} size=${size}`);
        }
        this.checkMapValueAccess(regno, reg, off, size, map);
        if (t === 'read' && valueRegno >= 0) {
          const dst = regs[valueRegno]!;
          markRegUnknown(dst);
          if (size < BPF_REG_SIZE) this.coerceLoaded(dst, size, sx);
        }
        break;
      }
      case 'PTR_TO_MEM': {
        if (t === 'write' && reg.flags & MEM_RDONLY) {
          this.fail(EACCES, `R${regno} cannot write into ${regTypeStr(reg.type, reg.flags)}`);
        }
        this.checkMemRegionAccess(regno, reg, off, size, reg.memSize, 'memory', `mem_size=${reg.memSize}`);
        if (t === 'read' && valueRegno >= 0) {
          const dst = regs[valueRegno]!;
          markRegUnknown(dst);
          if (size < BPF_REG_SIZE) this.coerceLoaded(dst, size, sx);
        }
        break;
      }
      case 'PTR_TO_PACKET':
      case 'PTR_TO_PACKET_META': {
        if (t === 'write' && !this.mayWritePacket()) this.fail(EACCES, 'cannot write into packet');
        if (t === 'write' && valueRegno >= 0 && this.isPointerValue(regs[valueRegno]!)) {
          this.fail(EACCES, `R${valueRegno} leaks addr into packet`);
        }
        this.checkPacketAccess(regno, reg, totalOff, size);
        if (t === 'read' && valueRegno >= 0) {
          const dst = regs[valueRegno]!;
          markRegUnknown(dst);
          if (size < BPF_REG_SIZE) this.coerceLoaded(dst, size, sx);
        }
        break;
      }
      default:
        this.fail(EACCES, `R${regno} invalid mem access '${regTypeStr(reg.type, reg.flags)}'`);
    }
  }

  /** may_access_direct_pkt_data for writes */
  private mayWritePacket(): boolean {
    return ['xdp', 'sched_cls', 'sched_act', 'lwt_xmit', 'sk_skb', 'sk_msg'].includes(this.opts.progType);
  }

  /** check_packet_access: the fixed offset must lie inside the range proven by a pkt_end compare. */
  private checkPacketAccess(regno: number, reg: RegState, off: number, size: number): void {
    if (reg.smin < 0n) {
      this.fail(EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    }
    if (reg.range < 0 || off < 0 || size <= 0 || off + size > reg.range) {
      if (reg.range >= 0) {
        // the kernel prints the access offset twice
        this.log.write(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})\n`);
      }
      this.fail(EACCES, `R${regno} offset is outside of the packet`);
    }
  }

  private coerceLoaded(dst: RegState, size: number, sx: boolean): void {
    if (sx) coerceRegToSizeSx(dst, size);
    else coerceRegToSize(dst, size);
  }

  private checkMapValueAccess(regno: number, reg: RegState, off: number, size: number, map: VerifierMap): void {
    // check_mem_region_access: both the smallest and the largest reachable offset must fit.
    if (reg.smin < 0n && (reg.smin === S64_MIN || BigInt(off) + reg.smin !== BigInt(asS32(BigInt(off) + reg.smin)) || reg.smin + BigInt(off) < 0n)) {
      this.fail(EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    }
    // __check_mem_access names the failing access, then the caller says which bound failed.
    const lo = BigInt(reg.off + off) + reg.smin;
    if (lo < 0n || lo + BigInt(size) > BigInt(map.valueSize)) {
      this.log.write(`invalid access to map value, value_size=${map.valueSize} off=${Number(asS32(lo))} size=${size}\n`);
      this.fail(EACCES, `R${regno} min value is outside of the allowed memory range`);
    }
    if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) {
      this.fail(EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
    }
    const hi = BigInt(reg.off + off) + reg.umax;
    if (hi + BigInt(size) > BigInt(map.valueSize)) {
      this.log.write(`invalid access to map value, value_size=${map.valueSize} off=${Number(asS32(hi))} size=${size}\n`);
      this.fail(EACCES, `R${regno} max value is outside of the allowed memory range`);
    }
  }

  /** check_mem_region_access for PTR_TO_MEM-like regions of `memSize` bytes. */
  private checkMemRegionAccess(regno: number, reg: RegState, off: number, size: number, memSize: number, what: string, sizeStr: string): void {
    if (reg.smin < 0n && (reg.smin === S64_MIN || reg.smin + BigInt(off) < 0n)) {
      this.fail(EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    }
    const lo = BigInt(reg.off + off) + reg.smin;
    if (lo < 0n || lo + BigInt(size) > BigInt(memSize)) {
      this.log.write(`invalid access to ${what}, ${sizeStr} off=${Number(asS32(lo))} size=${size}\n`);
      this.fail(EACCES, `R${regno} min value is outside of the allowed memory range`);
    }
    if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) {
      this.fail(EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
    }
    const hi = BigInt(reg.off + off) + reg.umax;
    if (hi + BigInt(size) > BigInt(memSize)) {
      this.log.write(`invalid access to ${what}, ${sizeStr} off=${Number(asS32(hi))} size=${size}\n`);
      this.fail(EACCES, `R${regno} max value is outside of the allowed memory range`);
    }
  }

  private checkStackAlignment(reg: RegState, off: number, size: number): void {
    // Stack accesses are always strictly aligned (spill tracking relies on it).
    if (size === 1) return;
    const t = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
    if (!tnumIsAligned(t, size)) {
      const vo = tnumIsConst(reg.varOff) ? String(asS64(reg.varOff.value)) : tnumStr(reg.varOff);
      this.fail(EACCES, `misaligned stack access off ${vo}+${reg.off}+${off} size ${size}`);
    }
  }

  private checkStackAccessWithinBounds(regno: number, reg: RegState, off: number, size: number, t: AccessType): void {
    const extra = t === 'read' ? ' read from' : ' write to';
    let minOff: bigint;
    let maxOff: bigint;
    if (tnumIsConst(reg.varOff)) {
      minOff = asS64(reg.varOff.value) + BigInt(reg.off + off);
      maxOff = minOff + BigInt(size);
    } else {
      minOff = reg.smin + BigInt(reg.off + off);
      maxOff = reg.smax + BigInt(reg.off + off) + BigInt(size);
    }
    // check_stack_slot_within_bounds fails with EACCES; a start inside the frame that runs past
    // its top (or a negative size) is EINVAL.
    let errno = 0;
    if (minOff < -BigInt(MAX_BPF_STACK) || minOff > -1n) errno = EACCES;
    else if (maxOff > 0n || size < 0) errno = EINVAL;
    if (errno) {
      if (tnumIsConst(reg.varOff)) {
        this.fail(errno, `invalid${extra} stack R${regno} off=${Number(minOff)} size=${size}`);
      }
      this.fail(errno, `invalid variable-offset${extra} stack R${regno} var_off=${tnumStr(reg.varOff)} off=${off} size=${size}`);
    }
  }

  private updateStackDepth(depth: number, subprogno?: number): void {
    const sp = subprogno ?? this.subprogOf(this.insnIdx);
    if ((this.stackDepth[sp] ?? 0) < depth) this.stackDepth[sp] = depth;
  }

  private subprogOf(idx: number): number {
    let k = 0;
    for (let i = 0; i < this.subprogs.length; i++) if (this.subprogs[i]!.start <= idx) k = i;
    return k;
  }

  /** check_stack_write_fixed_off */
  private stackWrite(f: FuncState, off: number, size: number, valueRegno: number, insn: Insn): void {
    growStack(f, -off);
    const slot = -off - 1;
    const spi = Math.floor(slot / BPF_REG_SIZE);
    const st = f.stack[spi]!;
    const reg = valueRegno >= 0 ? this.regs()[valueRegno]! : undefined;
    this.log.scratch.markStack(spi);
    const save = (r: RegState): void => {
      copyRegState(st.spilledPtr, r);
      let i = BPF_REG_SIZE;
      for (; i > BPF_REG_SIZE - size; i--) st.slotType[i - 1] = STACK_SPILL;
      for (; i; i--) {
        const ty = st.slotType[i - 1]!;
        if (ty !== STACK_ZERO && ty !== STACK_INVALID) st.slotType[i - 1] = STACK_MISC;
      }
    };
    const spillFlags = insnStackAccessFlags(f.frameno, spi);
    if (reg && off % BPF_REG_SIZE === 0 && reg.type === 'SCALAR_VALUE') {
      const fits = fls64(reg.umax) <= 8 * size;
      if (fits) this.assignScalarIdBeforeMov(reg);
      save(reg);
      if (!fits) st.spilledPtr.id = 0;
      this.pushJmpHistory(spillFlags);
    } else if (!reg && off % BPF_REG_SIZE === 0 && BPF_CLASS(insn.code) === BPF_ST) {
      const tmp = pointerReg('SCALAR_VALUE');
      markRegKnown(tmp, BigInt(insn.imm));
      save(tmp);
      this.pushJmpHistory(spillFlags);
    } else if (reg && this.isPointerValue(reg)) {
      if (size !== BPF_REG_SIZE) this.fail(EACCES, 'invalid size of register spill');
      save(reg);
      this.pushJmpHistory(spillFlags);
    } else {
      markRegNotInit(st.spilledPtr);
      // A plain write into a spilled register/dynptr/iterator slot turns it into data.
      if (st.slotType[BPF_REG_SIZE - 1]! === STACK_SPILL || st.slotType[BPF_REG_SIZE - 1]! > STACK_ZERO) {
        for (let i = 0; i < BPF_REG_SIZE; i++) if (st.slotType[i] !== STACK_INVALID) st.slotType[i] = STACK_MISC;
      }
      const isZero = (reg && reg.type === 'SCALAR_VALUE' && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) ||
        (!reg && BPF_CLASS(insn.code) === BPF_ST && insn.imm === 0);
      // A zero that is not a register spill must stay exactly zero on this path.
      if (isZero && reg) this.markPrecise(valueRegno);
      const type = isZero ? STACK_ZERO : STACK_MISC;
      for (let i = 0; i < size; i++) st.slotType[(slot - i) % BPF_REG_SIZE] = type;
    }
  }

  /** check_stack_read_fixed_off */
  private stackRead(f: FuncState, off: number, size: number, dstRegno: number, sx = false): void {
    const slot = -off - 1;
    const spi = Math.floor(slot / BPF_REG_SIZE);
    this.log.scratch.markStack(spi);
    const st = f.stack[spi];
    const regs = this.regs();
    const dst = dstRegno >= 0 ? regs[dstRegno]! : undefined;
    if (!st) {
      // Never written: privileged programs read unknown data from uninitialized stack.
      if (dst) {
        markRegUnknown(dst);
        if (size < BPF_REG_SIZE) this.coerceLoaded(dst, size, sx);
      }
      return;
    }
    const stype = st.slotType;
    const reg = st.spilledPtr;
    if (isSpilledReg(st)) {
      let spillSize = 1;
      for (let i = BPF_REG_SIZE - 1; i > 0 && stype[i - 1] === STACK_SPILL; i--) spillSize++;
      if (size !== BPF_REG_SIZE || spillSize !== BPF_REG_SIZE) {
        if (reg.type !== 'SCALAR_VALUE') this.fail(EACCES, 'invalid size of register fill');
        if (!dst) return;
        if (size <= spillSize && stackNarrowAccessOk(off, size, spillSize)) {
          const subregDef = dst.subregDef;
          if (size === 4 && spillSize === 4 && fls64(reg.umax) <= 32) this.assignScalarIdBeforeMov(reg);
          copyRegState(dst, reg);
          dst.subregDef = subregDef;
          if (fls64(reg.umax) > size * 8) dst.id = 0;
          this.pushJmpHistory(insnStackAccessFlags(f.frameno, spi));
        } else {
          let spillCnt = 0;
          let zeroCnt = 0;
          for (let i = 0; i < size; i++) {
            const ty = stype[(slot - i) % BPF_REG_SIZE];
            if (ty === STACK_SPILL) spillCnt++;
            else if (ty === STACK_ZERO) zeroCnt++;
          }
          if (spillCnt === size && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) {
            markRegKnown(dst, 0n);
            this.pushJmpHistory(insnStackAccessFlags(f.frameno, spi));
          } else if (zeroCnt === size) {
            markRegKnown(dst, 0n);
          } else {
            markRegUnknown(dst);
          }
        }
      } else if (dst) {
        copyRegState(dst, reg);
        this.pushJmpHistory(insnStackAccessFlags(f.frameno, spi));
      }
    } else if (dst) {
      let allZero = true;
      for (let i = 0; i < size; i++) if (stype[(slot - i) % BPF_REG_SIZE] !== STACK_ZERO) allZero = false;
      if (allZero) markRegKnown(dst, 0n);
      else markRegUnknown(dst);
    }
    if (dst && size < BPF_REG_SIZE && dst.type === 'SCALAR_VALUE') this.coerceLoaded(dst, size, sx);
  }

  // ------------------------------------------------------------------------------------------
  // Jumps, calls, exit

  private checkCondJmp(insn: Insn): void {
    const op = BPF_OP(insn.code);
    const jmp32 = BPF_CLASS(insn.code) === BPF_JMP32;
    if (op === BPF_JA || op > BPF_JCOND) this.fail(EINVAL, `invalid BPF_JMP/JMP32 opcode ${op.toString(16)}`);
    const regs = this.regs();
    const dst = this.checkRegRead(insn.dst);
    let src: RegState;
    if (BPF_SRC(insn.code) === BPF_X) {
      if (insn.imm !== 0) this.fail(EINVAL, 'BPF_JMP/JMP32 uses reserved fields');
      src = this.checkRegRead(insn.src);
    } else {
      if (insn.src !== 0) this.fail(EINVAL, 'BPF_JMP/JMP32 uses reserved fields');
      src = { ...pointerReg('SCALAR_VALUE'), ...knownRange(BigInt(insn.imm)) };
    }
    const idx = this.insnIdx;
    const pred = this.isBranchTaken(dst, src, op, jmp32, BPF_SRC(insn.code) === BPF_X);
    if (pred >= 0) {
      // The outcome depends on the exact values: they become precise.
      if (dst.type === 'SCALAR_VALUE') this.markPrecise(insn.dst);
      if (BPF_SRC(insn.code) === BPF_X && src.type === 'SCALAR_VALUE') this.markPrecise(insn.src);
      if (this.log.level) this.log.printInsnState(this.cur, idx);
      this.insnIdx = pred === 1 ? idx + insn.off + 1 : idx + 1;
      return;
    }
    // Scalars sharing an id with an operand learn the same bounds; remember the group in the
    // jump history (before branching, so both paths share it) for precision tracking.
    const linked: LinkedReg[] = [];
    if (BPF_SRC(insn.code) === BPF_X && src.type === 'SCALAR_VALUE' && src.id) this.collectLinkedRegs(src.id, linked);
    if (dst.type === 'SCALAR_VALUE' && dst.id) this.collectLinkedRegs(dst.id, linked);
    if (linked.length > 1) {
      this.pushJmpHistory(0);
      this.curHistEnt!.linked = linked.map((e) => ({ isReg: e.isReg, idx: e.idx }));
    }
    const other = this.pushStack(idx + insn.off + 1, idx);
    const oregs = other.frame[other.curframe]!.regs;
    if (BPF_SRC(insn.code) === BPF_X) {
      if (dst.type === 'SCALAR_VALUE' && src.type === 'SCALAR_VALUE') {
        const r = regSetMinMax(oregs[insn.dst]!, oregs[insn.src]!, dst, src, op, jmp32);
        if (r.violation) this.reportViolation(r.violation.which, r.violation.msg);
      }
    } else if (dst.type === 'SCALAR_VALUE') {
      const t2 = cloneReg(src);
      const f2 = cloneReg(src);
      const r = regSetMinMax(oregs[insn.dst]!, t2, dst, f2, op, jmp32);
      if (r.violation) this.reportViolation(r.violation.which, r.violation.msg);
    }
    // Registers linked by "rX = rY (+ const)" learn the same bounds.
    if (BPF_SRC(insn.code) === BPF_X && src.type === 'SCALAR_VALUE' && src.id) {
      this.syncLinkedRegs(this.cur, src, linked);
      this.syncLinkedRegs(other, oregs[insn.src]!, linked);
    }
    if (dst.type === 'SCALAR_VALUE' && dst.id) {
      this.syncLinkedRegs(this.cur, dst, linked);
      this.syncLinkedRegs(other, oregs[insn.dst]!, linked);
    }
    // NULL checks of maybe-null pointers: "if rX == 0" / "if rX != 0".
    if (BPF_SRC(insn.code) === BPF_K && insn.imm === 0 && (op === BPF_JEQ || op === BPF_JNE) &&
      dst.flags & PTR_MAYBE_NULL && !jmp32) {
      this.markPtrOrNullRegs(other, dst.id, op === BPF_JEQ);
      this.markPtrOrNullRegs(this.cur, dst.id, op !== BPF_JEQ);
    } else if (BPF_SRC(insn.code) === BPF_X && !jmp32) {
      this.tryMatchPktPointers(op, insn, regs[insn.dst]!, regs[insn.src]!, this.cur, other);
    }
    if (this.log.level) this.log.printInsnState(this.cur, idx);
    this.insnIdx = idx + 1;
  }

  private reportViolation(which: string, msg: string): void {
    this.log.write(`verifier bug: REG INVARIANTS VIOLATION (${which}): ${msg}\n`);
  }

  private isBranchTaken(r1: RegState, r2: RegState, op: number, jmp32: boolean, regSrc = false): -1 | 0 | 1 {
    const pktAny = (r: RegState): boolean => r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META' || r.type === 'PTR_TO_PACKET_END';
    if (regSrc && pktAny(r1) && pktAny(r2) && !jmp32) return isPktPtrBranchTaken(r1, r2, op);
    if (this.isPointerValue(r1) || this.isPointerValue(r2)) {
      let a = r1;
      let b = r2;
      let o = op;
      if (!isRegConst(b, jmp32)) {
        [a, b] = [b, a];
        o = op;
      }
      if (!isRegConst(b, jmp32) || a.flags & PTR_MAYBE_NULL) return -1;
      if (regConstValue(b, jmp32) !== 0n) return -1;
      if (!this.isPointerValue(a)) return -1;
      if (o === BPF_JEQ) return 0;
      if (o === BPF_JNE) return 1;
      return -1;
    }
    return isScalarBranchTaken(r1, r2, op, jmp32);
  }

  /**
   * collect_linked_regs: live registers and spilled scalars of the current frame sharing `id`
   * (at most LINKED_REGS_MAX; the rest lose their id).
   */
  private collectLinkedRegs(id0: number, out: LinkedReg[]): void {
    const id = (id0 & ~BPF_ADD_CONST) >>> 0;
    const f = curFrame(this.cur);
    const live = this.live[this.insnIdx] ?? 0xffff;
    const add = (reg: RegState, isReg: boolean, idx: number): void => {
      if (reg.type !== 'SCALAR_VALUE' || ((reg.id & ~BPF_ADD_CONST) >>> 0) !== id) return;
      if (out.some((e) => e.isReg === isReg && e.idx === idx)) return;
      if (out.length < LINKED_REGS_MAX) out.push({ isReg, idx });
      else reg.id = 0;
    };
    for (let j = 0; j < BPF_REG_FP; j++) if (live & (1 << j)) add(f.regs[j]!, true, j);
    for (let j = 0; j < f.stack.length; j++) if (isSpilledReg(f.stack[j]!)) add(f.stack[j]!.spilledPtr, false, j);
  }

  /** sync_linked_regs: copy the refined bounds of `known` to the collected linked scalars. */
  private syncLinkedRegs(st: VerifierState, known: RegState, linked: readonly LinkedReg[]): void {
    const base = (known.id & ~BPF_ADD_CONST) >>> 0;
    const f = st.frame[st.curframe]!;
    for (const e of linked) {
      const reg = e.isReg ? f.regs[e.idx]! : f.stack[e.idx]?.spilledPtr;
      if (!reg || reg === known || reg.type !== 'SCALAR_VALUE') continue;
      if (((reg.id & ~BPF_ADD_CONST) >>> 0) !== base) continue;
      const regAdd = (reg.id & BPF_ADD_CONST) !== 0;
      const knownAdd = (known.id & BPF_ADD_CONST) !== 0;
      const savedSubreg = reg.subregDef;
      if ((!regAdd && !knownAdd) || reg.off === known.off) {
        copyRegState(reg, known);
        reg.subregDef = savedSubreg;
      } else {
        const savedOff = reg.off;
        const delta = knownRange(BigInt(reg.off) - BigInt(known.off));
        copyRegState(reg, known);
        reg.off = savedOff;
        reg.subregDef = savedSubreg;
        scalarAddNoSync(reg, delta);
        if (reg.id & BPF_ADD_CONST32) zext32To64(reg);
      }
    }
  }

  /** try_match_pkt_pointers: a compare against pkt_end proves a range for the packet pointer. */
  private tryMatchPktPointers(op: number, insn: Insn, dst: RegState, src: RegState, thisBranch: VerifierState, otherBranch: VerifierState): void {
    const fwd = (dst.type === 'PTR_TO_PACKET' && src.type === 'PTR_TO_PACKET_END') ||
      (dst.type === 'PTR_TO_PACKET_META' && isInitPktPointer(src, 'PTR_TO_PACKET'));
    const rev = (dst.type === 'PTR_TO_PACKET_END' && src.type === 'PTR_TO_PACKET') ||
      (isInitPktPointer(dst, 'PTR_TO_PACKET') && src.type === 'PTR_TO_PACKET_META');
    if (!fwd && !rev) return;
    // [branch gaining the range, range open?, branch marked beyond/at end, open?]
    let good: VerifierState;
    let goodOpen: boolean;
    let end: VerifierState;
    let endOpen: boolean;
    switch (op) {
      case BPF_JGT:
        if (fwd) [good, goodOpen, end, endOpen] = [thisBranch, false, otherBranch, true];
        else [good, goodOpen, end, endOpen] = [otherBranch, true, thisBranch, false];
        break;
      case BPF_JLT:
        if (fwd) [good, goodOpen, end, endOpen] = [otherBranch, true, thisBranch, false];
        else [good, goodOpen, end, endOpen] = [thisBranch, false, otherBranch, true];
        break;
      case BPF_JGE:
        if (fwd) [good, goodOpen, end, endOpen] = [thisBranch, true, otherBranch, false];
        else [good, goodOpen, end, endOpen] = [otherBranch, false, thisBranch, true];
        break;
      case BPF_JLE:
        if (fwd) [good, goodOpen, end, endOpen] = [otherBranch, false, thisBranch, true];
        else [good, goodOpen, end, endOpen] = [thisBranch, true, otherBranch, false];
        break;
      default:
        return;
    }
    const pktRegno = fwd ? insn.dst : insn.src;
    const pkt = fwd ? dst : src;
    findGoodPktPointers(good, pkt, pkt.type, goodOpen);
    const endReg = end.frame[end.curframe]!.regs[pktRegno]!;
    if (endReg.type === 'PTR_TO_PACKET') endReg.range = endOpen ? BEYOND_PKT_END : AT_PKT_END;
  }

  private releaseReference(id: number): void {
    const at = this.cur.refs.findIndex((ref) => ref.id === id);
    if (at >= 0) this.cur.refs.splice(at, 1);
    // privileged (allow_ptr_leaks): stale copies become unknown scalars
    for (const { reg } of eachReg(this.cur)) if (reg.refObjId === id && reg.type !== 'NOT_INIT') markRegUnknown(reg);
  }

  private markPtrOrNullRegs(st: VerifierState, id: number, isNull: boolean): void {
    if (!id) return;
    // a NULL acquired object was never acquired
    if (isNull) {
      const at = st.refs.findIndex((ref) => ref.id === id);
      if (at >= 0) st.refs.splice(at, 1);
    }
    for (const { reg } of eachReg(st)) {
      if (!(reg.flags & PTR_MAYBE_NULL) || reg.id !== id) continue;
      if (isNull) {
        markRegKnown(reg, 0n);
      } else {
        reg.flags &= ~PTR_MAYBE_NULL;
        reg.id = 0;
      }
    }
  }

  private checkExit(insn: Insn): void {
    if (BPF_SRC(insn.code) !== BPF_K || insn.imm !== 0 || insn.src !== 0 || insn.dst !== 0 || BPF_CLASS(insn.code) === BPF_JMP32) {
      this.fail(EINVAL, 'BPF_EXIT uses reserved fields');
    }
    if (this.cur.curframe) return;
    // check_reference_leak
    for (const ref of this.cur.refs) {
      if (ref.type === 'REF_TYPE_PTR') {
        this.log.write(`Unreleased reference id=${ref.id} alloc_insn=${ref.insnIdx}\n`);
        this.fail(EINVAL, 'BPF_EXIT instruction in main prog would lead to reference leak');
      }
    }
    // A privileged loader may return pointers (allow_ptr_leaks), so only initialisation counts.
    this.checkRegRead(0);
  }

  /**
   * check_func_call for a static subprogram: a new frame gets r1-r5 and its own r10; the
   * caller's r0-r5 are clobbered. Global functions are walked the same way (see report).
   */
  private checkFuncCall(insn: Insn): void {
    if (insn.off !== 0 || insn.dst !== 0 || BPF_SRC(insn.code) !== BPF_K) this.fail(EINVAL, 'BPF_CALL uses reserved fields');
    const target = this.insnIdx + insn.imm + 1;
    const subprogno = this.subprogs.findIndex((sp) => sp.start === target);
    if (subprogno < 0) this.fail(EFAULT, `verifier bug. No program starts at insn ${target}`);
    const st = this.cur;
    if (st.curframe + 1 >= MAX_CALL_FRAMES) {
      this.fail(E2BIG, `the call stack of ${st.curframe + 2} frames is too deep`);
    }
    const caller = curFrame(st);
    const callee = newFuncState(this.insnIdx, st.curframe + 1, subprogno);
    for (let r = 1; r <= 5; r++) copyRegState(callee.regs[r]!, caller.regs[r]!);
    callee.regs[BPF_REG_FP] = pointerReg('PTR_TO_STACK', { frameno: callee.frameno });
    st.frame[callee.frameno] = callee;
    st.frame.length = callee.frameno + 1;
    st.curframe = callee.frameno;
    for (let r = 0; r <= 5; r++) markRegNotInit(caller.regs[r]!);
    if (this.log.level) {
      this.log.write('caller:\n');
      this.log.printVerifierState(st, caller.frameno, true);
      this.log.write('callee:\n');
      this.log.printVerifierState(st, callee.frameno, true);
    }
    // the callee's first instruction prints its whole (new) frame
    this.log.scratch.markAll();
    this.insnIdx = target;
  }

  /** prepare_func_exit: r0 goes back to the caller, which continues after its call. */
  private prepareFuncExit(): void {
    const st = this.cur;
    const callee = curFrame(st);
    const caller = st.frame[st.curframe - 1]!;
    const r0 = callee.regs[0]!;
    if (r0.type === 'PTR_TO_STACK') this.fail(EINVAL, 'cannot return stack pointer to the caller');
    copyRegState(caller.regs[0]!, r0);
    this.insnIdx = callee.callsite + 1;
    if (this.log.level) {
      this.log.write('returning from callee:\n');
      this.log.printVerifierState(st, callee.frameno, true);
      this.log.write(`to caller at ${this.insnIdx}:\n`);
      this.log.printVerifierState(st, caller.frameno, true);
    }
    st.frame.length = st.curframe;
    st.curframe--;
  }

  /** check_max_stack_depth: the deepest chain of frames must fit in MAX_BPF_STACK. */
  private checkMaxStackDepth(): void {
    const round = (d: number): number => Math.ceil(d / 16) * 16;
    const walk = (sp: number, frames: number, depth: number): void => {
      const total = depth + round(this.stackDepth[sp] ?? 0);
      if (total > MAX_BPF_STACK) {
        this.fail(EACCES, `combined stack size of ${frames} calls is ${total}. Too large`);
      }
      const { start, end } = this.subprogs[sp]!;
      for (let i = start; i < end; i++) {
        const x = this.insns[i]!;
        if (x.code !== (BPF_JMP | BPF_CALL) || x.src !== BPF_PSEUDO_CALL || !this.seen[i]) continue;
        const callee = this.subprogs.findIndex((s2) => s2.start === i + x.imm + 1);
        if (callee < 0) continue;
        if (frames >= MAX_CALL_FRAMES) this.fail(E2BIG, `the call stack of ${frames + 1} frames is too deep`);
        walk(callee, frames + 1, total);
      }
    };
    walk(0, 1, 0);
  }

  private iterNextAt(idx: number): boolean {
    const insn = this.insns[idx]!;
    if (insn.code !== (BPF_JMP | BPF_CALL) || insn.src !== BPF_PSEUDO_KFUNC_CALL) return false;
    return ((this.opts.kfunc?.(insn.imm)?.flags ?? 0) & KF_ITER_NEXT) !== 0;
  }

  /** The iterator r1 points at (the first argument of every iterator kfunc). */
  private iterStateAtR1(st: VerifierState): RegState['iter'] {
    const r1 = curFrame(st).regs[1]!;
    if (r1.type !== 'PTR_TO_STACK' || !tnumIsConst(r1.varOff)) return undefined;
    const off = Number(asS64(r1.varOff.value)) + r1.off;
    const spi = Math.floor((-off - 1) / BPF_REG_SIZE);
    const slot = st.frame[r1.frameno]?.stack[spi];
    return slot && slot.slotType[0] === STACK_ITER ? slot.spilledPtr.iter : undefined;
  }

  /** check_kfunc_call for scalar-only kfuncs and the open-coded iterator trios. */
  private checkKfuncCall(insn: Insn): void {
    if (insn.off !== 0 || insn.dst !== 0 || BPF_SRC(insn.code) !== BPF_K) this.fail(EINVAL, 'BPF_CALL uses reserved fields');
    const k = this.opts.kfunc?.(insn.imm);
    if (!k) this.fail(EINVAL, `kernel btf_id ${insn.imm} is not a function`);
    const regs = this.regs();
    const iterFlags = k.flags & (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY);
    let iterSpi = -1;
    let iterFrame: FuncState | undefined;
    k.args.forEach(([, type], i) => {
      const regno = i + 1;
      const r = this.checkRegRead(regno);
      const isPtr = type.trim().endsWith('*');
      if (iterFlags && i === 0) {
        const iterName = /bpf_iter_(\w+)/.exec(type)?.[1] ?? 'unknown';
        if (r.type !== 'PTR_TO_STACK') this.fail(EINVAL, `arg#0 expected pointer to an iterator on stack`);
        if (!tnumIsConst(r.varOff)) this.fail(EINVAL, `${regTypeStr(r.type, r.flags)} has to be at a constant offset`);
        const off = Number(asS64(r.varOff.value)) + r.off;
        if (off % BPF_REG_SIZE) this.fail(EINVAL, `cannot pass in iter at an offset=${off}`);
        const nr = Math.max(1, Math.ceil((k.iterSize ?? 8) / BPF_REG_SIZE));
        const spi = (-off - 1) >> 3;
        if (off >= 0 || spi - nr + 1 < 0 || -off > MAX_BPF_STACK) this.fail(EINVAL, `cannot pass in iter at an offset=${off}`);
        const f = this.cur.frame[r.frameno]!;
        growStack(f, -off);
        this.updateStackDepth(-off, f.subprogno);
        iterSpi = spi;
        iterFrame = f;
        const slots = Array.from({ length: nr }, (_x, j) => f.stack[spi - j]!);
        if (k.flags & KF_ITER_NEW) {
          if (slots.some((sl) => sl.slotType.some((t) => t === STACK_ITER))) {
            this.fail(EINVAL, `expected uninitialized iter_${iterName} as arg #${i}`);
          }
          const id = ++this.idGen;
          this.cur.refs.push({ type: 'REF_TYPE_PTR', id, insnIdx: this.insnIdx });
          slots.forEach((sl, j) => {
            const st = pointerReg('PTR_TO_STACK');
            st.refObjId = j === 0 ? id : 0;
            st.iter = { btfId: ITER_IDS(iterName), state: 'active', depth: 0 };
            copyRegState(sl.spilledPtr, st);
            sl.slotType.fill(STACK_ITER);
            this.log.scratch.markStack(spi - j);
          });
        } else {
          const first = slots[0]!.spilledPtr;
          const ok = slots.every((sl, j) => sl.slotType.every((t) => t === STACK_ITER) &&
            sl.spilledPtr.iter?.btfId === ITER_IDS(iterName) && (j === 0 ? sl.spilledPtr.refObjId !== 0 : true));
          if (!ok || !first.refObjId) this.fail(EINVAL, `expected an initialized iter_${iterName} as arg #${i}`);
          if (k.flags & KF_ITER_DESTROY) {
            const id = first.refObjId;
            const at = this.cur.refs.findIndex((ref) => ref.id === id);
            if (at >= 0) this.cur.refs.splice(at, 1);
            slots.forEach((sl, j) => {
              markRegNotInit(sl.spilledPtr);
              sl.slotType.fill(STACK_INVALID);
              this.log.scratch.markStack(spi - j);
            });
          }
        }
        return;
      }
      if (isPtr) this.fail(EINVAL, `kfunc ${k.name}: pointer argument '${type}' is not supported yet`);
      if (r.type !== 'SCALAR_VALUE') this.fail(EINVAL, `R${regno} is not a scalar`);
    });
    for (let r = 1; r <= 5; r++) {
      markRegNotInit(regs[r]!);
      this.log.scratch.markReg(r);
    }
    const r0 = regs[0]!;
    this.log.scratch.markReg(0);
    const ret = k.ret.trim();
    if (ret === 'void') {
      markRegNotInit(r0);
    } else if (!ret.endsWith('*')) {
      markRegUnknown(r0);
    } else {
      const pointee = ret.slice(0, -1).trim();
      const size = SCALAR_SIZES[pointee];
      if (size === undefined) this.fail(EINVAL, `kfunc ${k.name}: return type '${ret}' is not supported yet`);
      copyRegState(r0, pointerReg('PTR_TO_MEM', { flags: MEM_RDONLY | (k.flags & KF_RET_NULL ? PTR_MAYBE_NULL : 0), memSize: size, id: ++this.idGen }));
      // an element of an iterator lives as long as the iterator's reference
      if (k.flags & KF_ITER_NEXT && iterFrame) r0.refObjId = iterFrame.stack[iterSpi]!.spilledPtr.refObjId;
    }
    if (k.flags & KF_ITER_NEXT && iterFrame) this.processIterNextCall(iterFrame.frameno, iterSpi);
  }

  /**
   * process_iter_next_call: an active iterator forks into the element path (queued, depth+1,
   * r0 not NULL, imprecise scalars widened against the previous loop entry) and the drained
   * path we continue on (r0 = 0).
   */
  private processIterNextCall(frameno: number, spi: number): void {
    const cur = this.cur;
    const it = cur.frame[frameno]!.stack[spi]!.spilledPtr;
    if (it.iter?.state === 'active') {
      const prev = this.findPrevEntry(cur.parent, this.insnIdx);
      const queued = this.pushStack(this.insnIdx + 1, this.insnIdx);
      const qit = queued.frame[frameno]!.stack[spi]!.spilledPtr;
      qit.iter = { ...qit.iter!, state: 'active', depth: qit.iter!.depth + 1 };
      if (prev) widenImpreciseScalars(prev, queued);
      queued.frame[queued.curframe]!.regs[0]!.flags &= ~PTR_MAYBE_NULL;
    }
    it.iter = { ...it.iter!, state: 'drained' };
    if (frameno === cur.curframe) this.log.scratch.markStack(spi);
    markRegKnown(curFrame(cur).regs[0]!, 0n);
  }

  /** find_prev_entry: the loop entry at `idx` on the current path (most recent first). */
  private findPrevEntry(from: VerifierState | undefined, idx: number): VerifierState | undefined {
    if (!from) return undefined;
    const list = this.explored.get(idx) ?? [];
    for (let k = list.length - 1; k >= 0; k--) {
      const st = list[k]!.state;
      if (st.insnIdx === idx && st.branches && sameCallsites(st, from) && st.dfsDepth < from.dfsDepth) return st;
    }
    return undefined;
  }

  private checkCall(insn: Insn): void {
    if (insn.src !== 0 || insn.off !== 0 || insn.dst !== 0 || BPF_SRC(insn.code) !== BPF_K) {
      this.fail(EINVAL, 'BPF_CALL uses reserved fields');
    }
    const id = insn.imm;
    const proto = this.opts.helperProto?.(id);
    if (!proto || (this.opts.helperAllowed && !this.opts.helperAllowed(id))) {
      this.fail(EINVAL, `program of this type cannot use helper ${proto ? 'bpf_' + proto.name : 'unknown'}#${id}`);
    }
    const regs = this.regs();
    let mapArg: VerifierMap | undefined;
    let constKey: bigint | undefined;
    /** the ARG_PTR_TO_MEM waiting for its ARG_CONST_SIZE */
    let memArg: { regno: number; raw: boolean; write: boolean } | undefined;
    /** raw_mode: stack bytes the helper fills, marked written after all arguments */
    let rawFill: { regno: number; size: number } | undefined;
    let allocSize = 0;
    let releaseRef = 0;
    proto.args.forEach((arg, k) => {
      const regno = k + 1;
      const r = this.checkRegRead(regno);
      // the helper table uses the kernel's bit positions (above BPF_BASE_TYPE_BITS)
      const flags = (proto.argFlags[k] ?? 0) >>> 8;
      const isNull = r.type === 'SCALAR_VALUE' && tnumIsConst(r.varOff) && r.varOff.value === 0n;
      const mismatch = (expected: string): never =>
        this.fail(EACCES, `R${regno} type=${regTypeStr(r.type, r.flags)} expected=${expected}`);
      switch (arg) {
        case 'ARG_ANYTHING':
          // privileged programs may pass pointers as plain values
          break;
        case 'ARG_CONST_MAP_PTR':
          if (r.type !== 'CONST_PTR_TO_MAP') this.fail(EACCES, `R${regno} type=${regTypeStr(r.type, r.flags)} expected=map_ptr`);
          mapArg = r.map;
          break;
        case 'ARG_PTR_TO_MAP_KEY':
        case 'ARG_PTR_TO_MAP_VALUE': {
          if (!mapArg) this.fail(EACCES, 'invalid map_ptr to access map->key');
          const sz = arg === 'ARG_PTR_TO_MAP_KEY' ? mapArg.keySize : mapArg.valueSize;
          if (r.type === 'PTR_TO_STACK') {
            this.checkStackRange(regno, r, sz);
            if (arg === 'ARG_PTR_TO_MAP_KEY') constKey = this.constStackValue(r, sz);
          } else if (r.type === 'PTR_TO_MAP_VALUE') {
            this.checkMapValueAccess(regno, r, 0, sz, r.map!);
          } else {
            this.fail(EACCES, `R${regno} type=${regTypeStr(r.type, r.flags)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`);
          }
          break;
        }
        case 'ARG_PTR_TO_CTX':
        case 'ARG_PTR_TO_CTX_OR_NULL':
          if (isNull && (arg === 'ARG_PTR_TO_CTX_OR_NULL' || flags & PTR_MAYBE_NULL)) break;
          if (r.type !== 'PTR_TO_CTX' || r.flags & PTR_MAYBE_NULL) mismatch('ctx');
          // check_ctx_reg: the helper gets the context as the program got it
          if (r.off) this.fail(EACCES, `dereference of modified ctx ptr R${regno} off=${r.off} disallowed`);
          if (!tnumIsConst(r.varOff) || r.varOff.value) this.fail(EACCES, `variable ctx access var_off=${tnumStr(r.varOff)} disallowed`);
          break;
        case 'ARG_PTR_TO_STACK':
        case 'ARG_PTR_TO_STACK_OR_NULL':
          if (isNull && (arg === 'ARG_PTR_TO_STACK_OR_NULL' || flags & PTR_MAYBE_NULL)) break;
          if (r.type !== 'PTR_TO_STACK') mismatch('fp');
          break;
        case 'ARG_PTR_TO_MEM':
        case 'ARG_PTR_TO_UNINIT_MEM':
        case 'ARG_PTR_TO_FIXED_SIZE_MEM': {
          const f = flags | (arg === 'ARG_PTR_TO_UNINIT_MEM' ? MEM_UNINIT | MEM_WRITE : 0);
          if (isNull && f & PTR_MAYBE_NULL) {
            memArg = { regno, raw: false, write: false };
            break;
          }
          if (!MEM_ARG_TYPES.includes(r.type) || r.flags & PTR_MAYBE_NULL) {
            mismatch('fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_');
          }
          const write = (f & MEM_WRITE) !== 0 || (f & MEM_UNINIT) !== 0;
          if (arg === 'ARG_PTR_TO_FIXED_SIZE_MEM' || f & MEM_FIXED_SIZE) {
            const size = proto.argSizes?.[k] ?? 0;
            this.checkHelperMemAccess(regno, size, write, false, (f & MEM_UNINIT) !== 0);
            if (f & MEM_UNINIT && r.type === 'PTR_TO_STACK') rawFill = { regno, size };
          } else {
            memArg = { regno, raw: (f & MEM_UNINIT) !== 0, write };
          }
          break;
        }
        case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
          if (r.type !== 'SCALAR_VALUE') mismatch('scalar');
          if (!tnumIsConst(r.varOff)) this.fail(EACCES, `R${regno} is not a known constant'`);
          allocSize = Number(r.varOff.value);
          this.markPrecise(regno);
          break;
        case 'ARG_PTR_TO_RINGBUF_MEM':
          if (r.type !== 'PTR_TO_MEM' || !(r.flags & MEM_RINGBUF) || r.flags & PTR_MAYBE_NULL) mismatch('ringbuf_mem');
          if (flags & OBJ_RELEASE) {
            if (!r.refObjId) this.fail(EACCES, `R${regno} must be referenced when passed to release function`);
            if (r.off || !tnumIsConst(r.varOff) || r.varOff.value) {
              this.fail(EACCES, `R${regno} must have zero offset when passed to release func`);
            }
            releaseRef = r.refObjId;
          }
          break;
        case 'ARG_CONST_SIZE':
        case 'ARG_CONST_SIZE_OR_ZERO': {
          if (r.type !== 'SCALAR_VALUE') mismatch('scalar');
          const zeroOk = arg === 'ARG_CONST_SIZE_OR_ZERO';
          const mem = memArg && memArg.regno === regno - 1 ? memArg : undefined;
          // check_mem_size_reg: a variable size gives up raw mode (the whole range must be valid)
          const raw = !!mem?.raw && tnumIsConst(r.varOff);
          if (r.smin < 0n) {
            this.fail(EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
          }
          if (r.umin === 0n && !zeroOk) {
            this.fail(EACCES, `R${regno} invalid zero-sized read: u64=[${r.umin},${r.umax}]`);
          }
          if (r.umax >= BigInt(BPF_MAX_VAR_OFF)) {
            this.fail(EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
          }
          const size = Number(r.umax);
          const memReg = regs[regno - 1]!;
          const memIsNull = memReg.type === 'SCALAR_VALUE' && tnumIsConst(memReg.varOff) && memReg.varOff.value === 0n;
          if (!(memIsNull && size === 0 && zeroOk)) {
            this.checkHelperMemAccess(regno - 1, size, !!mem?.write, zeroOk, raw);
          }
          if (raw && memReg.type === 'PTR_TO_STACK') rawFill = { regno: regno - 1, size };
          this.markPrecise(regno);
          break;
        }
        default:
          this.fail(EINVAL, `helper argument type ${arg} is not supported yet`);
      }
    });
    // release_reference: the object and every copy of a pointer to it are gone.
    if (releaseRef) this.releaseReference(releaseRef);
    // The helper fills raw (uninit) stack memory: those bytes now hold data.
    if (rawFill) {
      for (let i = 0; i < rawFill.size; i++) this.checkMemAccess(rawFill.regno, i, 1, 'write', -1, false, insn);
    }
    for (let r = 1; r <= 5; r++) {
      markRegNotInit(regs[r]!);
      this.log.scratch.markReg(r);
    }
    const r0 = regs[0]!;
    this.log.scratch.markReg(0);
    switch (proto.ret) {
      case 'RET_INTEGER':
        markRegUnknown(r0);
        break;
      case 'RET_VOID':
        markRegNotInit(r0);
        break;
      case 'RET_PTR_TO_RINGBUF_MEM_OR_NULL': {
        // an acquire function: the NULL check's id is the reference itself (Linux first gives
        // the maybe-NULL r0 an id of its own, then replaces it with the reference's)
        ++this.idGen;
        const id = ++this.idGen;
        this.cur.refs.push({ type: 'REF_TYPE_PTR', id, insnIdx: this.insnIdx });
        copyRegState(r0, pointerReg('PTR_TO_MEM', { flags: MEM_RINGBUF | PTR_MAYBE_NULL, memSize: allocSize, id, refObjId: id }));
        break;
      }
      case 'RET_PTR_TO_MAP_VALUE_OR_NULL': {
        if (!mapArg) this.fail(EINVAL, 'kernel subsystem misconfigured verifier');
        // 6.18: an array lookup with a constant in-range key cannot fail.
        const nonNull = id === BPF_FUNC_map_lookup_elem && mapArg.type === 2 && constKey !== undefined && constKey < BigInt(mapArg.maxEntries);
        copyRegState(r0, pointerReg('PTR_TO_MAP_VALUE', { map: mapArg, flags: nonNull ? 0 : PTR_MAYBE_NULL, id: nonNull ? 0 : ++this.idGen }));
        break;
      }
      default:
        this.fail(EINVAL, `helper return type ${proto.ret} is not supported yet`);
    }
  }

  /** check_helper_mem_access: `size` bytes at the register's pointer, read or written by a helper. */
  private checkHelperMemAccess(regno: number, size: number, write: boolean, zeroOk: boolean, raw: boolean): void {
    const r = this.regs()[regno]!;
    switch (r.type) {
      case 'PTR_TO_PACKET':
      case 'PTR_TO_PACKET_META':
        if (write && !this.mayWritePacket()) this.fail(EACCES, 'cannot write into packet');
        if (size === 0 && zeroOk) return;
        this.checkPacketAccess(regno, r, r.off, size);
        return;
      case 'PTR_TO_MAP_VALUE': {
        const map = r.map!;
        if (write && map.flags & BPF_F_RDONLY_PROG) {
          this.fail(EACCES, `write into map forbidden, value_size=${map.valueSize} off=${r.off} size=${size}`);
        }
        if (!write && map.flags & BPF_F_WRONLY_PROG) {
          this.fail(EACCES, `read from map forbidden, value_size=${map.valueSize} off=${r.off} size=${size}`);
        }
        if (size === 0 && zeroOk) return;
        this.checkMapValueAccess(regno, r, 0, size, map);
        return;
      }
      case 'PTR_TO_STACK':
        this.checkStackRangeInitialized(regno, r, size, zeroOk, write, raw);
        return;
      case 'PTR_TO_MEM':
        if (r.flags & PTR_MAYBE_NULL) break;
        if (write && r.flags & MEM_RDONLY) this.fail(EACCES, `R${regno} cannot write into ${regTypeStr(r.type, r.flags)}`);
        if (size === 0 && zeroOk) return;
        this.checkMemRegionAccess(regno, r, 0, size, r.memSize, 'memory', `mem_size=${r.memSize}`);
        return;
      case 'PTR_TO_CTX':
        // syscall programs pass their context as plain memory
        if (this.opts.progType === 'syscall' && this.opts.progTypeDef) {
          if (size === 0 && zeroOk) return;
          if (r.off) this.fail(EACCES, `dereference of modified ctx ptr R${regno} off=${r.off} disallowed`);
          if (!this.opts.progTypeDef.isValidAccess(0, size, write)) this.fail(EACCES, `invalid bpf_context access off=0 size=${size}`);
          return;
        }
        break;
      default:
        break;
    }
    this.fail(EACCES, `R${regno} type=${regTypeStr(r.type, r.flags)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`);
  }

  /** check_stack_range_initialized (privileged: uninitialized stack may be read). */
  private checkStackRangeInitialized(regno: number, r: RegState, size: number, zeroOk: boolean, write: boolean, raw: boolean): void {
    const constOff = tnumIsConst(r.varOff);
    let minOff: number;
    let maxOff: number;
    if (constOff) {
      minOff = Number(asS64(r.varOff.value)) + r.off;
      maxOff = minOff + size;
    } else {
      minOff = Number(r.smin) + r.off;
      maxOff = Number(r.smax) + r.off + size;
    }
    if (size === 0 && !zeroOk) this.fail(EACCES, 'invalid zero-sized read');
    this.checkStackAccessWithinBounds(regno, r, 0, size, write ? 'write' : 'read');
    const f = this.cur.frame[r.frameno]!;
    this.updateStackDepth(-minOff, f.subprogno);
    if (raw) return;
    growStack(f, -minOff);
    for (let o = minOff; o < maxOff; o++) {
      const slot = -o - 1;
      const spi = Math.floor(slot / BPF_REG_SIZE);
      const st = f.stack[spi];
      if (!st) continue;
      const ty = st.slotType[slot % BPF_REG_SIZE]!;
      if (ty === STACK_MISC) continue;
      if (ty === STACK_ZERO || ty === STACK_INVALID) {
        if (write) st.slotType[slot % BPF_REG_SIZE] = STACK_MISC;
        continue;
      }
      if (isSpilledReg(st)) {
        if (write) {
          markRegUnknown(st.spilledPtr);
          for (let j = 0; j < BPF_REG_SIZE; j++) if (st.slotType[j] !== STACK_INVALID) st.slotType[j] = STACK_MISC;
        }
        continue;
      }
      if (constOff) this.fail(EACCES, `invalid read from stack R${regno} off ${minOff}+${o - minOff} size ${size}`);
      this.fail(EACCES, `invalid read from stack R${regno} var_off ${tnumStr(r.varOff)}+${o - minOff} size ${size}`);
    }
  }

  /** check_helper_mem_access for a stack buffer of `size` bytes: must be initialized. */
  private checkStackRange(regno: number, r: RegState, size: number): void {
    if (!tnumIsConst(r.varOff)) this.fail(EACCES, `R${regno} variable stack access is not supported yet`);
    const start = Number(asS64(r.varOff.value)) + r.off;
    this.checkStackAccessWithinBounds(regno, r, 0, size, 'read');
    const f = this.cur.frame[r.frameno]!;
    this.updateStackDepth(-start, f.subprogno);
    for (let i = 0; i < size; i++) {
      const o = start + i;
      const slot = -o - 1;
      const spi = Math.floor(slot / BPF_REG_SIZE);
      const ty = f.stack[spi]?.slotType[slot % BPF_REG_SIZE] ?? STACK_INVALID;
      if (ty === STACK_INVALID) {
        // privileged programs may pass uninitialized stack (allow_uninit_stack)
        continue;
      }
    }
  }

  /** The key's value when the stack bytes hold a known constant (for the array-lookup rule). */
  private constStackValue(r: RegState, size: number): bigint | undefined {
    const start = Number(asS64(r.varOff.value)) + r.off;
    const f = this.cur.frame[r.frameno]!;
    const slot = -start - 1;
    const spi = Math.floor(slot / BPF_REG_SIZE);
    const st = f.stack[spi];
    if (!st) return undefined;
    if (isSpilledReg(st) && st.spilledPtr.type === 'SCALAR_VALUE' && tnumIsConst(st.spilledPtr.varOff) && start % 8 === 0) {
      return BigInt.asUintN(size * 8, st.spilledPtr.varOff.value);
    }
    let allZero = true;
    for (let i = 0; i < size; i++) {
      const s2 = -(start + i) - 1;
      if (f.stack[Math.floor(s2 / 8)]?.slotType[s2 % 8] !== STACK_ZERO) allZero = false;
    }
    return allZero ? 0n : undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Output

  private output(): VerifiedProgram {
    const insns = this.insns.map((i) => ({ ...i }));
    for (const [idx, m] of this.mapAt) {
      const addr = m.value ? this.opts.mapValueAddress?.(m.map, m.off) : this.opts.mapAddress?.(m.map);
      if (addr === undefined) continue;
      insns[idx] = { code: 0x18, dst: insns[idx]!.dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, addr)), imm2: Number(BigInt.asIntN(32, addr >> 32n)) };
      insns[idx + 1] = { code: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, addr >> 32n)) };
    }
    for (const [idx, a] of this.ctxRewrite) {
      const insn = insns[idx]!;
      const sz = a.size === 8 ? BPF_DW : a.size === 4 ? BPF_W : a.size === 2 ? BPF_H : BPF_B;
      insns[idx] = { ...insn, off: a.off, code: (insn.code & ~0x18) | sz };
    }
    const dead = new Uint8Array(insns.length);
    for (let i = 0; i < insns.length; i++) {
      if (this.seen[i]) continue;
      // The second half of a reached ld_imm64 is not dead.
      if (i > 0 && isLdImm64(insns[i - 1]!) && this.seen[i - 1]) continue;
      dead[i] = 1;
    }
    const names = this.opts.subprogNames ?? [];
    return {
      insns,
      progType: this.opts.progType,
      subprogs: this.subprogs.map((s, k) => ({
        start: s.start, end: s.end, stackDepth: Math.ceil((this.stackDepth[k] ?? 0) / 8) * 8,
        ...(names.find((n) => n.start === s.start) ? { name: names.find((n) => n.start === s.start)!.name } : {}),
      })),
      probeLoad: new Uint8Array(insns.length),
      dead,
      kfuncs: new Map(),
      verified: true,
    };
  }
}


/** Sizes of the scalar types a kfunc may return a pointer to. */
const SCALAR_SIZES: Record<string, number> = {
  char: 1, 'unsigned char': 1, u8: 1, s8: 1, __u8: 1, short: 2, 'unsigned short': 2, u16: 2, s16: 2,
  int: 4, 'unsigned int': 4, u32: 4, s32: 4, __u32: 4, long: 8, 'unsigned long': 8, u64: 8, s64: 8, __u64: 8,
  'long long': 8, 'unsigned long long': 8,
};

/** A stable small id per iterator type name (the kernel compares BTF ids). */
const iterIds = new Map<string, number>();
function iterName(id: number): string {
  for (const [n, i] of iterIds) if (i === id) return n;
  return 'unknown';
}
function ITER_IDS(name: string): number {
  let id = iterIds.get(name);
  if (id === undefined) {
    id = iterIds.size + 1;
    iterIds.set(name, id);
  }
  return id;
}

function sameCallsites(a: VerifierState, b: VerifierState): boolean {
  if (a.curframe !== b.curframe) return false;
  for (let i = 0; i <= a.curframe; i++) if (a.frame[i]!.callsite !== b.frame[i]!.callsite) return false;
  return true;
}

/** widen_imprecise_scalars: scalars that changed and were not needed exactly become unknown. */
function widenImpreciseScalars(old: VerifierState, cur: VerifierState): void {
  const widen = (o: RegState, c: RegState): void => {
    if (o.type !== 'SCALAR_VALUE' || c.type !== 'SCALAR_VALUE' || o.precise || c.precise) return;
    if (o.umin === c.umin && o.umax === c.umax && o.smin === c.smin && o.smax === c.smax &&
      o.varOff.value === c.varOff.value && o.varOff.mask === c.varOff.mask && o.id === c.id &&
      o.s32Min === c.s32Min && o.s32Max === c.s32Max && o.u32Min === c.u32Min && o.u32Max === c.u32Max) return;
    markRegUnknown(c);
  };
  for (let fr = old.curframe; fr >= 0; fr--) {
    const fo = old.frame[fr]!;
    const fc = cur.frame[fr];
    if (!fc) continue;
    for (let i = 0; i < MAX_BPF_REG; i++) widen(fo.regs[i]!, fc.regs[i]!);
    for (let i = 0; i < fo.stack.length; i++) {
      const so = fo.stack[i]!;
      const sc = fc.stack[i];
      if (!sc || !isSpilledReg(so) || !isSpilledReg(sc)) continue;
      widen(so.spilledPtr, sc.spilledPtr);
    }
  }
}

/** iter_active_depths_differ: the same state at another iteration depth is not an endless loop. */
function iterActiveDepthsDiffer(old: VerifierState, cur: VerifierState): boolean {
  for (let fr = old.curframe; fr >= 0; fr--) {
    const fo = old.frame[fr]!;
    const fc = cur.frame[fr];
    if (!fc) continue;
    for (let i = 0; i < fo.stack.length; i++) {
      const so = fo.stack[i]!;
      if (so.slotType[0] !== STACK_ITER || so.spilledPtr.iter?.state !== 'active') continue;
      if (so.spilledPtr.iter.depth !== fc.stack[i]?.spilledPtr.iter?.depth) return true;
    }
  }
  return false;
}

const MAX_PACKET_OFF = 0xffff;
/** compatible register types of ARG_PTR_TO_MEM (mem_types) */
const MEM_ARG_TYPES: readonly RegState['type'][] = [
  'PTR_TO_STACK', 'PTR_TO_PACKET', 'PTR_TO_PACKET_META', 'PTR_TO_MAP_KEY', 'PTR_TO_MAP_VALUE', 'PTR_TO_MEM', 'PTR_TO_BUF',
];
const LINKED_REGS_MAX = 6;

interface LinkedReg {
  isReg: boolean;
  idx: number;
}

const isInitPktPointer = (r: RegState, which: RegState['type']): boolean =>
  r.type === which && r.id === 0 && r.off === 0 && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/** find_good_pkt_pointers: every copy of the compared packet pointer gets the proven range. */
function findGoodPktPointers(st: VerifierState, dst: RegState, type: RegState['type'], rangeRightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rangeRightOpen)) return;
  if (dst.umax > BigInt(MAX_PACKET_OFF) || dst.umax + BigInt(dst.off) > BigInt(MAX_PACKET_OFF)) return;
  let newRange = dst.off;
  if (rangeRightOpen) newRange++;
  for (const { reg } of eachReg(st)) {
    if (reg.type === type && reg.id === dst.id) reg.range = Math.max(reg.range, newRange);
  }
}

/** is_pkt_ptr_branch_taken: known only for pointers already found beyond/at pkt_end. */
function isPktPtrBranchTaken(dst: RegState, src: RegState, op0: number): -1 | 0 | 1 {
  let pkt: RegState;
  let op = op0;
  if (src.type === 'PTR_TO_PACKET_END') pkt = dst;
  else if (dst.type === 'PTR_TO_PACKET_END') {
    pkt = src;
    op = FLIP[op] ?? op;
  } else return -1;
  if (pkt.range >= 0) return -1;
  switch (op) {
    case BPF_JLE:
    case BPF_JGT:
      if (pkt.range === BEYOND_PKT_END) return op === BPF_JGT ? 1 : 0;
      break;
    case BPF_JLT:
    case BPF_JGE:
      if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return op === BPF_JGE ? 1 : 0;
      break;
  }
  return -1;
}

const FLIP: Record<number, number> = {
  [BPF_JGE]: BPF_JLE, [BPF_JGT]: BPF_JLT, [BPF_JLE]: BPF_JGE, [BPF_JLT]: BPF_JGT,
};

const ALU_NAME = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian', '?', '?'];

/** bpf_stack_narrow_access_ok: a narrow read of the low bytes of a spilled register. */
function stackNarrowAccessOk(off: number, _size: number, _spillSize: number): boolean {
  // Little-endian: the low-order bytes sit at the lowest address, the slot boundary.
  return off % BPF_REG_SIZE === 0;
}

