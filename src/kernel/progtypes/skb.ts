// struct __sk_buff programs: socket_filter, sched_cls / sched_act (tc), cgroup_skb.
//
// The context block in kernel memory is the UAPI struct __sk_buff itself (so plain field loads
// need no rewriting) followed by a hidden tail holding the real 64-bit packet pointers that the
// u32 UAPI fields data / data_end / data_meta stand for: the verifier rewrites those loads to
// 64-bit loads from the tail, as the kernel's bpf_convert_ctx_access turns them into skb->data.
//
// Test runs follow net/bpf/test_run.c bpf_prog_test_run_skb on the loopback device: the frame
// is parsed by eth_type_trans (protocol, pkt_type), L2 programs (tc) see the whole frame, others
// see it from the network header and get the Ethernet header zeroed in data_out.

import { EINVAL, ENODEV } from '../errno.js';
import type { KernelMemory } from '../memory.js';
import { helpersForProgType } from '../helpers/allowlist.js';
import { FieldTable, u32s } from './access.js';
import { ProgTypeError, type CtxField, type PreparedRun, type ProgType, type ProgTypeDef, type TestRunInput } from './types.js';

export const SK_BUFF_SIZE = 192;
/** hidden tail: u64 data, data_end, data_meta */
export const SKB_HIDDEN_DATA = 192;
export const SKB_HIDDEN_DATA_END = 200;
export const SKB_HIDDEN_DATA_META = 208;
const SKB_BLOCK_SIZE = 216;

export const ETH_HLEN = 14;
/** NET_SKB_PAD + NET_IP_ALIGN on x86-64 */
const SKB_HEADROOM = 64;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
const SKB_TAILROOM = 320;
const LOOPBACK_IFINDEX = 1;
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;

/** Offsets of struct __sk_buff (include/uapi/linux/bpf.h). */
export const SKB = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24,
  vlan_proto: 28, priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb: 48, hash: 68,
  tc_classid: 72, data: 76, data_end: 80, napi_id: 84, family: 88, remote_ip4: 92, local_ip4: 96,
  remote_ip6: 100, local_ip6: 116, remote_port: 132, local_port: 136, data_meta: 140, flow_keys: 144,
  tstamp: 152, wire_len: 160, gso_segs: 164, sk: 168, gso_size: 176, tstamp_type: 180, hwtstamp: 184,
} as const;

const HEAD_U32 = ['len', 'pkt_type', 'mark', 'queue_mapping', 'protocol', 'vlan_present', 'vlan_tci', 'vlan_proto', 'priority', 'ingress_ifindex', 'ifindex', 'tc_index'];
const SOCK_U32 = ['family', 'remote_ip4', 'local_ip4', 'remote_ip6[0]', 'remote_ip6[1]', 'remote_ip6[2]', 'remote_ip6[3]', 'local_ip6[0]', 'local_ip6[1]', 'local_ip6[2]', 'local_ip6[3]', 'remote_port', 'local_port'];

type Flavor = 'socket_filter' | 'tc' | 'cgroup_skb';

function skbFields(flavor: Flavor): CtxField[] {
  const tc = flavor === 'tc';
  const sf = flavor === 'socket_filter';
  const writable = new Set(tc ? ['mark', 'queue_mapping', 'priority', 'tc_index'] : flavor === 'cgroup_skb' ? ['mark', 'priority'] : []);
  const f: CtxField[] = u32s(HEAD_U32, 0).map((x) => (writable.has(x.name) ? { ...x, write: 'exact' as const } : x));
  f.push({ name: 'cb', off: SKB.cb, size: 20, read: 'narrow', write: 'any' });
  f.push({ name: 'hash', off: SKB.hash, size: 4, read: 'narrow' });
  if (tc) f.push({ name: 'tc_classid', off: SKB.tc_classid, size: 4, read: 'narrow', write: 'exact' });
  if (!sf) {
    f.push({ name: 'data', off: SKB.data, size: 4, read: 'exact', kind: 'packet', real: { off: SKB_HIDDEN_DATA, size: 8 } });
    f.push({ name: 'data_end', off: SKB.data_end, size: 4, read: 'exact', kind: 'packet_end', real: { off: SKB_HIDDEN_DATA_END, size: 8 } });
  }
  f.push({ name: 'napi_id', off: SKB.napi_id, size: 4, read: 'narrow' });
  if (flavor === 'cgroup_skb') {
    // the socket's addresses: ports narrow, addresses whole words only (6.18)
    for (const x of u32s(SOCK_U32, SKB.family)) {
      const exact = x.name !== 'family' && x.name !== 'remote_port' && x.name !== 'local_port';
      f.push(exact ? { ...x, read: 'exact' } : x);
    }
  }
  if (tc) f.push({ name: 'data_meta', off: SKB.data_meta, size: 4, read: 'exact', kind: 'packet_meta', real: { off: SKB_HIDDEN_DATA_META, size: 8 } });
  if (!sf) f.push({ name: 'tstamp', off: SKB.tstamp, size: 8, read: 'exact', write: 'exact' });
  if (tc) f.push({ name: 'wire_len', off: SKB.wire_len, size: 4, read: 'narrow' });
  f.push({ name: 'gso_segs', off: SKB.gso_segs, size: 4, read: 'narrow' });
  f.push({ name: 'sk', off: SKB.sk, size: 8, read: 'exact', kind: 'sock_common_or_null', btfType: 'struct bpf_sock' });
  f.push({ name: 'gso_size', off: SKB.gso_size, size: 4, read: 'narrow' });
  if (tc) f.push({ name: 'tstamp_type', off: SKB.tstamp_type, size: 1, read: 'exact' });
  if (!sf) f.push({ name: 'hwtstamp', off: SKB.hwtstamp, size: 8, read: 'exact' });
  return f;
}

/** Fields BPF_PROG_TEST_RUN accepts non-zero in ctx_in (convert___skb_to_skb). */
const CTX_IN_ALLOWED: readonly [number, number][] = [
  [SKB.mark, 4], [SKB.priority, 4], [SKB.ingress_ifindex, 4], [SKB.ifindex, 4], [SKB.cb, 20],
  [SKB.tstamp, 8], [SKB.wire_len, 4], [SKB.gso_segs, 4], [SKB.gso_size, 4], [SKB.hwtstamp, 8],
];

function checkCtxIn(ctx: Uint8Array): void {
  const allowed = new Uint8Array(SK_BUFF_SIZE);
  for (const [off, n] of CTX_IN_ALLOWED) allowed.fill(1, off, off + n);
  for (let i = 0; i < ctx.length; i++) {
    if (ctx[i] !== 0 && (i >= SK_BUFF_SIZE || !allowed[i])) {
      throw new ProgTypeError(EINVAL, `__sk_buff ctx_in: byte ${i} must be zero (only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp may be set)`);
    }
  }
}

/** eth_type_trans on the loopback device (dev_addr and broadcast are all zeros). */
function ethTypeTrans(frame: Uint8Array): { protocol: number; pktType: number } {
  const dst = frame.subarray(0, 6);
  let pktType = 0; // PACKET_HOST
  if (dst.some((b) => b !== 0)) pktType = dst[0]! & 1 ? 2 /* PACKET_MULTICAST */ : 3; /* PACKET_OTHERHOST */
  const proto = (frame[12]! << 8) | frame[13]!;
  let be: number;
  if (proto >= 0x600) be = proto;
  else if (frame.length >= 16 && frame[14] === 0xff && frame[15] === 0xff) be = 0x0001; // ETH_P_802_3 (raw IPX)
  else be = 0x0004; // ETH_P_802_2
  // skb->protocol is __be16: the u32 field holds the big-endian bytes read as little-endian
  return { protocol: ((be & 0xff) << 8) | (be >> 8), pktType };
}

/**
 * The test run's fake socket (bpf_prog_test_run_skb): family from the protocol, and for IP
 * packets the addresses taken from the header, source as local and destination as remote.
 */
function writeSockFields(mem: KernelMemory, ctxOff: number, frame: Uint8Array, protocol: number): void {
  const net = frame.subarray(ETH_HLEN);
  if (protocol === 0x0008 /* ETH_P_IP */) {
    mem.writeU32(ctxOff + SKB.family, 2);
    if (net.length >= 20) {
      mem.writeBytes(ctxOff + SKB.local_ip4, net.subarray(12, 16));
      mem.writeBytes(ctxOff + SKB.remote_ip4, net.subarray(16, 20));
    }
  } else if (protocol === 0xdd86 /* ETH_P_IPV6 */) {
    mem.writeU32(ctxOff + SKB.family, 10);
    if (net.length >= 40) {
      mem.writeBytes(ctxOff + SKB.local_ip6, net.subarray(8, 24));
      mem.writeBytes(ctxOff + SKB.remote_ip6, net.subarray(24, 40));
    }
  }
}

class SkbProgType implements ProgTypeDef {
  readonly ctxSize = SK_BUFF_SIZE;
  readonly fields: readonly CtxField[];
  private readonly table: FieldTable;

  constructor(
    readonly type: ProgType,
    private readonly flavor: Flavor,
    readonly retRange?: readonly [number, number],
  ) {
    this.fields = skbFields(flavor);
    this.table = new FieldTable(SK_BUFF_SIZE, this.fields);
  }

  helpers(): ReadonlySet<number> {
    return helpersForProgType(this.type);
  }

  convertCtxAccess(off: number, size: number, isWrite: boolean) {
    return this.table.convert(off, size, isWrite);
  }

  isValidAccess(off: number, size: number, isWrite: boolean): boolean {
    return this.table.convert(off, size, isWrite) !== null;
  }

  prepareRun(mem: KernelMemory, input: TestRunInput = {}): PreparedRun {
    const data = input.dataIn ?? new Uint8Array(0);
    if (data.length < ETH_HLEN) throw new ProgTypeError(EINVAL, `skb test run: data_in must hold at least an Ethernet header (${ETH_HLEN} bytes)`);
    const ctxIn = input.ctxIn;
    if (ctxIn) {
      if (ctxIn.length > SK_BUFF_SIZE) throw new ProgTypeError(EINVAL, `__sk_buff ctx_in larger than ${SK_BUFF_SIZE} bytes`);
      checkCtxIn(ctxIn);
    }
    const ctxBytes = new Uint8Array(SK_BUFF_SIZE);
    if (ctxIn) ctxBytes.set(ctxIn);
    const cdv = new DataView(ctxBytes.buffer);
    const ifindex = cdv.getUint32(SKB.ifindex, true);
    if (ifindex > LOOPBACK_IFINDEX) throw new ProgTypeError(ENODEV, `skb test run: no device with ifindex ${ifindex}`);
    const isL2 = this.flavor === 'tc';
    const { protocol, pktType } = ethTypeTrans(data);
    const bufOff = mem.alloc(SKB_HEADROOM + data.length + SKB_TAILROOM, 8);
    const frameOff = bufOff + SKB_HEADROOM;
    mem.writeBytes(frameOff, data);
    const dataOff = isL2 ? frameOff : frameOff + ETH_HLEN;
    const len = isL2 ? data.length : data.length - ETH_HLEN;
    let wireLen = cdv.getUint32(SKB.wire_len, true);
    if (wireLen === 0) wireLen = len;
    else if (wireLen < len || wireLen > GSO_LEGACY_MAX_SIZE) throw new ProgTypeError(EINVAL, `skb test run: wire_len ${wireLen} out of range`);
    if (cdv.getUint32(SKB.gso_segs, true) > GSO_MAX_SEGS) throw new ProgTypeError(EINVAL, 'skb test run: gso_segs too large');

    const ctxOff = mem.alloc(SKB_BLOCK_SIZE, 8);
    mem.writeBytes(ctxOff, ctxBytes);
    mem.writeU32(ctxOff + SKB.len, len);
    mem.writeU32(ctxOff + SKB.pkt_type, pktType);
    mem.writeU32(ctxOff + SKB.protocol, protocol);
    mem.writeU32(ctxOff + SKB.ifindex, LOOPBACK_IFINDEX);
    mem.writeU32(ctxOff + SKB.wire_len, wireLen);
    if (this.flavor === 'cgroup_skb') writeSockFields(mem, ctxOff, data, protocol);
    mem.writeU64(ctxOff + SKB_HIDDEN_DATA, mem.toPtr(dataOff));
    mem.writeU64(ctxOff + SKB_HIDDEN_DATA_END, mem.toPtr(dataOff + len));
    mem.writeU64(ctxOff + SKB_HIDDEN_DATA_META, mem.toPtr(dataOff));
    let live = true;
    const release = (): void => {
      if (!live) return;
      live = false;
      mem.free(ctxOff);
      mem.free(bufOff);
    };
    return {
      ctxPtr: mem.toPtr(ctxOff),
      ctxOff,
      packet: { dataOff, dataEndOff: dataOff + len, dataMetaOff: dataOff },
      finish: () => {
        // convert_skb_to___skb: only these fields go back; the rest of ctx_out is ctx_in
        const out = ctxBytes.slice();
        const odv = new DataView(out.buffer);
        odv.setUint32(SKB.mark, mem.readU32(ctxOff + SKB.mark), true);
        odv.setUint32(SKB.priority, mem.readU32(ctxOff + SKB.priority), true);
        odv.setUint32(SKB.ingress_ifindex, mem.readU32(ctxOff + SKB.ingress_ifindex), true);
        odv.setUint32(SKB.ifindex, LOOPBACK_IFINDEX, true);
        odv.setBigUint64(SKB.tstamp, mem.readU64(ctxOff + SKB.tstamp), true);
        out.set(mem.readBytes(ctxOff + SKB.cb, 20), SKB.cb);
        odv.setUint32(SKB.wire_len, mem.readU32(ctxOff + SKB.wire_len), true);
        odv.setUint32(SKB.gso_segs, mem.readU32(ctxOff + SKB.gso_segs), true);
        odv.setBigUint64(SKB.hwtstamp, mem.readU64(ctxOff + SKB.hwtstamp), true);
        // non-L2 programs get the MAC header pushed back as zeros
        const dataOut = mem.readBytes(frameOff, data.length);
        if (!isL2) dataOut.fill(0, 0, ETH_HLEN);
        release();
        return { ctxOut: out, dataOut };
      },
      release,
    };
  }
}

export const socketFilter: ProgTypeDef = new SkbProgType('socket_filter', 'socket_filter');
export const schedCls: ProgTypeDef = new SkbProgType('sched_cls', 'tc');
export const schedAct: ProgTypeDef = new SkbProgType('sched_act', 'tc');
/** cgroup_skb: 1 = allow, 0 = drop; egress programs may add the congestion bit (2) */
export const cgroupSkb: ProgTypeDef = new SkbProgType('cgroup_skb', 'cgroup_skb', [0, 1]);
export const cgroupSkbEgress: ProgTypeDef = new SkbProgType('cgroup_skb', 'cgroup_skb', [0, 3]);
