// bpf-to-bpf calls (check_func_call, prepare_func_exit, check_max_stack_depth); the log and the
// messages below were captured from Linux 6.18 (socket filters, no BTF, log_level 2).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import { progTypeDef } from '../../src/kernel/progtypes/index.js';
import { VerifierError } from '../../src/verifier/errors.js';
import { verifyProgram } from '../../src/verifier/verifier.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
function parseInsns(text: string): Insn[] {
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => {
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
/** Linux prints the stats lines at log_level 4 only; our log has no timing. */
const strip = (log: string): string => log.split('\n').filter((l) => !/^(verification time|stack depth)/.test(l)).join('\n').trimEnd();

describe('bpf-to-bpf calls', () => {
  it('static subprograms: the same log as Linux (caller:/callee:, returning from callee:/to caller at)', () => {
    const r = verifyProgram(parseInsns(fixture('calls-static.insns')), opts);
    expect(strip(r.log)).toBe(strip(fixture('calls-static.log')));
    expect(r.prog.subprogs.map((s) => s.start)).toEqual([0, 2, 9]);
  });

  const chain = Array.from({ length: 9 }, () => '0x85 0 1 0 1\n0x95 0 0 0 0').join('\n') + '\n0xb7 0 0 0 0\n0x95 0 0 0 0';
  const cases: [string, string, string, number][] = [
    ['nine frames', chain, 'the call stack of 9 frames is too deep', 7],
    ['256 + 304 bytes of stack', '0xb7 1 0 0 0\n0x7b 10 1 -256 0\n0x85 0 1 0 1\n0x95 0 0 0 0\n0x7b 10 1 -304 0\n0xb7 0 0 0 0\n0x95 0 0 0 0',
      'combined stack size of 2 calls is 560. Too large', 13],
    ['returning r10', '0x85 0 1 0 1\n0x95 0 0 0 0\n0xbf 0 10 0 0\n0x95 0 0 0 0', 'cannot return stack pointer to the caller', 22],
  ];
  for (const [name, prog, msg, errno] of cases) {
    it(`rejects ${name}: ${msg}`, () => {
      const e = reject(prog);
      expect(e.message).toBe(msg);
      expect(e.errno).toBe(errno);
      expect(e.log).toContain(msg + '\n');
    });
  }

  it('the callee sees the caller stack through a pointer argument', () => {
    // (Linux 6.18 prints the same line) main: fp-8 = 7; r1 = fp-8; call sub; exit. sub: r0 = *(u64 *)(r1 + 0); exit
    const r = verifyProgram(parseInsns('0x7a 10 0 -8 7\n0xbf 1 10 0 0\n0x07 1 0 0 -8\n0x85 0 1 0 1\n0x95 0 0 0 0\n0x79 0 1 0 0\n0x95 0 0 0 0'), opts);
    expect(r.log).toContain('5: (79) r0 = *(u64 *)(r1 +0)          ; frame1: R0=7 R1=fp[0]-8');
    expect(r.prog.subprogs.map((s) => s.stackDepth)).toEqual([8, 0]);
  });
});
