import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { BtfWriter, dumpC, parseBtf, type Btf } from '../../src/btf/index.js';

const hasClang = spawnSync('clang-19', ['--version']).status === 0;

/** header + layout assertions for every uniquely named struct/union */
function withAsserts(btf: Btf, header: string): string {
  const count = new Map<string, number>();
  for (let id = 1; id < btf.length; id++) {
    const k = btf.kindName(id);
    if (k === 'struct' || k === 'union' || k === 'enum' || k === 'enum64') count.set(btf.nameOf(id), (count.get(btf.nameOf(id)) ?? 0) + 1);
  }
  let out = header;
  for (let id = 1; id < btf.length; id++) {
    const t = btf.get(id);
    if ((t.kind !== 'struct' && t.kind !== 'union') || !t.name || count.get(t.name) !== 1) continue;
    out += `_Static_assert(sizeof(${t.kind} ${t.name}) == ${t.size}, "size ${t.name}");\n`;
    for (const m of t.members) {
      if (m.name && !m.bitfieldSize) {
        out += `_Static_assert(__builtin_offsetof(${t.kind} ${t.name}, ${m.name}) == ${m.bitOffset / 8}, "off ${t.name}.${m.name}");\n`;
      }
    }
  }
  return out;
}

function compile(src: string): { ok: boolean; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bpfwasm-dumpc-'));
  try {
    writeFileSync(join(dir, 'x.c'), src);
    const r = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-Werror', '-Wno-unused', '-c', join(dir, 'x.c'), '-o', join(dir, 'x.o')], { encoding: 'utf8' });
    return { ok: r.status === 0, log: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function trickyBtf(): Btf {
  const w = new BtfWriter();
  const int = w.addInt('int', 4, { signed: true });
  const uint = w.addInt('unsigned int', 4);
  const long = w.addInt('long', 8, { signed: true });
  const char = w.addInt('char', 1, { signed: true });
  const u8 = w.addInt('u8', 1);
  const bool = w.addInt('bool', 1, { bool: true });
  const ull = w.addInt('unsigned long long', 8);
  // typedef declared before the struct that points at itself through it
  const nodeT = w.addTypedef('node_t', 0);
  const node = w.addStruct('node', 16);
  (w.getType(nodeT) as { type: number }).type = node;
  w.setMembers(node, [
    { name: 'next', type: w.ptrTo(nodeT), offset: 0 },
    { name: 'val', type: int, offset: 8 },
  ]);
  // holes, trailing padding, bitfields with gaps
  w.addStruct('holes', 64, [
    { name: 'a', type: char, offset: 0 },
    { name: 'b', type: long, offset: 16 },
    { name: 'f1', type: uint, offset: 24, bitSize: 3 },
    { name: 'f2', type: uint, offset: 24, bitOffset: 9, bitSize: 5 },
    { name: 'f3', type: ull, offset: 24, bitOffset: 40, bitSize: 20 },
    { name: 'c', type: u8, offset: 33 },
    { name: 'flag', type: bool, offset: 34 },
  ]);
  w.addStruct('packed_s', 5, [
    { name: 'c', type: char, offset: 0 },
    { name: 'i', type: int, offset: 1 },
  ]);
  // same-named structs
  w.addStruct('dup', 4, [{ name: 'x', type: int, offset: 0 }]);
  w.addStruct('dup', 8, [{ name: 'y', type: long, offset: 0 }]);
  // anonymous members, unions, enums
  const color = w.addEnum('color', { RED: 0, GREEN: 1, BLUE: -1 });
  w.addEnum('', { ANON_A: 7, ANON_B: 8 });
  const small = w.addEnum('small', { S0: 0, S1: 1 }, { size: 1 });
  const e64 = w.addEnum64('e64', [
    { name: 'NEG', value: -5n },
    { name: 'BIG', value: 1n << 40n },
  ]);
  const inner = w.addStruct('', 8, [
    { name: 'lo', type: int, offset: 0 },
    { name: 'hi', type: int, offset: 4 },
  ]);
  const un = w.addUnion('', 8, [
    { name: 'whole', type: long, offset: 0 },
    { name: '', type: inner, offset: 0 },
  ]);
  const anonEnum = w.addEnum('', { MODE_X: 1, MODE_Y: 2 });
  // function pointers and arrays
  const fwd = w.addFwd('opaque');
  const cb = w.ptrTo(w.addFuncProto(int, [{ name: 'p', type: w.ptrTo(fwd) }, { type: long }], true));
  const arr = w.addArray(char, 16);
  const retArr = w.ptrTo(w.addFuncProto(w.ptrTo(arr), []));
  const constPtr = w.addConst(w.ptrTo(int));
  const volInt = w.addVolatile(int);
  w.addStruct('user', 72, [
    { name: 'u', type: un, offset: 0 },
    { name: 'col', type: color, offset: 8 },
    { name: 'mode', type: anonEnum, offset: 12 },
    { name: 'cb', type: cb, offset: 16 },
    { name: 'get_name', type: retArr, offset: 24 },
    { name: 'name', type: arr, offset: 32 },
    { name: 'cp', type: constPtr, offset: 48 },
    { name: 'vi', type: volInt, offset: 56 },
    { name: 'sm', type: small, offset: 60 },
    { name: 'big', type: e64, offset: 64 },
  ]);
  w.addTypedef('cb_t', cb);
  w.addTypedef('matrix_t', w.addArray(w.addArray(int, 3), 2));
  return w.toBtf();
}

describe('dumpC', () => {
  const tricky = trickyBtf();
  const header = dumpC(tricky);

  it('orders, forward-declares and inlines like bpftool', () => {
    // the typedef comes before the struct that uses it by pointer
    expect(header.indexOf('typedef struct node node_t;')).toBeGreaterThan(-1);
    expect(header.indexOf('typedef struct node node_t;')).toBeLessThan(header.indexOf('struct node {'));
    expect(header).toContain('struct opaque;');
    expect(header).toContain('struct dup___2 {');
    expect(header).toContain('} __attribute__((packed));');
    expect(header).toContain('\tint (*cb)(struct opaque *, long, ...);');
    expect(header).toContain('\tchar (*(*get_name)(void))[16];');
    expect(header).toContain('\tint *const cp;');
    expect(header).toContain('\tenum {\n\t\tMODE_X = 1,\n\t\tMODE_Y = 2,\n\t} mode;');
    expect(header).toContain('\tunion {\n\t\tlong whole;\n\t\tstruct {\n\t\t\tint lo;\n\t\t\tint hi;\n\t\t};\n\t} u;');
    expect(header).toContain('enum {\n\tANON_A = 7,\n\tANON_B = 8,\n};');
    expect(header).toContain('typedef unsigned char u8;');
    expect(header).toContain('typedef int matrix_t[2][3];');
    expect(header).toContain('\tunsigned int f2: 5;');
    expect(header).toContain('NEG = -5LL,');
    expect(header).toMatch(/^#ifndef __VMLINUX_H__/);
    expect(dumpC(tricky, { guard: false, preserveAccessIndex: false })).not.toContain('#pragma');
  });

  it.skipIf(!hasClang)('compiles with clang-19 -target bpf and reproduces every layout', () => {
    const r = compile(withAsserts(tricky, header));
    expect(r.log).toBe('');
    expect(r.ok).toBe(true);
  });

  it.skipIf(!hasClang)('compiles the BTF of a real clang-compiled object', () => {
    const obj = new Uint8Array(readFileSync(new URL('./fixtures/types.bpf.o', import.meta.url)));
    const btf = parseBtf(parseElf(obj).sectionByName('.BTF')!.data);
    const h = dumpC(btf);
    expect(h).toContain('struct node {');
    expect(h).toContain('\tunsigned long long wide: 40;');
    const r = compile(withAsserts(btf, h));
    expect(r.log).toBe('');
    expect(r.ok).toBe(true);
  });

  it.skipIf(!hasClang)('a program can use the dumped header', () => {
    const r = compile(`${header}\nint f(struct user *u) { return u->u.hi + u->name[3] + sizeof(struct holes); }\n`);
    expect(r.log).toBe('');
    expect(r.ok).toBe(true);
  });
});
