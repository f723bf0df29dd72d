import { describe, expect, it } from 'vitest';
import {
  BPF_ADD_CONST, IdMap, PTR_MAYBE_NULL, STACK_MISC, STACK_SPILL, STACK_ZERO, cloneVerifierState,
  constScalar, curRegs, eachReg, growStack, newVerifierState, pointerReg, regsafe, stackSlotOf,
  statesEqual, stacksafe, unknownScalar, type VerifierMap, type VerifierState,
} from '../../src/verifier/state.js';
import { knownRange, regSetMinMax, cloneRange } from '../../src/verifier/scalar.js';
import { BPF_JLT } from '../../src/isa/opcodes.js';

const env = { idGen: 100, allowUninitStack: true };
const arr: VerifierMap = { name: 'arr', type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 };

function entryState(): VerifierState {
  const s = newVerifierState();
  const r = curRegs(s);
  r[1] = pointerReg('PTR_TO_CTX');
  r[10] = pointerReg('PTR_TO_STACK');
  return s;
}

describe('state copies', () => {
  it('deep-copies registers and stack', () => {
    const a = entryState();
    growStack(a.frame[0]!, 16);
    a.frame[0]!.stack[0]!.slotType.fill(STACK_MISC);
    const b = cloneVerifierState(a);
    curRegs(b)[0] = constScalar(5n);
    b.frame[0]!.stack[0]!.slotType[0] = STACK_ZERO;
    curRegs(b)[1]!.off = 8;
    expect(curRegs(a)[0]!.type).toBe('NOT_INIT');
    expect(a.frame[0]!.stack[0]!.slotType[0]).toBe(STACK_MISC);
    expect(curRegs(a)[1]!.off).toBe(0);
  });
  it('stack slot indexing matches the kernel (fp-8 is slot 0, byte 7)', () => {
    expect(stackSlotOf(-8)).toEqual({ spi: 0, byte: 7 });
    expect(stackSlotOf(-1)).toEqual({ spi: 0, byte: 0 });
    expect(stackSlotOf(-16)).toEqual({ spi: 1, byte: 7 });
    expect(stackSlotOf(-512)).toEqual({ spi: 63, byte: 7 });
  });
  it('iterates registers and spills', () => {
    const s = entryState();
    growStack(s.frame[0]!, 8);
    s.frame[0]!.stack[0]!.slotType.fill(STACK_SPILL);
    s.frame[0]!.stack[0]!.spilledPtr = constScalar(1n);
    expect([...eachReg(s)].length).toBe(12);
  });
});

describe('regsafe', () => {
  it('imprecise scalars are always safe, precise ones need range inclusion', () => {
    const o = unknownScalar();
    o.umax = 10n;
    const c = unknownScalar();
    expect(regsafe(env, o, c, new IdMap(0), 'NOT_EXACT')).toBe(true);
    o.precise = true;
    expect(regsafe(env, o, c, new IdMap(0), 'NOT_EXACT')).toBe(false);
    expect(regsafe(env, unknownScalar(), o, new IdMap(0), 'NOT_EXACT')).toBe(true);
    const p = unknownScalar();
    p.precise = true;
    expect(regsafe(env, p, constScalar(3n), new IdMap(0), 'NOT_EXACT')).toBe(true);
    expect(regsafe(env, p, constScalar(3n), new IdMap(0), 'EXACT')).toBe(false);
  });
  it('refined branches: [0,9] is within [0,U64_MAX] but not the reverse', () => {
    const t = unknownScalar();
    const f = unknownScalar();
    regSetMinMax(t, cloneRange(knownRange(10n)), f, cloneRange(knownRange(10n)), BPF_JLT, false);
    const wide = unknownScalar();
    wide.precise = true;
    t.precise = true;
    expect(regsafe(env, wide, t, new IdMap(0), 'NOT_EXACT')).toBe(true);
    expect(regsafe(env, t, wide, new IdMap(0), 'NOT_EXACT')).toBe(false);
  });
  it('NOT_INIT in old matches anything, types must match otherwise', () => {
    const ni = newVerifierState().frame[0]!.regs[0]!;
    expect(regsafe(env, ni, constScalar(1n), new IdMap(0), 'NOT_EXACT')).toBe(true);
    expect(regsafe(env, ni, constScalar(1n), new IdMap(0), 'RANGE_WITHIN')).toBe(false);
    expect(regsafe(env, pointerReg('PTR_TO_CTX'), constScalar(0n), new IdMap(0), 'NOT_EXACT')).toBe(false);
    const mv = pointerReg('PTR_TO_MAP_VALUE', { map: arr });
    const mvNull = pointerReg('PTR_TO_MAP_VALUE', { map: arr, flags: PTR_MAYBE_NULL, id: 1 });
    expect(regsafe(env, mv, mvNull, new IdMap(0), 'NOT_EXACT')).toBe(false);
  });
  it('map value pointers need the same map and offset', () => {
    const a = pointerReg('PTR_TO_MAP_VALUE', { map: arr });
    const b = pointerReg('PTR_TO_MAP_VALUE', { map: arr, off: 4 });
    expect(regsafe(env, a, pointerReg('PTR_TO_MAP_VALUE', { map: arr }), new IdMap(0), 'NOT_EXACT')).toBe(true);
    expect(regsafe(env, a, b, new IdMap(0), 'NOT_EXACT')).toBe(false);
  });
  it('packet pointers: old range must not exceed current', () => {
    const o = pointerReg('PTR_TO_PACKET', { range: 8 });
    expect(regsafe(env, o, pointerReg('PTR_TO_PACKET', { range: 14 }), new IdMap(0), 'NOT_EXACT')).toBe(true);
    expect(regsafe(env, o, pointerReg('PTR_TO_PACKET', { range: 4 }), new IdMap(0), 'NOT_EXACT')).toBe(false);
  });
  it('ids must map one to one', () => {
    const m = new IdMap(0);
    expect(m.checkIds(1, 5)).toBe(true);
    expect(m.checkIds(1, 5)).toBe(true);
    expect(m.checkIds(1, 6)).toBe(false);
    expect(m.checkIds(2, 5)).toBe(false);
    expect(m.checkIds(0, 0)).toBe(true);
    expect(m.checkIds(0, 3)).toBe(false);
    // precise scalars with ids: two old regs sharing an id need two cur regs sharing an id
    const m2 = new IdMap(10);
    expect(m2.checkScalarIds(1, 0)).toBe(true);
    expect(m2.checkScalarIds(1, 0)).toBe(false);
  });
  it('linked (BPF_ADD_CONST) scalars need equal deltas', () => {
    const o = unknownScalar();
    o.precise = true;
    o.id = 3 | BPF_ADD_CONST;
    o.off = 1;
    const c = { ...o, off: 2 };
    expect(regsafe(env, o, c, new IdMap(0), 'NOT_EXACT')).toBe(false);
    expect(regsafe(env, o, { ...o }, new IdMap(0), 'NOT_EXACT')).toBe(true);
  });
});

describe('stacksafe and states_equal', () => {
  it('misc covers zero, not the reverse; spills compared with regsafe', () => {
    const o = entryState();
    const c = entryState();
    growStack(o.frame[0]!, 8);
    growStack(c.frame[0]!, 8);
    o.frame[0]!.stack[0]!.slotType.fill(STACK_MISC);
    c.frame[0]!.stack[0]!.slotType.fill(STACK_ZERO);
    const noUninit = { idGen: 1 };
    expect(stacksafe(noUninit, o.frame[0]!, c.frame[0]!, new IdMap(0), 'NOT_EXACT')).toBe(true);
    expect(stacksafe(noUninit, c.frame[0]!, o.frame[0]!, new IdMap(0), 'NOT_EXACT')).toBe(false);
    // a precise spilled constant vs a misc slot
    o.frame[0]!.stack[0]!.slotType.fill(STACK_SPILL);
    o.frame[0]!.stack[0]!.spilledPtr = { ...constScalar(7n), precise: true };
    c.frame[0]!.stack[0]!.slotType.fill(STACK_MISC);
    expect(stacksafe(noUninit, o.frame[0]!, c.frame[0]!, new IdMap(0), 'NOT_EXACT')).toBe(false);
    c.frame[0]!.stack[0]!.slotType.fill(STACK_SPILL);
    c.frame[0]!.stack[0]!.spilledPtr = constScalar(7n);
    expect(stacksafe(noUninit, o.frame[0]!, c.frame[0]!, new IdMap(0), 'NOT_EXACT')).toBe(true);
  });
  it('states_equal respects frames, speculation, references and liveness', () => {
    const o = entryState();
    const c = cloneVerifierState(o);
    expect(statesEqual(env, o, c)).toBe(true);
    c.refs.push({ type: 'REF_TYPE_PTR', id: 4, insnIdx: 2 });
    expect(statesEqual(env, o, c)).toBe(false);
    c.refs.pop();
    o.speculative = true;
    expect(statesEqual(env, o, c)).toBe(false);
    expect(statesEqual(env, c, o)).toBe(true);
    o.speculative = false;
    curRegs(o)[2] = pointerReg('PTR_TO_CTX');
    curRegs(c)[2] = constScalar(1n);
    expect(statesEqual(env, o, c)).toBe(false);
    expect(statesEqual({ ...env, liveRegsBefore: () => 0b10000000010 }, o, c)).toBe(true);
  });
});
