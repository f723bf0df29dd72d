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

/** Lines we do not produce yet: stack liveness debug and SCC tracing. */
const UNSUPPORTED = /^(\(\d+\) frame|\(\d+\) live stack|SCC |=== )/;

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
  const cases: [string, string][] = [
    ['alu-ranges', 'socket_filter'], ['branch-single-value', 'socket_filter'], ['stack-map', 'socket_filter'],
    ['loop', 'socket_filter'], ['linked-spill', 'socket_filter'], ['alu32-sext', 'socket_filter'],
    ['stack-loop', 'socket_filter'], ['tc-pkt', 'sched_cls'],
  ];
  for (const [name, progType] of cases) {
    it(`${name} (${progType})`, () => {
      const want = fixture(`${name}.log`);
      const addr = /r1 = (0xffff[0-9a-f]+)/.exec(want)?.[1];
      const r = verifyProgram(parseInsns(fixture(`${name}.insns`)), {
        ...options(addr ? BigInt(addr) : 0n), progType, progTypeDef: progTypeDef(progType),
      });
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
  ['unknown opcode', '0xff 0 0 0 0\n0x95 0 0 0 0', 'unknown opcode ff', 22],
  ['zero opcode', '0x00 0 0 0 0\n0x95 0 0 0 0', 'unknown opcode 00', 22],
  ['ldx with imm', '0x61 0 1 0 5\n0x95 0 0 0 0', 'BPF_LDX uses reserved fields', 22],
  ['register 11', '0xb7 11 0 0 0\n0x95 0 0 0 0', 'R11 is invalid', 22],
  ['map value out of bounds', '0xb7 1 0 0 0\n0x63 10 1 -4 0\n0xbf 2 10 0 0\n0x07 2 0 0 -4\n0x18 1 1 0 0\n0 0 0 0 0\n0x85 0 0 0 1\n0x79 0 0 4 0\n0x95 0 0 0 0',
    'R0 min value is outside of the allowed memory range', 13],
];

describe('differential: 120 random branchy programs run through Linux 6.18', () => {
  // fixtures/random-branchy.json: random scalar/stack/branch programs (socket filters) with the
  // kernel's verdict and statistics line, captured at log_level 2.
  const cases = [
    ...JSON.parse(fixture('random-branchy.json')) as { insns: string; processed: string; accepted: boolean }[],
    ...JSON.parse(fixture('random-branchy-2.json')) as { insns: string; processed: string; accepted: boolean }[],
  ];
  it('same verdict for every program, same statistics for nearly all', () => {
    let sameStats = 0;
    for (const c of cases) {
      let accepted = true;
      let log: string;
      try {
        log = verifyProgram(parseInsns(c.insns), options(0n, 2)).log;
      } catch (e) {
        accepted = false;
        log = (e as VerifierError).log;
      }
      expect(accepted).toBe(c.accepted);
      if (/processed .*/.exec(log)?.[0] === c.processed) sameStats++;
    }
    // 117 of 120 agree exactly today; the rest differ in checkpoint placement
    expect(sameStats).toBeGreaterThanOrEqual(117);
  });
});

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

describe('robustness', () => {
  it('random programs end in a verdict, never in an internal exception', () => {
    const codes = [
      0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87,
      0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd4, 0xdc, 0xd7, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x34,
      0x44, 0x54, 0x64, 0x74, 0x84, 0x94, 0xa4, 0xb4, 0xbc, 0xc4, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
      0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x45, 0x55, 0x65,
      0xa5, 0xb5, 0xc5, 0xd5, 0x16, 0x1e, 0x26, 0x56, 0xa6, 0x85, 0x95, 0x18, 0xdb, 0xc3,
    ];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const messages = new Set<string>();
    for (let round = 0; round < 400; round++) {
      const n = 2 + rnd(12);
      const prog: Insn[] = [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }];
      for (let k = 0; k < n; k++) {
        const code = codes[rnd(codes.length)]!;
        const insn: Insn = {
          code, dst: rnd(11), src: rnd(11), off: [0, -8, -16, 4, 1, 2, -1][rnd(7)]!,
          imm: [0, 1, 7, -1, 16, 32, 64, 1 << 20][rnd(8)]!,
        };
        prog.push(insn);
        if (code === 0x18) prog.push({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
      }
      prog.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
      try {
        verifyProgram(prog, { ...options(0n, 2), insnLimit: 20000 });
      } catch (e) {
        if (!(e instanceof VerifierError)) throw new Error(`internal error on ${JSON.stringify(prog)}: ${String(e)}`, { cause: e });
        expect(e.log).toMatch(/processed \d+ insns/);
        messages.add(e.message.replace(/\d+/g, 'N'));
      }
    }
    expect(messages.size).toBeGreaterThan(8);
  });
  it('straight-line scalar ALU on initialised registers is accepted', () => {
    let seed = 777;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const ops = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
    for (let round = 0; round < 200; round++) {
      const prog: Insn[] = [];
      for (let r = 0; r < 10; r++) prog.push({ code: 0xb7, dst: r, src: 0, off: 0, imm: rnd(1000) - 500 });
      for (let k = 0; k < 20; k++) {
        const op = ops[rnd(ops.length)]!;
        const cls = rnd(2) ? 0x07 : 0x04;
        const x = rnd(2) ? 0x08 : 0;
        const shift = op === 0x60 || op === 0x70 || op === 0xc0;
        let imm = rnd(2000) - 1000;
        if (shift) imm = rnd(cls === 0x07 ? 64 : 32);
        if ((op === 0x30 || op === 0x90) && imm === 0) imm = 3;
        prog.push({ code: cls | op | x, dst: rnd(10), src: x ? rnd(10) : 0, off: 0, imm: x ? 0 : imm });
      }
      prog.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
      const r = verifyProgram(prog, options(0n, 0));
      expect(r.prog.dead.every((d) => d === 0)).toBe(true);
    }
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
