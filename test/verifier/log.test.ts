// Golden tests of the log printer against logs captured from Linux 6.18 (test/verifier/fixtures,
// loaded at log_level 2 by a scratch libbpf-free loader; see the .insns files for the programs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import {
  BPF_ALU, BPF_ALU64, BPF_AND, BPF_END, BPF_K, BPF_MUL, BPF_NEG, BPF_OR, BPF_SUB, BPF_ADD, BPF_TO_BE,
} from '../../src/isa/opcodes.js';
import {
  VerifierLog, formatFuncState, formatLiveRegs, formatRegState, formatStats, fmtSnum, fmtUnum,
  regTypeStr, vlogAlignment,
} from '../../src/verifier/log.js';
import { adjustScalarMinMaxVals, knownRange } from '../../src/verifier/scalar.js';
import {
  BPF_ADD_CONST, MEM_RDONLY, PTR_MAYBE_NULL, PTR_TRUSTED, STACK_MISC, STACK_SPILL, STACK_ZERO,
  constScalar, curRegs, growStack, newVerifierState, pointerReg, unknownScalar, type RegState,
  type VerifierMap, type VerifierState,
} from '../../src/verifier/state.js';
import { tnum } from '../../src/verifier/tnum.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
function insnsOf(name: string): Insn[] {
  return fixture(name).split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => {
    const [code, dst, src, off, imm] = l.trim().split(/\s+/).map((x) => Number(x));
    return { code: code!, dst: dst!, src: src!, off: off!, imm: imm! };
  });
}
/** The verifier part of a captured log (drops the live-regs table and the trailer). */
function verifierLines(name: string): string[] {
  return fixture(name).split('\n').filter((l) => /^\d+: /.test(l) || l.startsWith('from ') || l.startsWith('processed'));
}

const arr: VerifierMap = { name: 'arr', type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 };

function entry(): VerifierState {
  const s = newVerifierState();
  curRegs(s)[1] = pointerReg('PTR_TO_CTX');
  curRegs(s)[10] = pointerReg('PTR_TO_STACK');
  return s;
}

const alu = (r: RegState, code: number, imm: number): void => {
  adjustScalarMinMaxVals({ code: code | BPF_K, imm }, r, knownRange(BigInt(imm)));
};

describe('number and type formatting', () => {
  it('decimal up to 16 bits, hex beyond', () => {
    expect(fmtUnum(65535n)).toBe('65535');
    expect(fmtUnum(65536n)).toBe('0x10000');
    expect(fmtSnum(-32768n)).toBe('-32768');
    expect(fmtSnum(32768n)).toBe('0x8000');
    expect(fmtSnum(-32769n)).toBe('0xffffffffffff7fff');
  });
  it('type names with flags', () => {
    expect(regTypeStr('PTR_TO_MAP_VALUE', PTR_MAYBE_NULL)).toBe('map_value_or_null');
    expect(regTypeStr('PTR_TO_MEM', MEM_RDONLY | PTR_MAYBE_NULL)).toBe('rdonly_mem_or_null');
    expect(regTypeStr('PTR_TO_BTF_ID', PTR_TRUSTED | PTR_MAYBE_NULL)).toBe('trusted_ptr_or_null_');
  });
  it('register states', () => {
    expect(formatRegState(pointerReg('PTR_TO_CTX'), 0)).toBe('ctx()');
    expect(formatRegState(pointerReg('PTR_TO_STACK', { off: -52 }), 0)).toBe('fp-52');
    expect(formatRegState(pointerReg('PTR_TO_STACK', { off: -8, frameno: 0 }), 1)).toBe('fp[0]-8');
    expect(formatRegState(constScalar(3840n), 0)).toBe('3840');
    expect(formatRegState({ ...constScalar(5n), precise: true }, 0)).toBe('P5');
    expect(formatRegState(unknownScalar(), 0)).toBe('scalar()');
    expect(formatRegState(pointerReg('CONST_PTR_TO_MAP', { map: arr }), 0)).toBe('map_ptr(map=arr,ks=4,vs=8)');
    expect(formatRegState(pointerReg('PTR_TO_MAP_VALUE', { map: arr, off: 4 }), 0)).toBe('map_value(map=arr,ks=4,vs=8,off=4)');
    expect(formatRegState(pointerReg('PTR_TO_MAP_VALUE', { map: arr, id: 1, flags: PTR_MAYBE_NULL }), 0)).toBe('map_value_or_null(id=1,map=arr,ks=4,vs=8)');
    expect(formatRegState(pointerReg('PTR_TO_PACKET', { range: 14 }), 0)).toBe('pkt(r=14)');
    expect(formatRegState(pointerReg('PTR_TO_MEM', { memSize: 16, flags: MEM_RDONLY }), 0)).toBe('rdonly_mem(sz=16)');
    const linked = unknownScalar();
    linked.id = 2 | BPF_ADD_CONST;
    linked.off = 1;
    expect(formatRegState(linked, 0)).toBe('scalar(id=2+1)');
  });
  it('scalar ranges as printed by 6.18', () => {
    const r = unknownScalar();
    alu(r, BPF_ALU64 | BPF_AND, 15);
    alu(r, BPF_ALU64 | BPF_SUB, 16);
    expect(formatRegState(r, 0)).toBe('scalar(smin=smin32=-16,smax=smax32=-1,umin=0xfffffffffffffff0,umin32=0xfffffff0,var_off=(0xfffffffffffffff0; 0xf))');
    const o = unknownScalar();
    alu(o, BPF_ALU64 | BPF_OR, 3584);
    expect(formatRegState(o, 0)).toBe('scalar(smin=0x8000000000000e00,umin=umin32=3584,smin32=0x80000e00,var_off=(0xe00; 0xfffffffffffff1ff))');
    const w = unknownScalar();
    adjustScalarMinMaxVals({ code: BPF_ALU | BPF_AND | BPF_K, imm: 16128 }, w, knownRange(16128n));
    expect(formatRegState(w, 0)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))');
  });
  it('alignment column', () => {
    expect(vlogAlignment(15)).toBe(24);
    expect(vlogAlignment(36)).toBe(3);
    expect(vlogAlignment(40)).toBe(7);
    expect(vlogAlignment(35)).toBe(4);
  });
  it('closing line', () => {
    expect(formatStats({ insnProcessed: 20, maxStatesPerInsn: 0, totalStates: 1, peakStates: 1, longestMarkReadWalk: 0 }))
      .toBe('processed 20 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0\n');
  });
});

describe('golden: replaying captured logs', () => {
  it('alu-ranges.log', () => {
    const insns = insnsOf('alu-ranges.insns');
    const want = verifierLines('alu-ranges.log');
    const log = new VerifierLog(2);
    const st = entry();
    const regs = curRegs(st);
    log.scratch.markAll();
    log.printInsnState(st, 0);
    let nextId = 1;
    const step = (i: number, f: () => number[]): void => {
      log.printInsn(i, insns[i]!);
      for (const r of f()) log.scratch.markReg(r);
      log.printInsnState(st, i + 1);
    };
    const call = (i: number): void => step(i, () => {
      for (let r = 1; r <= 5; r++) regs[r] = { ...regs[r]!, type: 'NOT_INIT' };
      regs[0] = unknownScalar();
      return [0];
    });
    const movReg = (i: number, d: number): void => step(i, () => {
      regs[0]!.id = nextId++;
      regs[d] = { ...regs[0]! };
      return [0, d];
    });
    call(0);
    step(1, () => (alu(regs[0]!, BPF_ALU64 | BPF_AND, 15), [0]));
    step(2, () => (adjustScalarMinMaxVals({ code: BPF_ALU64 | BPF_NEG, imm: 0 }, regs[0]!, regs[0]!), [0]));
    movReg(3, 6);
    call(4);
    step(5, () => (alu(regs[0]!, BPF_ALU64 | BPF_AND, 255), [0]));
    step(6, () => (adjustScalarMinMaxVals({ code: BPF_ALU | BPF_END | BPF_TO_BE, imm: 16 }, regs[0]!, regs[0]!), [0]));
    movReg(7, 7);
    call(8);
    step(9, () => (alu(regs[0]!, BPF_ALU64 | BPF_AND, 3), [0]));
    step(10, () => (alu(regs[0]!, BPF_ALU64 | BPF_MUL, 6), [0]));
    movReg(11, 8);
    call(12);
    step(13, () => (alu(regs[0]!, BPF_ALU64 | BPF_AND, 15), [0]));
    step(14, () => (alu(regs[0]!, BPF_ALU64 | BPF_SUB, 16), [0]));
    step(15, () => (alu(regs[0]!, BPF_ALU64 | BPF_ADD, 32), [0]));
    step(16, () => ((regs[0] = constScalar(0n)), [0]));
    log.printInsn(17, insns[17]!);
    log.printStats({ insnProcessed: 18, maxStatesPerInsn: 0, totalStates: 1, peakStates: 1, longestMarkReadWalk: 0 });
    expect(log.text().split('\n').filter((l) => l)).toEqual(want);
  });

  it('stack-map.log (stack slots, spills, map values)', () => {
    const want = verifierLines('stack-map.log');
    const log = new VerifierLog(2);
    const st = entry();
    const f = st.frame[0]!;
    const regs = f.regs;
    const fixtureInsns = insnsOf('stack-map.insns');
    // the captured program's ld_imm64 was rewritten to the map's address; print it that way
    const insns = fixtureInsns.map((x) => ({ ...x }));
    const addr = BigInt(/12: \(18\) r1 = (0x[0-9a-f]+)/.exec(fixture('stack-map.log'))![1]!);
    insns[12] = { code: 0x18, dst: 1, src: 0, off: 0, imm: Number(BigInt.asIntN(32, addr)), imm2: Number(BigInt.asIntN(32, addr >> 32n)) };
    const line = (i: number, f2: () => void): void => {
      log.printInsn(i, insns[i]!);
      f2();
      log.printInsnState(st, i + 1);
    };
    const slot = (spi: number): typeof f.stack[number] => {
      growStack(f, (spi + 1) * 8);
      log.scratch.markStack(spi);
      return f.stack[spi]!;
    };
    log.scratch.markAll();
    log.printInsnState(st, 0);
    line(0, () => { regs[6] = { ...regs[1]! }; log.scratch.markReg(1); log.scratch.markReg(6); });
    line(1, () => { regs[1] = constScalar(0n); log.scratch.markReg(1); });
    line(2, () => {
      const s = slot(0); s.slotType.fill(STACK_SPILL); s.spilledPtr = { ...regs[1]! };
      log.scratch.markReg(1); log.scratch.markReg(10);
    });
    line(3, () => {
      const s = slot(1); s.slotType.fill(STACK_SPILL, 4); s.spilledPtr = constScalar(7n);
      log.scratch.markReg(10);
    });
    line(4, () => {
      const s = slot(2); s.slotType.fill(STACK_SPILL); s.spilledPtr = constScalar(0n);
      log.scratch.markReg(10);
    });
    line(5, () => {
      const s = slot(4); s.slotType.fill(STACK_SPILL); s.spilledPtr = { ...regs[6]! };
      log.scratch.markReg(6); log.scratch.markReg(10);
    });
    line(6, () => {
      const r = unknownScalar();
      r.varOff = tnum(0n, 0xffff_ffffn); r.smin = 0n; r.smax = 0xffff_ffffn; r.umax = 0xffff_ffffn;
      regs[7] = r; log.scratch.markReg(6); log.scratch.markReg(7);
    });
    line(7, () => {
      regs[7]!.id = 1;
      const s = slot(5); s.slotType.fill(STACK_SPILL, 4); s.spilledPtr = { ...regs[7]! };
      log.scratch.markReg(7); log.scratch.markReg(10);
    });
    line(8, () => { regs[2] = constScalar(0n); log.scratch.markReg(2); });
    // insn 9 is followed by precision backtracking lines in the real log; replay them verbatim
    log.printInsn(9, insns[9]!);
    log.write('mark_precise: frame0: last_idx 9 first_idx 0 subseq_idx -1 \n');
    log.write('mark_precise: frame0: regs=r2 stack= before 8: (b7) r2 = 0\n');
    { const s = slot(6); s.slotType.fill(STACK_ZERO, 0, 4); log.scratch.markReg(2); log.scratch.markReg(10); }
    log.printInsnState(st, 10);
    line(10, () => { regs[2] = { ...regs[10]! }; log.scratch.markReg(2); log.scratch.markReg(10); });
    line(11, () => { regs[2]!.off = -52; log.scratch.markReg(2); });
    line(12, () => { regs[1] = pointerReg('CONST_PTR_TO_MAP', { map: arr }); log.scratch.markReg(1); });
    line(14, () => {
      for (let r = 1; r <= 5; r++) regs[r] = { ...regs[r]!, type: 'NOT_INIT' };
      // 6.18: a lookup in an array map with a constant in-range key cannot return NULL
      regs[0] = pointerReg('PTR_TO_MAP_VALUE', { map: arr });
      log.scratch.markReg(0);
    });
    line(15, () => log.scratch.markReg(0));
    line(16, () => { regs[3] = unknownScalar(); log.scratch.markReg(0); log.scratch.markReg(3); });
    line(17, () => { regs[0]!.off = 4; log.scratch.markReg(0); });
    line(18, () => {
      const s = slot(7); s.slotType.fill(STACK_SPILL); s.spilledPtr = { ...regs[0]! };
      log.scratch.markReg(0); log.scratch.markReg(10);
    });
    line(19, () => { regs[0] = constScalar(0n); log.scratch.markReg(0); });
    log.printInsn(20, insns[20]!);
    log.printStats({ insnProcessed: 20, maxStatesPerInsn: 0, totalStates: 1, peakStates: 1, longestMarkReadWalk: 0 });
    const got = log.text().split('\n').filter((l) => /^\d+: /.test(l) || l.startsWith('processed'));
    expect(got).toEqual(want);
  });

  it('branch-single-value.log: from/to lines and full-state prints', () => {
    const want = fixture('branch-single-value.log').split('\n');
    const log = new VerifierLog(2);
    const st = entry();
    const regs = curRegs(st);
    regs[0] = constScalar(3584n);
    regs[6] = { ...unknownScalar(), id: 1 };
    for (let r = 1; r <= 5; r++) regs[r] = { ...regs[r]!, type: 'NOT_INIT' };
    log.printFromTo(st, 7, 10);
    log.scratch.markAll();
    log.printInsnState(st, 10);
    const i = want.indexOf('from 7 to 10: R0=3584 R6=scalar(id=1) R10=fp0');
    expect(i).toBeGreaterThan(0);
    expect(log.text()).toBe('\n' + want.slice(i, i + 2).join('\n') + '\n');
  });

  it('live regs table', () => {
    const insns = insnsOf('alu-ranges.insns');
    const live = [0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1];
    const want = fixture('alu-ranges.log').split('\n');
    const start = want.indexOf('Live regs before insn:');
    expect(formatLiveRegs(insns, live)).toBe(want.slice(start, start + 19).join('\n') + '\n');
  });

  it('frames, refs and iterators in state lines', () => {
    const st = entry();
    st.refs.push({ type: 'REF_TYPE_PTR', id: 3, insnIdx: 1 }, { type: 'REF_TYPE_PTR', id: 5, insnIdx: 2 });
    const f = st.frame[0]!;
    growStack(f, 16);
    f.stack[1]!.slotType.fill(STACK_MISC);
    expect(formatFuncState(st, f, true)).toBe(' R1=ctx() R10=fp0 fp-16=mmmmmmmm refs=3,5\n');
    f.frameno = 1;
    expect(formatFuncState(st, f, true).startsWith(' frame1: R1=ctx() R10=fp[0]0')).toBe(true);
  });
});
