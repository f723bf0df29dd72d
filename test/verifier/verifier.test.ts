// The verifier against Linux 6.18: programs whose logs were captured from the real kernel
// (test/verifier/fixtures/*.insns + *.log, loaded as socket filters at log_level 2 with an array
// map "arr" of 4-byte keys and 8-byte values) and a table of rejections with the kernel's messages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/isa/insn.js';
import type { HelperProto } from '../../src/kernel/helpers/types.js';
import { progTypeDef } from '../../src/kernel/progtypes/index.js';
import { VerifierError } from '../../src/verifier/errors.js';
import { verifyProgram, type VerifyOptions } from '../../src/verifier/verifier.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
function parseInsns(text: string): Insn[] {
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => {
    const [code, dst, src, off, imm] = l.trim().split(/\s+/).map((x) => Number(x));
    return { code: code!, dst: dst!, src: src!, off: off!, imm: imm! };
  });
}

const PROTOS: Record<number, HelperProto> = {
  1: { id: 1, name: 'map_lookup_elem', ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'], argFlags: [0, 0] },
  7: { id: 7, name: 'get_prandom_u32', ret: 'RET_INTEGER', args: [], argFlags: [] },
};
const ARR = { name: 'arr', type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 };

function options(addr = 0n, logLevel = 2): VerifyOptions {
  return {
    progType: 'socket_filter', progTypeDef: progTypeDef('socket_filter'), logLevel,
    helperProto: (id) => PROTOS[id], maps: [ARR], mapAddress: () => addr,
  };
}

/** Lines we do not produce yet: precision backtracking, stack liveness debug, SCC tracing. */
const UNSUPPORTED = /^(mark_precise:|\(\d+\) frame|\(\d+\) live stack|SCC |=== )/;

/**
 * Normalise a log for comparison: drop unsupported lines; a state the kernel reprinted as
 * `N: R...` after such lines is folded back onto its instruction line, as it reads without them.
 */
function normalise(log: string): string[] {
  const out: string[] = [];
  let dropped = false;
  for (const line of log.split('\n')) {
    if (UNSUPPORTED.test(line)) {
      dropped = true;
      continue;
    }
    const m = /^(\d+): (R.*|fp.*)$/.exec(line);
    if (dropped && m && out.length) {
      const prev = out[out.length - 1]!;
      const pad = Math.max(1, 38 - prev.length);
      out[out.length - 1] = prev + ' '.repeat(pad) + '; ' + m[2];
    } else {
      out.push(line);
    }
    dropped = false;
  }
  return out;
}

describe('agreement with captured Linux 6.18 logs', () => {
  for (const name of ['alu-ranges', 'branch-single-value', 'stack-map', 'loop']) {
    it(name, () => {
      const want = fixture(`${name}.log`);
      const addr = /r1 = (0xffff[0-9a-f]+)/.exec(want)?.[1];
      const r = verifyProgram(parseInsns(fixture(`${name}.insns`)), options(addr ? BigInt(addr) : 0n));
      expect(normalise(r.log)).toEqual(normalise(want));
    });
  }
  it('xdp-pkt (packet range from a pkt_end compare, variable offset rejected)', () => {
    const want = fixture('xdp-pkt.log');
    let err: unknown;
    try {
      verifyProgram(parseInsns(fixture('xdp-pkt.insns')), { ...options(), progType: 'xdp', progTypeDef: progTypeDef('xdp') });
    } catch (e) {
      err = e;
    }
    const ve = err as VerifierError;
    expect(ve).toBeInstanceOf(VerifierError);
    expect(ve.message).toBe('R5 offset is outside of the packet');
    expect(normalise(ve.log)).toEqual(normalise(want));
  });
  it('alu-ranges matches byte for byte', () => {
    const want = fixture('alu-ranges.log').replace(/=== .*\n/, '');
    expect(verifyProgram(parseInsns(fixture('alu-ranges.insns')), options()).log).toBe(want);
  });
});

/** Rejections, each with the message and errno Linux 6.18 gives (checked with the real kernel). */
const REJECTS: [string, string, string, number][] = [
  ['store above the frame', '0x7a 10 0 0 0\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'invalid write to stack R10 off=0 size=8', 13],
  ['read below the stack', '0x79 0 10 -520 0\n0x95 0 0 0 0', 'invalid read from stack R10 off=-520 size=8', 13],
  ['misaligned stack store', '0x7a 10 0 -4 0\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'misaligned stack access off 0+0+-4 size 8', 13],
  ['misaligned via pointer', '0xb7 0 0 0 0\n0xbf 1 10 0 0\n0x07 1 0 0 -8\n0x7a 1 0 4 0\n0x95 0 0 0 0', 'misaligned stack access off 0+-8+4 size 8', 13],
  ['exit without r0', '0x95 0 0 0 0', 'R0 !read_ok', 13],
  ['jump out of range', '0x05 0 0 5 0\n0x95 0 0 0 0', 'jump out of range from insn 0 to 6', 22],
  ['unreachable', '0xb7 0 0 0 0\n0x05 0 0 1 0\n0xb7 0 0 0 1\n0x95 0 0 0 0', 'unreachable insn 2', 22],
  ['falls off the end', '0xb7 0 0 0 0\n0x15 0 0 1 0\n0x95 0 0 0 0\n0xb7 0 0 0 1', 'last insn is not an exit or jmp', 22],
  ['ctx u64 at 0', '0x79 0 1 0 0\n0x95 0 0 0 0', 'invalid bpf_context access off=0 size=8', 13],
  ['ctx out of range', '0x61 0 1 1000 0\n0x95 0 0 0 0', 'invalid bpf_context access off=1000 size=4', 13],
  ['uninit source', '0xbf 0 2 0 0\n0x95 0 0 0 0', 'R2 !read_ok', 13],
  ['write r10', '0xb7 10 0 0 0\n0x95 0 0 0 0', 'frame pointer is read only', 13],
  ['deref uninit', '0x79 0 0 0 0\n0x95 0 0 0 0', 'R0 !read_ok', 13],
  ['truncated ld_imm64', '0xb7 0 0 0 0\n0x18 0 0 0 0\n0x95 0 0 0 0', 'invalid bpf_ld_imm64 insn', 22],
  ['div by zero', '0xb7 0 0 0 0\n0x37 0 0 0 0\n0x95 0 0 0 0', 'div by zero', 22],
  ['shift too far', '0xb7 0 0 0 0\n0x67 0 0 0 64\n0x95 0 0 0 0', 'invalid shift 64', 22],
  ['narrow pointer spill', '0xbf 6 1 0 0\n0x63 10 6 -28 0\n0xb7 0 0 0 0\n0x95 0 0 0 0', 'invalid size of register spill', 13],
  ['scalar deref', '0xb7 1 0 0 0\n0x79 0 1 0 0\n0x95 0 0 0 0', "R1 invalid mem access 'scalar'", 13],
  ['map value out of bounds', '0xb7 1 0 0 0\n0x63 10 1 -4 0\n0xbf 2 10 0 0\n0x07 2 0 0 -4\n0x18 1 1 0 0\n0 0 0 0 0\n0x85 0 0 0 1\n0x79 0 0 4 0\n0x95 0 0 0 0',
    'R0 min value is outside of the allowed memory range', 13],
];

describe('rejections with the kernel messages', () => {
  for (const [name, prog, msg, errno] of REJECTS) {
    it(name, () => {
      let err: unknown;
      try {
        verifyProgram(parseInsns(prog), options(0n, 1));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VerifierError);
      const ve = err as VerifierError;
      expect(ve.message).toBe(msg);
      expect(ve.errno).toBe(errno);
      const lines = ve.log.trimEnd().split('\n');
      expect(lines[lines.length - 2]).toBe(msg);
      expect(lines[lines.length - 1]).toMatch(/^processed \d+ insns \(limit 1000000\)/);
    });
  }
  it('infinite loop: same message and state dump as Linux', () => {
    const prog = parseInsns('0x85 0 0 0 7\n0x07 0 0 0 1\n0x25 0 0 -2 0\n0x95 0 0 0 0');
    let err: unknown;
    try {
      verifyProgram(prog, options(0n, 1));
    } catch (e) {
      err = e;
    }
    const ve = err as VerifierError;
    expect(ve.message).toBe('infinite loop detected at insn 1');
    // captured from Linux 6.18 at log_level 1 (note the kernel's own line-joining quirk)
    expect(ve.log).toBe([
      '0: R1=ctx() R10=fp0',
      '0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()',
      '1: (07) r0 += 1                       ; R0=scalar()',
      '2: (25) if r0 > 0x0 goto pc-2 1: R0=scalar(umin=1) R10=fp0',
      '1: (07) r0 += 1                       ; R0=scalar()',
      '2: (25) if r0 > 0x0 goto pc-2 1: R0=scalar(umin=1) R10=fp0',
      '1: (07) r0 += 1                       ; R0=scalar()',
      '2: (25) if r0 > 0x0 goto pc-2 infinite loop detected at insn 1',
      'cur state: R0=scalar(umin=1) R10=fp0',
      'old state: R0=scalar(umin=1) R10=fp0',
      'processed 11 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
      '',
    ].join('\n'));
  });
  it('a loop that never ends hits the instruction limit', () => {
    const prog = parseInsns('0x85 0 0 0 7\n0x07 0 0 0 1\n0x25 0 0 -2 0\n0x95 0 0 0 0');
    let err: unknown;
    try {
      verifyProgram(prog, { ...options(0n, 0), insnLimit: 5000 });
    } catch (e) {
      err = e;
    }
    expect((err as VerifierError).message).toMatch(/^(BPF program is too large\. Processed 5001 insn|infinite loop detected at insn \d+)$/);
  });
});

describe('VerifiedProgram', () => {
  it('records subprogram stack depth, dead code and map addresses', () => {
    const prog = parseInsns('0xb7 1 0 0 0\n0x63 10 1 -12 0\n0xbf 2 10 0 0\n0x07 2 0 0 -12\n0x18 1 1 0 0\n0 0 0 0 0\n0x85 0 0 0 1\n0x15 0 0 1 0\n0x79 0 0 0 0\n0xb7 0 0 0 0\n0x95 0 0 0 0');
    const r = verifyProgram(prog, options(0xffff888000123000n, 0));
    expect(r.prog.verified).toBe(true);
    expect(r.prog.subprogs).toEqual([{ start: 0, end: 11, stackDepth: 16 }]);
    expect(r.prog.insns[4]).toMatchObject({ code: 0x18, src: 0, imm: 0x123000, imm2: Number(BigInt.asIntN(32, 0xffff8880n)) });
    expect(r.prog.dead[0]).toBe(0);
    expect(r.prog.dead[5]).toBe(0);
    expect(r.prog.dead.length).toBe(prog.length);
    expect(r.stats.insnProcessed).toBeGreaterThan(0);
  });
  it('marks never-reached instructions dead (predicted branch)', () => {
    const prog = parseInsns('0xb7 0 0 0 1\n0x15 0 0 1 0\n0xb7 0 0 0 2\n0x95 0 0 0 0');
    const r = verifyProgram(prog, options(0n, 0));
    expect([...r.prog.dead]).toEqual([0, 0, 0, 0]);
    const prog2 = parseInsns('0xb7 0 0 0 0\n0x15 0 0 1 0\n0xb7 0 0 0 2\n0x95 0 0 0 0');
    expect([...verifyProgram(prog2, options(0n, 0)).prog.dead]).toEqual([0, 0, 1, 0]);
  });
  it('rewrites narrow ctx loads of packet pointers to the real 64-bit field', () => {
    // skb->data (off 76) is a u32 UAPI field backed by a hidden 64-bit pointer
    const prog = parseInsns('0x61 2 1 76 0\n0xb7 0 0 0 0\n0x95 0 0 0 0');
    const r = verifyProgram(prog, { ...options(0n, 0), progType: 'sched_cls', progTypeDef: progTypeDef('sched_cls') });
    expect(r.prog.insns[0]!.code).toBe(0x79);
  });
});
