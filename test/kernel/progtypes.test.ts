import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../src/kernel/memory.js';
import {
  ETH_HLEN, ProgTypeError, SKB, XDP, progTypeDef, ptRegs, ptRegsOff, sysEnterRecord, u64Args,
} from '../../src/kernel/progtypes/index.js';

// Every (access, size, offset) Linux 6.18 accepts, found by loading `rX = *(uN *)(r1 + off)` and
// `*(uN *)(r1 + off) = 0` for every offset 0..511 and size (as root) and noting which loaded.
// "a-b" = every size-aligned offset from a to b.
const KERNEL_CTX_ACCESS: Record<string, Record<string, string>> = {
  socket_filter: { r1: '0-71 84-87 164-167 176-179', r2: '0-70 84-86 164-166 176-178', r4: '0-68 84 164 176', r8: '48-56 168', w1: '48-67', w2: '48-66', w4: '48-64', w8: '48-56' },
  kprobe: { r1: '0-167', r2: '0-166', r4: '0-164', r8: '0-160' },
  sched_cls: { r1: '0-75 84-87 160-167 176-180', r2: '0-74 84-86 160-166 176-178', r4: '0-84 140 160-164 176', r8: '48-56 152 168 184', w1: '48-67', w2: '48-66', w4: '8-12 32 44-64 72', w8: '48-56 152' },
  sched_act: { r1: '0-75 84-87 160-167 176-180', r2: '0-74 84-86 160-166 176-178', r4: '0-84 140 160-164 176', r8: '48-56 152 168 184', w1: '48-67', w2: '48-66', w4: '8-12 32 44-64 72', w8: '48-56 152' },
  tracepoint: { r1: '8-511', r2: '8-510', r4: '8-508', r8: '8-504' },
  xdp: { r4: '0-16' },
  perf_event: { r8: '0-176', r1: '168-183', r2: '168-182', r4: '168-180' },
  raw_tracepoint: { r1: '0-95', r2: '0-94', r4: '0-92', r8: '0-88' },
  syscall: { r1: '0-511', r2: '0-510', r4: '0-508', r8: '0-504', w1: '0-511', w2: '0-510', w4: '0-508', w8: '0-504' },
  cgroup_skb: { r1: '0-71 84-91 132-139 164-167 176-179', r2: '0-70 84-90 132-138 164-166 176-178', r4: '0-68 76-136 164 176', r8: '48-56 152 168 184', w1: '48-67', w2: '48-66', w4: '8 32 48-64', w8: '48-56 152' },
};

function expand(ranges: string | undefined, size: number): Set<number> {
  const s = new Set<number>();
  for (const r of (ranges ?? '').split(' ').filter(Boolean)) {
    const [a, b] = r.split('-').map(Number);
    for (let o = a!; o <= (b ?? a)!; o += size) s.add(o);
  }
  return s;
}

describe('context access rules match Linux 6.18', () => {
  for (const [type, table] of Object.entries(KERNEL_CTX_ACCESS)) {
    it(type, () => {
      const def = progTypeDef(type);
      for (const rw of ['r', 'w'] as const) {
        for (const size of [1, 2, 4, 8]) {
          const want = expand(table[`${rw}${size}`], size);
          const got = new Set<number>();
          for (let off = 0; off < 512; off++) if (def.isValidAccess(off, size, rw === 'w')) got.add(off);
          expect([...got].sort((a, b) => a - b), `${type} ${rw}${size}`).toEqual([...want].sort((a, b) => a - b));
        }
      }
    });
  }

  it('refuses negative, unaligned and out-of-range accesses', () => {
    for (const type of Object.keys(KERNEL_CTX_ACCESS)) {
      const def = progTypeDef(type);
      expect(def.isValidAccess(-4, 4, false)).toBe(false);
      expect(def.isValidAccess(def.ctxSize, 1, false)).toBe(false);
      expect(def.isValidAccess(def.ctxSize - 4, 8, false)).toBe(false);
      expect(def.isValidAccess(8, 3, false)).toBe(false);
    }
  });
});

describe('convertCtxAccess', () => {
  it('turns skb data pointers into 64-bit loads of packet pointers', () => {
    const tc = progTypeDef('sched_cls');
    expect(tc.convertCtxAccess(SKB.data, 4, false)).toMatchObject({ kind: 'packet', realSize: 8, field: 'data' });
    expect(tc.convertCtxAccess(SKB.data_end, 4, false)).toMatchObject({ kind: 'packet_end', realSize: 8 });
    expect(tc.convertCtxAccess(SKB.data_meta, 4, false)).toMatchObject({ kind: 'packet_meta', realSize: 8 });
    expect(tc.convertCtxAccess(SKB.mark, 4, false)).toEqual({ kind: 'plain', realOff: SKB.mark, realSize: 4, field: 'mark' });
    expect(tc.convertCtxAccess(SKB.mark + 2, 2, false)).toMatchObject({ kind: 'plain', realOff: SKB.mark + 2, realSize: 2 });
    expect(tc.convertCtxAccess(SKB.sk, 8, false)).toMatchObject({ kind: 'sock_common_or_null' });
    expect(tc.convertCtxAccess(SKB.data, 4, true)).toBeNull();
    expect(progTypeDef('socket_filter').convertCtxAccess(SKB.data, 4, false)).toBeNull();
  });

  it('xdp_md data / data_end / data_meta', () => {
    const x = progTypeDef('xdp');
    expect(x.convertCtxAccess(XDP.data, 4, false)?.kind).toBe('packet');
    expect(x.convertCtxAccess(XDP.data_end, 4, false)?.kind).toBe('packet_end');
    expect(x.convertCtxAccess(XDP.data_meta, 4, false)?.kind).toBe('packet_meta');
    expect(x.convertCtxAccess(XDP.ingress_ifindex, 4, false)?.kind).toBe('plain');
    expect(x.convertCtxAccess(XDP.egress_ifindex, 4, false)).toBeNull();
  });

  it('iterator contexts give typed pointers', () => {
    const it = progTypeDef('tracing', { attachType: 'trace_iter', iterTarget: 'task_file' });
    expect(it.convertCtxAccess(0, 8, false)).toMatchObject({ kind: 'btf_ptr', btfType: 'struct bpf_iter_meta' });
    expect(it.convertCtxAccess(8, 8, false)).toMatchObject({ kind: 'btf_ptr_or_null', btfType: 'struct task_struct' });
    expect(it.convertCtxAccess(16, 4, false)).toMatchObject({ kind: 'plain', field: 'fd' });
    expect(it.convertCtxAccess(24, 8, false)).toMatchObject({ btfType: 'struct file' });
    expect(it.convertCtxAccess(8, 8, true)).toBeNull();
    expect(it.helpers().has(126)).toBe(true); // seq_printf
    expect(progTypeDef('tracing', { attachType: 'trace_iter', iterTarget: 'bpf_map_elem' }).convertCtxAccess(24, 8, false)?.kind).toBe('rdwr_buf_or_null');
    expect(() => progTypeDef('tracing', { attachType: 'trace_iter', iterTarget: 'nope' })).toThrow(ProgTypeError);
  });

  it('unknown program types are a typed error', () => {
    expect(() => progTypeDef('flow_dissector')).toThrow(ProgTypeError);
  });
});

function frame(dst: number[], proto = [0x08, 0x00], len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set([0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb], 6);
  f.set(proto, 12);
  f.set([0x45, 0, 0, 20], 14);
  return f;
}

describe('skb test runs (values recorded from BPF_PROG_TEST_RUN on Linux 6.18)', () => {
  const UNICAST = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];

  it('sched_cls sees the whole frame; ctx_in fields round-trip', () => {
    const mem = new KernelMemory();
    const ctxIn = new Uint8Array(192);
    const dv = new DataView(ctxIn.buffer);
    dv.setUint32(SKB.mark, 7, true);
    dv.setUint32(SKB.priority, 9, true);
    dv.setUint32(SKB.ingress_ifindex, 3, true);
    dv.setUint32(SKB.cb, 1, true);
    dv.setUint32(SKB.cb + 16, 5, true);
    const pkt = frame(UNICAST);
    const run = progTypeDef('sched_cls').prepareRun(mem, { ctxIn, dataIn: pkt });
    const c = run.ctxOff;
    expect(mem.readU32(c + SKB.len)).toBe(60);
    expect(mem.readU32(c + SKB.pkt_type)).toBe(3); // PACKET_OTHERHOST
    expect(mem.readU32(c + SKB.protocol)).toBe(8); // htons(ETH_P_IP) as the u32 field reads
    expect(mem.readU32(c + SKB.ifindex)).toBe(1);
    expect(mem.readU32(c + SKB.ingress_ifindex)).toBe(3);
    expect(mem.readU32(c + SKB.wire_len)).toBe(60);
    const p = run.packet!;
    expect(p.dataEndOff - p.dataOff).toBe(60);
    expect(mem.readU64(c + 192)).toBe(mem.toPtr(p.dataOff));
    expect(mem.readBytes(p.dataOff, 60)).toEqual(pkt);
    // the program writes mark and a packet byte
    mem.writeU32(c + SKB.mark, 0x77);
    mem.writeU8(p.dataOff + 20, 0xee);
    const out = run.finish();
    const odv = new DataView(out.ctxOut!.buffer);
    const nonzero: Record<number, number> = {};
    for (let i = 0; i < 192; i += 4) if (odv.getUint32(i, true)) nonzero[i] = odv.getUint32(i, true);
    expect(nonzero).toEqual({ 8: 0x77, 32: 9, 36: 3, 40: 1, 48: 1, 64: 5, 160: 60 });
    expect(out.dataOut![20]).toBe(0xee);
    expect(out.dataOut!.length).toBe(60);
  });

  it('socket_filter starts at the network header and gets the MAC header zeroed', () => {
    const mem = new KernelMemory();
    const pkt = frame(UNICAST);
    const run = progTypeDef('socket_filter').prepareRun(mem, { dataIn: pkt });
    expect(mem.readU32(run.ctxOff + SKB.len)).toBe(46);
    expect(mem.readU8(run.packet!.dataOff)).toBe(0x45);
    const out = run.finish();
    expect(out.dataOut!.subarray(0, ETH_HLEN)).toEqual(new Uint8Array(ETH_HLEN));
    expect(out.dataOut!.subarray(ETH_HLEN)).toEqual(pkt.subarray(ETH_HLEN));
    expect(new DataView(out.ctxOut!.buffer).getUint32(SKB.wire_len, true)).toBe(46);
  });

  it('pkt_type follows eth_type_trans on loopback', () => {
    const mem = new KernelMemory();
    const pktType = (dst: number[]) => {
      const run = progTypeDef('sched_cls').prepareRun(mem, { dataIn: frame(dst) });
      const t = mem.readU32(run.ctxOff + SKB.pkt_type);
      run.release();
      return t;
    };
    expect(pktType(UNICAST)).toBe(3);
    expect(pktType([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(2); // multicast: lo's broadcast is all zeros
    expect(pktType([0, 0, 0, 0, 0, 0])).toBe(0); // PACKET_HOST
  });

  it('rejects what BPF_PROG_TEST_RUN rejects', () => {
    const mem = new KernelMemory();
    const tc = progTypeDef('sched_cls');
    expect(() => tc.prepareRun(mem, { dataIn: new Uint8Array(10) })).toThrow(ProgTypeError);
    const bad = new Uint8Array(192);
    bad[SKB.len] = 1;
    expect(() => tc.prepareRun(mem, { dataIn: frame(UNICAST), ctxIn: bad })).toThrow(/byte 0/);
    const wire = new Uint8Array(192);
    new DataView(wire.buffer).setUint32(SKB.wire_len, 100, true);
    const run = tc.prepareRun(mem, { dataIn: frame(UNICAST), ctxIn: wire });
    expect(mem.readU32(run.ctxOff + SKB.wire_len)).toBe(100);
    run.release();
    new DataView(wire.buffer).setUint32(SKB.wire_len, 10, true);
    expect(() => tc.prepareRun(mem, { dataIn: frame(UNICAST), ctxIn: wire })).toThrow(ProgTypeError);
    const ifx = new Uint8Array(192);
    new DataView(ifx.buffer).setUint32(SKB.ifindex, 7, true);
    expect(() => tc.prepareRun(mem, { dataIn: frame(UNICAST), ctxIn: ifx })).toThrow(expect.objectContaining({ errno: 19 }));
  });

  it('frees its buffers', () => {
    const mem = new KernelMemory();
    const before = mem.bytesInUse;
    progTypeDef('sched_cls').prepareRun(mem, { dataIn: frame(UNICAST) }).finish();
    progTypeDef('xdp').prepareRun(mem, { dataIn: frame(UNICAST) }).finish();
    progTypeDef('syscall').prepareRun(mem, { ctxIn: new Uint8Array(16) }).finish();
    expect(mem.bytesInUse).toBe(before);
  });
});

describe('xdp test runs (recorded from Linux 6.18)', () => {
  const pkt = Uint8Array.from({ length: 60 }, (_, i) => i);

  it('without ctx: data..data_end is the packet, meta empty', () => {
    const mem = new KernelMemory();
    const run = progTypeDef('xdp').prepareRun(mem, { dataIn: pkt });
    const p = run.packet!;
    expect(p.dataEndOff - p.dataOff).toBe(60);
    expect(p.dataOff - p.dataMetaOff).toBe(0);
    expect(mem.readU64(run.ctxOff + 24)).toBe(mem.toPtr(p.dataOff));
    expect(mem.readU64(run.ctxOff + 32)).toBe(mem.toPtr(p.dataEndOff));
    const out = run.finish();
    expect(out.dataOut).toEqual(pkt);
  });

  it('ctx_in.data is the metadata length; ctx_out reports offsets from data_meta', () => {
    const mem = new KernelMemory();
    const ctx = new Uint8Array(24);
    const dv = new DataView(ctx.buffer);
    dv.setUint32(XDP.data, 8, true);
    dv.setUint32(XDP.data_end, 60, true);
    dv.setUint32(XDP.ingress_ifindex, 1, true);
    const run = progTypeDef('xdp').prepareRun(mem, { dataIn: pkt, ctxIn: ctx });
    const p = run.packet!;
    expect(p.dataEndOff - p.dataOff).toBe(52);
    expect(p.dataOff - p.dataMetaOff).toBe(8);
    expect(mem.readU8(p.dataOff)).toBe(8);
    expect(mem.readU32(run.ctxOff + XDP.ingress_ifindex)).toBe(1);
    const out = run.finish();
    const o = new DataView(out.ctxOut!.buffer);
    expect([o.getUint32(0, true), o.getUint32(4, true), o.getUint32(12, true)]).toEqual([8, 60, 1]);
    expect(out.dataOut!.length).toBe(60);
  });

  it('data_end below the packet size leaves the rest non-linear', () => {
    const mem = new KernelMemory();
    const ctx = new Uint8Array(24);
    new DataView(ctx.buffer).setUint32(XDP.data_end, 50, true);
    const run = progTypeDef('xdp').prepareRun(mem, { dataIn: pkt, ctxIn: ctx });
    expect(run.packet!.dataEndOff - run.packet!.dataOff).toBe(50);
    expect(run.finish().dataOut!.length).toBe(60);
  });

  it('invalid ctx_in', () => {
    const mem = new KernelMemory();
    const mk = (f: (dv: DataView) => void) => {
      const c = new Uint8Array(24);
      const dv = new DataView(c.buffer);
      dv.setUint32(XDP.data_end, 60, true);
      f(dv);
      return c;
    };
    const x = progTypeDef('xdp');
    expect(() => x.prepareRun(mem, { dataIn: pkt, ctxIn: mk((d) => d.setUint32(XDP.data, 6, true)) })).toThrow(ProgTypeError);
    expect(() => x.prepareRun(mem, { dataIn: pkt, ctxIn: mk((d) => d.setUint32(XDP.rx_queue_index, 1, true)) })).toThrow(ProgTypeError);
    expect(() => x.prepareRun(mem, { dataIn: pkt, ctxIn: mk((d) => d.setUint32(XDP.data_meta, 4, true)) })).toThrow(ProgTypeError);
    expect(() => x.prepareRun(mem, { dataIn: pkt, ctxIn: mk((d) => d.setUint32(XDP.data_end, 61, true)) })).toThrow(ProgTypeError);
    expect(() => x.prepareRun(mem, { dataIn: pkt, ctxIn: mk((d) => d.setUint32(XDP.ingress_ifindex, 5, true)) })).toThrow(expect.objectContaining({ errno: 19 }));
  });
});

describe('tracing-family contexts', () => {
  it('syscall ctx is the caller buffer, copied back after the run', () => {
    const mem = new KernelMemory();
    const run = progTypeDef('syscall').prepareRun(mem, { ctxIn: Uint8Array.of(1, 2, 3, 4) });
    mem.writeU8(run.ctxOff + 1, 0x99);
    expect(run.finish().ctxOut).toEqual(Uint8Array.of(1, 0x99, 3, 4));
    const empty = progTypeDef('syscall').prepareRun(mem, {});
    expect(empty.ctxPtr).toBe(0n);
    expect(() => progTypeDef('syscall').prepareRun(mem, { dataIn: Uint8Array.of(1) })).toThrow(ProgTypeError);
  });

  it('raw_tracepoint, kprobe and tracepoint contexts from builders', () => {
    const mem = new KernelMemory();
    const raw = progTypeDef('raw_tracepoint').prepareRun(mem, { ctxIn: u64Args([5n, -1n]) });
    expect(mem.readU64(raw.ctxOff + 8)).toBe(0xffffffffffffffffn);
    expect(mem.readU64(raw.ctxOff + 16)).toBe(0n);
    raw.release();
    const kp = progTypeDef('kprobe').prepareRun(mem, { ctxIn: ptRegs({ di: 0x1234n, ip: 0xffffffff81000000n }) });
    expect(ptRegsOff('di')).toBe(112);
    expect(mem.readU64(kp.ctxOff + 112)).toBe(0x1234n);
    expect(mem.readU64(kp.ctxOff + ptRegsOff('ip'))).toBe(0xffffffff81000000n);
    kp.release();
    const rec = sysEnterRecord({ pid: 42, id: 59, args: [1n, 2n] });
    expect(rec.length).toBe(64);
    const tp = progTypeDef('tracepoint').prepareRun(mem, { ctxIn: rec });
    expect(mem.readU64(tp.ctxOff + 8)).toBe(59n);
    expect(mem.readU64(tp.ctxOff + 24)).toBe(2n);
    tp.release();
    expect(() => ptRegs({ zz: 1n } as never)).toThrow(ProgTypeError);
    expect(() => progTypeDef('raw_tracepoint').prepareRun(mem, { ctxIn: new Uint8Array(200) })).toThrow(ProgTypeError);
  });

  it('helper allow list comes with the type', () => {
    expect(progTypeDef('xdp').helpers().has(44)).toBe(true); // xdp_adjust_head
    expect(progTypeDef('kprobe').helpers().has(126)).toBe(false); // seq_printf
    expect(progTypeDef('tracing', { attachType: 'tp_btf' }).helpers().has(183)).toBe(false); // get_func_arg
    expect(progTypeDef('tracing').helpers().has(183)).toBe(true);
  });
});

describe('cgroup_skb fake socket (recorded from Linux 6.18)', () => {
  it('family and addresses come from the IPv4 header', () => {
    const mem = new KernelMemory();
    const pkt = frame([0, 0x11, 0x22, 0x33, 0x44, 0x55]);
    pkt.set([64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 22);
    const run = progTypeDef('cgroup_skb').prepareRun(mem, { dataIn: pkt });
    expect(mem.readU32(run.ctxOff + SKB.family)).toBe(2);
    expect(mem.readU32(run.ctxOff + SKB.remote_ip4)).toBe(0x0200000a);
    expect(mem.readU32(run.ctxOff + SKB.local_ip4)).toBe(0x0100000a);
    expect(mem.readU32(run.ctxOff + SKB.len)).toBe(46);
    run.release();
    const arp = progTypeDef('cgroup_skb').prepareRun(mem, { dataIn: frame([0, 1, 2, 3, 4, 5], [0x08, 0x06]) });
    expect(mem.readU32(arp.ctxOff + SKB.family)).toBe(0);
    arp.release();
  });
});

describe('return value ranges (R0 at exit accepted by Linux 6.18)', () => {
  it('iterators and cgroup_skb are bounded, the rest free', () => {
    expect(progTypeDef('tracing', { attachType: 'trace_iter', iterTarget: 'task' }).retRange).toEqual([0, 1]);
    expect(progTypeDef('cgroup_skb', { attachType: 'cgroup_inet_ingress' }).retRange).toEqual([0, 1]);
    expect(progTypeDef('cgroup_skb', { attachType: 'cgroup_inet_egress' }).retRange).toEqual([0, 3]);
    expect(progTypeDef('tracing', { attachType: 'trace_fentry' }).retRange).toEqual([0, 0]);
    for (const t of ['socket_filter', 'kprobe', 'sched_cls', 'tracepoint', 'xdp', 'perf_event', 'raw_tracepoint', 'syscall']) {
      expect(progTypeDef(t).retRange, t).toBeUndefined();
    }
    expect(progTypeDef('tracing', { attachType: 'trace_raw_tp' }).retRange).toBeUndefined();
    expect(progTypeDef('tracing', { attachType: 'modify_return' }).retRange).toBeUndefined();
  });
});
