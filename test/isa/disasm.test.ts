// Hand-written expectations for both disassembly flavours and the listing formats.
import { describe, expect, it } from 'vitest';
import { disasm, disasmProgram, helperName, helperId, BPF_FUNC_MAX_ID, type Insn } from '../../src/isa/index.js';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0, imm2?: number): Insn =>
  imm2 === undefined ? { code, dst, src, off, imm } : { code, dst, src, off, imm, imm2 };

// [insn, kernel flavour, llvm flavour]
const CASES: Array<[Insn, string, string]> = [
  [I(0xb7, 0), 'r0 = 0', 'r0 = 0x0'],
  [I(0xb4, 1, 0, 0, -1), 'w1 = -1', 'w1 = -0x1'],
  [I(0x0c, 1, 2), 'w1 += w2', 'w1 += w2'],
  [I(0x07, 1, 0, 0, -8), 'r1 += -8', 'r1 += -0x8'],
  [I(0x1f, 3, 4), 'r3 -= r4', 'r3 -= r4'],
  [I(0x27, 1, 0, 0, 3), 'r1 *= 3', 'r1 *= 0x3'],
  [I(0x3f, 1, 2, 1), 'r1 s/= r2', 'r1 s/= r2'],
  [I(0x94, 1, 0, 1, 3), 'w1 s%= 3', 'w1 s%= 0x3'],
  [I(0x9f, 1, 2), 'r1 %= r2', 'r1 %= r2'],
  [I(0x67, 1, 0, 0, 3), 'r1 <<= 3', 'r1 <<= 0x3'],
  [I(0x7c, 1, 2), 'w1 >>= w2', 'w1 >>= w2'],
  [I(0xc7, 1, 0, 0, 4), 'r1 s>>= 4', 'r1 s>>= 0x4'],
  [I(0xa4, 1, 0, 0, -1), 'w1 ^= -1', 'w1 ^= -0x1'],
  [I(0xbf, 6, 1), 'r6 = r1', 'r6 = r1'],
  [I(0xbf, 1, 2, 8), 'r1 = (s8)r2', 'r1 = (s8)r2'],
  [I(0xbc, 1, 2, 16), 'w1 = (s16)w2', 'w1 = (s16)w2'],
  [I(0xbf, 1, 2, 32), 'r1 = (s32)r2', 'r1 = (s32)r2'],
  [I(0xbf, 1, 2, 1, 1), 'r1 = addr_space_cast(r2, 0, 1)', 'r1 = addr_space_cast(r2, 0x0, 0x1)'],
  [I(0x87, 1), 'r1 = -r1', 'r1 = -r1'],
  [I(0x84, 1), 'w1 = -w1', 'w1 = -w1'],
  [I(0xdc, 1, 0, 0, 16), 'r1 = be16 r1', 'r1 = be16 r1'],
  [I(0xd4, 1, 0, 0, 64), 'r1 = le64 r1', 'r1 = le64 r1'],
  [I(0xd7, 1, 0, 0, 32), 'r1 = bswap32 r1', 'r1 = bswap32 r1'],
  [I(0x79, 1, 10, -8), 'r1 = *(u64 *)(r10 -8)', 'r1 = *(u64 *)(r10 - 0x8)'],
  [I(0x61, 0, 1, 0), 'r0 = *(u32 *)(r1 +0)', 'r0 = *(u32 *)(r1 + 0x0)'],
  [I(0x91, 1, 2, 3), 'r1 = *(s8 *)(r2 +3)', 'r1 = *(s8 *)(r2 + 0x3)'],
  [I(0x81, 1, 2, -3), 'r1 = *(s32 *)(r2 -3)', 'r1 = *(s32 *)(r2 - 0x3)'],
  [I(0x63, 10, 1, -4), '*(u32 *)(r10 -4) = r1', '*(u32 *)(r10 - 0x4) = r1'],
  [I(0x7a, 10, 0, -16, 7), '*(u64 *)(r10 -16) = 7', '*(u64 *)(r10 - 0x10) = 0x7'],
  [I(0x72, 1, 0, 2, -1), '*(u8 *)(r1 +2) = -1', '*(u8 *)(r1 + 0x2) = -0x1'],
  [I(0xdb, 1, 2), 'lock *(u64 *)(r1 +0) += r2', 'lock *(u64 *)(r1 + 0x0) += r2'],
  [I(0xc3, 1, 2, -4, 0x40), 'lock *(u32 *)(r1 -4) |= r2', 'lock *(u32 *)(r1 - 0x4) |= w2'],
  [I(0xdb, 1, 2, 0, 0x50), 'lock *(u64 *)(r1 +0) &= r2', 'lock *(u64 *)(r1 + 0x0) &= r2'],
  [I(0xdb, 1, 2, 0, 0xa0), 'lock *(u64 *)(r1 +0) ^= r2', 'lock *(u64 *)(r1 + 0x0) ^= r2'],
  [I(0xdb, 1, 2, 0, 0x01), 'r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)', 'r2 = atomic_fetch_add((u64 *)(r1 + 0x0), r2)'],
  [I(0xc3, 1, 2, 8, 0xa1), 'r2 = atomic_fetch_xor((u32 *)(r1 +8), r2)', 'w2 = atomic_fetch_xor((u32 *)(r1 + 0x8), w2)'],
  [I(0xdb, 1, 2, 0, 0xe1), 'r2 = atomic64_xchg((u64 *)(r1 +0), r2)', 'r2 = xchg_64(r1 + 0x0, r2)'],
  [I(0xc3, 1, 2, 0, 0xe1), 'r2 = atomic_xchg((u32 *)(r1 +0), r2)', 'w2 = xchg32_32(r1 + 0x0, w2)'],
  [I(0xdb, 1, 2, 0, 0xf1), 'r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)', 'r0 = cmpxchg_64(r1 + 0x0, r0, r2)'],
  [I(0xc3, 1, 2, 0, 0xf1), 'r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)', 'w0 = cmpxchg32_32(r1 + 0x0, w0, w2)'],
  [I(0xdb, 0, 2, 0, 0x100), 'r0 = load_acquire((u64 *)(r2 +0))', 'r0 = load_acquire((u64 *)(r2 + 0x0))'],
  [I(0xd3, 3, 2, 0, 0x100), 'r3 = load_acquire((u8 *)(r2 +0))', 'w3 = load_acquire((u8 *)(r2 + 0x0))'],
  [I(0xcb, 2, 3, -2, 0x110), 'store_release((u16 *)(r2 -2), r3)', 'store_release((u16 *)(r2 - 0x2), w3)'],
  [I(0x30, 0, 0, 0, 3), 'r0 = *(u8 *)skb[3]', 'r0 = *(u8 *)skb[0x3]'],
  [I(0x48, 0, 1, 0, 4), 'r0 = *(u16 *)skb[r1 + 4]', 'r0 = *(u16 *)skb[r1]'],
  [I(0x18, 1, 0, 0, 0x23456789, 1), 'r1 = 0x123456789', 'r1 = 0x123456789 ll'],
  [I(0x18, 1, 0, 0, -1, -1), 'r1 = 0xffffffffffffffff', 'r1 = -0x1 ll'],
  [I(0x18, 2, 1, 0, 5, 0), 'r2 = 0x5', 'ld_pseudo\tr2, 0x1, 0x5'],
  [I(0x25, 1, 0, 3, 5), 'if r1 > 0x5 goto pc+3', 'if r1 > 0x5 goto +0x3'],
  [I(0x15, 1, 0, -2, -1), 'if r1 == 0xffffffff goto pc-2', 'if r1 == -0x1 goto -0x2'],
  [I(0xce, 1, 2, 0), 'if w1 s< w2 goto pc+0', 'if w1 s< w2 goto +0x0'],
  [I(0x4d, 1, 2, 1), 'if r1 & r2 goto pc+1', 'if r1 & r2 goto +0x1'],
  [I(0xb6, 1, 0, 1, 1), 'if w1 <= 0x1 goto pc+1', 'if w1 <= 0x1 goto +0x1'],
  [I(0xd5, 1, 0, 1, 1), 'if r1 s<= 0x1 goto pc+1', 'if r1 s<= 0x1 goto +0x1'],
  [I(0x05, 0, 0, -2), 'goto pc-2', 'goto -0x2'],
  [I(0x06, 0, 0, 0, 70000), 'gotol pc+70000', 'gotol +0x11170'],
  [I(0xe5, 0, 0, -1), 'may_goto pc-1', 'may_goto -0x1'],
  [I(0x85, 0, 0, 0, 1), 'call bpf_map_lookup_elem#1', 'call 0x1'],
  [I(0x85, 0, 0, 0, 211), 'call bpf_cgrp_storage_delete#211', 'call 0xd3'],
  [I(0x85, 0, 0, 0, 999), 'call unknown#999', 'call 0x3e7'],
  [I(0x85, 0, 1, 0, 5), 'call pc+5', 'call 0x5'],
  [I(0x85, 0, 1, 0, -1), 'call pc-1', 'call -0x1'],
  [I(0x85, 0, 2, 0, 12345), 'call kernel-function#12345', 'call 0x3039'],
  [I(0x95), 'exit', 'exit'],
];

describe('disasm', () => {
  it.each(CASES)('%o', (insn, kernel, llvm) => {
    expect(disasm(insn)).toBe(kernel);
    expect(disasm(insn, { flavor: 'kernel' })).toBe(kernel);
    expect(disasm(insn, { flavour: 'llvm' })).toBe(llvm);
  });

  it('prefixes the opcode like the verifier log', () => {
    expect(disasm(I(0xb7), { opcode: true })).toBe('(b7) r0 = 0');
    expect(disasm(I(0x85, 0, 0, 0, 1), { opcode: true })).toBe('(85) call bpf_map_lookup_elem#1');
  });

  it('hides map pointers without allowPtrLeaks, as an unprivileged log does', () => {
    const map = I(0x18, 1, 1, 0, 0x1000, -0x78);
    expect(disasm(map, { allowPtrLeaks: false })).toBe('r1 = 0x0');
    expect(disasm(map)).toBe('r1 = 0xffffff8800001000');
    expect(disasm(I(0x18, 1, 0, 0, 7, 0), { allowPtrLeaks: false })).toBe('r1 = 0x7');
  });

  it('exact mode spells pseudo ld_imm64 and kfunc module indexes', () => {
    expect(disasm(I(0x18, 1, 1, 0, 5, 0), { exact: true })).toBe('r1 = map_fd[5]');
    expect(disasm(I(0x18, 1, 2, 0, 5, 8), { exact: true })).toBe('r1 = map_value[5]+8');
    expect(disasm(I(0x18, 1, 3, 0, 77, 0), { exact: true })).toBe('r1 = btf_id[77]');
    expect(disasm(I(0x18, 1, 4, 0, 3, 0), { exact: true })).toBe('r1 = func[3]');
    expect(disasm(I(0x18, 1, 5, 0, 0, 0), { exact: true })).toBe('r1 = map_idx[0]');
    expect(disasm(I(0x18, 1, 6, 0, 1, -1), { exact: true })).toBe('r1 = map_idx_value[1]+4294967295');
    expect(disasm(I(0x85, 0, 2, 3, 99), { exact: true })).toBe('call kernel-function#99@3');
    expect(disasm(I(0x18, 1, 0, 0, 5, 0), { exact: true })).toBe('r1 = 0x5');
  });

  it('takes helper and kfunc names from callers', () => {
    expect(disasm(I(0x85, 0, 0, 0, 1000), { helperName: (id) => (id === 1000 ? 'bpf_custom' : undefined) })).toBe(
      'call bpf_custom#1000',
    );
    expect(disasm(I(0x85, 0, 2, 0, 4242), { kfuncName: (id) => (id === 4242 ? 'bpf_obj_new_impl' : undefined) })).toBe(
      'call bpf_obj_new_impl#4242',
    );
  });

  it('prints invalid instructions the way the kernel and objdump do', () => {
    expect(disasm(I(0x00, 0, 0, 0, 5))).toBe('BUG_ld_00');
    expect(disasm(I(0x00, 0, 0, 0, 5), { flavor: 'llvm' })).toBe('<unknown>');
    expect(disasm(I(0xe3, 1, 2))).toBe('BUG_e3');
  });

  it('llvm: sub-register loads and stores use w registers with alu32', () => {
    expect(disasm(I(0x61, 1, 2), { flavor: 'llvm', alu32: true })).toBe('w1 = *(u32 *)(r2 + 0x0)');
    expect(disasm(I(0x73, 1, 2, 2), { flavor: 'llvm', alu32: true })).toBe('*(u8 *)(r1 + 0x2) = w2');
    expect(disasm(I(0x79, 1, 2), { flavor: 'llvm', alu32: true })).toBe('r1 = *(u64 *)(r2 + 0x0)');
    expect(disasm(I(0xc3, 1, 0), { flavor: 'llvm' })).toBe('lock *(u32 *)(r1 + 0x0) += r0');
    expect(disasm(I(0xc3, 1, 0), { flavor: 'llvm', alu32: true })).toBe('lock *(u32 *)(r1 + 0x0) += w0');
  });

  it('llvm: annotates jump targets through jumpLabel', () => {
    const label = (t: number): string => `f+0x${(t * 8).toString(16)}`;
    expect(disasm(I(0x25, 1, 0, 0x1c, 5), { flavor: 'llvm', pc: 7, jumpLabel: label })).toBe(
      'if r1 > 0x5 goto +0x1c <f+0x120>',
    );
    expect(disasm(I(0x05, 0, 0, -1), { flavor: 'llvm', pc: 39, jumpLabel: label })).toBe('goto -0x1 <f+0x138>');
  });
});

describe('disasmProgram', () => {
  const prog: Insn[] = [
    I(0x18, 1, 0, 0, 0x89, 0x1),
    I(0, 0, 0, 0, 0x1),
    I(0x85, 0, 0, 0, 1),
    I(0x15, 0, 0, 1, 0),
    I(0xb7),
    I(0x95),
  ];

  it('kernel: verifier-log layout, skipping ld_imm64 second halves', () => {
    expect(disasmProgram(prog)).toEqual([
      '0: (18) r1 = 0x100000089',
      '2: (85) call bpf_map_lookup_elem#1',
      '3: (15) if r0 == 0x0 goto pc+1',
      '4: (b7) r0 = 0',
      '5: (95) exit',
    ]);
    expect(disasmProgram(prog, { opcode: false })[1]).toBe('2: call bpf_map_lookup_elem#1');
  });

  it('llvm: objdump layout with bytes and target labels', () => {
    const lines = disasmProgram(prog, { flavor: 'llvm', jumpLabel: (t) => `LBB0_${t}` });
    expect(lines[0]).toBe('       0:\t18 01 00 00 89 00 00 00 00 00 00 00 01 00 00 00\tr1 = 0x100000089 ll');
    expect(lines[2]).toBe('       3:\t15 00 01 00 00 00 00 00\tif r0 == 0x0 goto +0x1 <LBB0_5>');
  });

  it('appends relocation names', () => {
    expect(disasmProgram(prog, { relocName: (s) => (s === 0 ? 'my_map' : undefined) })[0]).toBe(
      '0: (18) r1 = 0x100000089 ; my_map',
    );
  });
});

describe('helper table', () => {
  it('follows Linux numbering', () => {
    expect(BPF_FUNC_MAX_ID).toBeGreaterThanOrEqual(211);
    expect(helperName(1)).toBe('bpf_map_lookup_elem');
    expect(helperName(6)).toBe('bpf_trace_printk');
    expect(helperName(12)).toBe('bpf_tail_call');
    expect(helperName(130)).toBe('bpf_ringbuf_output');
    expect(helperName(181)).toBe('bpf_loop');
    expect(helperName(0)).toBeUndefined();
    expect(helperId('bpf_ktime_get_ns')).toBe(5);
    expect(helperId('ktime_get_ns')).toBe(5);
    expect(helperId('no_such_helper')).toBeUndefined();
  });
});
