// assemble(): labels, comments, both syntaxes, helper names, errors with line numbers.
import { describe, expect, it } from 'vitest';
import { assemble, AsmError, disasmProgram, encode, decode, type Insn } from '../../src/isa/index.js';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

function asmError(text: string): AsmError {
  try {
    assemble(text);
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('assemble', () => {
  it('labels, backward and forward jumps, comments of every kind', () => {
    const insns = assemble(`
      ; count to ten
      r1 = 0            // start
      loop:
      r1 += 1           # increment
      if r1 < 10 goto loop
      if r1 == 10 goto out
      goto loop
      out: r0 = r1
      exit
    `);
    expect(insns).toEqual([
      I(0xb7, 1),
      I(0x07, 1, 0, 0, 1),
      I(0xa5, 1, 0, -2, 10),
      I(0x15, 1, 0, 1, 10),
      I(0x05, 0, 0, -4),
      I(0xbf, 0, 1),
      I(0x95),
    ]);
  });

  it('labels count ld_imm64 as two slots', () => {
    const insns = assemble('goto end\nr1 = 0x1 ll\nend: exit');
    expect(insns[0].off).toBe(2);
    expect(insns).toHaveLength(4);
  });

  it('gotol and may_goto take labels too', () => {
    const insns = assemble('top: may_goto done\ngotol top\ndone: exit');
    expect(insns[0]).toEqual(I(0xe5, 0, 0, 1));
    expect(insns[1]).toEqual(I(0x06, 0, 0, 0, -2));
  });

  it('calls: helper by name, by name#id, by id; bpf-to-bpf by label or pc offset; kfuncs', () => {
    const insns = assemble(`
      call bpf_map_lookup_elem
      call ktime_get_ns
      call bpf_trace_printk#6
      call 12
      call sub
      call pc+1
      call kernel-function#4242
      call bpf_obj_new_impl#70000
      exit
      sub: r0 = 0
      exit
    `);
    expect(insns.map((i) => [i.src, i.imm])).toEqual([
      [0, 1], [0, 5], [0, 6], [0, 12], [1, 4], [1, 1], [2, 4242], [2, 70000], [0, 0], [0, 0], [0, 0],
    ]);
  });

  it('resolves extra helper names through a caller table', () => {
    const [i] = assemble('call my_helper', { helperId: (n) => (n === 'my_helper' ? 300 : undefined) });
    expect(i).toEqual(I(0x85, 0, 0, 0, 300));
  });

  it('decimal and hex immediates, signed or unsigned 32-bit spelling', () => {
    expect(assemble('w1 = 0xffffffff')[0]).toEqual(I(0xb4, 1, 0, 0, -1));
    expect(assemble('r1 += -8')[0]).toEqual(I(0x07, 1, 0, 0, -8));
    expect(assemble('if r1 > 0xffffffff goto +0')[0]).toEqual(I(0x25, 1, 0, 0, -1));
    expect(assemble('*(u32 *)(r10 -4) = 0x10')[0]).toEqual(I(0x62, 10, 0, -4, 16));
  });

  it('r = constant: decimal is a mov, hex or ll or a wide value is an ld_imm64', () => {
    expect(assemble('r1 = 16')).toEqual([I(0xb7, 1, 0, 0, 16)]);
    expect(assemble('r1 = -1')).toEqual([I(0xb7, 1, 0, 0, -1)]);
    const wide = assemble('r1 = 0x10');
    expect(wide[0]).toMatchObject({ code: 0x18, imm: 16, imm2: 0 });
    expect(assemble('r1 = 4294967296')[0]).toMatchObject({ code: 0x18, imm: 0, imm2: 1 });
    expect(assemble('r1 = -0x1 ll')[0]).toMatchObject({ code: 0x18, imm: -1, imm2: -1 });
    // llvm flavour: hex without ll is a mov (objdump always writes ll on ld_imm64)
    expect(assemble('r1 = 0x10', { flavor: 'llvm' })).toEqual([I(0xb7, 1, 0, 0, 16)]);
  });

  it('reads llvm-objdump syntax, with listing prefixes and target annotations', () => {
    const text = `
0000000000000000 <collatz>:
       0:\tb4 00 00 00 00 00 00 00\tw0 = 0x0
       1:\t7a 0a f8 ff 1b 00 00 00\t*(u64 *)(r10 - 0x8) = 0x1b
       2:\t79 a1 f8 ff 00 00 00 00\tr1 = *(u64 *)(r10 - 0x8)
       3:\t15 01 01 00 01 00 00 00\tif r1 == 0x1 goto +0x1 <collatz+0x28>
       4:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll
       6:\tc3 21 08 00 a1 00 00 00\tw2 = atomic_fetch_xor((u32 *)(r1 + 0x8), w2)
       7:\t95 00 00 00 00 00 00 00\texit`;
    const bytes = encode(assemble(text, { flavor: 'llvm' }));
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toBe(
      'b400000000000000' + '7a0af8ff1b000000' + '79a1f8ff00000000' + '1501010001000000' +
        '1801000000000000' + '0000000000000000' + 'c3210800a1000000' + '9500000000000000',
    );
  });

  it('reads objdump ld_pseudo and the exact pseudo spellings', () => {
    expect(assemble('ld_pseudo\tr1, 0x2, 0x7')[0]).toEqual({ code: 0x18, dst: 1, src: 2, off: 0, imm: 7, imm2: 0 });
    expect(assemble('r3 = map_value[4]+16')[0]).toEqual({ code: 0x18, dst: 3, src: 2, off: 0, imm: 4, imm2: 16 });
    expect(assemble('r3 = map_idx[1] ll')[0]).toMatchObject({ src: 5, imm: 1, imm2: 0 });
    expect(assemble('call kernel-function#77@2')[0]).toEqual({ code: 0x85, dst: 0, src: 2, off: 2, imm: 77 });
  });

  it('reads a pasted verifier log (slot, opcode, register-state comments)', () => {
    const log = `0: (b7) r1 = 0                        ; R1=0
1: (7b) *(u64 *)(r10 -8) = r1         ; R1=0 R10=fp0 fp-8=0
2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
3: (07) r2 += -8                      ; R2=fp-8
4: (db) r0 = load_acquire((u64 *)(r2 +0))     ; R0=0 R2=fp-8 fp-8=0
5: (95) exit`;
    const insns = assemble(log);
    expect(insns[1]).toEqual(I(0x7b, 10, 1, -8));
    expect(insns[4]).toEqual(I(0xdb, 0, 2, 0, 0x100));
    expect(disasmProgram(decode(encode(insns)))).toEqual(log.split('\n').map((l) => l.replace(/\s*;.*$/, '')));
  });

  it.each([
    ['r1 = r2 +', 1, /cannot parse/],
    ['exit\nr11 = 0', 2, /invalid register r11/],
    ['goto nowhere', 1, /unknown label 'nowhere'/],
    ['call no_such_thing', 1, /unknown label or helper 'no_such_thing'/],
    ['a: exit\na: exit', 2, /defined twice/],
    ['w1 = 0x100000000', 1, /out of range/],
    ['r1 = *(s64 *)(r2 +0)', 1, /sign-extending 64-bit/],
    ['*(u32 *)(r1 +70000) = r2', 1, /offset 70000 out of range/],
    ['if r1 > w2 goto +1', 1, /mixed r\/w/],
    ['r1 = be16 r2', 1, /in place/],
    ['r1 = map_thing[1]', 1, /unknown ld_imm64 pseudo source/],
  ])('rejects %j at line %i', (text, line, msg) => {
    const e = asmError(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(msg);
    expect(e.message).toMatch(new RegExp(`^line ${line}:`));
  });

  it('rejects jumps whose label is out of 16-bit range', () => {
    const text = 'goto far\n' + 'r0 = 0\n'.repeat(40000) + 'far: exit';
    expect(() => assemble(text)).toThrow(/out of range \(use gotol\)/);
    const ok = assemble(text.replace('goto far', 'gotol far'));
    expect(ok[0].imm).toBe(40000);
  });
});
