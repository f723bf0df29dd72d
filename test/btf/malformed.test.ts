import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseElf } from '../../src/elf/index.js';
import { BtfError, BtfWriter, dumpRaw, parseBtf, parseBtfExt, dumpC, type Btf } from '../../src/btf/index.js';

const elf = parseElf(new Uint8Array(readFileSync(new URL('./fixtures/types.bpf.o', import.meta.url))));
const good = elf.sectionByName('.BTF')!.data.slice();
const goodExt = elf.sectionByName('.BTF.ext')!.data.slice();

function exercise(btf: Btf): void {
  onlyBtfError(() => dumpRaw(btf));
  onlyBtfError(() => dumpC(btf));
  for (let id = 0; id < btf.length; id++) {
    const fs = [
      () => btf.sizeof(id),
      () => btf.alignof(id),
      () => btf.resolve(id),
      () => btf.typeToString(id),
      () => btf.members(id),
      () => btf.findMember(id, 'x'),
      () => btf.memberAt(id, 4),
    ];
    for (const f of fs) {
      try {
        f();
      } catch (e) {
        if (!(e instanceof BtfError)) throw e;
      }
    }
  }
}

function onlyBtfError(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
  }
}

describe('malformed BTF', () => {
  it('rejects bad magic, version, header and section bounds', () => {
    const m = (f: (dv: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(new DataView(b.buffer));
      return b;
    };
    expect(() => parseBtf(good.subarray(0, 10))).toThrow(/truncated/);
    expect(() => parseBtf(m((dv) => dv.setUint16(0, 0x1234, true)))).toThrow(/bad BTF magic/);
    expect(() => parseBtf(m((dv) => dv.setUint16(0, 0x9feb, true)))).toThrow('big-endian BTF is not supported');
    expect(() => parseBtf(m((dv) => dv.setUint8(2, 2)))).toThrow(/version 2/);
    expect(() => parseBtf(m((dv) => dv.setUint32(4, 8, true)))).toThrow(/hdr_len 8/);
    expect(() => parseBtf(m((dv) => dv.setUint32(12, 0xffffff, true)))).toThrow(/type section/);
    expect(() => parseBtf(m((dv) => dv.setUint32(20, 0xffffff, true)))).toThrow(/string section/);
    expect(() => parseBtf(m((dv) => dv.setUint32(8, 2, true)))).toThrow(/aligned/);
  });

  it('rejects out-of-range type ids and name offsets with the offending type named', () => {
    const w = new BtfWriter();
    w.addInt('int', 4);
    w.addPtr(7);
    expect(() => parseBtf(w.finish())).toThrow(/type \[2\].*referenced type id 7 out of range/);
    const w2 = new BtfWriter();
    w2.addStruct('s', 4, [{ name: 'a', type: 9, offset: 0 }]);
    expect(() => parseBtf(w2.finish())).toThrow(/member 0 type id 9/);
    const w3 = new BtfWriter();
    w3.addFunc('f', w3.addInt('int', 4));
    expect(() => parseBtf(w3.finish())).toThrow(/not a FUNC_PROTO/);
    const b = new BtfWriter();
    b.addInt('int', 4);
    const bytes = b.finish();
    new DataView(bytes.buffer).setUint32(24, 999, true); // name_off of type 1
    expect(() => parseBtf(bytes)).toThrow(/type \[1\] at type-section offset 0: name offset 999/);
  });

  it('cycles do not hang resolve/sizeof/typeToString', () => {
    const w = new BtfWriter();
    // 1: typedef a -> 2, 2: const -> 1 (a modifier loop), 3: array of 4, 4: array of 3
    w.addTypedef('a', 2);
    w.addConst(1);
    w.addArray(4, 2, 5);
    w.addArray(3, 2, 5);
    w.addInt('u32', 4);
    const s = w.addStruct('s', 8);
    w.setMembers(s, [{ name: 'self', type: s, offset: 0 }]);
    const btf = parseBtf(w.finish());
    expect(() => btf.resolve(1)).toThrow(/cyclic/);
    expect(() => btf.sizeof(1)).toThrow(BtfError);
    expect(() => btf.sizeof(3)).toThrow(/cyclic/);
    expect(() => btf.alignof(s)).toThrow(BtfError);
    expect(() => btf.typeToString(3)).toThrow(BtfError);
    expect(btf.sizeof(s)).toBe(8);
    onlyBtfError(() => dumpC(btf)); // terminates: a header or a BtfError
    exercise(btf);
  });

  it('truncations and corruptions throw only BtfError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length }), (n) => {
        onlyBtfError(() => exercise(parseBtf(good.subarray(0, n))));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const b = good.slice();
        for (const [o, v] of edits) b[o] = v;
        onlyBtfError(() => exercise(parseBtf(b)));
      }),
      { numRuns: 150 },
    );
  });

  it('BTF.ext truncations and corruptions throw only BtfError', () => {
    const btf = parseBtf(good);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: goodExt.length }), (n) => {
        onlyBtfError(() => parseBtfExt(goodExt.subarray(0, n), btf));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(goodExt.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const b = goodExt.slice();
        for (const [o, v] of edits) b[o] = v;
        onlyBtfError(() => parseBtfExt(b, btf));
      }),
      { numRuns: 150 },
    );
  });
});
