// BPF_ATOMIC (check_atomic): verdicts and messages checked against Linux 6.18 (socket filters,
// loaded as root with test/hostkernel/runner insns).
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import { progTypeDef } from '../../src/kernel/progtypes/index.js';
import { VerifierError } from '../../src/verifier/errors.js';
import { verifyProgram } from '../../src/verifier/verifier.js';

function parseInsns(text: string): Insn[] {
  return text.trim().split('\n').map((l) => {
    const [code, dst, src, off, imm] = l.trim().split(/\s+/).map((x) => Number(x));
    return { code: code!, dst: dst!, src: src!, off: off!, imm: imm! };
  });
}
const opts = { progType: 'socket_filter', progTypeDef: progTypeDef('socket_filter'), logLevel: 2 };

function reject(text: string): VerifierError {
  try {
    verifyProgram(parseInsns(text), opts);
  } catch (e) {
    if (e instanceof VerifierError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('atomics', () => {
  it('fetch_add, cmpxchg, load-acquire and store-release on the stack (Linux: accepted, 10 insns)', () => {
    const r = verifyProgram(parseInsns(`
      0xb7 1 0 0 0
      0x7b 10 1 -8 0
      0xb7 2 0 0 1
      0xdb 10 2 -8 1
      0xb7 0 0 0 0
      0xc3 10 2 -4 0xf1
      0x79 0 10 -8 0
      0xdb 0 10 -8 0x100
      0xdb 10 0 -16 0x110
      0x95 0 0 0 0`), opts);
    const lines = r.log.split('\n');
    // the same lines Linux 6.18 prints for the rejected prefix of this program
    expect(lines).toContain('3: (db) r2 = atomic64_fetch_add((u64 *)(r10 -8), r2)          ; R2=0 R10=fp0 fp-8=mmmmmmmm');
    // a 32-bit cmpxchg zero-extends the old value into r0
    expect(lines.find((l) => l.startsWith('5: '))).toContain('R0=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))');
    expect(r.stats.insnProcessed).toBe(10);
  });

  const cases: [string, string, string, number][] = [
    ['into ctx', '0xb7 2 0 0 1\n0xc3 1 2 0 0\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'BPF_ATOMIC stores into R1 ctx is not allowed', 13],
    ['byte-sized add', '0xb7 2 0 0 1\n0xd3 10 2 -8 0\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'invalid atomic operand size', 22],
    ['cmpxchg without r0', '0xb7 2 0 0 1\n0xdb 10 2 -8 0xf1\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'R0 !read_ok', 13],
    ['unknown atomic op', '0xb7 2 0 0 1\n0xdb 10 2 -8 2\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'BPF_ATOMIC uses invalid atomic opcode 02', 22],
    ['load-acquire from ctx', '0xc3 0 1 0 0x100\n0x95 0 0 0 0', 'BPF_ATOMIC loads from R1 ctx is not allowed', 13],
    ['atomic into scalar', '0xb7 1 0 0 0\n0xb7 2 0 0 1\n0xdb 1 2 0 0\n0x95 0 0 0 0', "R1 invalid mem access 'scalar'", 13],
  ];
  for (const [name, prog, msg, errno] of cases) {
    it(`rejects ${name}: ${msg}`, () => {
      const e = reject(prog);
      expect(e.message).toBe(msg);
      expect(e.errno).toBe(errno);
      expect(e.log).toContain(msg + '\n');
    });
  }
});
