// SEC("iter/<target>") programs under both engines against the default world: the expected text
// is rebuilt from the world's TypeScript objects, never copied from a run.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { BpfApiError } from '../../src/api/errors.js';
import { IterReadError } from '../../src/api/iter.js';
import type { Task, Vma } from '../../src/kernel/world/objects.js';
import { ENGINES, getGlobal, loadProg, setGlobal } from './helpers.js';

const pad = (v: number | string, n: number): string => String(v).padStart(n, ' ');
const hex8 = (v: bigint): string => v.toString(16).padStart(8, '0');

function taskLines(tasks: readonly Task[]): string {
  return tasks.map((t) => `${pad(t.pid, 7)} ${pad(t.tgid, 7)} ${t.comm.slice(0, 15)}\n`).join('');
}

function vmaLine(t: Task, v: Vma): string {
  const f = Number(v.flags);
  const perm = (f & 1 ? 'r' : '-') + (f & 2 ? 'w' : '-') + (f & 4 ? 'x' : '-') + (f & 0x80 ? 's' : 'p');
  return `${t.tgid} ${hex8(v.start)}-${hex8(v.end)} ${perm} ${hex8(v.pgoff << 12n)} ${v.file ? 'f' : 'a'}\n`;
}

describe.each(ENGINES)('iterator programs (%s)', (engine) => {
  it('iter/task prints every task in pid order, then the stop call', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_tasks.bpf.o', engine, kernel);
    const tasks = kernel.world.iterTasks();
    const expected = `    pid    tgid comm\n${taskLines(tasks)}=== END seq_num=${tasks.length - 1} tasks=${tasks.length} ===\n`;
    expect(tasks.length).toBeGreaterThan(10);
    const text = obj.program('dump_task').iter().read();
    expect(text).toBe(expected);
    // threads are visited too (nginx workers carry the leader's tgid)
    expect(text).toMatch(/\n +816 +815 nginx\n/);
  });

  it('iter/task with a pid visits that process\'s threads only; tid one thread', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_tasks.bpf.o', engine, kernel);
    const nginx = kernel.taskByPid(815)!;
    expect(nginx.threads.length).toBe(3);
    const p = obj.program('dump_task');
    expect(p.iter({ pid: 815 }).read()).toBe(`    pid    tgid comm\n${taskLines(nginx.threads)}=== END seq_num=2 tasks=3 ===\n`);
    expect(p.iter({ tid: 816 }).read()).toBe(`    pid    tgid comm\n${taskLines([kernel.taskByPid(816)!])}=== END seq_num=0 tasks=4 ===\n`);
    expect(() => p.iter({ pid: 99999 })).toThrow(BpfApiError);
  });

  it('iter/task_file dumps tgid fd f_op for every process (threads sharing files skipped)', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_tasks.bpf.o', engine, kernel);
    let expected = '';
    for (const { task, fd, file } of kernel.world.iterTaskFiles()) {
      expected += `${pad(task.tgid, 8)} ${pad(fd, 4)} ${kernel.kallsyms.get(file.fopsName)!.toString(16)}\n`;
    }
    expected += '=== END ===\n';
    const text = obj.program('dump_task_file').iter().read();
    expect(text).toBe(expected);
    expect(text).not.toMatch(/^ +815 +\d+ .*\n(?:.*\n)* +815 +0 /m); // nginx's table once
    const sock = kernel.kallsyms.get('socket_file_ops')!.toString(16);
    expect(text).toContain(`     702    3 ${sock}\n`);
  });

  it('iter/task_vma prints /proc/PID/maps-like lines for one process', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_tasks.bpf.o', engine, kernel);
    const bash = kernel.taskByPid(1203)!;
    expect(bash.mm!.vmas.length).toBeGreaterThan(3);
    expect(obj.program('dump_task_vma').iter({ pid: 1203 }).read()).toBe(bash.mm!.vmas.map((v) => vmaLine(bash, v)).join(''));
    let all = '';
    for (const { task, vma } of kernel.world.iterTaskVmas()) all += vmaLine(task, vma);
    expect(obj.program('dump_task_vma').iter().read()).toBe(all);
  });

  it('iter/cgroup walks pre / post / up / self; an order is required', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_tasks.bpf.o', engine, kernel);
    const p = obj.program('dump_cgroup');
    const lines = (order: 'pre' | 'post' | 'up' | 'self', start = kernel.rootCgroup): string =>
      kernel.world.cgroupWalk(start, order).map((c) => `${c.level} ${c.id} [${c.name}]\n`).join('') + '=== END ===\n';
    expect(p.iter({ order: 'pre' }).read()).toBe(lines('pre'));
    expect(() => p.iter()).toThrow(/needs a walk order/);
    const sys = kernel.cgroups.find((c) => c.path === '/system.slice')!;
    expect(p.iter({ cgroup: '/system.slice', order: 'post' }).read()).toBe(lines('post', sys));
    const scope = kernel.cgroups.find((c) => c.path === '/user.slice/user-1000.slice/session-1.scope')!;
    expect(p.iter({ cgroup: scope, order: 'up' }).read()).toBe(lines('up', scope));
    expect(p.iter({ cgroup: scope, order: 'self' }).read()).toBe(lines('self', scope));
    expect(p.iter({ order: 'pre' }).read().split('\n')[0]).toBe(`0 ${kernel.rootCgroup.id} []`);
    // a walk that did not fit one read() cannot go on in the next (cgroup_iter: EOPNOTSUPP)
    const small = p.iter({ order: 'pre', bufSize: 40 });
    expect(small.readChunk().length).toBeGreaterThan(0);
    expect(() => small.readChunk()).toThrow(/EOPNOTSUPP/);
  });

  it('iter/cgroup: a program returning 1 ends the walk', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_tasks.bpf.o', engine, kernel);
    const walk = kernel.world.cgroupWalk(kernel.rootCgroup, 'pre');
    setGlobal(obj, 'stop_id', walk[3]!.id);
    expect(obj.program('cgroup_until').iter({ order: 'pre' }).read()).toBe(walk.slice(0, 4).map((c) => `${c.id}\n`).join(''));
  });

  it('iter/bpf_map_elem sums a hash map; the value pointer is the element itself', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_maps.bpf.o', engine, kernel);
    const counts = obj.map('counts');
    const kv: [number, bigint][] = [[1, 10n], [7, 700n], [42, 4242n], [3, 33n]];
    const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
    const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);
    for (const [k, v] of kv) counts.update(u32(k), u64(v));
    const order = counts.keys().map((k) => new DataView(k.buffer, k.byteOffset).getUint32(0, true));
    const val = new Map(kv);
    const sum = kv.reduce((s, [, v]) => s + v, 0n);
    const text = obj.program('sum_elems').iter({ map: 'counts' }).read();
    expect(text).toBe(order.map((k) => `${k}=${val.get(k)}\n`).join('') + `counts: 4 elems, sum ${sum}\n`);
    expect(getGlobal(obj, 'sum')).toBe(sum);
    // the program added 1000 to each value in place
    for (const [k, v] of kv) expect(new DataView((counts.lookup(u32(k)) as Uint8Array).buffer).getBigUint64(0, true)).toBe(v + 1000n);
  });

  it('iter/bpf_map_elem over a per-CPU array shows every CPU\'s value', async () => {
    const kernel = new Kernel({ nrCpus: 4 });
    const obj = await loadProg('iter_maps.bpf.o', engine, kernel);
    const pcpu = obj.map('pcpu');
    const key = new Uint8Array(new Uint32Array([1]).buffer);
    const vals = new Uint8Array(new BigUint64Array([5n, 6n, 7n, 8n]).buffer);
    pcpu.update(key, vals);
    expect(obj.program('sum_percpu').iter({ map: pcpu }).read()).toBe('0: 0 0 0 0\n1: 5 6 7 8\n2: 0 0 0 0\n');
  });

  it('iter/bpf_map_elem over an LRU hash and an array map made from TypeScript; queues are refused', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_maps.bpf.o', engine, kernel);
    const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
    const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);
    const { map: lru } = kernel.maps.createMap({ type: 9, keySize: 4, valueSize: 8, maxEntries: 16, name: 'lru' });
    for (const k of [9, 4, 11]) lru.update(u32(k), u64(BigInt(k * 10)));
    const order = lru.keys().map((k) => new DataView(k.buffer, k.byteOffset).getUint32(0, true));
    expect(obj.program('sum_elems').iter({ map: lru }).read()).toBe(order.map((k) => `${k}=${k * 10}\n`).join('') + 'lru: 3 elems, sum 240\n');
    const { map: arr } = kernel.maps.createMap({ type: 2, keySize: 4, valueSize: 8, maxEntries: 3, name: 'arr' });
    arr.update(u32(2), u64(5n));
    // the counters are globals: they carry on from the LRU walk (3 + 3 elements, 240 + 5)
    expect(obj.program('sum_elems').iter({ map: arr }).read()).toBe('0=0\n1=0\n2=5\narr: 6 elems, sum 245\n');
    const { map: q } = kernel.maps.createMap({ type: 22, keySize: 0, valueSize: 8, maxEntries: 3, name: 'q' });
    expect(() => obj.program('sum_elems').iter({ map: q })).toThrow(/does not support/);
  });

  it('iter/bpf_map lists the kernel\'s maps in id order', async () => {
    const kernel = new Kernel();
    const obj = await loadProg('iter_maps.bpf.o', engine, kernel);
    const maps = kernel.maps.all();
    expect(maps.length).toBeGreaterThanOrEqual(3);
    expect(obj.program('list_maps').iter().read()).toBe(maps.map((m) => `${m.id} ${m.name.slice(0, 15)} ${m.maxEntries}\n`).join(''));
  });

  it('bpf_map_elem without a map, or on an unsupported map, is refused', async () => {
    const obj = await loadProg('iter_maps.bpf.o', engine);
    expect(() => obj.program('sum_elems').iter()).toThrow(/needs a map/);
    expect(() => obj.program('sum_elems').iter({ map: 'counts', bufSize: 0 })).toThrow(BpfApiError);
    expect(() => obj.program('dump_task' as string)).toThrow(BpfApiError);
  });
});

describe.each(ENGINES)('bpf_seq_read buffer rules (%s)', (engine) => {
  const ROW = 128;

  async function wide(nElems: number, lines: number, bufSize?: number) {
    const obj = await loadProg('iter_maps.bpf.o', engine);
    const counts = obj.map('counts');
    for (let k = 0; k < nElems; k++) counts.update(new Uint8Array(new Uint32Array([k]).buffer), new Uint8Array(8));
    setGlobal(obj, 'lines', BigInt(lines));
    return obj.program('wide').iter({ map: 'counts', bufSize });
  }

  it('an object that does not fit is dropped and shown first in the next read()', async () => {
    // 1000-byte buffer: 7 rows (896 bytes) fit, the 8th would need count + len < size
    const it = await wide(20, 1, 1000);
    const text = new TextDecoder().decode(it.readBytes());
    expect(text.length).toBe(20 * ROW + 4);
    expect(text.endsWith('end\n')).toBe(true);
    expect(it.reads.map((r) => r.length)).toEqual([7 * ROW, 7 * ROW, 6 * ROW + 4, 0]);
  });

  it('a single object larger than the buffer fails the read with E2BIG', async () => {
    const it = await wide(2, 300); // 38400 bytes > PAGE_SIZE << 3
    expect(() => it.readChunk()).toThrow(IterReadError);
    try {
      it.readChunk();
    } catch (e) {
      expect((e as IterReadError).errno).toBe(7);
    }
  });

  it('the stop call\'s output is retried in a read of its own when it does not fit', async () => {
    const it = await wide(7, 1, 7 * ROW + 4); // 7 rows fill all but 4 bytes; "end\n" needs 5
    expect(it.readChunk().length).toBe(7 * ROW);
    expect(new TextDecoder().decode(it.readChunk())).toBe('end\n');
    expect(it.readChunk().length).toBe(0);
  });

  it('return 1 shows the same object again (same seq_num) in the next read; EAGAIN when first', async () => {
    const obj = await loadProg('iter_maps.bpf.o', engine);
    const counts = obj.map('counts');
    for (const k of [5, 6, 7]) counts.update(new Uint8Array(new Uint32Array([k]).buffer), new Uint8Array(8));
    const keys = counts.keys().map((k) => new DataView(k.buffer, k.byteOffset).getUint32(0, true));
    setGlobal(obj, 'retry_key', BigInt(keys[1]!));
    const it = obj.program('retry_once').iter({ map: 'counts' });
    expect(new TextDecoder().decode(it.readChunk())).toBe(`${keys[0]}@0\n`);
    expect(it.read()).toBe(keys.map((k, i) => `${k}@${i}\n`).join(''));

    setGlobal(obj, 'retried', 0n);
    setGlobal(obj, 'retry_key', BigInt(keys[0]!));
    const it2 = obj.program('retry_once').iter({ map: 'counts' });
    expect(() => it2.readChunk()).toThrow(/EAGAIN/);
    expect(it2.read()).toBe(keys.map((k, i) => `${k}@${i}\n`).join(''));
    expect(it2.sessionId).toBe(it.sessionId + 1n);
  });
});
