// The instruction-level cases of test/interp/cases, run in the host kernel and in bpfwasm:
// every case's r0 must be the same in Linux 6.18, in our interpreter, and in the expectation.
import { describe, expect, it } from 'vitest';
import { assemble, encode, type Insn } from '../../src/isa/index.js';
import { allCases, type InterpCase } from '../interp/cases/index.js';
import { runCase } from '../interp/harness.js';
import { knownDifferences, runInsnsBatch, unavailableReason, type BatchCase } from './host.js';
import { verifyProgram, VerifierError } from '../../src/verifier/index.js';
import { progTypeDef } from '../../src/kernel/progtypes/index.js';

const reason = unavailableReason();
if (reason !== undefined) console.log(`kernel comparison suite skipped: ${reason}`);

// Socket filters need at least an Ethernet header of packet data to test-run.
const DEFAULT_PACKET = '00'.repeat(64);
const ETH_HEADER = '00'.repeat(14);

const hex = (insns: Insn[]): string => Buffer.from(encode(insns)).toString('hex');

/** `call +2; r0 >>= 32; exit; <case>`: the case runs as a subprogram and we see its high half. */
function highHalfWrapper(insns: Insn[]): Insn[] {
  return [
    { code: 0x85, dst: 0, src: 1, off: 0, imm: 2 },
    { code: 0x77, dst: 0, src: 0, off: 0, imm: 32 },
    { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ...insns,
  ];
}

interface Planned {
  c: InterpCase;
  low: number;
  high?: number;
}

describe.skipIf(reason !== undefined)('instruction cases: host kernel vs bpfwasm', () => {
  it('every case returns the same r0 in Linux and in the interpreter', () => {
    const known = knownDifferences();
    const batch: BatchCase[] = [];
    const plan: Planned[] = [];
    const skipped: string[] = [];
    for (const c of allCases) {
      if (typeof c.kernel === 'object') {
        skipped.push(`${c.name}: ${c.kernel.skip}`);
        continue;
      }
      const insns = assemble(c.asm);
      // Case memory is what the program sees at skb->data; BPF_PROG_TEST_RUN strips an
      // Ethernet header from data_in first.
      const dataHex = c.mem === undefined ? DEFAULT_PACKET : ETH_HEADER + c.mem;
      const p: Planned = { c, low: batch.length };
      batch.push({ hex: hex(insns), type: 'socket_filter', dataHex });
      if (c.kernel !== 'low32') {
        p.high = batch.length;
        batch.push({ hex: hex(highHalfWrapper(insns)), type: 'socket_filter', dataHex });
      }
      plan.push(p);
    }
    const results = runInsnsBatch(batch);
    const socketFilter = progTypeDef('socket_filter');
    let verdictsAgree = 0;
    let unsupported = 0;
    const verdictProblems: string[] = [];
    const disagreements: string[] = [];
    let agree = 0;
    for (const p of plan) {
      const ours = runCase(p.c);
      const lowK = results[p.low]!;
      const highK = p.high === undefined ? undefined : results[p.high]!;
      const problems: string[] = [];
      if (!lowK.loaded) problems.push(`kernel rejected it: ${lowK.log.split('\n').slice(-4, -3).join('')}`);
      else if (lowK.retval !== Number(BigInt.asUintN(32, ours))) problems.push(`low 32 bits: kernel ${lowK.retval}, bpfwasm ${BigInt.asUintN(32, ours)}`);
      if (highK !== undefined && highK.loaded && highK.retval !== Number(BigInt.asUintN(32, ours >> 32n))) {
        problems.push(`high 32 bits: kernel ${highK.retval}, bpfwasm ${BigInt.asUintN(32, ours >> 32n)}`);
      }
      if (ours !== BigInt.asUintN(64, p.c.expect)) problems.push(`bpfwasm ${ours} differs from the expectation ${p.c.expect}`);
      // The verifier's verdict on the same bytes the kernel judged.
      let accepted = true;
      let why = '';
      try {
        verifyProgram(assemble(p.c.asm), { progType: 'socket_filter', progTypeDef: socketFilter, logLevel: 0 });
      } catch (e) {
        if (!(e instanceof VerifierError)) throw e;
        accepted = false;
        why = e.message;
      }
      if (accepted === lowK.loaded) verdictsAgree++;
      else if (!accepted && known.unsupported.some((u) => u.pattern.test(why))) unsupported++;
      else verdictProblems.push(`${p.c.name}: kernel ${lowK.loaded ? 'accepted' : 'rejected'}, bpfwasm ${accepted ? 'accepted' : `rejected (${why})`}`);
      if (problems.length === 0) agree++;
      else if (!known.programs.has(`insn:${p.c.name}`)) disagreements.push(`${p.c.name}: ${problems.join('; ')}`);
    }
    console.log(`instruction cases: results agree: ${agree}/${plan.length} (${skipped.length} not comparable in the kernel)`);
    console.log(`instruction cases: verdicts agree: ${verdictsAgree}/${plan.length} (${unsupported} refused by bpfwasm for a feature it does not support yet)`);
    expect(disagreements).toEqual([]);
    expect(verdictProblems).toEqual([]);
  });
});
