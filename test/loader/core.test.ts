import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import { CORE_POISON_IMM, essentialName, type BpfObjectSpec } from '../../src/loader/index.js';
import { open, prog, targetBtf } from './helpers.js';

// core_reloc.bpf.c is compiled against local struct definitions; core_target.bpf.c holds the
// "kernel" layout (see the offsets in its comments). Relocating one against the other must
// give the target's offsets, sizes, bitfield shifts, ids and enum values.
const tb = targetBtf();
const local: BpfObjectSpec = open('core_reloc');
const reloc: BpfObjectSpec = open('core_reloc', { targetBtf: tb });
const insns = (name: string): Insn[] => prog(reloc, name).insns;
const movImms = (xs: Insn[]): number[] => xs.filter((x) => x.code === 0xb7 || x.code === 0x18).map((x) => x.imm);

describe('CO-RE relocation against a differing target layout', () => {
  it('the compiled object really uses the local layout', () => {
    const d = prog(local, 'core_direct_loads').insns;
    expect(d.filter((x) => (x.code & 7) === 1).map((x) => x.off)).toEqual([4, 0, 16, 32, 52]);
  });

  it('rewrites load offsets and widens an unsigned field load (u8 → u32)', () => {
    const loads = insns('core_direct_loads').filter((x) => (x.code & 7) === 1);
    // c (u8 → u32 at 12), a (56), b (0, u64), arr[2] (32 + 8), inner.y (64 + 8)
    expect(loads.map((x) => [x.code, x.off])).toEqual([
      [0x61, 12],
      [0x61, 56],
      [0x79, 0],
      [0x61, 40],
      [0x61, 72],
    ]);
    expect(prog(reloc, 'core_direct_loads').coreFailures).toEqual([]);
  });

  it('poisons a load whose signed size changes, recording why', () => {
    const p = prog(reloc, 'core_memsz_poison');
    expect(p.insns[0]).toEqual({ code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM });
    expect(p.coreFailures).toHaveLength(1);
    expect(p.coreFailures[0]!.insnOff).toBe(0);
    expect(p.coreFailures[0]!.reason).toMatch(/<byte_off> \[\d+\] struct core_sample\.sh .*cannot adjust the memory access size from 2 to 4/);
  });

  it('poisons an access to a field the target does not have', () => {
    const p = prog(reloc, 'core_missing_field');
    expect(p.insns[0]!.imm).toBe(CORE_POISON_IMM);
    expect(p.insns[0]!.code).toBe(0x85);
    expect(p.coreFailures[0]!.reason).toMatch(/failed to resolve CO-RE relocation <byte_off> \[\d+\] struct core_sample___old\.removed_field \(0:0 @ offset 0\)/);
  });

  it('relocates pointer-chasing address arithmetic (BPF_CORE_READ)', () => {
    const p = insns('core_probe_read');
    expect(p[3]).toMatchObject({ code: 0x79, off: 24 }); // s->next
    expect(movImms(p)).toEqual([24, 8, 12]); // &s->next, ->y, ->x in the target
  });

  it('field byte offset and byte size', () => {
    expect(movImms(insns('core_field_offset'))).toEqual([0]); // b: 16 locally, 0 in target
    expect(movImms(prog(local, 'core_field_offset').insns)).toEqual([16]);
    expect(movImms(insns('core_field_size'))).toEqual([4]); // c: 1 locally, 4 in target
  });

  it('field existence through ___flavor candidates', () => {
    // removed_field (___old) is gone, added_in_v2 (___v2) exists
    expect(movImms(insns('core_field_exists'))).toEqual([0, 1]);
    expect(movImms(prog(local, 'core_field_exists').insns)).toEqual([1, 1]);
  });

  it('bitfield offset, size, shifts and signedness', () => {
    const p = insns('core_bitfield');
    const loads = p.filter((x) => (x.code & 7) === 1);
    expect(new Set(loads.map((x) => x.off))).toEqual(new Set([16]));
    const sizes = movImms(p).filter((v) => v !== 0 && v !== 1);
    expect(sizes).toEqual([4, 4]);
    const lsh = p.filter((x) => x.code === 0x67).map((x) => x.imm);
    const rsh = p.filter((x) => x.code === 0xc7 || x.code === 0x77).map((x) => x.imm);
    // sbits: bits 137..141 → lshift 64-(137+5-128)=50, rshift 59; lo: bits 142..144 → 47, 61
    expect(lsh).toEqual([50, 47]);
    expect(rsh).toEqual([59, 59, 61, 61]);
    expect(movImms(insns('core_field_signed'))).toEqual([0, 1]);
  });

  it('type ids: local stays, target becomes the target BTF id', () => {
    const localId = reloc.btf!.findIdByName('core_sample', 'struct');
    const targId = tb.findIdByName('core_sample', 'struct');
    expect(localId).toBeGreaterThan(0);
    expect(targId).not.toBe(localId);
    const lds = insns('core_type_ids').filter((x) => x.code === 0x18);
    expect(lds.map((x) => [x.imm, x.imm2])).toEqual([[localId, 0], [targId, 0]]);
  });

  it('type exists, size and matches', () => {
    // core_missing: absent; core_inner_t: present; sizeof(core_sample) 88; core_inner matches
    expect(movImms(insns('core_type_info'))).toEqual([0, 1, 88, 1]);
  });

  it('enum value and enumerator existence', () => {
    expect(movImms(insns('core_enum'))).toEqual([20, 0, 1]);
    expect(movImms(prog(local, 'core_enum').insns)).toEqual([2, 1, 1]);
  });

  it('leaves instructions as compiled without a target BTF', () => {
    for (const p of local.programs) {
      expect(p.coreFailures).toEqual([]);
      expect(p.insns.some((x) => x.imm === CORE_POISON_IMM)).toBe(false);
    }
  });

  it('strips ___flavor suffixes like libbpf', () => {
    expect(essentialName('task_struct___v2')).toBe('task_struct');
    expect(essentialName('a___b___c')).toBe('a___b');
    expect(essentialName('x____y')).toBe('x____y');
    expect(essentialName('plain')).toBe('plain');
    expect(essentialName('___x')).toBe('___x');
  });
});
