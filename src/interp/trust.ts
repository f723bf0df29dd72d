// Wrap raw instructions as a VerifiedProgram without verifying them (tests, the conformance
// plugin). The engine still refuses to leave the linear memory; it just trusts nothing else.
import { isLdImm64, type Insn } from '../isa/insn.js';
import { BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL } from '../isa/opcodes.js';
import type { ProgType, SubprogInfo, VerifiedProgram } from '../verifier/verified-program.js';
import { STACK_FRAME_SIZE } from './machine.js';

/** Subprogram starts: slot 0, every bpf-to-bpf call target and every BPF_PSEUDO_FUNC target. */
export function subprogStarts(insns: readonly Insn[]): number[] {
  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const isCall = x.code === 0x85 && x.src === BPF_PSEUDO_CALL;
    const isFunc = isLdImm64(x) && x.src === BPF_PSEUDO_FUNC;
    if (isCall || isFunc) {
      const t = i + x.imm + 1;
      if (t >= 0 && t < insns.length) starts.add(t);
    }
    if (isLdImm64(x)) i++;
  }
  return [...starts].sort((a, b) => a - b);
}

export function trustInsns(insns: Insn[], progType: ProgType = 'socket_filter'): VerifiedProgram {
  const starts = subprogStarts(insns);
  const subprogs: SubprogInfo[] = starts.map((start, k) => ({
    start,
    end: k + 1 < starts.length ? starts[k + 1]! : insns.length,
    stackDepth: STACK_FRAME_SIZE,
  }));
  const kfuncs = new Map<number, number>();
  insns.forEach((x, i) => {
    if (x.code === 0x85 && x.src === BPF_PSEUDO_KFUNC_CALL) kfuncs.set(i, x.imm);
  });
  return {
    insns,
    progType,
    subprogs,
    probeLoad: new Uint8Array(insns.length),
    dead: new Uint8Array(insns.length),
    kfuncs,
    verified: false,
  };
}
