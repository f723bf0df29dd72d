import { describe, expect, it } from 'vitest';
import { KernelMemory, KERNEL_BASE } from '../../src/kernel/memory.js';
import {
  ArrayMap, BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
  BPF_MAP_STRUCT_FIELDS, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
  BPF_NOEXIST, createMap, HashMap, MapError, MapRegistry,
} from '../../src/kernel/maps/index.js';
import { E2BIG, EEXIST, EINVAL, ENOENT, EPERM } from '../../src/kernel/errno.js';

function mkEnv(nrCpus = 2) {
  const mem = new KernelMemory({ initialBytes: 1 << 20 });
  let cpu = 0;
  return { mem, nrCpus, currentCpu: () => cpu, setCpu: (c: number) => { cpu = c; } };
}
const k4 = (k: number) => new Uint8Array(new Uint32Array([k]).buffer);
const v8 = (v: number) => new Uint8Array(new BigUint64Array([BigInt(v)]).buffer);
const u64 = (b: Uint8Array | undefined) => (b === undefined ? undefined : Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)));
function errno(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof MapError) return e.errno;
    throw e;
  }
  return 0;
}

describe('map creation', () => {
  const env = mkEnv();
  const c = (attr: Parameters<typeof createMap>[0]) => errno(() => createMap(attr, env));
  it('rejects bad attributes with Linux errnos', () => {
    expect(c({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 0, maxEntries: 1 })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_ARRAY, keySize: 8, valueSize: 4, maxEntries: 1 })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 0 })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_NO_PREALLOC })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_MMAPABLE })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 40000, maxEntries: 1 })).toBe(E2BIG);
    expect(c({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 0, valueSize: 4, maxEntries: 1 })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 0, maxEntries: 1 })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 0 })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 1 << 22, maxEntries: 1 })).toBe(E2BIG);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1, name: 'this_name_is_too_long' })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1, name: 'bad-name' })).toBe(EINVAL);
    expect(c({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1, mapExtra: 1n })).toBe(EINVAL);
    expect(c({ type: 999, keySize: 4, valueSize: 4, maxEntries: 1 })).toBe(EINVAL);
  });

  it('writes a struct bpf_map header and records BPF_F_RDONLY_PROG', () => {
    const m = createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 12, maxEntries: 7, name: 'counts', flags: BPF_F_RDONLY_PROG }, env);
    const f = (n: string) => BPF_MAP_STRUCT_FIELDS.find((x) => x.name === n)!.offset;
    expect(m.ptr).toBe(KERNEL_BASE + BigInt(m.hdrOff));
    expect(env.mem.readU32(m.hdrOff + f('map_type'))).toBe(BPF_MAP_TYPE_HASH);
    expect(env.mem.readU32(m.hdrOff + f('key_size'))).toBe(4);
    expect(env.mem.readU32(m.hdrOff + f('value_size'))).toBe(12);
    expect(env.mem.readU32(m.hdrOff + f('max_entries'))).toBe(7);
    expect(env.mem.readU32(m.hdrOff + f('map_flags'))).toBe(BPF_F_RDONLY_PROG);
    expect(env.mem.readU32(m.hdrOff + f('id'))).toBe(m.id);
    expect(env.mem.readCString(m.hdrOff + f('name'), 16)).toBe('counts');
    expect(m.flags & BPF_F_RDONLY_PROG).toBeTruthy();
  });
});

describe('MapRegistry', () => {
  it('numbers fds from 3, ids from 1, finds maps by fd, id and pointer', () => {
    const r = new MapRegistry(mkEnv());
    const a = r.createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const b = r.createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    expect([a.fd, b.fd]).toEqual([3, 4]);
    expect([a.map.id, b.map.id]).toEqual([1, 2]);
    expect(r.mapByFd(4)).toBe(b.map);
    expect(r.mapById(1)).toBe(a.map);
    expect(r.mapByPtr(b.map.ptr)).toBe(b.map);
    expect(r.mapByPtr(BigInt.asIntN(64, b.map.ptr))).toBe(b.map);
    expect(r.mapByPtr(b.map.ptr + 8n)).toBeUndefined();
    r.close(3);
    expect(r.mapByFd(3)).toBeUndefined();
    expect(r.all()).toEqual([b.map]);
  });
});

describe('array maps', () => {
  it('lookup/update/delete semantics and flags', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, env) as ArrayMap;
    expect(u64(m.lookup(k4(3)))).toBe(0);
    expect(m.lookup(k4(4))).toBeUndefined();
    m.update(k4(2), v8(42));
    expect(u64(m.lookup(k4(2)))).toBe(42);
    expect(errno(() => m.update(k4(2), v8(1), BPF_NOEXIST))).toBe(EEXIST);
    m.update(k4(2), v8(43), BPF_EXIST);
    expect(errno(() => m.update(k4(4), v8(1)))).toBe(E2BIG);
    expect(errno(() => m.update(k4(1), v8(1), 8))).toBe(EINVAL);
    expect(errno(() => m.update(k4(1), v8(1), BPF_F_LOCK))).toBe(EINVAL);
    expect(errno(() => m.delete(k4(1)))).toBe(EINVAL);
    // program side sees the same contiguous storage the JIT inlines
    expect(m.valueOffset(2)).toBe(m.base + 2 * 8);
    expect(env.mem.readU64(m.valueOffset(2))).toBe(43n);
    const key = env.mem.alloc(4);
    env.mem.writeU32(key, 3);
    expect(m.lookupElem(key)).toBe(m.valueOffset(3));
    env.mem.writeU32(key, 9);
    expect(m.lookupElem(key)).toBe(0);
  });

  it('get_next_key: null/out-of-range → 0, last → ENOENT', () => {
    const m = createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 3 }, mkEnv());
    expect(m.getNextKey(null)).toEqual(k4(0));
    expect(m.getNextKey(k4(1))).toEqual(k4(2));
    expect(m.getNextKey(k4(2))).toBeUndefined();
    expect(m.getNextKey(k4(77))).toEqual(k4(0));
    expect(m.keys().length).toBe(3);
  });

  it('value stride is round_up(value_size, 8); mmapable arrays are page aligned', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 12, maxEntries: 3, flags: BPF_F_MMAPABLE }, env) as ArrayMap;
    expect(m.valueOffset(1) - m.valueOffset(0)).toBe(16);
    expect(m.base % 4096).toBe(0);
  });

  it('percpu arrays: program side touches the current CPU; host sees every CPU', () => {
    const env = mkEnv(3);
    const m = createMap({ type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 }, env) as ArrayMap;
    const key = env.mem.alloc(8);
    const val = env.mem.alloc(8);
    env.mem.writeU32(key, 1);
    env.mem.writeU32(val, 7);
    env.setCpu(2);
    expect(m.updateElem(key, val, 0n)).toBe(0);
    expect(env.mem.readU32(m.lookupElem(key))).toBe(7);
    expect(m.lookupPerCpu(k4(1))!.map((v) => v[0])).toEqual([0, 0, 7]);
    m.update(k4(0), [k4(1), k4(2), k4(3)]);
    expect(env.mem.readU32(m.lookupPercpuElem(key, 0))).toBe(0);
    env.mem.writeU32(key, 0);
    expect(env.mem.readU32(m.lookupPercpuElem(key, 1))).toBe(2);
    expect(m.lookupPercpuElem(key, 3)).toBe(0);
    expect(m.lookupRaw(k4(0))!.length).toBe(24);
  });

  it('generic batch on arrays: ENOENT on the call after the last element; frozen maps refuse writes', () => {
    const m = createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, mkEnv());
    const r1 = m.lookupBatch(null, 4);
    expect(r1.keys.length).toBe(4);
    expect(r1.errno).toBe(0);
    const r2 = m.lookupBatch(r1.nextBatch, 4);
    expect(r2.keys.length).toBe(0);
    expect(r2.errno).toBe(ENOENT);
    m.freeze();
    expect(errno(() => m.update(k4(0), k4(1)))).toBe(EPERM);
  });

  it('for_each visits in index order and stops when asked', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 5 }, env);
    const seen: number[] = [];
    const n = m.forEachElem((k) => {
      seen.push(env.mem.readU32(k));
      return seen.length === 3;
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(n).toBe(3);
  });

  it('BPF_F_LOCK: copies skip the spin lock word', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 16, maxEntries: 1, spinLockOff: 0 }, env) as ArrayMap;
    env.mem.writeU32(m.valueOffset(0), 0xdead); // "locked"
    const v = new Uint8Array(16).fill(0xff);
    m.update(k4(0), v, BPF_F_LOCK);
    expect(env.mem.readU32(m.valueOffset(0))).toBe(0xdead);
    expect(env.mem.readU32(m.valueOffset(0) + 4)).toBe(0xffffffff);
    // the syscall view zeroes the lock
    expect([...m.lookup(k4(0))!.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
  });
});

describe('hash maps', () => {
  for (const prealloc of [true, false]) {
    it(`update flags, E2BIG when full, delete, iteration order (${prealloc ? 'prealloc' : 'NO_PREALLOC'})`, () => {
      const env = mkEnv();
      const m = createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 3, flags: prealloc ? 0 : BPF_F_NO_PREALLOC }, env) as HashMap;
      expect(errno(() => m.update(k4(1), v8(1), BPF_EXIST))).toBe(ENOENT);
      m.update(k4(1), v8(1), BPF_NOEXIST);
      m.update(k4(2), v8(2), BPF_ANY);
      m.update(k4(3), v8(3));
      expect(errno(() => m.update(k4(4), v8(4)))).toBe(E2BIG);
      expect(errno(() => m.update(k4(1), v8(9), BPF_NOEXIST))).toBe(EEXIST);
      m.update(k4(1), v8(11), BPF_EXIST); // existing key still updatable when full
      expect(u64(m.lookup(k4(1)))).toBe(11);
      expect(m.keys().map((k) => k[0])).toEqual([1, 2, 3]);
      m.delete(k4(2));
      expect(errno(() => m.delete(k4(2)))).toBe(ENOENT);
      m.update(k4(4), v8(4));
      expect(m.keys().map((k) => k[0])).toEqual([1, 3, 4]);
      expect(m.getNextKey(k4(99))).toEqual(k4(1)); // missing key → first key
      expect(m.getNextKey(k4(4))).toBeUndefined();
      expect(m.size).toBe(3);
      expect(u64(m.lookupAndDelete(k4(3)))).toBe(3);
      expect(m.lookupAndDelete(k4(3))).toBeUndefined();
    });
  }

  it('program-side lookup returns a stable value offset inside the element', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_HASH, keySize: 6, valueSize: 8, maxEntries: 10 }, env);
    const key = env.mem.alloc(8);
    const val = env.mem.alloc(8);
    env.mem.writeBytes(key, new Uint8Array([1, 2, 3, 4, 5, 6]));
    env.mem.writeU64(val, 99n);
    expect(m.updateElem(key, val, 0n)).toBe(0);
    const off = m.lookupElem(key);
    expect(off).not.toBe(0);
    expect(off % 8).toBe(0);
    expect(env.mem.readU64(off)).toBe(99n);
    env.mem.writeU64(off, 100n); // programs write values in place
    expect(u64(m.lookup(new Uint8Array([1, 2, 3, 4, 5, 6])))).toBe(100);
    expect(m.deleteElem(key)).toBe(0);
    expect(m.lookupElem(key)).toBe(0);
    expect(m.deleteElem(key)).toBe(-ENOENT);
  });

  it('many keys: rehashing keeps every key findable (NO_PREALLOC growth)', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 5000, flags: BPF_F_NO_PREALLOC }, env);
    for (let i = 0; i < 5000; i++) m.update(k4(i * 7919), v8(i));
    for (let i = 0; i < 5000; i += 97) expect(u64(m.lookup(k4(i * 7919)))).toBe(i);
    expect(m.keys().length).toBe(5000);
    expect(errno(() => m.update(k4(1), v8(1)))).toBe(E2BIG);
  });

  it('percpu hash: program update writes the current CPU and zeroes the others', () => {
    const env = mkEnv(2);
    const m = createMap({ type: BPF_MAP_TYPE_PERCPU_HASH, keySize: 4, valueSize: 4, maxEntries: 4 }, env);
    const key = env.mem.alloc(8);
    const val = env.mem.alloc(8);
    env.mem.writeU32(key, 5);
    env.mem.writeU32(val, 77);
    env.setCpu(1);
    expect(m.updateElem(key, val, 0n)).toBe(0);
    expect(m.lookupPerCpu(k4(5))!.map((v) => v[0])).toEqual([0, 77]);
    expect(env.mem.readU32(m.lookupPercpuElem(key, 1))).toBe(77);
    m.update(k4(5), [k4(1), k4(2)]);
    expect(env.mem.readU32(m.lookupElem(key))).toBe(2);
    expect(m.entries()[0]![1].length).toBe(16);
  });

  it('batch ops: generic semantics with ENOENT at the end', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 10 }, env);
    expect(m.updateBatch([1, 2, 3, 4, 5].map(k4), [1, 2, 3, 4, 5].map(v8))).toBe(5);
    const r1 = m.lookupBatch(null, 2);
    expect(r1.keys.map((k) => k[0])).toEqual([1, 2]);
    expect(r1.errno).toBe(0);
    const r2 = m.lookupBatch(r1.nextBatch, 3);
    expect(r2.keys.map((k) => k[0])).toEqual([3, 4, 5]);
    // the hash walk reached the end: ENOENT comes with the last elements
    expect(r2.errno).toBe(ENOENT);
    const r4 = m.lookupAndDeleteBatch(null, 10);
    expect(r4.keys.length).toBe(5);
    expect(r4.errno).toBe(ENOENT);
    expect(m.keys().length).toBe(0);
    m.updateBatch([k4(1)], [v8(1)]);
    let err: MapError | undefined;
    try {
      m.deleteBatch([k4(1), k4(2)]);
    } catch (e) {
      err = e as MapError;
    }
    expect(err?.errno).toBe(ENOENT);
    expect(err?.count).toBe(1);
  });

  it('for_each tolerates deletion of the current element', () => {
    const env = mkEnv();
    const m = createMap({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 10 }, env);
    for (let i = 1; i <= 5; i++) m.update(k4(i), v8(i * 10));
    const seen: number[] = [];
    const n = m.forEachElem((k, v) => {
      seen.push(Number(env.mem.readU64(v)));
      m.deleteElem(k);
      return false;
    });
    expect(n).toBe(5);
    expect(seen).toEqual([10, 20, 30, 40, 50]);
    expect(m.keys().length).toBe(0);
  });
});
