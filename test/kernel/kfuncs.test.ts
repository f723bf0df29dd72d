import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { TypeTable } from '../../src/kernel/btf/layout.js';
import {
  KF_ACQUIRE, KF_ITER_DESTROY, KF_ITER_NEW, KF_ITER_NEXT, KF_RCU, KF_RCU_PROTECTED, KF_RELEASE, KF_RET_NULL, KF_SLEEPABLE,
  KF_TRUSTED_ARGS, KF_DESTRUCTIVE, KFUNC_TABLE, KfuncError, kfFlagsToString, kfuncRefs, registerAllKfuncs, registerKfuncs,
  validateKfunc, type KfuncSpec,
} from '../../src/kernel/kfuncs/index.js';
import type { CallEnv } from '../../src/kernel/helpers/index.js';

describe('KF_* flags', () => {
  it('have the values of include/linux/btf.h', () => {
    expect([KF_ACQUIRE, KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS, KF_SLEEPABLE, KF_DESTRUCTIVE, KF_RCU]).toEqual([1, 2, 4, 16, 32, 64, 128]);
    expect([KF_ITER_NEW, KF_ITER_NEXT, KF_ITER_DESTROY, KF_RCU_PROTECTED]).toEqual([256, 512, 1024, 2048]);
    expect(kfFlagsToString(KF_ACQUIRE | KF_RET_NULL)).toBe('KF_ACQUIRE | KF_RET_NULL');
    expect(kfFlagsToString(0)).toBe('0');
  });
});

describe('kfunc registration checks', () => {
  // a type table with iterator state structs of good and bad sizes
  const types = new TypeTable({
    structs: [
      { name: 'bpf_iter_good', kind: 'struct', fields: [['a', 'long long unsigned int'], ['b', 'long long unsigned int']] },
      { name: 'bpf_iter_odd', kind: 'struct', fields: [['a', 'unsigned int'], ['b', 'unsigned int'], ['c', 'unsigned int']] },
      { name: 'bpf_iter_empty', kind: 'struct', fields: [] },
      { name: 'task_struct', kind: 'struct', fields: [['pid', 'int']] },
    ],
    typedefs: [],
    enums: [],
  });
  const ok = (s: KfuncSpec) => expect(() => validateKfunc(s, types)).not.toThrow();
  const bad = (s: KfuncSpec, why: RegExp) => expect(() => validateKfunc(s, types)).toThrow(why);
  const it1 = [['it', 'struct bpf_iter_good *']] as const;

  it('accepts a well-formed iterator trio', () => {
    ok({ name: 'bpf_iter_good_new', ret: 'int', args: [...it1, ['x', 'int'], ['y', 'int']], flags: KF_ITER_NEW });
    ok({ name: 'bpf_iter_good_next', ret: 'int *', args: [...it1], flags: KF_ITER_NEXT | KF_RET_NULL });
    ok({ name: 'bpf_iter_good_destroy', ret: 'void', args: [...it1], flags: KF_ITER_DESTROY });
  });

  it('rejects malformed iterator kfuncs', () => {
    bad({ name: 'bpf_iter_good_make', ret: 'int', args: [...it1], flags: KF_ITER_NEW }, /must be named bpf_iter_good_new/);
    bad({ name: 'bpf_iter_good_next', ret: 'int *', args: [...it1], flags: KF_ITER_NEW }, /must be named bpf_iter_good_new/);
    bad({ name: 'bpf_iter_good_new', ret: 'int', args: [['it', 'struct task_struct *']], flags: KF_ITER_NEW }, /struct bpf_iter_<type>/);
    bad({ name: 'bpf_iter_good_new', ret: 'int', args: [['it', 'int']], flags: KF_ITER_NEW }, /first argument/);
    bad({ name: 'bpf_iter_good_new', ret: 'int', args: [], flags: KF_ITER_NEW }, /first/);
    bad({ name: 'bpf_iter_odd_new', ret: 'int', args: [['it', 'struct bpf_iter_odd *']], flags: KF_ITER_NEW }, /multiple of 8/);
    bad({ name: 'bpf_iter_empty_new', ret: 'int', args: [['it', 'struct bpf_iter_empty *']], flags: KF_ITER_NEW }, /multiple of 8/);
    bad({ name: 'bpf_iter_nope_new', ret: 'int', args: [['it', 'struct bpf_iter_nope *']], flags: KF_ITER_NEW }, /not declared/);
    bad({ name: 'bpf_iter_good_next', ret: 'int *', args: [...it1, ['x', 'int']], flags: KF_ITER_NEXT }, /exactly one argument/);
    bad({ name: 'bpf_iter_good_next', ret: 'int', args: [...it1], flags: KF_ITER_NEXT }, /return a pointer/);
    bad({ name: 'bpf_iter_good_destroy', ret: 'int', args: [...it1], flags: KF_ITER_DESTROY }, /return void/);
    bad({ name: 'bpf_iter_good_destroy', ret: 'void', args: [...it1, ['x', 'int']], flags: KF_ITER_DESTROY }, /exactly one argument/);
    bad({ name: 'bpf_iter_good_new', ret: 'int', args: [...it1], flags: KF_ITER_NEW | KF_ITER_NEXT }, /more than one/);
  });

  it('rejects other malformed kfuncs', () => {
    bad({ name: 'bad name', ret: 'void', args: [], flags: 0 }, /identifier/);
    bad({ name: 'f', ret: 'void', args: [], flags: 1 << 30 }, /unknown flag/);
    bad({ name: 'f', ret: 'int', args: [], flags: KF_ACQUIRE }, /return a pointer/);
    bad({ name: 'f', ret: 'void', args: [['a', 'int'], ['b', 'int'], ['c', 'int'], ['d', 'int'], ['e', 'int'], ['f', 'int']], flags: 0 }, /at most 5/);
    bad({ name: 'f', ret: 'struct', args: [], flags: 0 }, /bad return type/);
    ok({ name: 'f', ret: 'struct task_struct *', args: [['p', 'struct task_struct *']], flags: KF_ACQUIRE | KF_RET_NULL });
  });
});

function setup() {
  const kernel = new Kernel();
  const defs = registerAllKfuncs(kernel);
  const env: CallEnv = { kernel, ctxPtr: 0n, progType: 'syscall', callback: () => 0n, tailCall: () => false };
  const call = (name: string, ...a: bigint[]) => kernel.kfuncs.byName(name)!.fn(env, a[0] ?? 0n, a[1] ?? 0n, a[2] ?? 0n, a[3] ?? 0n, a[4] ?? 0n);
  return { kernel, defs, call };
}

describe('kfunc registry and kernel BTF', () => {
  it('every table entry gets a FUNC id in kernel.btf', () => {
    const { kernel, defs } = setup();
    expect(defs.length).toBe(KFUNC_TABLE.length);
    for (const d of defs) {
      expect(d.btfId, d.name).toBeGreaterThan(0);
      expect(kernel.kfuncs.byBtfId(d.btfId)).toBe(d);
      expect(kernel.btf.nameOf(d.btfId)).toBe(d.name);
    }
    expect(kernel.kfuncs.byName('bpf_iter_num_next')!.flags).toBe(KF_ITER_NEXT | KF_RET_NULL);
    expect(kernel.kfuncs.byName('bpf_task_acquire')!.flags).toBe(KF_ACQUIRE | KF_RCU | KF_RET_NULL);
  });

  it('registerAllKfuncs is idempotent and the kernel registers the table on first BTF use', () => {
    const { kernel, defs } = setup();
    expect(registerAllKfuncs(kernel)).toEqual(defs);
    const k2 = new Kernel();
    expect(k2.kfuncBtfId('bpf_iter_num_new')).toBeGreaterThan(0);
    expect(k2.kfuncs.byName('bpf_iter_num_new')?.btfId).toBe(k2.kfuncBtfId('bpf_iter_num_new'));
  });

  it('refuses duplicates and kfuncs without implementation', () => {
    const kernel = new Kernel();
    const spec: KfuncSpec = { name: 'bpf_x', ret: 'void', args: [], flags: 0 };
    expect(() => registerKfuncs(kernel, [spec, spec], { bpf_x: () => 0n })).toThrow(KfuncError);
    expect(() => registerKfuncs(kernel, [spec], {})).toThrow(/no implementation/);
  });
});

describe('bpf_iter_num', () => {
  function iterate(start: number, end: number) {
    const { kernel, call } = setup();
    const off = kernel.mem.alloc(8);
    const it = kernel.mem.toPtr(off);
    kernel.mem.writeU64(off, 0xdeadbeefn);
    const ret = call('bpf_iter_num_new', it, BigInt(start), BigInt(end));
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      const p = call('bpf_iter_num_next', it);
      if (p === 0n) break;
      expect(p).toBe(it);
      seen.push(kernel.mem.readI32(off));
    }
    const state = kernel.mem.readU64(off);
    call('bpf_iter_num_destroy', it);
    return { ret, seen, state, after: kernel.mem.readU64(off) };
  }

  it('yields start..end-1 then NULL', () => {
    expect(iterate(0, 5)).toMatchObject({ ret: 0n, seen: [0, 1, 2, 3, 4], state: 0n, after: 0n });
    expect(iterate(-3, 1).seen).toEqual([-3, -2, -1, 0]);
    expect(iterate(7, 7)).toMatchObject({ ret: 0n, seen: [] });
    expect(iterate(-2147483648, -2147483645).seen).toEqual([-2147483648, -2147483647, -2147483646]);
  });

  it('start > end is -EINVAL, a range over BPF_MAX_LOOPS is -E2BIG; both iterate nothing', () => {
    expect(iterate(5, 1)).toMatchObject({ ret: -22n, seen: [] });
    expect(iterate(0, (1 << 23) + 1)).toMatchObject({ ret: -7n, seen: [] });
    expect(iterate(0, 1 << 23).ret).toBe(0n);
    expect(iterate(-2147483648, 2147483647)).toMatchObject({ ret: -7n, seen: [] });
  });
});

describe('reference kfuncs', () => {
  it('task acquire / from_pid / release', () => {
    const { kernel, call } = setup();
    const t = kernel.spawn({ comm: 'target' });
    expect(call('bpf_task_from_pid', BigInt(t.pid))).toBe(t.ptr);
    expect(call('bpf_task_from_pid', 99999n)).toBe(0n);
    expect(call('bpf_task_acquire', t.ptr)).toBe(t.ptr);
    expect(kfuncRefs(kernel).tasks).toBe(2);
    call('bpf_task_release', t.ptr);
    call('bpf_task_release', t.ptr);
    expect(kfuncRefs(kernel).tasks).toBe(0);
  });

  it('cgroup from id / ancestor / release and rcu sections', () => {
    const { kernel, call } = setup();
    const cg = kernel.createCgroup('/a/b');
    expect(call('bpf_cgroup_from_id', cg.id)).toBe(cg.ptr);
    expect(call('bpf_cgroup_from_id', 0xfffffn)).toBe(0n);
    expect(call('bpf_cgroup_ancestor', cg.ptr, 0n)).toBe(kernel.rootCgroup.ptr);
    expect(call('bpf_cgroup_ancestor', cg.ptr, 5n)).toBe(0n);
    expect(kfuncRefs(kernel).cgroups).toBe(2);
    call('bpf_rcu_read_lock');
    expect(kfuncRefs(kernel).rcuDepth).toBe(1);
    call('bpf_rcu_read_unlock');
    expect(kfuncRefs(kernel).rcuDepth).toBe(0);
  });
});
