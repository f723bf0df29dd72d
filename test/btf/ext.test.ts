import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { BtfError, parseBtf, parseBtfExt } from '../../src/btf/index.js';

const elf = parseElf(new Uint8Array(readFileSync(new URL('./fixtures/types.bpf.o', import.meta.url))));
const btf = parseBtf(elf.sectionByName('.BTF')!.data);
const extBytes = elf.sectionByName('.BTF.ext')!.data;
// CO-RE truths: `llvm-objdump-19 -dr` (fixtures/types.objdump.txt)
const objdump = readFileSync(new URL('./fixtures/types.objdump.txt', import.meta.url), 'utf8');

describe('parseBtfExt', () => {
  const ext = parseBtfExt(extBytes, btf);

  it('func_info per section, in slots', () => {
    expect([...ext.funcInfo.keys()]).toEqual(['xdp', '.text', 'tp_btf/sched_switch']);
    expect(ext.funcInfo.get('xdp')).toEqual([{ insnOff: 0, typeId: 38 }]);
    expect(btf.nameOf(ext.funcInfo.get('.text')![0]!.typeId)).toBe('helper_sub');
    expect(ext.funcInfoRecSize).toBe(8);
  });

  it('line_info with file and line text', () => {
    const li = ext.lineInfo.get('xdp')!;
    expect(li).toHaveLength(13);
    expect(li[0]).toMatchObject({ insnOff: 0, lineNum: 73, lineCol: 0, line: 'int prog_xdp(void *ctx)' });
    expect(li[0]!.fileName.endsWith('types.bpf.c')).toBe(true);
    expect(li[3]).toMatchObject({ insnOff: 8, lineNum: 78, lineCol: 6, line: '\tif (!n)' });
    expect(li.at(-1)).toMatchObject({ insnOff: 37, lineNum: 84, line: '}' });
    expect(ext.lineInfo.get('.text')!.map((l) => l.insnOff)).toEqual([0, 2, 4, 5, 8, 9]);
  });

  it('CO-RE relocations match llvm-objdump', () => {
    const relos = ext.coreRelos.get('tp_btf/sched_switch')!;
    expect(relos.map((r) => [r.insnOff, r.typeId, r.accessStr, r.kind])).toEqual([
      [1, 47, '0:0', 'BPF_CORE_FIELD_BYTE_OFFSET'],
      [2, 47, '0:1:3', 'BPF_CORE_FIELD_BYTE_OFFSET'],
      [6, 47, '0:0', 'BPF_CORE_FIELD_EXISTS'],
      [8, 47, '0:1', 'BPF_CORE_FIELD_BYTE_SIZE'],
      [10, 47, '0', 'BPF_CORE_TYPE_ID_TARGET'],
      [13, 47, '0', 'BPF_CORE_TYPE_EXISTS'],
      [15, 47, '0', 'BPF_CORE_TYPE_SIZE'],
      [17, 29, '1', 'BPF_CORE_ENUMVAL_EXISTS'],
    ]);
    // cross-check against the objdump text: "<byte offset>:  CO-RE <kind> [type] ... (access)"
    const lines = [...objdump.matchAll(/^\s+([0-9a-f]+):\s+CO-RE <(\w+)> \[(\d+)\]/gm)];
    expect(lines.map((m) => [parseInt(m[1]!, 16) / 8, Number(m[3])])).toEqual(relos.map((r) => [r.insnOff, r.typeId]));
    expect(ext.coreRelos.has('xdp')).toBe(false);
  });

  it('rejects bad records', () => {
    const b = extBytes.slice();
    const dv = new DataView(b.buffer);
    const hdrLen = dv.getUint32(4, true);
    const fiOff = hdrLen + dv.getUint32(8, true);
    // first func_info record: insn_off at fiOff + 4 (rec size) + 8 (sec hdr)
    dv.setUint32(fiOff + 12, 3, true);
    expect(() => parseBtfExt(b, btf)).toThrow(/insn_off 3 is not a multiple of 8/);
    dv.setUint32(fiOff + 12, 0, true);
    dv.setUint32(fiOff + 16, 2, true);
    expect(() => parseBtfExt(b, btf)).toThrow(/type 2 is not a FUNC/);
    dv.setUint32(fiOff + 16, 9999, true);
    expect(() => parseBtfExt(b, btf)).toThrow(/type id 9999 out of range/);
    dv.setUint32(fiOff, 4, true);
    expect(() => parseBtfExt(b, btf)).toThrow(BtfError);
    expect(() => parseBtfExt(extBytes.subarray(0, 8), btf)).toThrow(/truncated/);
  });
});
