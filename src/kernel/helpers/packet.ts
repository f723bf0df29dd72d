// Packet helpers: bpf_skb_load_bytes for __sk_buff programs and the XDP buffer helpers
// (get_buff_len, adjust_head / adjust_meta / adjust_tail, load_bytes / store_bytes), working on
// the packet pointers in the context block's hidden tail (progtypes/skb.ts, progtypes/xdp.ts)
// with net/core/filter.c's bounds.

import { EACCES, EFAULT, EINVAL, ENOMEM } from '../errno.js';
import type { KernelMemory } from '../memory.js';
import { SKB_HIDDEN_DATA, SKB_HIDDEN_DATA_END } from '../progtypes/skb.js';
import { XDP_HIDDEN, XDP_TAILROOM } from '../progtypes/xdp.js';
import { UNINIT_MEM, defineHelper } from './define.js';
import type { CallEnv, HelperImpl } from './types.js';
import { MEM_RDONLY, PTR_MAYBE_NULL } from './types.js';
import { helperState } from './state.js';
import { mapArg, neg, off, u32, zeroDst } from './util.js';

/** sizeof(struct xdp_frame): kept free at the start of the headroom */
const XDP_FRAME_SIZE = 40;
const ETH_HLEN = 14;
/** xdp_metalen_invalid: a multiple of 4 that fits skb_shared_info.meta_len (u8) */
const metalenInvalid = (n: number): boolean => (n & 3) !== 0 || n > 255;

/** struct xdp_buff as offsets into kernel memory, read from / written to the ctx hidden tail. */
class XdpBuff {
  data: number;
  dataEnd: number;
  dataMeta: number;
  readonly hardStart: number;
  readonly frameSz: number;
  readonly fragsLen: number;
  constructor(
    private readonly mem: KernelMemory,
    private readonly ctx: number,
  ) {
    this.data = mem.toOff(mem.readU64(ctx + XDP_HIDDEN.data));
    this.dataEnd = mem.toOff(mem.readU64(ctx + XDP_HIDDEN.data_end));
    this.dataMeta = mem.toOff(mem.readU64(ctx + XDP_HIDDEN.data_meta));
    this.hardStart = mem.toOff(mem.readU64(ctx + XDP_HIDDEN.data_hard_start));
    this.frameSz = mem.readU32(ctx + XDP_HIDDEN.frame_sz);
    this.fragsLen = mem.readU32(ctx + XDP_HIDDEN.frags_len);
  }
  save(): void {
    const m = this.mem;
    m.writeU64(this.ctx + XDP_HIDDEN.data, m.toPtr(this.data));
    m.writeU64(this.ctx + XDP_HIDDEN.data_end, m.toPtr(this.dataEnd));
    m.writeU64(this.ctx + XDP_HIDDEN.data_meta, m.toPtr(this.dataMeta));
  }
}

const xdpBuff = (env: CallEnv, ctx: bigint): XdpBuff => new XdpBuff(env.kernel.mem, off(env, ctx));

/** bpf_xdp_load_bytes / store_bytes bounds: only the linear part is reachable here. */
function xdpRange(b: XdpBuff, offset: bigint, len: number): number {
  const o = u32(offset);
  if (len === 0 || b.data + o + len > b.dataEnd) return -1;
  return b.data + o;
}

/** x86-64 csum_partial: 32-bit ones' complement sum of little-endian words, folded with carries. */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  let acc = BigInt(seed >>> 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) acc += BigInt(dv.getUint32(i, true));
  let tail = 0;
  for (let k = 0; i + k < bytes.length; k++) tail |= bytes[i + k]! << (8 * k);
  acc += BigInt(tail >>> 0);
  while (acc >> 32n) acc = (acc & 0xffffffffn) + (acc >> 32n);
  return Number(acc);
}

/** csum_from32to16 */
const from32to16 = (x: number): number => {
  let s = (x & 0xffff) + (x >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
};
const csumSub = (a: number, b: number): number => {
  const s = (a >>> 0) + (~b >>> 0);
  return (s & 0xffffffff) + (s > 0xffffffff ? 1 : 0);
};

// Internet checksum arithmetic (include/net/checksum.h) on little-endian machine words
const add32 = (a: number, b: number): number => {
  const r = (a >>> 0) + (b >>> 0);
  return (r + (r > 0xffffffff ? 1 : 0)) >>> 0;
};
const fold = (c: number): number => {
  let s = (c & 0xffff) + (c >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
};
const add16 = (a: number, b: number): number => {
  const r = (a & 0xffff) + (b & 0xffff);
  return (r + (r > 0xffff ? 1 : 0)) & 0xffff;
};
/** csum_replace4 / csum_replace_by_diff / csum_replace2 on a 16-bit checksum value */
const replace4 = (sum: number, from: number, to: number): number => fold(add32(add32(~sum >>> 0, ~from >>> 0), to));
const replaceByDiff = (sum: number, diff: number): number => fold(add32(diff, ~sum >>> 0));
const replace2 = (sum: number, from: number, to: number): number => ~add16(add16(~sum & 0xffff, ~from & 0xffff), to) & 0xffff;

const BPF_F_HDR_FIELD_MASK = 0xfn;
const BPF_F_PSEUDO_HDR = 1n << 4n;
const BPF_F_MARK_MANGLED_0 = 1n << 5n;
const BPF_F_MARK_ENFORCE = 1n << 6n;
const BPF_F_IPV6 = 1n << 7n;
/** CSUM_MANGLED_0: a zero UDP checksum is sent as 0xffff */
const CSUM_MANGLED_0 = 0xffff;

/** The 16-bit checksum at skb->data + offset, or -errno when it is not inside the packet. */
function skbSum(env: CallEnv, ctx: bigint, offset: bigint): number {
  const mem = env.kernel.mem;
  const c = off(env, ctx);
  const o = Number(BigInt.asUintN(32, offset));
  if (o > 0xffff || o & 1) return -EFAULT;
  const data = mem.toOff(mem.readU64(c + SKB_HIDDEN_DATA));
  const end = mem.toOff(mem.readU64(c + SKB_HIDDEN_DATA_END));
  if (data < 0 || data + o + 2 > end) return -EFAULT;
  return data + o;
}

function csumReplace(sum: number, flags: bigint, from: bigint, to: bigint): number {
  switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0n:
      return from !== 0n ? -EINVAL : replaceByDiff(sum, u32(to));
    case 2n:
      return replace2(sum, u32(from) & 0xffff, u32(to) & 0xffff);
    case 4n:
      return replace4(sum, u32(from), u32(to));
    default:
      return -EINVAL;
  }
}

const TC_ACT_SHOT = 2n;
const TC_ACT_REDIRECT = 7n;
const XDP_ABORTED = 0n;
const XDP_REDIRECT = 4n;
const BPF_F_INGRESS = 1n;
/** XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX: the fallback action of bpf_redirect_map */
const BPF_F_ACTION_MASK = 3n;
const BPF_F_BROADCAST = 1n << 3n;
const BPF_F_EXCLUDE_INGRESS = 1n << 4n;

export const packetHelpers: HelperImpl[] = [
  defineHelper('l3_csum_replace', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    if (r5 & ~BPF_F_HDR_FIELD_MASK) return neg(EINVAL);
    const at = skbSum(env, r1, r2);
    if (at < 0) return BigInt(at);
    const mem = env.kernel.mem;
    const r = csumReplace(mem.readU16(at), r5, r3, r4);
    if (r < 0) return BigInt(r);
    mem.writeU16(at, r);
    return 0n;
  }, { changesPktData: true }),
  defineHelper('l4_csum_replace', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    if (r5 & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6)) return neg(EINVAL);
    const at = skbSum(env, r1, r2);
    if (at < 0) return BigInt(at);
    const mem = env.kernel.mem;
    const mmzero = (r5 & BPF_F_MARK_MANGLED_0) !== 0n;
    const old = mem.readU16(at);
    if (mmzero && !(r5 & BPF_F_MARK_ENFORCE) && old === 0) return 0n;
    // test-run skbs are CHECKSUM_NONE: the pseudo-header flag only matters for skb->csum
    const r = csumReplace(old, r5, r3, r4);
    if (r < 0) return BigInt(r);
    mem.writeU16(at, mmzero && r === 0 ? CSUM_MANGLED_0 : r);
    return 0n;
  }, { changesPktData: true }),
  // one helper id, two protos in Linux: tc's bpf_redirect and XDP's bpf_xdp_redirect
  defineHelper('redirect', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_ANYTHING'], (env, r1, r2) => {
    const st = helperState(env.kernel);
    if (env.progType === 'xdp') {
      if (r2 !== 0n) return XDP_ABORTED;
      st.lastRedirect = { target: u32(r1), flags: 0n };
      return XDP_REDIRECT;
    }
    if (r2 & ~BPF_F_INGRESS) return TC_ACT_SHOT;
    st.lastRedirect = { target: u32(r1), flags: r2 };
    return TC_ACT_REDIRECT;
  }),
  defineHelper('redirect_map', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING'], (env, r1, r2, r3) => {
    if (r3 & ~(BPF_F_ACTION_MASK | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)) return XDP_ABORTED;
    const map = mapArg(env, r1);
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, u32(r2), true);
    // no entry: the low bits of flags are the action to return instead
    if (!map || map.lookup(key) === undefined) return r3 & BPF_F_ACTION_MASK;
    helperState(env.kernel).lastRedirect = { target: u32(r2), flags: r3, mapPtr: map.ptr };
    return XDP_REDIRECT;
  }),
  // 6.18 folds the result to 16 bits and no longer insists on 4-byte multiples (observed)
  defineHelper('csum_diff', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY | PTR_MAYBE_NULL }, 'ARG_CONST_SIZE_OR_ZERO', { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY | PTR_MAYBE_NULL }, 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    const mem = env.kernel.mem;
    const fromSize = u32(r2);
    const toSize = u32(r4);
    const seed = u32(r5);
    const from = fromSize ? mem.readBytes(off(env, r1), fromSize) : new Uint8Array(0);
    const to = toSize ? mem.readBytes(off(env, r3), toSize) : new Uint8Array(0);
    let r: number;
    if (fromSize && toSize) r = csumSub(csumPartial(to, seed), csumPartial(from, 0));
    else if (toSize) r = csumPartial(to, seed);
    else if (fromSize) r = ~csumPartial(from, ~seed >>> 0) >>> 0;
    else r = seed;
    return BigInt(from32to16(r));
  }),
  defineHelper('skb_load_bytes', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', UNINIT_MEM, 'ARG_CONST_SIZE'], (env, r1, r2, r3, r4) => {
    const mem = env.kernel.mem;
    const ctx = off(env, r1);
    const len = u32(r4);
    const offset = u32(r2);
    const data = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA));
    const end = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA_END));
    // offsets are relative to skb->data; anything past the linear end faults (no frags here)
    if (offset > 0x7fffffff || data < 0 || data + offset + len > end) {
      zeroDst(env, r3, len);
      return neg(EFAULT);
    }
    mem.copy(off(env, r3), data + offset, len);
    return 0n;
  }),
  defineHelper('skb_store_bytes', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE', 'ARG_ANYTHING'], (env, r1, r2, r3, r4, r5) => {
    // BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
    if (r5 & ~3n) return neg(EINVAL);
    const mem = env.kernel.mem;
    const ctx = off(env, r1);
    const offset = u32(r2);
    const len = u32(r4);
    const data = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA));
    const end = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA_END));
    if (offset > 0x7fffffff || data < 0 || data + offset + len > end) return neg(EFAULT);
    mem.copy(data + offset, off(env, r3), len);
    return 0n;
  }, { changesPktData: true }),
  defineHelper('skb_pull_data', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'], (env, r1, r2) => {
    // test-run skbs are linear: pulling works up to the packet length
    const mem = env.kernel.mem;
    const ctx = off(env, r1);
    const len = mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA_END)) - mem.toOff(mem.readU64(ctx + SKB_HIDDEN_DATA));
    return u32(r2) <= len ? 0n : neg(ENOMEM);
  }, { changesPktData: true }),
  defineHelper('xdp_get_buff_len', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], (env, r1) => {
    const b = xdpBuff(env, r1);
    return BigInt(b.dataEnd - b.data + b.fragsLen);
  }),
  defineHelper('xdp_adjust_head', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'], (env, r1, r2) => {
    const b = xdpBuff(env, r1);
    const delta = Number(BigInt.asIntN(32, r2));
    const metalen = b.data - b.dataMeta;
    const data = b.data + delta;
    if (data < b.hardStart + XDP_FRAME_SIZE + metalen || data > b.dataEnd - ETH_HLEN) return neg(EINVAL);
    if (metalen) env.kernel.mem.copy(b.dataMeta + delta, b.dataMeta, metalen);
    b.dataMeta += delta;
    b.data = data;
    b.save();
    return 0n;
  }, { changesPktData: true }),
  defineHelper('xdp_adjust_meta', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'], (env, r1, r2) => {
    const b = xdpBuff(env, r1);
    const meta = b.dataMeta + Number(BigInt.asIntN(32, r2));
    if (meta < b.hardStart + XDP_FRAME_SIZE || meta > b.data) return neg(EINVAL);
    if (metalenInvalid(b.data - meta)) return neg(EACCES);
    b.dataMeta = meta;
    b.save();
    return 0n;
  }, { changesPktData: true }),
  defineHelper('xdp_adjust_tail', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'], (env, r1, r2) => {
    const b = xdpBuff(env, r1);
    const delta = Number(BigInt.asIntN(32, r2));
    // growing or shrinking into frags is not simulated: only the linear buffer moves
    const end = b.dataEnd + delta;
    const hardEnd = b.hardStart + b.frameSz - XDP_TAILROOM;
    if (end > hardEnd || end < b.data + ETH_HLEN) return neg(EINVAL);
    if (delta > 0) env.kernel.mem.fill(b.dataEnd, delta, 0);
    b.dataEnd = end;
    b.save();
    return 0n;
  }, { changesPktData: true }),
  defineHelper('xdp_load_bytes', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', UNINIT_MEM, 'ARG_CONST_SIZE'], (env, r1, r2, r3, r4) => {
    const len = u32(r4);
    const src = xdpRange(xdpBuff(env, r1), r2, len);
    if (src < 0) return neg(EINVAL);
    env.kernel.mem.copy(off(env, r3), src, len);
    return 0n;
  }),
  defineHelper('xdp_store_bytes', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_MEM', flags: MEM_RDONLY }, 'ARG_CONST_SIZE'], (env, r1, r2, r3, r4) => {
    const len = u32(r4);
    const dst = xdpRange(xdpBuff(env, r1), r2, len);
    if (dst < 0) return neg(EINVAL);
    env.kernel.mem.copy(dst, off(env, r3), len);
    return 0n;
  }),
];
