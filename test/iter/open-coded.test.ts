// Open-coded iterator kfuncs (bpf_iter_<type>_{new,next,destroy}) called from syscall programs,
// under both engines; expectations come from the world's TypeScript objects.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { kfuncRefs } from '../../src/kernel/kfuncs/index.js';
import { fileRefCount, liveIterators, taskList } from '../../src/kernel/kfuncs/iters/index.js';
import type { BpfObject } from '../../src/api/object.js';
import { ENGINES, args, loadProg, setGlobal } from './helpers.js';

const EINVAL = 22;
const E2BIG = 7;

function run(obj: BpfObject, name: string, ctx: Uint8Array = args({})): number {
  return Number(BigInt.asIntN(64, obj.program(name).run({ ctxIn: ctx }).retval));
}

const run32 = (obj: BpfObject, name: string, ctx?: Uint8Array): number => run(obj, name, ctx) | 0;

describe.each(ENGINES)('open-coded iterators (%s)', (engine) => {
  it('bpf_iter_task: ALL_PROCS from init_task, ALL_THREADS, bad flags', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    const procs = taskList(kernel);
    expect(procs[0]!.pid).toBe(0);
    const leaders = kernel.tasks.filter((t) => t.isLeader).length;
    const threads = kernel.tasks.length;
    expect(threads).toBeGreaterThan(leaders);
    expect(run32(obj, 'count_tasks', args({ flags: 0 }))).toBe(1 + leaders);
    expect(run32(obj, 'count_tasks', args({ flags: 1 }))).toBe(1 + threads);
    expect(run32(obj, 'count_tasks', args({ flags: 7 }))).toBe(0);
    kernel.spawn({ comm: 'late', threads: 2 });
    expect(run32(obj, 'count_tasks', args({ flags: 0 }))).toBe(2 + leaders);
    expect(run32(obj, 'count_tasks', args({ flags: 1 }))).toBe(1 + threads + 3);
    expect(liveIterators(kernel)).toBe(0);
  });

  it('bpf_iter_task PROC_THREADS walks the thread list from the given task on', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    const nginx = kernel.taskByPid(815)!;
    const pids = nginx.threads.map((t) => t.pid);
    expect(run32(obj, 'proc_threads', args({ pid: 815 }))).toBe(pids.reduce((a, b) => a + b, 0));
    expect(run32(obj, 'proc_threads', args({ pid: pids[1]! }))).toBe(pids.slice(1).reduce((a, b) => a + b, 0));
    expect(run32(obj, 'proc_threads', args({ pid: 1 }))).toBe(1);
    expect(kfuncRefs(kernel).tasks).toBe(0);
  });

  it('constructors fail with the kernel\'s errors', async () => {
    const obj = await loadProg('iter_open.bpf.o', engine);
    expect(run32(obj, 'ctor_errors')).toBe(EINVAL | (EINVAL << 8) | (E2BIG << 16) | (EINVAL << 24));
    expect(liveIterators(obj.kernel)).toBe(0);
  });

  it('bpf_iter_task_vma: VMAs ending above addr, -ENOENT for a kernel thread', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    const vmas = kernel.taskByPid(1203)!.mm!.vmas;
    expect(run32(obj, 'count_vmas', args({ pid: 1203 }))).toBe(vmas.length);
    const addr = vmas[2]!.start + 1n;
    expect(run32(obj, 'count_vmas', args({ pid: 1203, addr }))).toBe(vmas.filter((v) => v.end > addr).length);
    expect(run32(obj, 'count_vmas', args({ pid: 1203, addr: 0xffffffffffffn }))).toBe(0);
    expect(run32(obj, 'count_vmas', args({ pid: 2 }))).toBe(0);
  });

  it('bpf_iter_css: pre-order, post-order, ancestors; SELF_ONLY is refused', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    const digits = (order: 'pre' | 'post' | 'up', start = kernel.rootCgroup): number =>
      kernel.world.cgroupWalk(start, order).reduce((d, c) => d * 10 + c.level + 1, 0);
    const root = kernel.rootCgroup;
    const scope = kernel.cgroups.find((c) => c.path.endsWith('session-1.scope'))!;
    const sys = kernel.cgroups.find((c) => c.path === '/system.slice')!;
    expect(run(obj, 'walk_css', args({ cgid: root.id, flags: 2 }))).toBe(digits('pre'));
    expect(run(obj, 'walk_css', args({ cgid: sys.id, flags: 3 }))).toBe(digits('post', sys));
    expect(run(obj, 'walk_css', args({ cgid: scope.id, flags: 4 }))).toBe(digits('up', scope));
    expect(digits('up', scope)).toBe(4321);
    expect(run(obj, 'walk_css', args({ cgid: scope.id, flags: 1 }))).toBe(0);
    expect(kfuncRefs(kernel).cgroups).toBe(0);
  });

  it('bpf_iter_css_task: every task of a cgroup, or processes only', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    const cg = kernel.cgroups.find((c) => c.path === '/system.slice/nginx.service')!;
    const tasks = kernel.world.tasksInCgroup(cg);
    const enc = (ts: readonly { pid: number }[]): number => ts.length * 100000 + ts.reduce((s, t) => s + t.pid, 0);
    expect(tasks.length).toBe(3);
    expect(run(obj, 'css_tasks', args({ cgid: cg.id, flags: 0 }))).toBe(enc(tasks));
    expect(run(obj, 'css_tasks', args({ cgid: cg.id, flags: 1 }))).toBe(enc(tasks.filter((t) => t.isLeader)));
    expect(run(obj, 'css_tasks', args({ cgid: cg.id, flags: 4 }))).toBe(0);
  });

  it('bpf_iter_bits: the set bits of a u64 array', async () => {
    const obj = await loadProg('iter_open.bpf.o', engine);
    const words = [0x8000_0000_0000_0011n, 0x5n];
    setGlobal(obj, 'words', new Uint8Array(new BigUint64Array(words).buffer));
    let expected = 0;
    words.forEach((w, i) => {
      for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) expected += i * 64 + b + 1;
    });
    expect(run32(obj, 'sum_bits')).toBe(expected);
  });

  it('bpf_iter_task_file + get_fd + bpf_get_file_ops_type count a task\'s sockets', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    for (const pid of [815, 702, 1203]) {
      const socks = kernel.taskByPid(pid)!.files!.sorted().filter(([, f]) => f.kind === 'socket');
      expect(run32(obj, 'count_sockets', args({ pid }))).toBe(socks.length * 1000 + socks.reduce((s, [fd]) => s + fd, 0));
    }
    const files = taskList(kernel).reduce((n, t) => n + (t.files ? t.files.fds.size : 0), 0);
    expect(run32(obj, 'all_files')).toBe(files);
    expect(liveIterators(kernel)).toBe(0);
  });

  it('bpf_fget_task / bpf_put_file / bpf_get_file_ops_type', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_open.bpf.o', engine, kernel);
    const fds = kernel.taskByPid(815)!.files!.fds;
    expect(fds.get(6)!.fopsName).toBe('socket_file_ops');
    expect(run32(obj, 'fd_type', args({ pid: 815, flags: 6 }))).toBe(1);
    expect(fds.get(8)!.fopsName).toBe('eventpoll_fops');
    expect(run32(obj, 'fd_type', args({ pid: 815, flags: 8 }))).toBe(4);
    expect(run32(obj, 'fd_type', args({ pid: 815, flags: 0 }))).toBe(0);
    expect(run32(obj, 'fd_type', args({ pid: 815, flags: 100 }))).toBe(-1);
    expect(fileRefCount(kernel).files).toBe(0);
  });

  it('nested bpf_for loops', async () => {
    const obj = await loadProg('iter_open.bpf.o', engine);
    let s = 0;
    for (let i = 0; i < 10; i++) for (let j = 0; j < i; j++) s += i * j;
    expect(run32(obj, 'nested_for')).toBe(s);
  });
});
