import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../src/kernel/memory.js';
import {
  ArrayOfMapsMap, BloomFilterMap, BPF_EXIST, BPF_F_FAST_STACK_CMP, BPF_F_NO_PREALLOC, BPF_F_REUSE_STACKID,
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_BLOOM_FILTER, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_HASH_OF_MAPS,
  BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_RINGBUF,
  BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_TASK_STORAGE, BPF_NOEXIST, BPF_RB_AVAIL_DATA,
  BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE, BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT, createMap, HashOfMapsMap, LpmTrieMap, MapError, MapRegistry, PerfEventArrayMap, ProgArrayMap,
  QueueStackMap, RingbufMap, StackTraceMap, TaskStorageMap, LocalStorageMap, BPF_MAP_TYPE_CGRP_STORAGE,
} from '../../src/kernel/maps/index.js';
import { E2BIG, EBADF, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC } from '../../src/kernel/errno.js';
import { Kernel } from '../../src/kernel/kernel.js';

function mkEnv(nrCpus = 2) {
  const mem = new KernelMemory({ initialBytes: 1 << 20 });
  return { mem, nrCpus, currentCpu: () => 0 };
}
const k4 = (k: number) => new Uint8Array(new Uint32Array([k]).buffer);
const rd32 = (b: Uint8Array | undefined) => (b === undefined ? undefined : new DataView(b.buffer, b.byteOffset).getUint32(0, true));
function errno(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof MapError) return e.errno;
    throw e;
  }
  return 0;
}

describe('creation errors checked against Linux 6.18', () => {
  const env = mkEnv();
  const c = (attr: Parameters<typeof createMap>[0]) => errno(() => createMap(attr, env));
  it.each([
    ['ringbuf 4096', { type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }, 0],
    ['ringbuf 12288 (not a power of 2)', { type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 12288 }, EINVAL],
    ['ringbuf 1024 (below a page)', { type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 1024 }, EINVAL],
    ['ringbuf key_size 4', { type: BPF_MAP_TYPE_RINGBUF, keySize: 4, valueSize: 0, maxEntries: 4096 }, EINVAL],
    ['queue key_size 4', { type: BPF_MAP_TYPE_QUEUE, keySize: 4, valueSize: 4, maxEntries: 4 }, EINVAL],
    ['queue max_entries 0', { type: BPF_MAP_TYPE_QUEUE, keySize: 0, valueSize: 4, maxEntries: 0 }, EINVAL],
    ['lpm without NO_PREALLOC', { type: BPF_MAP_TYPE_LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 4 }, EINVAL],
    ['lpm key_size 4', { type: BPF_MAP_TYPE_LPM_TRIE, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, EINVAL],
    ['lpm key_size 261', { type: BPF_MAP_TYPE_LPM_TRIE, keySize: 261, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, EINVAL],
    ['bloom map_extra 16', { type: BPF_MAP_TYPE_BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 4, mapExtra: 16n }, EINVAL],
    ['bloom key_size 4', { type: BPF_MAP_TYPE_BLOOM_FILTER, keySize: 4, valueSize: 4, maxEntries: 4 }, EINVAL],
    ['stack_trace value_size 12', { type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 12, maxEntries: 4 }, EINVAL],
    ['stack_trace depth 128', { type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 1024, maxEntries: 4 }, EINVAL],
    ['stack_trace key_size 8', { type: BPF_MAP_TYPE_STACK_TRACE, keySize: 8, valueSize: 8, maxEntries: 4 }, EINVAL],
    ['task_storage max_entries 1', { type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_NO_PREALLOC }, EINVAL],
    ['task_storage without NO_PREALLOC', { type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 4, maxEntries: 0 }, EINVAL],
    ['prog_array value_size 8', { type: BPF_MAP_TYPE_PROG_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, EINVAL],
    ['perf_event_array', { type: BPF_MAP_TYPE_PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, 0],
    ['array_of_maps without inner', { type: BPF_MAP_TYPE_ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, EINVAL],
    ['hash_of_maps without inner', { type: BPF_MAP_TYPE_HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, EINVAL],
  ] as const)('%s', (_name, attr, want) => {
    expect(c({ ...attr })).toBe(want);
  });
});

describe('ring buffer', () => {
  it('reserve/submit/discard, headers with BUSY/DISCARD bits, consumer order, query', () => {
    const env = mkEnv();
    const rb = createMap({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }, env) as RingbufMap;
    const a = rb.ringbufReserve(5);
    expect(a).not.toBe(0);
    expect(a % 8).toBe(0);
    expect(env.mem.readU32(a - 8)).toBe((5 | BPF_RINGBUF_BUSY_BIT) >>> 0);
    const b = rb.ringbufReserve(3);
    expect(b - a).toBe(16); // round_up(5 + 8, 8)
    env.mem.writeBytes(a, new Uint8Array([1, 2, 3, 4, 5]));
    env.mem.writeBytes(b, new Uint8Array([7, 8, 9]));
    // b committed first: the consumer still stops at busy a
    rb.ringbufCommit(b, 0n, false);
    expect(rb.consume()).toEqual([]);
    rb.ringbufCommit(a, 0n, false);
    const c = rb.ringbufReserve(4);
    rb.ringbufCommit(c, 0n, true);
    expect(env.mem.readU32(c - 8)).toBe((4 | BPF_RINGBUF_DISCARD_BIT) >>> 0);
    expect(rb.ringbufQuery(BigInt(BPF_RB_AVAIL_DATA))).toBe(16n + 16n + 16n);
    expect(rb.ringbufQuery(BigInt(BPF_RB_RING_SIZE))).toBe(4096n);
    expect(rb.ringbufQuery(BigInt(BPF_RB_PROD_POS))).toBe(48n);
    const recs = rb.consume();
    expect(recs.map((r) => [...r])).toEqual([[1, 2, 3, 4, 5], [7, 8, 9]]);
    expect(rb.ringbufQuery(BigInt(BPF_RB_CONS_POS))).toBe(48n);
    expect(rb.ringbufQuery(BigInt(BPF_RB_AVAIL_DATA))).toBe(0n);
  });

  it('refuses to fill the ring completely and wraps around contiguously', () => {
    const env = mkEnv();
    const rb = createMap({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }, env) as RingbufMap;
    expect(rb.ringbufReserve(4096 - 8)).toBe(0); // would make prod - cons == size
    expect(rb.ringbufReserve(5000)).toBe(0);
    // fill 3000 bytes, consume, then a 2000-byte record crosses the end
    expect(rb.output(new Uint8Array(2992).fill(1))).toBe(true);
    expect(rb.consume().length).toBe(1);
    const big = new Uint8Array(2000);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    const off = rb.ringbufReserve(big.length);
    expect(off).not.toBe(0);
    expect(off + big.length).toBeGreaterThan(rb.data + 4096); // contiguous past the end
    env.mem.writeBytes(off, big);
    rb.ringbufCommit(off, 0n, false);
    expect(rb.output(new Uint8Array([42]))).toBe(true);
    const got = rb.consume();
    expect(got.length).toBe(2);
    expect(got[0]).toEqual(big);
    expect([...got[1]!]).toEqual([42]);
    // many wraps: order preserved
    const seen: number[] = [];
    for (let i = 0; i < 500; i++) {
      const rec = new Uint8Array(100);
      rec[0] = i & 0xff;
      expect(rb.output(rec)).toBe(true);
      if (i % 7 === 6) for (const r of rb.consume()) seen.push(r[0]!);
    }
    for (const r of rb.consume()) seen.push(r[0]!);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i & 0xff));
  });

  it('a full ring fails reservations until the consumer catches up', () => {
    const rb = createMap({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }, mkEnv()) as RingbufMap;
    let n = 0;
    while (rb.output(new Uint8Array(56))) n++;
    expect(n).toBe(63); // 64 slots of 64 bytes, but prod - cons must stay < size (Linux 6.18: 63, then -EAGAIN)
    expect(rb.consume(1).length).toBe(1);
    expect(rb.output(new Uint8Array(56))).toBe(true);
  });

  it('wakeups follow BPF_RB_NO_WAKEUP / FORCE_WAKEUP', () => {
    const rb = createMap({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }, mkEnv()) as RingbufMap;
    rb.output(new Uint8Array(8));
    expect(rb.wakeups).toBe(1);
    rb.output(new Uint8Array(8)); // consumer is behind: no new wakeup
    expect(rb.wakeups).toBe(1);
    rb.output(new Uint8Array(8), BigInt(BPF_RB_FORCE_WAKEUP));
    expect(rb.wakeups).toBe(2);
    rb.consume();
    rb.output(new Uint8Array(8), BigInt(BPF_RB_NO_WAKEUP));
    expect(rb.wakeups).toBe(2);
    expect(errno(() => rb.update(k4(0), k4(0)))).toBe(EINVAL);
  });
});

describe('queue and stack', () => {
  it('queue: FIFO, E2BIG when full, BPF_EXIST overwrites the oldest, ENOENT when empty', () => {
    const q = createMap({ type: BPF_MAP_TYPE_QUEUE, keySize: 0, valueSize: 4, maxEntries: 2 }, mkEnv()) as QueueStackMap;
    q.push(k4(1));
    q.push(k4(2));
    expect(errno(() => q.push(k4(3)))).toBe(E2BIG);
    expect(errno(() => q.push(k4(3), BPF_NOEXIST))).toBe(EINVAL);
    q.push(k4(3), BPF_EXIST);
    expect(rd32(q.peek())).toBe(2);
    expect(rd32(q.pop())).toBe(2);
    expect(rd32(q.pop())).toBe(3);
    expect(q.pop()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('stack: LIFO, BPF_EXIST drops the oldest (bottom)', () => {
    const env = mkEnv();
    const s = createMap({ type: BPF_MAP_TYPE_STACK, keySize: 0, valueSize: 4, maxEntries: 3 }, env) as QueueStackMap;
    for (const v of [1, 2, 3]) s.push(k4(v));
    s.push(k4(4), BPF_EXIST);
    expect(s.entries().map(([, v]) => rd32(v))).toEqual([4, 3, 2]);
    const out = env.mem.alloc(8);
    expect(s.popElem(out)).toBe(0);
    expect(env.mem.readU32(out)).toBe(4);
    expect(rd32(s.pop())).toBe(3);
    expect(rd32(s.pop())).toBe(2);
    expect(s.popElem(out)).toBe(-ENOENT);
  });
});

describe('LPM trie', () => {
  const key = (plen: number, ...bytes: number[]) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, plen, true);
    b.set(bytes, 4);
    return b;
  };
  it('longest-prefix match, limits and errors (checked against Linux)', () => {
    const t = createMap({ type: BPF_MAP_TYPE_LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 3, flags: BPF_F_NO_PREALLOC }, mkEnv()) as LpmTrieMap;
    t.update(key(8, 10), k4(8));
    t.update(key(16, 10, 1), k4(16));
    t.update(key(0), k4(0));
    expect(errno(() => t.update(key(24, 10, 1, 2), k4(24)))).toBe(ENOSPC);
    expect(errno(() => t.update(key(33, 10), k4(1)))).toBe(EINVAL);
    expect(errno(() => t.delete(key(33, 10)))).toBe(EINVAL);
    expect(errno(() => t.delete(key(24, 10, 1, 2)))).toBe(ENOENT);
    expect(errno(() => t.update(key(8, 10), k4(1), BPF_NOEXIST))).toBe(EEXIST);
    expect(rd32(t.lookup(key(32, 10, 1, 2, 3)))).toBe(16);
    expect(rd32(t.lookup(key(32, 10, 2, 2, 3)))).toBe(8);
    expect(rd32(t.lookup(key(32, 11, 0, 0, 0)))).toBe(0);
    expect(rd32(t.lookup(key(12, 10, 1, 2, 3)))).toBe(8); // bounded by the key's prefixlen
    // host bits beyond the prefix are ignored
    expect(rd32(t.lookup(key(32, 10, 0xff, 0, 0)))).toBe(8);
    t.delete(key(0));
    expect(t.lookup(key(32, 11, 0, 0, 0))).toBeUndefined();
  });

  it('get_next_key is a post-order walk: specific prefixes before their parents', () => {
    const t = createMap({ type: BPF_MAP_TYPE_LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 10, flags: BPF_F_NO_PREALLOC }, mkEnv());
    for (const [p, ...b] of [[8, 10], [16, 10, 1], [16, 10, 0], [24, 192, 168, 1], [8, 192]]) t.update(key(p!, ...b), k4(p!));
    const order = t.keys().map((k) => `${k[4]}.${k[5]}/${k[0]}`);
    expect(order).toEqual(['10.0/16', '10.1/16', '10.0/8', '192.168/24', '192.0/8']);
    expect(t.getNextKey(key(24, 1, 2, 3))).toEqual(t.keys()[0]); // missing → first
  });
});

describe('bloom filter', () => {
  it('never gives false negatives; push needs BPF_ANY; pop/delete unsupported', () => {
    const env = mkEnv();
    const b = createMap({ type: BPF_MAP_TYPE_BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 100, mapExtra: 3n }, env) as BloomFilterMap;
    expect(b.nrHashes).toBe(3);
    for (let i = 0; i < 100; i++) b.push(k4(i * 31));
    for (let i = 0; i < 100; i++) expect(b.mayContain(k4(i * 31))).toBe(true);
    let fp = 0;
    for (let i = 0; i < 1000; i++) if (b.mayContain(k4(1_000_000 + i))) fp++;
    expect(fp).toBeLessThan(200);
    expect(errno(() => b.push(k4(1), BPF_NOEXIST))).toBe(EINVAL);
    expect(errno(() => b.delete(new Uint8Array(0)))).not.toBe(0);
    const d = createMap({ type: BPF_MAP_TYPE_BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 10 }, env) as BloomFilterMap;
    expect(d.nrHashes).toBe(5);
  });
});

describe('stack trace map', () => {
  it('ids, EEXIST on collisions without REUSE_STACKID, FAST_STACK_CMP, ENOMEM when full', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 24, maxEntries: 1 }, env) as StackTraceMap;
    expect(m.nBuckets).toBe(1);
    const id = m.stackId([0x1000n, 0x2000n], 0n);
    expect(id).toBe(0);
    expect(m.stackId([0x1000n, 0x2000n], 0n)).toBe(0);
    expect(m.stackId([0x3000n], 0n)).toBe(-EEXIST);
    expect(m.stackId([0x3000n], BigInt(BPF_F_REUSE_STACKID))).toBe(0);
    expect(m.trace(0)).toEqual([0x3000n]);
    const v = m.lookup(k4(0))!;
    expect(v.length).toBe(24);
    expect(new DataView(v.buffer).getBigUint64(8, true)).toBe(0n);
    m.delete(k4(0));
    expect(errno(() => m.delete(k4(0)))).toBe(ENOENT);
    const big = createMap({ type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 16, maxEntries: 3 }, env) as StackTraceMap;
    const ids = new Set<number>();
    let full = false;
    for (let i = 1; i < 200 && !full; i++) {
      const r = big.stackId([BigInt(i)], 0n);
      if (r === -ENOMEM) full = true;
      else if (r >= 0) ids.add(r);
    }
    expect(full).toBe(true);
    expect(ids.size).toBe(3);
    const first = [...ids][0]!;
    expect(big.stackId(big.trace(first)!, BigInt(BPF_F_FAST_STACK_CMP))).toBe(first);
    expect(big.keys().length).toBe(3);
  });
});

describe('prog_array and perf_event_array', () => {
  it('prog_array stores program ids; lookup returns the id; empty slots are ENOENT', () => {
    const p = createMap({ type: BPF_MAP_TYPE_PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, mkEnv()) as ProgArrayMap;
    p.update(k4(1), k4(42));
    expect(p.progIdAt(1)).toBe(42);
    expect(rd32(p.lookup(k4(1)))).toBe(42);
    expect(p.lookup(k4(0))).toBeUndefined();
    expect(errno(() => p.update(k4(4), k4(1)))).toBe(E2BIG);
    p.delete(k4(1));
    expect(errno(() => p.delete(k4(1)))).toBe(ENOENT);
    expect(p.progIdAt(1)).toBe(0);
    // get_next_key walks every index, empty or not, like an array's
    expect(p.keys().map(rd32)).toEqual([0, 1, 2, 3]);
    expect(rd32(p.getNextKey(k4(99)))).toBe(0);
    expect(p.getNextKey(k4(3))).toBeUndefined();
  });

  it('perf_event_array delivers records to a host consumer; empty slots are ENOENT', () => {
    const pe = createMap({ type: BPF_MAP_TYPE_PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 }, mkEnv()) as PerfEventArrayMap;
    expect(pe.perfEventOutput(0, new Uint8Array([1]))).toBe(-ENOENT);
    pe.openAll();
    expect(pe.perfEventOutput(1, new Uint8Array([2]))).toBe(0);
    expect(pe.perfEventOutput(0, new Uint8Array([3]))).toBe(0);
    expect(pe.perfEventOutput(1, new Uint8Array([4]))).toBe(0);
    expect(pe.drain().map((r) => [r.cpu, r.data[0]])).toEqual([[0, 3], [1, 2], [1, 4]]);
    expect(pe.drain()).toEqual([]);
  });
});

describe('map-in-map', () => {
  it('array_of_maps and hash_of_maps: program lookup gives the inner struct bpf_map, syscall the id', () => {
    const reg = new MapRegistry(mkEnv());
    const tmpl = reg.createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    const inner = reg.createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    const bad = reg.createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    const aom = reg.createMap({ type: BPF_MAP_TYPE_ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: tmpl.map }).map as ArrayOfMapsMap;
    aom.update(k4(1), k4(inner.fd));
    expect(errno(() => aom.update(k4(0), k4(bad.fd)))).toBe(EINVAL);
    expect(rd32(aom.lookup(k4(1)))).toBe(inner.map.id);
    const keyOff = reg.env.mem.alloc(8);
    reg.env.mem.writeU32(keyOff, 1);
    expect(aom.lookupElem(keyOff)).toBe(inner.map.hdrOff);
    expect(reg.mapByPtr(reg.env.mem.toPtr(aom.lookupElem(keyOff)))).toBe(inner.map);
    reg.env.mem.writeU32(keyOff, 0);
    expect(aom.lookupElem(keyOff)).toBe(0);

    const hom = reg.createMap({ type: BPF_MAP_TYPE_HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: tmpl.map }).map as HashOfMapsMap;
    hom.update(k4(7), k4(inner.fd));
    expect(rd32(hom.lookup(k4(7)))).toBe(inner.map.id);
    reg.env.mem.writeU32(keyOff, 7);
    expect(hom.lookupElem(keyOff)).toBe(inner.map.hdrOff);
    expect(hom.innerFor(k4(7))).toBe(inner.map);
    expect(errno(() => hom.update(k4(8), k4(999)))).not.toBe(0);
    hom.delete(k4(7));
    expect(hom.lookupElem(keyOff)).toBe(0);
  });
});

describe('task storage', () => {
  it('per-task values created on demand, stable offsets, delete', () => {
    const env = { ...mkEnv(), taskPtrByPid: (pid: number) => (pid === 1 ? 0xffff888000100000n : undefined) };
    const reg = new MapRegistry(env);
    const ts = reg.createMap({ type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 16, maxEntries: 0, flags: BPF_F_NO_PREALLOC }).map as TaskStorageMap;
    const task = 0xffff888000100000n;
    expect(ts.taskStorageGet(task, 0, false)).toBe(0);
    const init = env.mem.alloc(16);
    env.mem.writeU32(init, 5);
    const v = ts.taskStorageGet(task, init, true);
    expect(v).not.toBe(0);
    expect(env.mem.readU32(v)).toBe(5);
    expect(ts.getForTask(task, false)).toBe(v);
    expect(rd32(ts.lookup(k4(1)))).toBe(5);
    ts.update(k4(1), new Uint8Array(16).fill(1), BPF_EXIST);
    expect(env.mem.readU32(v)).toBe(0x01010101);
    expect(ts.taskStorageDelete(task)).toBe(0);
    expect(ts.taskStorageDelete(task)).toBe(-ENOENT);
    expect(ts.lookup(k4(1))).toBeUndefined();
  });

  it('a Kernel resolves host-side task storage keys (pids) to its tasks', () => {
    const kernel = new Kernel({ empty: true });
    const t = kernel.spawn({ comm: 'worker' });
    const ts = kernel.maps.createMap({ type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F_NO_PREALLOC }).map as TaskStorageMap;
    ts.update(k4(t.pid), new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0]), BPF_NOEXIST);
    expect(rd32(ts.lookup(k4(t.pid)))).toBe(9);
    expect(ts.getForTask(t.ptr, false)).not.toBe(0);
    expect(errno(() => ts.update(k4(999999), new Uint8Array(8), 0n))).toBe(EBADF);
  });

  it('cgroup storage uses the same local-storage model', () => {
    const env = mkEnv();
    const cs = createMap({ type: BPF_MAP_TYPE_CGRP_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F_NO_PREALLOC }, env) as LocalStorageMap;
    const v = cs.storageGet(0xffff888000200000n, 0, true);
    expect(v).not.toBe(0);
    expect(cs.storageGet(0xffff888000200000n, 0, false)).toBe(v);
    expect(cs.storageDelete(0xffff888000200000n)).toBe(0);
  });
});
