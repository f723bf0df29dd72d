// Helper arguments (check_func_arg / check_mem_size_reg / check_helper_mem_access) with the real
// helper prototypes; every verdict, message and errno below was checked against Linux 6.18
// (socket filters loaded as root with test/hostkernel/runner insns).
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import { ALL_HELPERS } from '../../src/kernel/helpers/index.js';
import { progTypeDef } from '../../src/kernel/progtypes/index.js';
import { VerifierError } from '../../src/verifier/errors.js';
import { verifyProgram } from '../../src/verifier/verifier.js';

const byId = new Map(ALL_HELPERS.map((h) => [h.proto.id, h.proto]));
function parseInsns(text: string): Insn[] {
  return text.trim().split('\n').map((l) => {
    const [code, dst, src, off, imm] = l.trim().split(/\s+/).map((x) => Number(x));
    return { code: code!, dst: dst!, src: src!, off: off!, imm: imm! };
  });
}
const opts = { progType: 'socket_filter', progTypeDef: progTypeDef('socket_filter'), logLevel: 1, helperProto: (id: number) => byId.get(id) };
const verify = (text: string) => verifyProgram(parseInsns(text), opts);
function reject(text: string): VerifierError {
  try {
    verify(text);
  } catch (e) {
    if (e instanceof VerifierError) return e;
    throw e;
  }
  throw new Error('accepted');
}

// bpf_skb_load_bytes(ctx, 0, fp-16, r4): ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE
const LOAD = (size: string, tail = '0x79 0 10 -16 0\n0x95 0 0 0 0') =>
  `0xb7 2 0 0 0\n0xbf 3 10 0 0\n0x07 3 0 0 -16\n${size}\n0x85 0 0 0 26\n${tail}`;

describe('helper memory arguments', () => {
  it('skb_load_bytes into uninitialized stack marks the bytes written (Linux: 7 insns)', () => {
    const r = verify(LOAD('0xb7 4 0 0 16'));
    expect(r.stats.insnProcessed).toBe(7);
    expect(r.log).toContain('fp-16=mmmmmmmm');
  });
  it('a size bounded by a mask is accepted (Linux: 12 insns, 1 state)', () => {
    const r = verify('0xbf 6 1 0 0\n0x85 0 0 0 7\n0xbf 4 0 0 0\n0x57 4 0 0 7\n0x07 4 0 0 1\n0xbf 1 6 0 0\n' +
      '0xb7 2 0 0 0\n0xbf 3 10 0 0\n0x07 3 0 0 -16\n0x85 0 0 0 26\n0x79 0 10 -16 0\n0x95 0 0 0 0');
    expect(r.stats.insnProcessed).toBe(12);
    expect(r.stats.totalStates).toBe(1);
  });
  it('trace_printk takes only the format and its size (r3-r5 are ARG_DONTCARE)', () => {
    const r = verify('0xb7 1 0 0 0\n0x7b 10 1 -8 0\n0xbf 1 10 0 0\n0x07 1 0 0 -8\n0xb7 2 0 0 8\n0x85 0 0 0 6\n0x95 0 0 0 0');
    expect(r.stats.insnProcessed).toBe(7);
  });

  const cases: [string, string, string, number][] = [
    ['zero size', LOAD('0xb7 4 0 0 0'), 'R4 invalid zero-sized read: u64=[0,0]', 13],
    ['negative size', LOAD('0xb7 4 0 0 -1'), "R4 min value is negative, either use unsigned or 'var &= const'", 13],
    ['unbounded size', `0xbf 6 1 0 0\n0x85 0 0 0 7\n0xbf 4 0 0 0\n0x07 4 0 0 1\n0xbf 1 6 0 0\n${LOAD('0xb7 2 0 0 0')}`,
      "R4 min value is negative, either use unsigned or 'var &= const'", 13],
    ['write past the frame top', LOAD('0xb7 4 0 0 24'), 'invalid write to stack R3 off=-16 size=24', 22],
    ['write below the stack', LOAD('0xb7 4 0 0 24').replace('0x07 3 0 0 -16', '0x07 3 0 0 -520'), 'invalid write to stack R3 off=-520 size=24', 13],
    ['read past the frame top', '0xb7 1 0 0 0\n0x7b 10 1 -8 0\n0xbf 1 10 0 0\n0x07 1 0 0 -8\n0xb7 2 0 0 16\n0x85 0 0 0 6\n0x95 0 0 0 0',
      'invalid read from stack R1 off=-8 size=16', 22],
    ['read above the frame', '0xb7 1 0 0 0\n0x7b 10 1 -8 0\n0xbf 1 10 0 0\n0x07 1 0 0 4\n0xb7 2 0 0 16\n0x85 0 0 0 6\n0x95 0 0 0 0',
      'invalid read from stack R1 off=4 size=16', 13],
    ['fp as ctx', `0xbf 1 10 0 0\n${LOAD('0xb7 4 0 0 16')}`, 'R1 type=fp expected=ctx', 13],
    ['scalar as memory', '0xb7 2 0 0 0\n0xb7 3 0 0 0\n0xb7 4 0 0 16\n0x85 0 0 0 26\n0x95 0 0 0 0',
      'R3 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_', 13],
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
