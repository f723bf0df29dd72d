// `bpfwasm iter`: the command prints the seq_file text; bad usage is a UsageError.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerIter } from '../../src/cli/commands/iter.js';
import { Kernel } from '../../src/kernel/index.js';

const PROGS = join(dirname(fileURLToPath(import.meta.url)), '../progs');

async function cli(...argv: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  try {
    const program = new Command('bpfwasm').exitOverride();
    registerIter(program);
    await program.parseAsync(['iter', ...argv], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('bpfwasm iter', () => {
  it('prints the iterator text (--pid, --engine jit)', async () => {
    const k = new Kernel();
    const nginx = k.taskByPid(815)!;
    const expected = nginx.files!.sorted().map(([fd, f]) => `${String(815).padStart(8)} ${String(fd).padStart(4)} ${k.kallsyms.get(f.fopsName)!.toString(16)}\n`).join('') + '=== END ===\n';
    expect(await cli(join(PROGS, 'iter_tasks.bpf.o'), '--prog', 'dump_task_file', '--unverified', '--pid', '815')).toBe(expected);
    expect(await cli(join(PROGS, 'iter_tasks.bpf.o'), '--prog', 'dump_task_file', '--unverified', '--pid', '815', '--engine', 'jit')).toBe(expected);
  });

  it('walks an object map with --map and a cgroup subtree with --cgroup/--order', async () => {
    expect(await cli(join(PROGS, 'iter_maps.bpf.o'), '--prog', 'sum_elems', '--unverified', '--map', 'counts')).toBe('counts: 0 elems, sum 0\n');
    const k = new Kernel();
    const sys = k.cgroups.find((c) => c.path === '/system.slice')!;
    const expected = k.world.cgroupWalk(sys, 'post').map((c) => `${c.level} ${c.id} [${c.name}]\n`).join('') + '=== END ===\n';
    expect(await cli(join(PROGS, 'iter_tasks.bpf.o'), '--prog', 'dump_cgroup', '--unverified', '--cgroup', '/system.slice', '--order', 'post')).toBe(expected);
  });

  it('usage errors: several iterator programs without --prog, a missing map, a bad order', async () => {
    await expect(cli(join(PROGS, 'iter_tasks.bpf.o'), '--unverified')).rejects.toThrow(/choose one with --prog/);
    await expect(cli(join(PROGS, 'iter_maps.bpf.o'), '--prog', 'sum_elems', '--unverified')).rejects.toMatchObject({ name: 'UsageError' });
    await expect(cli(join(PROGS, 'iter_tasks.bpf.o'), '--prog', 'dump_cgroup', '--unverified', '--order', 'sideways')).rejects.toThrow(/--order/);
    await expect(cli(join(PROGS, 'iter_tasks.bpf.o'), '--prog', 'dump_cgroup', '--unverified')).rejects.toThrow(/needs a walk order/);
  });
});
