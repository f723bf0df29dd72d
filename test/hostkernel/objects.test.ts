// Every program of every object in test/progs, loaded into the host kernel and into bpfwasm:
// verdicts must agree (and match the program's own annotations), and where the program type
// can be test-run, return values must agree too.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/index.js';
import { VERIFIER_AVAILABLE } from '../../src/api/program.js';
import { knownDifferences, runObject, unavailableReason, type KernelVerdict } from './host.js';

const reason = unavailableReason();
const PROGS = join(import.meta.dirname, '..', 'progs');
const objects = readdirSync(PROGS).filter((f) => f.endsWith('.bpf.o')).sort();

// A 64-byte IPv4/UDP-looking frame, so packet programs have something to parse.
const PACKET = Buffer.from(
  'ffffffffffff0011223344550800' + '4500003200000000401100007f0000017f000001' + '04d2162e001e0000' + '00'.repeat(22),
  'hex',
);
const PACKET_TYPES = new Set(['xdp', 'sched_cls', 'sched_act', 'socket_filter']);

function annotatedVerdict(tags: readonly string[]): 'success' | 'failure' | undefined {
  if (tags.includes('comment:test_expect_failure')) return 'failure';
  if (tags.includes('comment:test_expect_success')) return 'success';
  return undefined;
}

interface Row {
  id: string;
  kernel: KernelVerdict;
  problems: string[];
  /** bpfwasm refused it for a feature it does not support yet (listed in known-differences.json) */
  unsupported?: string;
}

describe.skipIf(reason !== undefined)('test/progs objects: host kernel vs bpfwasm', () => {
  it('verdicts and return values agree', async () => {
    const known = knownDifferences();
    const rows: Row[] = [];
    let verdictsCompared = 0;
    let verdictsAgree = 0;
    let retvalsCompared = 0;
    let retvalsAgree = 0;
    for (const file of objects) {
      const path = join(PROGS, file);
      const bytes = new Uint8Array(readFileSync(path));
      let spec;
      try {
        spec = BpfObject.open(bytes, { name: file.split('.')[0] }).spec;
      } catch (e) {
        rows.push({ id: file, kernel: { loaded: false, processed_insns: -1, verification_ns: 0, log: '' }, problems: [`bpfwasm cannot open it: ${(e as Error).message}`] });
        continue;
      }
      for (const p of spec.programs) {
        const id = `${file}:${p.name}`;
        const packet = PACKET_TYPES.has(p.type);
        const k = runObject(path, p.name, { dataIn: packet ? PACKET.toString('hex') : undefined });
        const problems: string[] = [];
        const annotated = annotatedVerdict(p.tags);
        if (annotated !== undefined && (annotated === 'success') !== k.loaded) {
          problems.push(`annotation says ${annotated}, kernel ${k.loaded ? 'accepted' : 'rejected'} it`);
        }
        // bpfwasm's verdict and, where both can run it, its return value.
        const obj = BpfObject.open(bytes, { name: file.split('.')[0] });
        let ours: boolean | undefined;
        let unsupported: string | undefined;
        try {
          await obj.load({ programs: [p.name], unverified: !VERIFIER_AVAILABLE });
          ours = true;
        } catch (e) {
          const msg = (e as Error).message;
          if ((e as Error).name !== 'VerifierError') problems.push(`bpfwasm load failed: ${msg}`);
          unsupported = known.unsupported.find((u) => u.pattern.test(msg))?.reason;
          ours = false;
        }
        if (VERIFIER_AVAILABLE) {
          verdictsCompared++;
          if (ours === k.loaded) verdictsAgree++;
          else if (unsupported === undefined || !k.loaded) {
            problems.push(`verdict: kernel ${k.loaded ? 'accepted' : 'rejected'}, bpfwasm ${ours ? 'accepted' : 'rejected'}`);
          }
        }
        if (ours && k.loaded && k.test_run === 'ok') {
          retvalsCompared++;
          try {
            const r = obj.program(p.name).run({ dataIn: packet ? new Uint8Array(PACKET) : undefined });
            if (Number(BigInt.asUintN(32, r.retval)) === k.retval) retvalsAgree++;
            else problems.push(`retval: kernel ${k.retval}, bpfwasm ${BigInt.asUintN(32, r.retval)}`);
          } catch (e) {
            problems.push(`bpfwasm run failed: ${(e as Error).message}`);
          }
        }
        rows.push({ id, kernel: k, problems, unsupported: ours === k.loaded ? undefined : unsupported });
      }
    }
    const accepted = rows.filter((r) => r.kernel.loaded).length;
    // (objects bpfwasm cannot open count as one row each)
    console.log(`objects: ${rows.length} programs; kernel accepted ${accepted}, rejected ${rows.length - accepted}`);
    console.log(
      VERIFIER_AVAILABLE
        ? `verdicts agree: ${verdictsAgree}/${verdictsCompared} (${rows.filter((r) => r.unsupported).length} refused by bpfwasm for a feature it does not support yet)`
        : 'verdicts agree: not compared (bpfwasm has no verifier yet; programs run unverified)',
    );
    console.log(`return values agree: ${retvalsAgree}/${retvalsCompared}`);
    const byReason = new Map<string, number>();
    for (const r of rows) if (r.unsupported) byReason.set(r.unsupported, (byReason.get(r.unsupported) ?? 0) + 1);
    for (const [why, n] of byReason) console.log(`  ${n} × ${why}`);
    const unexplained = rows.filter((r) => r.problems.length > 0 && !known.programs.has(r.id)).map((r) => `${r.id}: ${r.problems.join('; ')}`);
    expect(unexplained).toEqual([]);
  });
});
