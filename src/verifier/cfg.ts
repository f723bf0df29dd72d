// Checks before simulation, with the kernel's messages: ld_imm64 pairing, subprogram boundaries
// (check_subprogs), the control-flow graph walk (check_cfg: jump ranges, reachability, jumps into
// ld_imm64, back-edges) and prune points.

import type { Insn } from '../isa/insn.js';
import {
  BPF_CALL, BPF_CLASS, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_OP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC,
} from '../isa/opcodes.js';
import { EINVAL, VerifierError } from './errors.js';
import { OPCODES } from '../isa/table.js';
import { BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MODE } from '../isa/opcodes.js';

const LD_IMM64 = 0x18;

export interface Subprog {
  start: number;
  /** exclusive */
  end: number;
}

export const isLdImm64 = (i: Insn): boolean => i.code === LD_IMM64;
const isJmpClass = (code: number): boolean => BPF_CLASS(code) === BPF_JMP || BPF_CLASS(code) === BPF_JMP32;
export const isPseudoCall = (i: Insn): boolean => i.code === (BPF_JMP | BPF_CALL) && i.src === BPF_PSEUDO_CALL;

/** Jump target of a jump instruction (gotol uses imm). */
export function jumpTarget(i: number, insn: Insn): number {
  if (insn.code === (BPF_JMP32 | BPF_JA)) return i + insn.imm + 1;
  return i + insn.off + 1;
}

/**
 * resolve_pseudo_ldimm64's structural pass: LDX reserved fields, ld_imm64 pairing (the second
 * slot must be empty) and known opcodes.
 */
export function checkLdImm64(insns: readonly Insn[]): void {
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const code = insn.code & 0xff;
    if (BPF_CLASS(code) === BPF_LDX && ((BPF_MODE(code) !== BPF_MEM && BPF_MODE(code) !== BPF_MEMSX) || insn.imm !== 0)) {
      throw new VerifierError(EINVAL, 'BPF_LDX uses reserved fields', i);
    }
    if (isLdImm64(insn)) {
      const next = insns[i + 1];
      if (!next || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        throw new VerifierError(EINVAL, 'invalid bpf_ld_imm64 insn', i);
      }
      i++;
      continue;
    }
    if (!OPCODES[code] || OPCODES[code]!.length === 0) {
      throw new VerifierError(EINVAL, `unknown opcode ${code.toString(16).padStart(2, '0')}`, i);
    }
  }
}

/**
 * check_subprogs: find subprograms (targets of bpf-to-bpf calls and of ld_imm64 func
 * references), require every jump to stay inside its subprogram and every subprogram to end
 * with exit or a jump.
 */
export function checkSubprogs(insns: readonly Insn[], extraStarts: readonly number[] = []): Subprog[] {
  const starts = new Set<number>([0, ...extraStarts]);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const callee =
      isPseudoCall(insn) ? i + insn.imm + 1
        : isLdImm64(insn) && insn.src === BPF_PSEUDO_FUNC ? i + insn.imm + 1 : undefined;
    if (callee !== undefined) {
      if (callee < 0 || callee >= insns.length) throw new VerifierError(EINVAL, 'call to invalid destination', i);
      starts.add(callee);
    }
    if (isLdImm64(insn)) i++;
  }
  const sorted = [...starts].sort((a, b) => a - b);
  const subprogs: Subprog[] = sorted.map((start, k) => ({ start, end: sorted[k + 1] ?? insns.length }));
  let cur = 0;
  for (let i = 0; i < insns.length; i++) {
    const sp = subprogs[cur]!;
    const code = insns[i]!.code;
    if (isJmpClass(code) && BPF_OP(code) !== BPF_EXIT && BPF_OP(code) !== BPF_CALL) {
      const off = jumpTarget(i, insns[i]!);
      if (off < sp.start || off >= sp.end) {
        throw new VerifierError(EINVAL, `jump out of range from insn ${i} to ${off}`, i);
      }
    }
    if (i === sp.end - 1) {
      // No falling through from one subprogram into the next.
      if (code !== (BPF_JMP | BPF_EXIT) && code !== (BPF_JMP32 | BPF_JA) && code !== (BPF_JMP | BPF_JA)) {
        throw new VerifierError(EINVAL, 'last insn is not an exit or jmp', i);
      }
      cur++;
    }
  }
  return subprogs;
}

export interface CfgInfo {
  /** instructions where is_state_visited runs */
  prunePoints: Uint8Array;
  /** instructions that are jump targets or follow a jump (jmp history points) */
  jmpPoints: Uint8Array;
  /** successors of each instruction (for liveness) */
  succ: number[][];
}

/**
 * check_cfg: depth-first walk from every subprogram entry reached by calls (and from insn 0).
 * Back-edges are allowed (a privileged loader gets bounded loops); anything not reached is
 * "unreachable insn N".
 */
export function checkCfg(insns: readonly Insn[], opts: { allowBackEdges?: boolean } = {}): CfgInfo {
  const n = insns.length;
  const prunePoints = new Uint8Array(n);
  const jmpPoints = new Uint8Array(n);
  const succ: number[][] = insns.map(() => []);
  const state = new Uint8Array(n); // 0 = unseen, 1 = discovered (on stack), 2 = explored
  const check = (t: number, w: number): void => {
    if (w < 0 || w >= n) throw new VerifierError(EINVAL, `jump out of range from insn ${t} to ${w}`, t);
  };
  const successors = (t: number): number[] => {
    const insn = insns[t]!;
    const code = insn.code;
    if (isLdImm64(insn)) {
      if (insn.src === BPF_PSEUDO_FUNC) {
        const target = t + insn.imm + 1;
        prunePoints[t + 2] = 1;
        return [t + 2, target];
      }
      return [t + 2];
    }
    if (!isJmpClass(code)) return [t + 1];
    const op = BPF_OP(code);
    if (op === BPF_EXIT) return [];
    if (op === BPF_CALL) {
      if (isPseudoCall(insn)) {
        // Return point and callee are both prune points.
        prunePoints[t + 1] = 1;
        jmpPoints[t + 1] = 1;
        prunePoints[t] = 1;
        if (t + insn.imm + 1 >= 0 && t + insn.imm + 1 < n) prunePoints[t + insn.imm + 1] = 1;
        return [t + 1, t + insn.imm + 1];
      }
      // After any call the verifier may checkpoint (the return point of a helper).
      prunePoints[t + 1] = 1;
      jmpPoints[t + 1] = 1;
      return [t + 1];
    }
    if (op === BPF_JA) {
      const w = jumpTarget(t, insn);
      check(t, w);
      prunePoints[w] = 1;
      jmpPoints[w] = 1;
      return [w];
    }
    // Conditional jumps (and may_goto): the jump itself and its target are checkpoints.
    prunePoints[t] = 1;
    const w = t + insn.off + 1;
    check(t, t + 1);
    check(t, w);
    prunePoints[w] = 1;
    jmpPoints[t + 1] = 1;
    jmpPoints[w] = 1;
    return [t + 1, w];
  };
  const walk = (entry: number): void => {
    if (state[entry]) return;
    const stack: { t: number; next: number; succ: number[] }[] = [];
    state[entry] = 1;
    const s0 = successors(entry);
    succ[entry] = s0;
    stack.push({ t: entry, next: 0, succ: s0 });
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.succ.length) {
        state[top.t] = 2;
        stack.pop();
        continue;
      }
      const w = top.succ[top.next++]!;
      check(top.t, w);
      if (state[w] === 0) {
        state[w] = 1;
        const sw = successors(w);
        succ[w] = sw;
        stack.push({ t: w, next: 0, succ: sw });
      } else if (state[w] === 1 && !opts.allowBackEdges) {
        throw new VerifierError(EINVAL, `back-edge from insn ${top.t} to ${w}`, top.t);
      }
    }
  };
  walk(0);
  for (let i = 0; i < n; i++) {
    if (state[i] !== 2) throw new VerifierError(EINVAL, `unreachable insn ${i}`, i);
    if (isLdImm64(insns[i]!)) {
      if (state[i + 1] !== 0) throw new VerifierError(EINVAL, `jump into the middle of ldimm64 insn ${i}`, i);
      i++;
    }
  }
  return { prunePoints, jmpPoints, succ };
}

/**
 * Strongly connected components of the CFG (loops). Returns, per instruction, the number of
 * its loop (1, 2, ... in the order Tarjan's algorithm completes them) or 0 outside loops.
 */
export function computeScc(succ: readonly number[][]): Int32Array {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const scc = new Int32Array(n);
  const stack: number[] = [];
  let next = 0;
  let cnt = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !succ[root]) continue;
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1]!;
      const ss = succ[top.v] ?? [];
      if (top.i < ss.length) {
        const w = ss[top.i++]!;
        if (w >= n) continue;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ v: w, i: 0 });
        } else if (onStack[w]) {
          low[top.v] = Math.min(low[top.v]!, index[w]!);
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.v;
        low[parent] = Math.min(low[parent]!, low[top.v]!);
      }
      if (low[top.v] === index[top.v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          members.push(w);
        } while (w !== top.v);
        const selfLoop = (succ[top.v] ?? []).includes(top.v);
        if (members.length > 1 || selfLoop) {
          cnt++;
          for (const m of members) scc[m] = cnt;
        }
      }
    }
  }
  return scc;
}
