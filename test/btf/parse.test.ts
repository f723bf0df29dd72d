import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { BtfError, dumpRaw, parseBtf, type BtfType } from '../../src/btf/index.js';

const obj = new Uint8Array(readFileSync(new URL('./fixtures/types.bpf.o', import.meta.url)));
const btfBytes = parseElf(obj).sectionByName('.BTF')!.data;
// `bpftool btf dump file test/btf/fixtures/types.bpf.o` captured at fixture build time
const rawTruth = readFileSync(new URL('./fixtures/types.raw.txt', import.meta.url), 'utf8');

describe('parseBtf on clang-19 output', () => {
  const btf = parseBtf(btfBytes);

  it('dumps exactly like bpftool', () => {
    expect(dumpRaw(btf)).toBe(rawTruth);
  });

  it('get / nameOf / kinds', () => {
    expect(btf.length).toBe(65);
    expect(btf.types).toHaveLength(65);
    expect(btf.get(0).kind).toBe('void');
    expect(btf.get(2)).toEqual({ kind: 'int', id: 2, name: 'int', size: 4, encoding: 1, signed: true, bitsOffset: 0, bits: 32 });
    expect(btf.nameOf(11)).toBe('node');
    expect(btf.kindName(12)).toBe('decl_tag');
    expect(() => btf.get(65)).toThrow(BtfError);
    expect(() => btf.get(-1)).toThrow(BtfError);
    expect(() => btf.get(1.5)).toThrow(BtfError);
  });

  it('resolve skips typedef and modifiers', () => {
    expect(btf.resolve(13).name).toBe('int'); // const volatile int
    expect(btf.resolveId(8)).toBe(9); // __u32 -> unsigned int
    expect(btf.resolve(21).kind).toBe('ptr'); // cmp_fn
    expect(btf.resolve(30).id).toBe(2); // type_tag
  });

  it('sizeof / alignof', () => {
    expect(btf.sizeof(11)).toBe(128);
    expect(btf.sizeof(16)).toBe(48); // int[4][3]
    expect(btf.sizeof(13)).toBe(4);
    expect(btf.sizeof(21)).toBe(8);
    expect(btf.sizeof(52)).toBe(16);
    expect(btf.sizeof(56)).toBe(8);
    expect(btf.sizeof(35)).toBe(32); // var
    expect(() => btf.sizeof(0)).toThrow(/no size/);
    expect(() => btf.sizeof(38)).toThrow(BtfError);
    expect(btf.alignof(11)).toBe(8);
    expect(btf.alignof(26)).toBe(4);
    expect(btf.alignof(19)).toBe(2);
    expect(btf.alignof(33)).toBe(1);
  });

  it('members with bitfields', () => {
    expect(btf.members(52)).toEqual([
      { name: 'lo', type: 9, bitOffset: 0, bitfieldSize: 3 },
      { name: 'mid', type: 9, bitOffset: 3, bitfieldSize: 13 },
      { name: 'neg', type: 2, bitOffset: 16, bitfieldSize: 5 },
      { name: 'wide', type: 44, bitOffset: 21, bitfieldSize: 40 },
      { name: 'c', type: 27, bitOffset: 64, bitfieldSize: 0 },
    ]);
    expect(() => btf.members(2)).toThrow(/not a struct or union/);
  });

  it('memberAt / findMember (through anonymous unions)', () => {
    expect(btf.memberAt(11, 0)!.member.name).toBe('next');
    expect(btf.memberAt(11, 7)).toMatchObject({ index: 0, offsetInMember: 7 });
    expect(btf.memberAt(11, 20)).toMatchObject({ index: 2, offsetInMember: 8 });
    expect(btf.memberAt(11, 60)!.member.name).toBe('');
    expect(btf.memberAt(11, 127)!.member.name).toBe('name');
    expect(btf.memberAt(11, 128)).toBeUndefined();
    expect(btf.memberAt(52, 1)!.member.name).toBe('mid');
    expect(btf.memberAt(52, 2)!.member.name).toBe('neg');
    expect(btf.memberAt(52, 5)!.member.name).toBe('wide');
    expect(btf.memberAt(52, 8)!.member.name).toBe('c');
    expect(btf.findMember(11, 'f')).toEqual({ member: { name: 'f', type: 18, bitOffset: 0, bitfieldSize: 0 }, bitOffset: 480, path: [3, 1] });
    expect(btf.findMember(11, 'pt')!.bitOffset).toBe(512);
    expect(btf.findMember(11, 'x')).toBeUndefined(); // pt is named: no flattening
    expect(btf.findMember(11, 'nope')).toBeUndefined();
  });

  it('fieldAt walks nested structs, anonymous unions and arrays', () => {
    expect(btf.fieldAt(11, 0)).toMatchObject({ path: 'next', typeId: 10, offsetInField: 0 });
    expect(btf.fieldAt(11, 12 + 4 * 5 + 2)).toMatchObject({ path: 'arr[1][2]', typeId: 2, offsetInField: 2 });
    expect(btf.fieldAt(11, 60)).toMatchObject({ path: 'u32v', typeId: 8 });
    expect(btf.fieldAt(11, 66)).toMatchObject({ path: 'pt.y', typeId: 20, offsetInField: 0 });
    expect(btf.fieldAt(11, 84)).toMatchObject({ path: 'in.b', typeId: 27 });
    expect(btf.fieldAt(11, 115)).toMatchObject({ path: 'name[3]', typeId: 27 });
    expect(btf.fieldAt(52, 1)).toMatchObject({ path: 'mid', typeId: 9 });
    expect(btf.fieldAt(11, 500)).toBeUndefined();
  });

  it('findByName with and without kind', () => {
    expect(btf.findByName('task_struct', 'struct')!.id).toBe(47);
    expect(btf.findByName('__u32')!.kind).toBe('typedef');
    expect(btf.findByName('prog_xdp', 'func')!.id).toBe(38);
    expect(btf.findByName('prog_xdp', 'struct')).toBeUndefined();
    expect(btf.findIdByName('nothing')).toBe(-1);
    expect(btf.findAllByName('int').map((t: BtfType) => t.id)).toEqual([2]);
  });

  it('typeToString spells C', () => {
    expect(btf.typeToString(10)).toBe('struct node *');
    expect(btf.typeToString(13)).toBe('const volatile int');
    expect(btf.typeToString(16)).toBe('int [4][3]');
    expect(btf.typeToString(22)).toBe('int (*)(const struct node *, const struct node *)');
    expect(btf.typeToString(24, 'p')).toBe('const struct node *p');
    expect(btf.typeToString(33, 'name')).toBe('char name[16]');
    expect(btf.typeToString(36)).toBe('void *');
    expect(btf.typeToString(17)).toBe('union (anon)');
    expect(btf.typeToString(40)).toBe('int helper_sub(struct node *n, int k)');
    expect(btf.typeToString(1)).toBe('int (*)[1]');
    expect(btf.typeToString(56)).toBe('enum big64');
  });

  it('enum values signed and unsigned, enum64', () => {
    const col = btf.getKind(29, 'enum');
    expect(col.signed).toBe(true);
    expect(col.values).toEqual([
      { name: 'RED', value: 0 },
      { name: 'GREEN', value: 5 },
      { name: 'BLUE', value: -1 },
    ]);
    expect(btf.enumValues(56)).toEqual([
      { name: 'SMALL', value: 1n },
      { name: 'HUGE', value: 0xfffffffff0000000n },
    ]);
    expect(btf.enumValues(29)[2]!.value).toBe(-1n);
  });

  it('func_proto params, datasec vars, decl tags', () => {
    expect(btf.params(40)).toEqual([
      { name: 'n', type: 10 },
      { name: 'k', type: 2 },
    ]);
    expect(btf.funcProto(21).params).toHaveLength(2);
    expect(btf.getKind(38, 'func').linkage).toBe(1);
    expect(btf.datasecVars(60).map((v) => btf.nameOf(v.type))).toEqual(['buf', 'gbits', 'bss_hidden', 'gbig']);
    expect(btf.declTags(11).map((t) => t.name)).toEqual(['struct_tag', 'member_tag']);
    expect(btf.declTags(11, -1).map((t) => t.name)).toEqual(['struct_tag']);
    expect(btf.declTags(11, 6).map((t) => t.name)).toEqual(['member_tag']);
    expect(btf.declTags(40, 1).map((t) => t.name)).toEqual(['param_tag']);
    expect(btf.declTags(2)).toEqual([]);
  });
});

const VMLINUX = '/sys/kernel/btf/vmlinux';
describe.skipIf(!existsSync(VMLINUX))('vmlinux BTF (host)', () => {
  it('parses and answers queries', () => {
    const t0 = performance.now();
    const btf = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
    const ts = btf.findByName('task_struct', 'struct')!;
    const ms = performance.now() - t0;
    expect(btf.length).toBeGreaterThan(50_000);
    expect(btf.typeToString(btf.findMember(ts.id, 'mm')!.member.type)).toBe('struct mm_struct *');
    expect(btf.findMember(ts.id, 'pid')).toBeDefined();
    expect(btf.sizeof(ts.id)).toBeGreaterThan(1000);
    // informational only (timed assertions do not belong in tests)
    console.log(`vmlinux: ${btf.length} types, parse + name index ${ms.toFixed(0)} ms`);
  });
});
