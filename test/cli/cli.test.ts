// The command line's contract: output formats and exit codes (0 ok, 1 failed, 2 bad input).
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const progs = join(import.meta.dirname, '..', 'progs');

async function cli(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  if (stdin !== undefined) vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([Buffer.from(stdin)]) as unknown as typeof process.stdin);
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('bpfwasm CLI', () => {
  it('run --json prints the test-run result', async () => {
    const r = await cli(['run', join(progs, 'arith.bpf.o'), '--prog', 'arith_basic', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j).toMatchObject({ program: 'arith_basic', retval: 42, repeat: 1 });
    expect(typeof j.duration_ns).toBe('number');
    expect(Object.keys(j).sort()).toEqual(['duration_ns', 'engine', 'program', 'repeat', 'retval']);
  });

  it('a malformed object is exit code 2 with one line naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfwasm-cli-'));
    const bad = join(dir, 'trunc.o');
    writeFileSync(bad, readFileSync(join(progs, 'maps.bpf.o')).subarray(0, 300));
    const r = await cli(['inspect', bad]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^bpfwasm: malformed ELF: .*offset/);
  });

  it('a missing file and an unknown option are usage errors (2)', async () => {
    expect((await cli(['disasm', '/nonexistent.o'])).code).toBe(2);
    expect((await cli(['run', join(progs, 'arith.bpf.o'), '--engine', 'wasm3'])).code).toBe(2);
    expect((await cli(['run', join(progs, 'arith.bpf.o'), '--no-such-flag'])).code).toBe(2);
  });

  it('a program the verifier rejects is exit code 1 with the log', async () => {
    const r = await cli(['verify', join(progs, 'maps.bpf.o'), '--prog', 'lookup_no_null_check']);
    expect(r.code).toBe(1);
    expect(r.out).toContain("R0 invalid mem access 'map_value_or_null'");
  });

  it('conformance: program hex on stdin, memory hex argument, r0 in hex', async () => {
    // r0 = *(u8 *)(r1 + 1); r0 += r2 (memory length); exit
    const prog = '71 10 01 00 00 00 00 00 0f 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00';
    const r = await cli(['conformance', '0a0b'], prog);
    expect(r).toEqual({ code: 0, out: 'd\n', err: '' });
    const bad = await cli(['conformance'], 'ff');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/^bpfwasm: /);
  });

  it('disasm in llvm syntax agrees with the committed llvm-objdump listing', async () => {
    const r = await cli(['disasm', join(progs, 'arith.bpf.o'), '--prog', 'arith_basic', '--syntax', 'llvm']);
    expect(r.code).toBe(0);
    const objdump = readFileSync(join(progs, 'arith.objdump'), 'utf8');
    const text = (l: string): string => l.split('\t').pop()!.trim();
    const ours = r.out.split('\n').filter((l) => /^\s+\d+:\t/.test(l)).map(text);
    const theirs = objdump.split('<arith_basic>:')[1]!.split('\n\n')[0]!.split('\n').filter((l) => /^\s+\d+:\t/.test(l)).map(text);
    expect(ours).toEqual(theirs);
  });
});
