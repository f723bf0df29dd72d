// The iterator kfuncs as data (state sizes = Linux 6.18's /sys/kernel/btf/vmlinux, KF_* flags)
// and their handle discipline, called directly without a program.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import type { CallEnv } from '../../src/kernel/helpers/types.js';
import {
  KF_ACQUIRE, KF_ITER_DESTROY, KF_ITER_NEW, KF_ITER_NEXT, KF_RCU, KF_RCU_PROTECTED, KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS,
} from '../../src/kernel/kfuncs/index.js';
import { liveIterators, taskList } from '../../src/kernel/kfuncs/iters/index.js';

function env(kernel: Kernel): CallEnv {
  return { kernel, ctxPtr: 0n, progType: 'syscall', callback: () => 0n, tailCall: () => false };
}

function call(kernel: Kernel, name: string, ...a: bigint[]): bigint {
  const k = kernel.kfuncs.byName(name);
  if (!k) throw new Error(`no kfunc ${name}`);
  return k.fn(env(kernel), a[0] ?? 0n, a[1] ?? 0n, a[2] ?? 0n, a[3] ?? 0n, a[4] ?? 0n);
}

describe('iterator kfunc table', () => {
  it('state structs have the kernel\'s sizes', () => {
    const t = new Kernel().types;
    // bpftool btf dump file /sys/kernel/btf/vmlinux on Linux 6.18 (task_file: the CRIB proposal)
    const sizes = { bpf_iter_num: 8, bpf_iter_task: 24, bpf_iter_task_vma: 8, bpf_iter_css: 24, bpf_iter_css_task: 8, bpf_iter_bits: 16, bpf_iter_task_file: 24 };
    for (const [n, s] of Object.entries(sizes)) expect([n, t.sizeof(n)]).toEqual([n, s]);
  });

  it('flags are the kernel\'s', () => {
    const k = new Kernel();
    const flags = (n: string): number => {
      void k.btf;
      return k.kfuncs.byName(n)!.flags;
    };
    expect(flags('bpf_iter_task_new')).toBe(KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED);
    expect(flags('bpf_iter_css_new')).toBe(KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED);
    expect(flags('bpf_iter_task_vma_new')).toBe(KF_ITER_NEW | KF_RCU);
    expect(flags('bpf_iter_css_task_new')).toBe(KF_ITER_NEW | KF_TRUSTED_ARGS);
    expect(flags('bpf_iter_bits_new')).toBe(KF_ITER_NEW);
    for (const t of ['task', 'task_vma', 'css', 'css_task', 'bits', 'task_file']) {
      expect(flags(`bpf_iter_${t}_next`)).toBe(KF_ITER_NEXT | KF_RET_NULL);
      expect(flags(`bpf_iter_${t}_destroy`)).toBe(KF_ITER_DESTROY);
      expect(k.kfuncBtfId(`bpf_iter_${t}_new`)).toBeGreaterThan(0);
    }
    expect(flags('bpf_fget_task')).toBe(KF_ACQUIRE | KF_TRUSTED_ARGS | KF_RET_NULL);
    expect(flags('bpf_put_file')).toBe(KF_RELEASE);
    expect(flags('bpf_get_file_ops_type')).toBe(KF_TRUSTED_ARGS);
    expect(flags('bpf_iter_task_file_get_fd')).toBe(0);
  });
});

describe('iterator handles', () => {
  it('the state holds a handle; next on a copy elsewhere, or after destroy, is NULL', () => {
    const k = new Kernel();
    void k.btf;
    const st = k.mem.alloc(24);
    const other = k.mem.alloc(24);
    const p = k.mem.toPtr(st);
    expect(call(k, 'bpf_iter_task_new', p, 0n, 0n)).toBe(0n);
    expect(k.mem.readU32(st)).not.toBe(0);
    expect(liveIterators(k)).toBe(1);
    const procs = taskList(k);
    expect(call(k, 'bpf_iter_task_next', p)).toBe(procs[0]!.ptr);
    // a byte copy of the state at another address is not a live iterator
    k.mem.writeBytes(other, k.mem.readBytes(st, 24));
    expect(call(k, 'bpf_iter_task_next', k.mem.toPtr(other))).toBe(0n);
    // nor is the state of one type passed to another type's next()
    expect(call(k, 'bpf_iter_css_next', p)).toBe(0n);
    expect(call(k, 'bpf_iter_task_next', p)).toBe(procs[1]!.ptr);
    call(k, 'bpf_iter_task_destroy', p);
    expect(liveIterators(k)).toBe(0);
    expect(k.mem.readU32(st)).toBe(0);
    expect(call(k, 'bpf_iter_task_next', p)).toBe(0n);
    call(k, 'bpf_iter_task_destroy', p); // twice: harmless
    expect(liveIterators(k)).toBe(0);
  });

  it('an exhausted iterator keeps returning NULL; get_fd follows the cursor', () => {
    const k = new Kernel();
    void k.btf;
    const st = k.mem.alloc(24);
    const p = k.mem.toPtr(st);
    const bash = k.taskByPid(1203)!;
    expect(call(k, 'bpf_iter_task_file_new', p, bash.ptr)).toBe(0n);
    expect(BigInt.asIntN(32, call(k, 'bpf_iter_task_file_get_fd', p))).toBe(-1n);
    const seen: number[] = [];
    while (call(k, 'bpf_iter_task_file_next', p) !== 0n) seen.push(Number(call(k, 'bpf_iter_task_file_get_fd', p)));
    expect(seen).toEqual(bash.files!.sorted().map(([fd]) => fd));
    expect(call(k, 'bpf_iter_task_file_next', p)).toBe(0n);
    call(k, 'bpf_iter_task_file_destroy', p);
    // bits: a NULL pointer or an unreadable one
    expect(BigInt.asIntN(64, call(k, 'bpf_iter_bits_new', p, 0n, 1n))).toBe(-22n);
    expect(BigInt.asIntN(64, call(k, 'bpf_iter_bits_new', p, 0x10n, 1n))).toBe(-14n);
    expect(call(k, 'bpf_iter_bits_next', p)).toBe(0n);
    expect(liveIterators(k)).toBe(0);
  });
});
