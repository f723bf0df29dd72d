// bpf-to-bpf linking, libbpf style: each program gets its own copy of every subprogram it
// reaches (directly or through further calls, or by taking a function's address for a
// callback). A subprogram is appended after the main function the first time it is seen and
// is itself scanned before the caller's scan continues, so the layout matches libbpf's.

import type { Insn } from '../isa/insn.js';
import { objErr } from './errors.js';
import type { CoreFailure, FuncInfo, LineInfo, UnresolvedKfunc } from './types.js';

export interface FuncSym {
  name: string;
  secIdx: number;
  /** slot range in its section */
  start: number;
  end: number;
}

export interface CodeSection {
  index: number;
  name: string;
  insns: Insn[];
  funcs: FuncSym[];
  /** slot of a call (src 1) or pseudo-func ld_imm64 → target (section index, slot) */
  targets: Map<number, { secIdx: number; insn: number }>;
  funcInfo: { insn: number; typeId: number }[];
  lineInfo: { insn: number; fileName: string; line: number; col: number; text: string }[];
  coreFailures: Map<number, string>;
  unresolvedKfuncs: Map<number, string>;
}

export interface LinkedProgram {
  insns: Insn[];
  subprogs: { name: string; start: number }[];
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  coreFailures: CoreFailure[];
  unresolvedKfuncs: UnresolvedKfunc[];
}

const BPF_CALL_CODE = 0x85;
const LD_IMM64 = 0x18;
const BPF_PSEUDO_CALL = 1;
const BPF_PSEUDO_FUNC = 4;

/** funcs are sorted by start and do not overlap: binary search */
export function funcContaining(sec: CodeSection, insn: number): FuncSym | undefined {
  const fs = sec.funcs;
  let lo = 0;
  let hi = fs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = fs[mid]!;
    if (insn < f.start) hi = mid - 1;
    else if (insn >= f.end) lo = mid + 1;
    else return f;
  }
  return undefined;
}

/** first index in a list sorted by `insn` whose insn >= at */
function lowerBound(xs: readonly { insn: number }[], at: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]!.insn < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** BPF_COMPLEXITY_LIMIT_INSNS: the kernel refuses larger programs, we refuse to build them */
const MAX_PROG_INSNS = 1_000_000;

export function linkProgram(sections: Map<number, CodeSection>, main: FuncSym, extra: FuncSym[] = []): LinkedProgram {
  const out: LinkedProgram = { insns: [], subprogs: [], funcInfo: [], lineInfo: [], coreFailures: [], unresolvedKfuncs: [] };
  /** "secIdx:start" → placed position */
  const placed = new Map<string, number>();

  let depth = 0;
  const place = (f: FuncSym): number => {
    const sec = sections.get(f.secIdx)!;
    if (++depth > 512) throw objErr(sec.name, f.start * 8, 'subprogram call chain too deep');
    const at = out.insns.length;
    placed.set(`${f.secIdx}:${f.start}`, at);
    out.subprogs.push({ name: f.name, start: at });
    for (let i = f.start; i < f.end; i++) out.insns.push({ ...sec.insns[i]! });
    const shift = at - f.start;
    if (out.insns.length > MAX_PROG_INSNS) throw objErr(sec.name, f.start * 8, `program '${main.name}' exceeds ${MAX_PROG_INSNS} instructions once linked`);
    for (let k = lowerBound(sec.funcInfo, f.start); k < sec.funcInfo.length && sec.funcInfo[k]!.insn < f.end; k++) {
      const fi = sec.funcInfo[k]!;
      out.funcInfo.push({ insnOff: fi.insn + shift, typeId: fi.typeId });
    }
    for (let k = lowerBound(sec.lineInfo, f.start); k < sec.lineInfo.length && sec.lineInfo[k]!.insn < f.end; k++) {
      const li = sec.lineInfo[k]!;
      out.lineInfo.push({ insnOff: li.insn + shift, fileName: li.fileName, line: li.line, col: li.col, text: li.text });
    }
    for (const [i, reason] of sec.coreFailures) if (i >= f.start && i < f.end) out.coreFailures.push({ insnOff: i + shift, reason });
    for (const [i, name] of sec.unresolvedKfuncs) if (i >= f.start && i < f.end) out.unresolvedKfuncs.push({ insnOff: i + shift, name });
    scan(f, at);
    depth--;
    return at;
  };

  const scan = (f: FuncSym, at: number): void => {
    const sec = sections.get(f.secIdx)!;
    for (let i = f.start; i < f.end; i++) {
      const insn = sec.insns[i]!;
      const isCall = insn.code === BPF_CALL_CODE && insn.src === BPF_PSEUDO_CALL;
      const isFuncAddr = insn.code === LD_IMM64 && insn.src === BPF_PSEUDO_FUNC;
      if (!isCall && !isFuncAddr) continue;
      let target = sec.targets.get(i);
      if (!target) {
        if (!isCall) throw objErr(sec.name, i * 8, 'function address without a relocation');
        target = { secIdx: sec.index, insn: i + insn.imm + 1 };
      }
      const tsec = sections.get(target.secIdx);
      const callee = tsec ? funcContaining(tsec, target.insn) : undefined;
      if (!tsec || !callee) {
        throw objErr(sec.name, i * 8, `call target #${target.insn} is not inside a function`);
      }
      const key = `${callee.secIdx}:${callee.start}`;
      const calleeAt = placed.get(key) ?? place(callee);
      const dest = calleeAt + (target.insn - callee.start);
      const pos = at + (i - f.start);
      out.insns[pos] = isFuncAddr ? { ...out.insns[pos]!, imm: dest - pos - 1, imm2: 0 } : { ...out.insns[pos]!, imm: dest - pos - 1 };
      if (isFuncAddr) out.insns[pos + 1] = { ...out.insns[pos + 1]!, imm: 0 };
    }
  };

  place(main);
  // subprograms the program needs without calling them (libbpf: the exception callback)
  for (const f of extra) if (!placed.has(`${f.secIdx}:${f.start}`)) place(f);
  if (out.insns.length === 0) throw objErr(sections.get(main.secIdx)!.name, main.start * 8, `program '${main.name}' is empty`);
  return out;
}
