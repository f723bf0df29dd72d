// Helpers whose storage lives in special map types (ring buffer, stack trace, task storage,
// perf event array), exercised against small stand-in maps that implement the map-side
// operations the helpers rely on (helpers/map-ops.ts).
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { BpfMap } from '../../src/kernel/maps/bpf-map.js';
import {
  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_TASK_STORAGE,
} from '../../src/kernel/maps/types.js';
import { helperState, registerAllHelpers, setTaskStack, type CallEnv, type RingbufOps, type StackTraceOps, type LocalStorageOps } from '../../src/kernel/helpers/index.js';
import { progTypeDef } from '../../src/kernel/progtypes/index.js';

class FakeRingbuf extends BpfMap implements RingbufOps {
  readonly records: { data: Uint8Array; flags: bigint }[] = [];
  discarded = 0;
  private readonly pending = new Map<number, number>();
  private used = 0;
  lookupElem(): number {
    return 0;
  }
  ringbufReserve(size: number): number {
    if (this.used + size + 8 > this.maxEntries) return 0;
    this.used += size + 8;
    const off = this.mem.alloc(Math.max(size, 1));
    this.pending.set(off, size);
    return off;
  }
  ringbufCommit(off: number, flags: bigint, discard: boolean): void {
    const size = this.pending.get(off)!;
    this.pending.delete(off);
    if (discard) this.discarded++;
    else this.records.push({ data: this.mem.readBytes(off, size), flags });
  }
  ringbufQuery(flags: bigint): bigint {
    return flags === 0n ? BigInt(this.used) : flags === 1n ? BigInt(this.maxEntries) : 0n;
  }
}

class FakeStackMap extends BpfMap implements StackTraceOps {
  readonly traces: bigint[][] = [];
  lookupElem(): number {
    return 0;
  }
  stackId(ips: readonly bigint[]): number {
    this.traces.push([...ips]);
    return this.traces.length - 1;
  }
}

class FakeLocalStorage extends BpfMap implements LocalStorageOps {
  readonly store = new Map<bigint, number>();
  lookupElem(): number {
    return 0;
  }
  storageGet(task: bigint, init: number, create: boolean): number {
    let v = this.store.get(task);
    if (v === undefined && create) {
      v = this.mem.alloc(this.valueSize);
      if (init) this.mem.copy(v, init, this.valueSize);
      this.store.set(task, v);
    }
    return v ?? 0;
  }
  storageDelete(task: bigint): number {
    return this.store.delete(task) ? 0 : -2;
  }
}

class PlainMap extends BpfMap {
  lookupElem(): number {
    return 0;
  }
}

function setup() {
  const kernel = new Kernel();
  registerAllHelpers(kernel);
  const tails: [bigint, number][] = [];
  const env: CallEnv = {
    kernel,
    ctxPtr: 0n,
    progType: 'kprobe',
    callback: () => 0n,
    tailCall: (m, i) => (tails.push([m, i]), i === 1),
  };
  const env2 = { mem: kernel.mem, nrCpus: kernel.nrCpus, currentCpu: () => kernel.currentCpu };
  const call = (name: string, ...a: bigint[]) => kernel.helpers.byName(name)!.fn(env, a[0] ?? 0n, a[1] ?? 0n, a[2] ?? 0n, a[3] ?? 0n, a[4] ?? 0n);
  const bytes = (b: number[]) => {
    const off = kernel.mem.alloc(b.length);
    kernel.mem.writeBytes(off, Uint8Array.from(b));
    return { off, ptr: kernel.mem.toPtr(off) };
  };
  const add = <M extends BpfMap>(m: M) => (kernel.maps.add(m), m);
  return { kernel, env, env2, call, bytes, add, tails };
}

describe('ring buffer helpers', () => {
  it('reserve + submit, reserve + discard, output, query', () => {
    const { call, bytes, add, env2, kernel } = setup();
    const rb = add(new FakeRingbuf({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 64 }, env2));
    const p = call('ringbuf_reserve', rb.ptr, 4n, 0n);
    expect(p).not.toBe(0n);
    kernel.mem.writeU32(kernel.mem.toOff(p), 0xcafe);
    call('ringbuf_submit', p, 0n);
    const q = call('ringbuf_reserve', rb.ptr, 4n, 0n);
    call('ringbuf_discard', q, 0n);
    expect(rb.discarded).toBe(1);
    // reserve flags must be 0
    expect(call('ringbuf_reserve', rb.ptr, 4n, 1n)).toBe(0n);
    const d = bytes([1, 2, 3]);
    expect(call('ringbuf_output', rb.ptr, d.ptr, 3n, 2n /* BPF_RB_FORCE_WAKEUP */)).toBe(0n);
    expect(call('ringbuf_output', rb.ptr, d.ptr, 3n, 4n)).toBe(-22n);
    expect(rb.records.map((r) => [...r.data])).toEqual([[0xfe, 0xca, 0, 0], [1, 2, 3]]);
    expect(rb.records[1]!.flags).toBe(2n);
    expect(call('ringbuf_query', rb.ptr, 1n)).toBe(64n);
    expect(call('ringbuf_query', rb.ptr, 0n)).toBe(35n);
    // full: reserve gives NULL, output -EAGAIN
    expect(call('ringbuf_reserve', rb.ptr, 60n, 0n)).toBe(0n);
    expect(call('ringbuf_output', rb.ptr, d.ptr, 60n, 0n)).toBe(-11n);
  });

  it('refuses maps that are not ring buffers', () => {
    const { call, add, env2, bytes } = setup();
    const m = add(new PlainMap({ type: BPF_MAP_TYPE_PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, env2));
    expect(call('ringbuf_reserve', m.ptr, 4n, 0n)).toBe(0n);
    expect(call('ringbuf_output', m.ptr, bytes([1]).ptr, 1n, 0n)).toBe(-22n);
  });
});

describe('perf_event_output', () => {
  it('records output per CPU slot, with Linux flag and index checks', () => {
    const { kernel, call, add, env2, bytes } = setup();
    const pe = add(new PlainMap({ type: BPF_MAP_TYPE_PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'events' }, env2));
    const d = bytes([9, 8, 7]);
    kernel.setCpu(3);
    expect(call('perf_event_output', 0n, pe.ptr, 0xffffffffn /* BPF_F_CURRENT_CPU */, d.ptr, 3n)).toBe(0n);
    expect(call('perf_event_output', 0n, pe.ptr, 1n, d.ptr, 2n)).toBe(0n);
    expect(call('perf_event_output', 0n, pe.ptr, 4n, d.ptr, 2n)).toBe(-7n);
    expect(call('perf_event_output', 0n, pe.ptr, 1n << 32n, d.ptr, 2n)).toBe(-22n);
    const out = helperState(kernel).perfOutput;
    expect(out.map((r) => [r.mapName, r.index, [...r.data]])).toEqual([['events', 3, [9, 8, 7]], ['events', 1, [9, 8]]]);
  });
});

describe('get_stackid', () => {
  it('hands the (skipped, truncated) trace to the stack map', () => {
    const { kernel, call, add, env2 } = setup();
    const t = kernel.spawn({ comm: 'st' });
    kernel.setCurrent(t);
    setTaskStack(kernel, t, { kernel: [1n, 2n, 3n, 4n], user: [10n] });
    const sm = add(new FakeStackMap({ type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 16, maxEntries: 8 }, env2));
    expect(call('get_stackid', 0n, sm.ptr, 0n)).toBe(0n);
    expect(call('get_stackid', 0n, sm.ptr, 1n)).toBe(1n);
    expect(call('get_stackid', 0n, sm.ptr, 256n)).toBe(2n);
    expect(sm.traces).toEqual([[1n, 2n], [2n, 3n], [10n]]);
    expect(call('get_stackid', 0n, sm.ptr, 4n)).toBe(-14n);
    expect(call('get_stackid', 0n, sm.ptr, 1n << 12n)).toBe(-22n);
  });
});

describe('task storage', () => {
  it('get with and without create, delete', () => {
    const { kernel, call, add, env2, bytes } = setup();
    const ts = add(new FakeLocalStorage({ type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 4, maxEntries: 0 }, env2));
    const t = kernel.spawn({ comm: 'ts' });
    expect(call('task_storage_get', ts.ptr, t.ptr, 0n, 0n)).toBe(0n);
    const init = bytes([5, 0, 0, 0]);
    const v = call('task_storage_get', ts.ptr, t.ptr, init.ptr, 1n);
    expect(kernel.mem.readU32(kernel.mem.toOff(v))).toBe(5);
    expect(call('task_storage_get', ts.ptr, t.ptr, 0n, 0n)).toBe(v);
    expect(call('task_storage_get', ts.ptr, t.ptr, 0n, 2n)).toBe(0n); // unknown flag
    expect(call('task_storage_get', ts.ptr, 0n, 0n, 1n)).toBe(0n); // NULL task
    expect(call('task_storage_delete', ts.ptr, t.ptr)).toBe(0n);
    expect(call('task_storage_delete', ts.ptr, t.ptr)).toBe(-2n);
  });

  it('cgroup storage works the same way, keyed by the cgroup', () => {
    const { kernel, call, add, env2 } = setup();
    const cs = add(new FakeLocalStorage({ type: 32 /* BPF_MAP_TYPE_CGRP_STORAGE */, keySize: 4, valueSize: 8, maxEntries: 0 }, env2));
    const cg = kernel.createCgroup('/x');
    const v = call('cgrp_storage_get', cs.ptr, cg.ptr, 0n, 1n);
    expect(v).not.toBe(0n);
    expect(cs.store.has(cg.ptr)).toBe(true);
    expect(call('cgrp_storage_delete', cs.ptr, cg.ptr)).toBe(0n);
  });
});

describe('tail_call and packet helpers', () => {
  it('tail_call delegates to the engine', () => {
    const { call, tails } = setup();
    expect(call('tail_call', 0n, 0x1234n, 1n)).toBe(0n);
    expect(call('tail_call', 0n, 0x1234n, (1n << 32n) | 2n)).toBe(-2n);
    expect(tails).toEqual([[0x1234n, 1], [0x1234n, 2]]);
  });

  it('skb_load_bytes reads relative to skb->data and faults past the end', () => {
    const { kernel, env, call } = setup();
    const pkt = Uint8Array.from({ length: 40 }, (_, i) => i);
    const run = progTypeDef('sched_cls').prepareRun(kernel.mem, { dataIn: pkt });
    env.ctxPtr = run.ctxPtr;
    const dst = kernel.mem.alloc(8);
    expect(call('skb_load_bytes', run.ctxPtr, 12n, kernel.mem.toPtr(dst), 4n)).toBe(0n);
    expect([...kernel.mem.readBytes(dst, 4)]).toEqual([12, 13, 14, 15]);
    expect(call('skb_load_bytes', run.ctxPtr, 38n, kernel.mem.toPtr(dst), 4n)).toBe(-14n);
    expect([...kernel.mem.readBytes(dst, 4)]).toEqual([0, 0, 0, 0]);
    run.release();
  });
});

describe('xdp buffer helpers (limits recorded from Linux 6.18 test runs, 60-byte packet)', () => {
  function xdpRun(len = 60) {
    const s = setup();
    const pkt = Uint8Array.from({ length: len }, (_, i) => i & 0xff);
    const run = progTypeDef('xdp').prepareRun(s.kernel.mem, { dataIn: pkt });
    return { ...s, run, xcall: (name: string, arg: bigint) => s.call(name, run.ctxPtr, arg) };
  }
  const cases: [string, bigint, bigint, number][] = [
    ['xdp_adjust_head', -300n, -22n, 60],
    ['xdp_adjust_head', -217n, -22n, 60],
    ['xdp_adjust_head', -216n, 0n, 276],
    ['xdp_adjust_head', 40n, 0n, 20],
    ['xdp_adjust_head', 46n, 0n, 14],
    ['xdp_adjust_head', 47n, -22n, 60],
    ['xdp_adjust_tail', 3460n, 0n, 3520],
    ['xdp_adjust_tail', 3461n, -22n, 60],
    ['xdp_adjust_tail', -46n, 0n, 14],
    ['xdp_adjust_tail', -47n, -22n, 60],
    ['xdp_adjust_meta', -4n, 0n, 64],
    ['xdp_adjust_meta', -36n, 0n, 96],
    ['xdp_adjust_meta', -2n, -13n, 60],
    ['xdp_adjust_meta', 4n, -22n, 60],
  ];
  it.each(cases)('%s(%s) = %s, data_out %s bytes', (name, delta, ret, dlen) => {
    const { xcall, run } = xdpRun();
    expect(xcall(name, delta)).toBe(ret);
    expect(run.finish().dataOut!.length).toBe(dlen);
  });

  it('adjust_head keeps the packet bytes and moves metadata along', () => {
    const { xcall, run, kernel } = xdpRun();
    expect(xcall('xdp_adjust_meta', -4n)).toBe(0n);
    kernel.mem.writeU32(run.packet!.dataMetaOff - 4, 0xabcd);
    expect(xcall('xdp_adjust_head', 14n)).toBe(0n);
    const out = run.finish();
    expect(out.dataOut!.length).toBe(4 + 46);
    expect(new DataView(out.dataOut!.buffer).getUint32(0, true)).toBe(0xabcd);
    expect(out.dataOut![4]).toBe(14);
    expect(new DataView(out.ctxOut!.buffer).getUint32(0, true)).toBe(4);
  });

  it('get_buff_len counts frags; load/store bytes stay in the linear part', () => {
    expect(xdpRun(60).xcall('xdp_get_buff_len', 0n)).toBe(60n);
    const big = xdpRun(5000);
    expect(big.xcall('xdp_get_buff_len', 0n)).toBe(5000n);
    expect(big.run.finish().dataOut!.length).toBe(5000);
    const { call, run, kernel } = xdpRun();
    const dst = kernel.mem.alloc(8);
    expect(call('xdp_load_bytes', run.ctxPtr, 10n, kernel.mem.toPtr(dst), 4n)).toBe(0n);
    expect([...kernel.mem.readBytes(dst, 4)]).toEqual([10, 11, 12, 13]);
    expect(call('xdp_load_bytes', run.ctxPtr, 58n, kernel.mem.toPtr(dst), 4n)).toBe(-22n);
    kernel.mem.writeU32(dst, 0xffffffff);
    expect(call('xdp_store_bytes', run.ctxPtr, 0n, kernel.mem.toPtr(dst), 2n)).toBe(0n);
    expect([...run.finish().dataOut!.subarray(0, 3)]).toEqual([0xff, 0xff, 2]);
  });
});

describe('csum_diff (values from Linux 6.18)', () => {
  const cases: [bigint, bigint, number, number, number, bigint][] = [
    [0n, 0x0102030405060708n, 0, 8, 0, 4116n],
    [0x1111111122222222n, 0x0102030405060708n, 8, 8, 0, 43437n],
    [0xffffffffffffffffn, 0xffffffff00000001n, 8, 8, 0x1234, 4661n],
    [0x1111111122222222n, 0n, 4, 0, 7, 48066n],
    [0n, 0n, 3, 0, 0, 0n],
  ];
  it.each(cases)('from %s to %s (%i/%i bytes, seed %i)', (a, b, fromSize, toSize, seed, want) => {
    const { kernel, call } = setup();
    const o = kernel.mem.alloc(16);
    kernel.mem.writeU64(o, a);
    kernel.mem.writeU64(o + 8, b);
    const p = kernel.mem.toPtr(o);
    expect(call('csum_diff', p, BigInt(fromSize), p + 8n, BigInt(toSize), BigInt(seed))).toBe(want);
  });
});

describe('tracing helpers', () => {
  it('d_path prints the path of a struct path inside a struct file', () => {
    const { kernel, call } = setup();
    const t = kernel.spawn({ comm: 'files' });
    const { file } = kernel.openFile(t, { path: '/etc/hostname' });
    const pathPtr = file.ptr + BigInt(kernel.types.offsetof('file', 'f_path'));
    const buf = kernel.mem.alloc(64);
    expect(call('d_path', pathPtr, kernel.mem.toPtr(buf), 64n)).toBe(14n);
    expect(kernel.mem.readCString(buf, 64)).toBe('/etc/hostname');
    expect(call('d_path', pathPtr, kernel.mem.toPtr(buf), 8n)).toBe(-36n);
  });

  it('get_func_arg / get_func_ret / get_func_arg_cnt read the u64 argument array', () => {
    const { kernel, env, call } = setup();
    env.funcArgCnt = 2;
    const ctx = kernel.mem.alloc(24);
    [7n, 8n, 99n].forEach((v, i) => kernel.mem.writeU64(ctx + 8 * i, v));
    const out = kernel.mem.alloc(8);
    const c = kernel.mem.toPtr(ctx);
    expect(call('get_func_arg_cnt', c)).toBe(2n);
    expect(call('get_func_arg', c, 1n, kernel.mem.toPtr(out))).toBe(0n);
    expect(kernel.mem.readU64(out)).toBe(8n);
    expect(call('get_func_arg', c, 2n, kernel.mem.toPtr(out))).toBe(-22n);
    expect(call('get_func_ret', c, kernel.mem.toPtr(out))).toBe(0n);
    expect(kernel.mem.readU64(out)).toBe(99n);
  });
});

describe('redirect helpers', () => {
  it('bpf_redirect: tc returns TC_ACT_REDIRECT, xdp returns XDP_REDIRECT; bad flags', () => {
    const { kernel, env, call } = setup();
    env.progType = 'sched_cls';
    expect(call('redirect', 3n, 0n)).toBe(7n);
    expect(helperState(kernel).lastRedirect).toEqual({ target: 3, flags: 0n });
    expect(call('redirect', 3n, 1n)).toBe(7n); // BPF_F_INGRESS
    expect(call('redirect', 3n, 2n)).toBe(2n); // TC_ACT_SHOT
    env.progType = 'xdp';
    expect(call('redirect', 1n, 0n)).toBe(4n);
    expect(call('redirect', 1n, 1n)).toBe(0n); // XDP_ABORTED
  });

  it('bpf_redirect_map falls back to the action in the low flag bits', () => {
    const { kernel, env, call } = setup();
    env.progType = 'xdp';
    const { map } = kernel.maps.createMap({ type: 2, keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(call('redirect_map', map.ptr, 1n, 0n)).toBe(4n);
    expect(helperState(kernel).lastRedirect).toMatchObject({ target: 1, mapPtr: map.ptr });
    expect(call('redirect_map', map.ptr, 5n, 2n /* XDP_PASS */)).toBe(2n);
    expect(call('redirect_map', map.ptr, 1n, 1n << 6n)).toBe(0n);
  });
});

describe('dynptr helpers', () => {
  it('local dynptrs: from_mem, read, write, data with bounds', () => {
    const { kernel, call } = setup();
    const mem = kernel.mem;
    const buf = mem.alloc(16);
    mem.writeBytes(buf, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const dp = mem.alloc(16);
    const D = mem.toPtr(dp);
    expect(call('dynptr_from_mem', mem.toPtr(buf), 8n, 0n, D)).toBe(0n);
    expect(mem.readU32(dp + 8)).toBe((1 << 28) | 8); // LOCAL, size 8
    const dst = mem.alloc(8);
    expect(call('dynptr_read', mem.toPtr(dst), 4n, D, 2n, 0n)).toBe(0n);
    expect([...mem.readBytes(dst, 4)]).toEqual([3, 4, 5, 6]);
    expect(call('dynptr_read', mem.toPtr(dst), 4n, D, 6n, 0n)).toBe(-7n);
    expect(call('dynptr_read', mem.toPtr(dst), 4n, D, 0n, 1n)).toBe(-22n);
    mem.writeU32(dst, 0xaabbccdd);
    expect(call('dynptr_write', D, 4n, mem.toPtr(dst), 4n, 0n)).toBe(0n);
    expect(mem.readU32(buf + 4)).toBe(0xaabbccdd);
    expect(call('dynptr_write', D, 5n, mem.toPtr(dst), 4n, 0n)).toBe(-7n);
    expect(call('dynptr_data', D, 4n, 4n)).toBe(mem.toPtr(buf + 4));
    expect(call('dynptr_data', D, 4n, 5n)).toBe(0n);
    // bad flags / size: the dynptr is set to NULL and every later use fails
    expect(call('dynptr_from_mem', mem.toPtr(buf), 8n, 1n, D)).toBe(-22n);
    expect(mem.readBytes(dp, 16)).toEqual(new Uint8Array(16));
    expect(call('dynptr_read', mem.toPtr(dst), 1n, D, 0n, 0n)).toBe(-22n);
    expect(call('dynptr_from_mem', mem.toPtr(buf), 1n << 24n, 0n, D)).toBe(-7n);
  });

  it('ring buffer dynptrs reserve, submit and discard', () => {
    const { kernel, call, add, env2 } = setup();
    const mem = kernel.mem;
    const rb = add(new FakeRingbuf({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 64 }, env2));
    const dp = mem.alloc(16);
    const D = mem.toPtr(dp);
    expect(call('ringbuf_reserve_dynptr', rb.ptr, 4n, 0n, D)).toBe(0n);
    const v = mem.alloc(4);
    mem.writeU32(v, 0x01020304);
    expect(call('dynptr_write', D, 0n, mem.toPtr(v), 4n, 0n)).toBe(0n);
    call('ringbuf_submit_dynptr', D, 0n);
    expect(mem.readBytes(dp, 16)).toEqual(new Uint8Array(16));
    expect(rb.records.map((r) => [...r.data])).toEqual([[4, 3, 2, 1]]);
    expect(call('ringbuf_reserve_dynptr', rb.ptr, 4n, 0n, D)).toBe(0n);
    call('ringbuf_discard_dynptr', D, 0n);
    expect(rb.discarded).toBe(1);
    expect(call('ringbuf_reserve_dynptr', rb.ptr, 100n, 0n, D)).toBe(-11n);
    expect(call('ringbuf_reserve_dynptr', rb.ptr, 4n, 1n, D)).toBe(-22n);
  });
});

describe('with the real maps of src/kernel/maps', () => {
  it('ring buffer: records reach the consumer, discarded ones do not', () => {
    const { kernel, call } = setup();
    const { map } = kernel.maps.createMap({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    const rb = map as unknown as { consume(): Uint8Array[] };
    const p = call('ringbuf_reserve', map.ptr, 8n, 0n);
    expect(p).not.toBe(0n);
    kernel.mem.writeU64(kernel.mem.toOff(p), 0x1122334455667788n);
    call('ringbuf_submit', p, 0n);
    const q = call('ringbuf_reserve', map.ptr, 8n, 0n);
    call('ringbuf_discard', q, 0n);
    const d = kernel.mem.alloc(3);
    kernel.mem.writeBytes(d, Uint8Array.of(7, 8, 9));
    expect(call('ringbuf_output', map.ptr, kernel.mem.toPtr(d), 3n, 0n)).toBe(0n);
    expect(call('ringbuf_query', map.ptr, 1n)).toBe(4096n);
    expect(rb.consume().map((r) => [...r])).toEqual([[0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11], [7, 8, 9]]);
  });

  it('task storage, stack trace and perf event array maps', () => {
    const { kernel, call } = setup();
    const t = kernel.spawn({ comm: 'real' });
    kernel.setCurrent(t);
    const { map: ts } = kernel.maps.createMap({ type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0, flags: 1 /* BPF_F_NO_PREALLOC */ });
    const v = call('task_storage_get', ts.ptr, t.ptr, 0n, 1n);
    expect(v).not.toBe(0n);
    expect(call('task_storage_get', ts.ptr, t.ptr, 0n, 0n)).toBe(v);
    expect(call('task_storage_delete', ts.ptr, t.ptr)).toBe(0n);
    setTaskStack(kernel, t, { kernel: [0xffffffff81000010n, 0xffffffff81000020n] });
    const { map: st } = kernel.maps.createMap({ type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 8 * 4, maxEntries: 16 });
    const id = call('get_stackid', 0n, st.ptr, 0n);
    expect(id).toBeGreaterThanOrEqual(0n);
    expect(call('get_stackid', 0n, st.ptr, 0n)).toBe(id);
    expect((st as unknown as { trace(id: number): bigint[] }).trace(Number(id))).toEqual([0xffffffff81000010n, 0xffffffff81000020n]);
    const { map: pe } = kernel.maps.createMap({ type: BPF_MAP_TYPE_PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: kernel.nrCpus });
    const d = kernel.mem.alloc(2);
    expect(call('perf_event_output', 0n, pe.ptr, 0xffffffffn, kernel.mem.toPtr(d), 2n)).toBe(-2n); // no event open
    (pe as unknown as { openAll(): void }).openAll();
    expect(call('perf_event_output', 0n, pe.ptr, 0xffffffffn, kernel.mem.toPtr(d), 2n)).toBe(0n);
    expect((pe as unknown as { drain(): { cpu: number }[] }).drain().map((r) => r.cpu)).toEqual([kernel.currentCpu]);
  });
});

describe('skb write helpers and pid namespaces', () => {
  it('skb_store_bytes writes within the packet; skb_pull_data up to its length', () => {
    const { kernel, call } = setup();
    const pkt = new Uint8Array(40);
    const run = progTypeDef('sched_cls').prepareRun(kernel.mem, { dataIn: pkt });
    const src = kernel.mem.alloc(4);
    kernel.mem.writeU32(src, 0x04030201);
    expect(call('skb_store_bytes', run.ctxPtr, 20n, kernel.mem.toPtr(src), 4n, 0n)).toBe(0n);
    expect(call('skb_store_bytes', run.ctxPtr, 38n, kernel.mem.toPtr(src), 4n, 0n)).toBe(-14n);
    expect(call('skb_store_bytes', run.ctxPtr, 0n, kernel.mem.toPtr(src), 4n, 4n)).toBe(-22n);
    expect(call('skb_pull_data', run.ctxPtr, 40n)).toBe(0n);
    expect(call('skb_pull_data', run.ctxPtr, 41n)).toBe(-12n);
    expect([...run.finish().dataOut!.subarray(20, 24)]).toEqual([1, 2, 3, 4]);
  });

  it('get_ns_current_pid_tgid for the initial pid namespace', () => {
    const { kernel, call } = setup();
    const t = kernel.spawn({ comm: 'ns' });
    kernel.setCurrent(t);
    const o = kernel.mem.alloc(8);
    const p = kernel.mem.toPtr(o);
    expect(call('get_ns_current_pid_tgid', 4n, 0xeffffffcn, p, 8n)).toBe(0n);
    expect([kernel.mem.readU32(o), kernel.mem.readU32(o + 4)]).toEqual([t.pid, t.tgid]);
    expect(call('get_ns_current_pid_tgid', 4n, 0x1234n, p, 8n)).toBe(-2n);
    expect(kernel.mem.readU64(o)).toBe(0n);
    expect(call('get_ns_current_pid_tgid', 1n << 40n, 0xeffffffcn, p, 8n)).toBe(-22n);
  });
});

describe('l3/l4_csum_replace (results recorded from Linux 6.18 test runs)', () => {
  const cases: [string, number, number, number, number, [number, number], bigint, [number, number]][] = [
    ['l3_csum_replace', 24, 0x01020304, 0x05060708, 4, [0xab, 0xcd], 0n, [0xa3, 0xc5]],
    ['l3_csum_replace', 24, 0x0102, 0x0506, 2, [0xab, 0xcd], 0n, [0xa7, 0xc9]],
    ['l3_csum_replace', 24, 0, 0x05060708, 0, [0xab, 0xcd], 0n, [0x9d, 0xc1]],
    ['l3_csum_replace', 24, 1, 0x05060708, 0, [0xab, 0xcd], -22n, [0xab, 0xcd]],
    ['l3_csum_replace', 25, 0x01020304, 0x05060708, 4, [0xab, 0xcd], -14n, [0xab, 0xcd]],
    ['l3_csum_replace', 24, 0x01020304, 0x05060708, 3, [0xab, 0xcd], -22n, [0xab, 0xcd]],
    ['l4_csum_replace', 24, 0x01020304, 0x05060708, 0x24, [0, 0], 0n, [0, 0]],
    ['l4_csum_replace', 24, 0x01020304, 0x05060708, 0x64, [0, 0], 0n, [0xf7, 0xf7]],
    ['l4_csum_replace', 24, 0x01020304, 0x05060708, 0x14, [0xab, 0xcd], 0n, [0xa3, 0xc5]],
    ['l4_csum_replace', 24, 0xfffe, 0xfffe, 0x62, [0xff, 0xff], 0n, [0xff, 0xff]],
    ['l4_csum_replace', 24, 1, 1, 0x104, [0xff, 0xff], -22n, [0xff, 0xff]],
    ['l4_csum_replace', 24, 1, 2, 0x84, [0xff, 0xff], 0n, [0xfe, 0xff]],
  ];
  it.each(cases)('%s(off %i, %i -> %i, flags %i)', (fn, o, from, to, flags, before, ret, after) => {
    const { kernel, call } = setup();
    const pkt = new Uint8Array(60);
    pkt.set(before, 24);
    const run = progTypeDef('sched_cls').prepareRun(kernel.mem, { dataIn: pkt });
    expect(call(fn, run.ctxPtr, BigInt(o), BigInt(from), BigInt(to), BigInt(flags))).toBe(ret);
    expect([...run.finish().dataOut!.subarray(24, 26)]).toEqual(after);
  });
});
