// The kernel header (`bpfwasm btf dump --kernel --format c`) compiles with clang -target bpf and
// CO-RE programs built against it resolve against the kernel BTF. Needs clang-19 and libbpf's
// headers; skips itself without them. The CO-RE step additionally needs bpftool.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { dumpKernelHeader, kernelTypes } from '../../src/kernel/btf/index.js';

// clang's layout of the dumped header must put these where the world writes them
const LAYOUT_CHECKS: [string, string][] = [
  ['task_struct', 'pid'], ['task_struct', 'real_parent'], ['task_struct', 'comm'], ['task_struct', 'thread.fsbase'],
  ['task_struct', 'cgroups'], ['task_struct', 'se.sum_exec_runtime'], ['thread_struct', 'pkru'], ['sock_common', 'skc_bound_dev_if'],
  ['sock', 'sk_socket'], ['file', 'f_path'], ['file', 'f_pos'], ['dentry', 'd_name'], ['inode', 'i_size'], ['mm_struct', 'arg_start'],
  ['vm_area_struct', 'vm_flags'], ['vm_area_struct', 'vm_file'], ['cgroup', 'kn'], ['cgroup', 'ancestors'], ['css_set', 'dfl_cgrp'],
  ['files_struct', 'fd_array'], ['fdtable', 'fd'], ['bpf_map', 'max_entries'], ['bpf_iter__task_file', 'file'], ['__sk_buff', 'hwtstamp'],
];

const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const haveClang = has('clang-19') && existsSync('/usr/include/bpf/bpf_helpers.h');
const haveBpftool = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0;

const PROG = String.raw`
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t)
		return 0;
	int ppid = BPF_CORE_READ(t, real_parent, tgid);
	unsigned int uid = BPF_CORE_READ(t, cred, uid.val);
	const char *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, name);
	unsigned long fsbase = BPF_CORE_READ(t, thread.fsbase);
	int nr = BPF_CORE_READ(t, thread_pid, numbers[0].nr);
	unsigned int max_fds = BPF_CORE_READ(t, files, fdt, max_fds);
	unsigned long long in_execve = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %u %s %lx %d %u %llu\n", t->pid, ppid, uid, cg, fsbase, nr, max_fds, in_execve);
	return 0;
}

SEC("iter/task_vma")
int dump_vma(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	if (!v)
		return 0;
	struct file *f = v->vm_file;
	const unsigned char *name = f ? BPF_CORE_READ(f, f_path.dentry, d_name.name) : 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx-%lx %lx %s\n", v->vm_start, v->vm_end, v->vm_flags, name);
	return 0;
}

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return ctx->data_end > ctx->data ? 2 : 1;
}
`;

describe.skipIf(!haveClang)('kernel header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfwasm-kbtf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const k = new Kernel({ empty: true });

  it('compiles with clang-19 -target bpf, with BPF_CORE_READ chains', () => {
    const header = dumpKernelHeader(k);
    expect(header).toContain('struct task_struct {');
    expect(header).toContain('struct bpf_iter__task {');
    writeFileSync(join(dir, 'vmlinux.h'), header);
    const types = kernelTypes();
    const asserts = LAYOUT_CHECKS.map(([st, f]) => `_Static_assert(__builtin_offsetof(struct ${st}, ${f}) == ${types.offsetof(st, f)}, "${st}.${f}");`);
    writeFileSync(join(dir, 'prog.bpf.c'), PROG + '\n' + asserts.join('\n') + '\n');
    const r = spawnSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-c', 'prog.bpf.c', '-o', 'prog.bpf.o'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'prog.bpf.o')).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  });

  it.skipIf(!haveBpftool)('its CO-RE relocations resolve against the kernel BTF (libbpf via bpftool)', () => {
    writeFileSync(join(dir, 'kernel.btf'), k.btfBytes);
    execFileSync('bpftool', ['gen', 'min_core_btf', 'kernel.btf', 'min.btf', 'prog.bpf.o'], { cwd: dir, stdio: 'pipe' });
    const min = execFileSync('bpftool', ['btf', 'dump', 'file', join(dir, 'min.btf')], { encoding: 'utf8' });
    for (const f of ['real_parent', 'tgid', 'fsbase', 'dfl_cgrp', 'max_fds', 'vm_file', 'numbers']) expect(min).toContain(`'${f}'`);
  });
});
