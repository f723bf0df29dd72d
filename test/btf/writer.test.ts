import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BtfError, BtfWriter, dumpRaw, parseBtf, type BtfTypeInput } from '../../src/btf/index.js';

const name = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/), fc.constantFrom('ünï', 'task_struct', 'x'));

/** a list of type records whose references all point at ids 0..n (n = list length) */
const typeList = fc.integer({ min: 1, max: 25 }).chain((n) => {
  const ref = fc.integer({ min: 0, max: n });
  const nonVoid = fc.integer({ min: 1, max: n });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const rec: fc.Arbitrary<BtfTypeInput> = fc.oneof(
    fc.record({ kind: fc.constant('int' as const), name, size: fc.constantFrom(1, 2, 4, 8, 16), encoding: fc.constantFrom(0, 1, 2, 4), bitsOffset: fc.constant(0) }).map(
      (t) => ({ ...t, signed: (t.encoding & 1) !== 0, bits: t.size * 8 }),
    ),
    fc.record({ kind: fc.constantFrom('ptr' as const, 'typedef' as const, 'volatile' as const, 'const' as const, 'restrict' as const, 'type_tag' as const), name, type: ref }),
    fc.record({ kind: fc.constant('array' as const), name: fc.constant(''), type: ref, indexType: ref, nelems: u32 }),
    fc
      .record({
        kind: fc.constantFrom('struct' as const, 'union' as const),
        name,
        size: u32,
        kflag: fc.boolean(),
        members: fc.array(fc.record({ name, type: ref, bitOffset: fc.integer({ min: 0, max: 0xffffff }), bitfieldSize: fc.integer({ min: 0, max: 255 }) }), { maxLength: 5 }),
      })
      .map((t) => ({ ...t, kflag: t.kflag || t.members.some((m) => m.bitfieldSize !== 0) })),
    fc.boolean().chain((signed) =>
      fc.record({
        kind: fc.constant('enum' as const),
        name,
        size: fc.constantFrom(1, 2, 4),
        signed: fc.constant(signed),
        values: fc.array(fc.record({ name, value: signed ? fc.integer({ min: -0x80000000, max: 0x7fffffff }) : u32 }), { maxLength: 4 }),
      }),
    ),
    fc.boolean().chain((signed) =>
      fc.record({
        kind: fc.constant('enum64' as const),
        name,
        size: fc.constant(8),
        signed: fc.constant(signed),
        values: fc.array(fc.record({ name, value: signed ? fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) : fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }), { maxLength: 4 }),
      }),
    ),
    fc.record({ kind: fc.constant('fwd' as const), name, fwdKind: fc.constantFrom('struct' as const, 'union' as const) }),
    fc.record({
      kind: fc.constant('func_proto' as const),
      name: fc.constant(''),
      ret: ref,
      params: fc.array(fc.record({ name, type: nonVoid }), { maxLength: 4 }),
      variadic: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('var' as const), name, type: ref, linkage: fc.constantFrom(0, 1, 2) }),
    fc.record({ kind: fc.constant('datasec' as const), name, size: u32, vars: fc.array(fc.record({ type: ref, offset: u32, size: u32 }), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('float' as const), name, size: fc.constantFrom(2, 4, 8, 12, 16) }),
    fc.record({ kind: fc.constant('decl_tag' as const), name, type: ref, componentIdx: fc.integer({ min: -1, max: 10 }) }),
  );
  return fc.array(rec, { minLength: n, maxLength: n });
});

/** make the generated list valid BTF: no self references, FUNCs get their own FUNC_PROTO */
function sanitize(list: BtfTypeInput[]): BtfTypeInput[] {
  return list.map((t, i) => {
    const id = i + 1;
    if ('type' in t && t.kind !== 'array' && t.type === id) return { ...t, type: 0 };
    return t;
  });
}

describe('BtfWriter', () => {
  it('round-trips arbitrary type lists through parseBtf', () => {
    fc.assert(
      fc.property(typeList, (raw) => {
        const list = sanitize(raw);
        const w = new BtfWriter();
        for (const t of list) w.addType(t);
        w.addFunc('f', w.addFuncProto(0, []), 'static');
        const btf = parseBtf(w.finish());
        expect(btf.length).toBe(list.length + 3);
        list.forEach((t, i) => expect(btf.get(i + 1)).toEqual({ ...t, id: i + 1 }));
        // and a second generation is byte-identical
        const w2 = new BtfWriter();
        w2.addAll(btf);
        expect(w2.finish()).toEqual(w.finish());
      }),
      { numRuns: 300 },
    );
  });

  it('builds kernel-like structs with the helper (bitfields, self reference, arrays)', () => {
    const w = new BtfWriter();
    const int = w.addInt('int', 4, { signed: true });
    const u32 = w.addInt('unsigned int', 4);
    const char = w.addInt('char', 1, { signed: true });
    const lh = w.addStruct('list_head', 16);
    w.setMembers(lh, [
      { name: 'next', type: w.ptrTo(lh), offset: 0 },
      { name: 'prev', type: w.ptrTo(lh), offset: 8 },
    ]);
    const ts = w.addStruct('task_struct', 64, [
      { name: 'pid', type: int, offset: 0 },
      { name: 'flags', type: u32, offset: 4, bitSize: 3 },
      { name: 'prio', type: u32, offset: 4, bitOffset: 3, bitSize: 7 },
      { name: 'comm', type: w.addArray(char, 16), offset: 8 },
      { name: 'tasks', type: lh, offset: 24 },
    ]);
    expect(w.ptrTo(lh)).toBe(w.ptrTo(lh));
    const btf = w.toBtf();
    expect(btf.sizeof(ts)).toBe(64);
    expect(btf.findMember(ts, 'prio')!.member).toEqual({ name: 'prio', type: u32, bitOffset: 35, bitfieldSize: 7 });
    expect(btf.typeToString(btf.findMember(ts, 'comm')!.member.type)).toBe('char [16]');
    expect(btf.typeToString(btf.findMember(lh, 'next')!.member.type)).toBe('struct list_head *');
    expect(btf.getKind(ts, 'struct').kflag).toBe(true);
    expect(btf.getKind(lh, 'struct').kflag).toBe(false);
  });

  it('deduplicates strings', () => {
    const w = new BtfWriter();
    const a = w.addString('hello');
    expect(w.addString('hello')).toBe(a);
    expect(w.addString('')).toBe(0);
    const i = w.addInt('hello', 4);
    w.addTypedef('hello', i);
    const btf = w.toBtf();
    expect(btf.header.strLen).toBe(1 + 6);
    expect(() => w.addString('a\0b')).toThrow(BtfError);
  });

  it('writes split BTF on top of a base', () => {
    const bw = new BtfWriter();
    const int = bw.addInt('int', 4, { signed: true });
    const s = bw.addStruct('base_s', 4, [{ name: 'x', type: int, offset: 0 }]);
    const base = bw.toBtf();
    const mw = new BtfWriter({ base });
    expect(mw.addString('int')).toBe(1);
    expect(mw.addString('base_s')).toBe(base.strings.find('base_s'));
    const p = mw.addPtr(s);
    const m = mw.addStruct('mod_s', 8, [{ name: 'x', type: p, offset: 0 }]);
    const mod = mw.toBtf();
    expect(p).toBe(3);
    expect(mod.startId).toBe(3);
    expect(mod.length).toBe(5);
    expect(mod.typeToString(mod.findMember(m, 'x')!.member.type)).toBe('struct base_s *');
    expect(mod.get(1).name).toBe('int');
    expect(mod.findByName('base_s')!.id).toBe(s);
    expect(mod.findByName('mod_s')!.id).toBe(m);
    expect(mod.types.map((t) => t.kind)).toEqual(['void', 'int', 'struct', 'ptr', 'struct']);
    expect(dumpRaw(mod)).toBe("[3] PTR '(anon)' type_id=2\n[4] STRUCT 'mod_s' size=8 vlen=1\n\t'x' type_id=3 bits_offset=0\n");
    expect(dumpRaw(parseBtf(mw.finish(), base))).toBe(dumpRaw(mod));
    // a split blob without its base does not parse: its string offsets point into the base
    expect(() => parseBtf(mw.finish())).toThrow(BtfError);
  });

  it('rejects values that do not fit', () => {
    const w = new BtfWriter();
    w.addEnum('e', { BIG: 2 ** 33 });
    expect(() => w.finish()).toThrow(/addEnum64/);
    const w2 = new BtfWriter();
    w2.addPtr(-1);
    expect(() => w2.finish()).toThrow(BtfError);
    expect(() => new BtfWriter().addVar('x', 1, 'weird' as 'global')).toThrow(BtfError);
  });
});
