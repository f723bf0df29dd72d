// decode(): layout, reserved-field checks (each naming the slot and the reason), non-strict mode.
import { describe, expect, it } from 'vitest';
import { decode, encode, IsaError, validate, OPCODES, INSN_FORMS, findForm, type Insn } from '../../src/isa/index.js';

const slot = (code: number, dst = 0, src = 0, off = 0, imm = 0): number[] => {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  b[0] = code;
  b[1] = (src << 4) | dst;
  dv.setInt16(2, off, true);
  dv.setInt32(4, imm, true);
  return [...b];
};
const prog = (...slots: number[][]): Uint8Array => new Uint8Array(slots.flat());
const MOV0 = slot(0xb7);

describe('decode layout', () => {
  it('reads little-endian fields with signed off and imm', () => {
    const [i] = decode(prog(slot(0x79, 1, 10, -8, 0)));
    expect(i).toEqual({ code: 0x79, dst: 1, src: 10, off: -8, imm: 0 });
    const [j] = decode(prog(slot(0x07, 1, 0, 0, -0x80000000)));
    expect(j.imm).toBe(-0x80000000);
  });

  it('keeps ld_imm64 as two slots: imm/imm2 on the first, raw high half on the second', () => {
    const insns = decode(prog(slot(0x18, 2, 0, 0, 0x89abcdef), slot(0, 0, 0, 0, 0x01234567), MOV0));
    expect(insns).toHaveLength(3);
    expect(insns[0]).toMatchObject({ code: 0x18, dst: 2, imm: 0x89abcdef | 0, imm2: 0x01234567 });
    expect(insns[1]).toEqual({ code: 0, dst: 0, src: 0, off: 0, imm: 0x01234567 });
    expect(insns[2].code).toBe(0xb7);
  });

  it('encode is the inverse of decode', () => {
    const bytes = prog(slot(0x18, 2, 0, 0, -1), slot(0, 0, 0, 0, 7), slot(0xdb, 1, 2, -3, 0xf1), slot(0x95));
    expect([...encode(decode(bytes))]).toEqual([...bytes]);
  });

  it('encode rejects values that do not fit their field', () => {
    expect(() => encode([{ code: 0xb7, dst: 16, src: 0, off: 0, imm: 0 }])).toThrow(IsaError);
    expect(() => encode([{ code: 0xb7, dst: 0, src: 0, off: 0x10000, imm: 0 }])).toThrow(/off/);
    expect(() => encode([{ code: 0x18, dst: 0, src: 0, off: 0, imm: 0 }])).toThrow(/second slot/);
  });
});

// [description, bytes, slot of the error, message fragment]
const REJECT: Array<[string, Uint8Array, number, RegExp]> = [
  ['length not a multiple of 8', new Uint8Array(12), 1, /multiple of 8/],
  ['unknown opcode (JMP|CALL|X)', prog(MOV0, MOV0, slot(0x8d)), 2, /unknown opcode 0x8d/],
  ['unknown opcode (ALU64|END|TO_BE)', prog(slot(0xdf, 1, 0, 0, 16)), 0, /unknown opcode 0xdf/],
  ['unknown opcode (LDX|MEMSX|DW)', prog(slot(0x99, 1, 2)), 0, /unknown opcode 0x99/],
  ['unknown opcode (JMP32|CALL)', prog(slot(0x86, 0, 0, 0, 1)), 0, /unknown opcode 0x86/],
  ['unknown opcode (JMP32|EXIT)', prog(slot(0x96)), 0, /unknown opcode 0x96/],
  ['unknown opcode (JMP|JA|X)', prog(slot(0x0d)), 0, /unknown opcode 0x0d/],
  ['unknown opcode (LD|ABS|DW)', prog(slot(0x38)), 0, /unknown opcode 0x38/],
  ['lone ld_imm64 second half', prog(slot(0x00, 0, 0, 0, 5)), 0, /unknown opcode 0x00/],
  ['ALU K with src', prog(slot(0x07, 1, 1, 0, 5)), 0, /src register must be 0, got 1/],
  ['ALU K with off', prog(slot(0x07, 1, 0, 3, 5)), 0, /off must be 0, got 3/],
  ['DIV K with off 2 (only 0 = div, 1 = sdiv)', prog(slot(0x37, 1, 0, 2, 5)), 0, /off must be one of 0, 1, got 2/],
  ['ALU X with imm', prog(slot(0x0f, 1, 2, 0, 5)), 0, /imm must be 0, got 5/],
  ['32-bit movsx from 32 bits', prog(slot(0xbc, 1, 2, 32)), 0, /off must be one of 0, 8, 16, got 32/],
  ['MOV K with movsx off', prog(slot(0xb7, 1, 0, 8, 1)), 0, /off must be 0, got 8/],
  ['addr_space_cast with bad address spaces', prog(slot(0xbf, 1, 2, 1, 5)), 0, /imm must be one of 0x1, 0x10000, got 5/],
  ['NEG with imm', prog(slot(0x87, 1, 0, 0, 1)), 0, /imm must be 0/],
  ['NEG with X', prog(slot(0x8f, 1, 2)), 0, /unknown opcode 0x8f/],
  ['END with width 8', prog(slot(0xd4, 1, 0, 0, 8)), 0, /imm must be one of 16, 32, 64, got 8/],
  ['dst register r11', prog(slot(0xb7, 11)), 0, /invalid dst register r11/],
  ['src register r12', prog(slot(0xbf, 1, 12)), 0, /invalid src register r12/],
  ['JA with imm', prog(slot(0x05, 0, 0, 1, 1)), 0, /imm must be 0, got 1/],
  ['JA with dst', prog(slot(0x05, 1, 0, 1)), 0, /dst register must be 0, got 1/],
  ['gotol with off', prog(slot(0x06, 0, 0, 1, 1)), 0, /off must be 0, got 1/],
  ['cond jump K with src', prog(slot(0x15, 1, 2, 1, 0)), 0, /src register must be 0/],
  ['cond jump X with imm', prog(slot(0x1d, 1, 2, 1, 7)), 0, /imm must be 0/],
  ['helper call with off', prog(slot(0x85, 0, 0, 1, 1)), 0, /off must be 0, got 1/],
  ['call with unknown src', prog(slot(0x85, 0, 3, 0, 1)), 0, /src register must be one of 0, 1, 2, got 3/],
  ['call with dst', prog(slot(0x85, 1, 0, 0, 1)), 0, /dst register must be 0/],
  ['exit with imm', prog(slot(0x95, 0, 0, 0, 1)), 0, /imm must be 0/],
  ['may_goto with src 1', prog(slot(0xe5, 0, 1, 1)), 0, /src register must be 0/],
  ['ld_imm64 with off', prog(slot(0x18, 1, 0, 1, 0), slot(0)), 0, /off must be 0, got 1/],
  ['ld_imm64 with unknown pseudo src', prog(slot(0x18, 1, 7, 0, 0), slot(0)), 0, /src register must be one of 0, 1, 2, 3, 4, 5, 6, got 7/],
  ['ld_imm64 MAP_FD with a high word', prog(slot(0x18, 1, 1, 0, 3), slot(0, 0, 0, 0, 1)), 0, /imm must be 0, got 1/],
  ['truncated ld_imm64', prog(MOV0, slot(0x18, 1, 0, 0, 3)), 1, /truncated ld_imm64/],
  ['ld_imm64 second half with code', prog(slot(0x18, 1), slot(0x07)), 1, /second slot/],
  ['ld_imm64 second half with regs', prog(slot(0x18, 1), slot(0, 1)), 1, /second slot/],
  ['ld_imm64 second half with off', prog(slot(0x18, 1), slot(0, 0, 0, 4)), 1, /second slot/],
  ['LD_ABS with dst', prog(slot(0x30, 1, 0, 0, 4)), 0, /dst register must be 0/],
  ['LD_IND with off', prog(slot(0x50, 0, 1, 2, 4)), 0, /off must be 0/],
  ['LDX with imm', prog(slot(0x61, 1, 2, 0, 1)), 0, /imm must be 0/],
  ['ST with src', prog(slot(0x62, 1, 2, 0, 1)), 0, /src register must be 0/],
  ['STX with imm', prog(slot(0x63, 1, 2, 0, 1)), 0, /imm must be 0/],
  ['unknown atomic op', prog(slot(0xc3, 1, 2, 0, 0x02)), 0, /imm must be one of .*got 2/],
  ['8-bit atomic add (only acquire/release exist)', prog(slot(0xd3, 1, 2, 0, 0)), 0, /imm must be one of 0x100, 0x110, got 0/],
];

describe('decode rejects', () => {
  it.each(REJECT)('%s', (_name, bytes, at, msg) => {
    let err: unknown;
    try {
      decode(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IsaError);
    expect((err as IsaError).slot).toBe(at);
    expect((err as IsaError).message).toMatch(msg);
    expect((err as IsaError).message).toContain(`insn ${at}:`);
  });

  it('non-strict decode keeps reserved fields but still checks structure', () => {
    const insns = decode(prog(slot(0x07, 1, 1, 3, 5), slot(0x8d)), { strict: false });
    expect(insns[0]).toEqual({ code: 0x07, dst: 1, src: 1, off: 3, imm: 5 });
    expect(() => decode(prog(slot(0x18)), { strict: false })).toThrow(/truncated/);
  });

  it('validate() checks hand-built programs the same way', () => {
    const ok: Insn[] = [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }];
    expect(() => validate(ok)).not.toThrow();
    expect(() => validate([...ok, { code: 0x95, dst: 0, src: 0, off: 0, imm: 9 }])).toThrow(/insn 2:/);
  });
});

describe('opcode table', () => {
  it('covers the cpu v4 ISA: every opcode byte with forms is decodable', () => {
    const valid = OPCODES.map((f, code) => (f.length ? code : -1)).filter((c) => c >= 0);
    // 2 x 12 ALU ops x K/X + NEG + END(s) per ALU class, jumps, loads/stores, atomics, ld_imm64
    expect(valid).toContain(0xd7); // bswap
    expect(valid).toContain(0xe5); // may_goto
    expect(valid).toContain(0x06); // gotol
    expect(valid).toContain(0x91); // ldsx b
    expect(valid).toContain(0xd3); // load-acquire b
    expect(valid).not.toContain(0xdf);
    expect(valid.length).toBe(new Set(INSN_FORMS.map((f) => f.code)).size);
  });

  it('findForm names the form an instruction is', () => {
    const f = (code: number, src = 0, off = 0, imm = 0): string | undefined =>
      findForm({ code, dst: 1, src, off, imm })?.name;
    expect(f(0x3f, 2, 1)).toBe('sdiv64');
    expect(f(0x3f, 2, 0)).toBe('div64');
    expect(f(0xbf, 2, 16)).toBe('movsx64');
    expect(f(0xdb, 2, 0, 0xf1)).toBe('cmpxchg64');
    expect(f(0xcb, 2, 0, 0x110)).toBe('store_release16');
    expect(findForm({ code: 0x85, dst: 0, src: 2, off: 3, imm: 9 })?.name).toBe('call_kfunc');
  });
});
