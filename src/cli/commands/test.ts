// `bpfwasm test FILE`: run a BPF object's annotated programs the way the kernel selftests'
// test_loader does — expected verdict, expected log messages, expected return value.
import type { Command } from 'commander';
import { parseAnnotations, isAnnotated, missingMessage } from '../../api/annotations.js';
import { VERIFIER_AVAILABLE } from '../../api/program.js';
import { OperationError } from '../errors.js';
import { openFileObject, printJson } from './common.js';
import { parseEngine, DEFAULT_ENGINE } from './run.js';

// test_loader's TEST_DATA_LEN: packet programs get this many zero bytes.
const TEST_DATA_LEN = 64;
const PACKET_TYPES = new Set(['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb']);

type Outcome = { program: string; description?: string; status: 'ok' | 'fail' | 'skip'; detail?: string };

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('check annotated programs (__success/__failure/__msg/__retval) like the kernel selftests')
    .argument('<file>', 'BPF object (.bpf.o)')
    .option('--engine <engine>', 'interp or jit', DEFAULT_ENGINE)
    .option('--json', 'print JSON')
    .action(async (file: string, f: { engine: string; json?: boolean }) => {
      const engine = parseEngine(f.engine);
      const probe = openFileObject(file);
      const outcomes: Outcome[] = [];
      for (const spec of probe.spec.programs) {
        const ann = parseAnnotations(spec.tags);
        if (!isAnnotated(ann)) continue;
        const o: Outcome = { program: spec.name, description: ann.description, status: 'ok' };
        outcomes.push(o);
        if (!VERIFIER_AVAILABLE && ann.expect === 'failure') {
          o.status = 'skip';
          o.detail = 'expects a verifier rejection; this build has no verifier';
          continue;
        }
        // Each program in a fresh world, as each selftest gets its own object.
        const obj = openFileObject(file);
        try {
          await obj.load({ engine, programs: [spec.name], unverified: !VERIFIER_AVAILABLE });
        } catch (e) {
          const log = (e as { log?: string }).log ?? '';
          if (ann.expect === 'failure') {
            const miss = missingMessage(log, ann.messages);
            if (miss !== undefined) Object.assign(o, { status: 'fail', detail: `log lacks expected message '${miss}'` });
          } else {
            Object.assign(o, { status: 'fail', detail: `rejected: ${(e as Error).message}` });
          }
          continue;
        }
        if (ann.expect === 'failure') {
          Object.assign(o, { status: 'fail', detail: 'expected a rejection, but it loaded' });
          continue;
        }
        if (ann.retval !== undefined) {
          const data = PACKET_TYPES.has(spec.type) ? new Uint8Array(TEST_DATA_LEN) : undefined;
          try {
            const r = obj.program(spec.name).run({ dataIn: data });
            const got = Number(BigInt.asUintN(32, r.retval));
            if (got !== ann.retval) Object.assign(o, { status: 'fail', detail: `retval ${got}, expected ${ann.retval}` });
          } catch (e) {
            Object.assign(o, { status: 'fail', detail: `run failed: ${(e as Error).message}` });
          }
        }
        if (!VERIFIER_AVAILABLE && o.status === 'ok') o.detail = 'ran unverified (this build has no verifier)';
      }
      const count = (s: Outcome['status']): number => outcomes.filter((x) => x.status === s).length;
      const summary = `${count('ok')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
      if (f.json) printJson({ file, engine, results: outcomes, summary });
      else {
        const lines = outcomes.map((x, i) => `#${i + 1} ${x.program}${x.description ? ` (${x.description})` : ''}: ${x.status.toUpperCase()}${x.detail ? ` — ${x.detail}` : ''}`);
        process.stdout.write([...lines, summary].join('\n') + '\n');
      }
      if (count('fail') > 0) throw new OperationError(`${count('fail')} of ${outcomes.length} annotated programs failed`);
    });
}
