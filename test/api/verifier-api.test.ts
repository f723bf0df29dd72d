// The verifier behind BpfObject.load(): verdicts and messages on real objects, as Linux 6.18
// gives them (messages checked against the host kernel's log for the same objects).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/index.js';

const progs = join(import.meta.dirname, '..', 'progs');
const open = (file: string): BpfObject =>
  BpfObject.open(new Uint8Array(readFileSync(join(progs, file))), { name: file.split('.')[0] });

async function rejection(file: string, prog: string): Promise<{ message: string; log: string }> {
  const obj = open(file);
  try {
    await obj.load({ programs: [prog] });
  } catch (e) {
    return { message: (e as Error).message, log: (e as { log: string }).log };
  }
  throw new Error(`${file}:${prog} was accepted`);
}

describe('verifier through the public API', () => {
  it('rejects a load through an unchecked map lookup result', async () => {
    const r = await rejection('maps.bpf.o', 'lookup_no_null_check');
    expect(r.log).toContain("R0 invalid mem access 'map_value_or_null'");
  });

  it('rejects a program writing into .rodata (BPF_F_RDONLY_PROG)', async () => {
    const r = await rejection('globals.bpf.o', 'write_rodata');
    expect(r.log).toMatch(/write into map forbidden, value_size=\d+ off=\d+ size=\d+/);
  });

  it('accepts and runs a verified program', async () => {
    const obj = open('arith.bpf.o');
    await obj.load({ programs: ['arith_basic'] });
    expect(obj.program('arith_basic').run().retval).toBe(42n);
    expect(obj.program('arith_basic').verifierLog).toMatch(/processed \d+ insns \(limit 1000000\)/);
  });
});
