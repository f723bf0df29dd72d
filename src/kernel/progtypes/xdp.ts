// XDP programs: struct xdp_md over a packet buffer with XDP_PACKET_HEADROOM in front.
//
// Like __sk_buff, the context block is the UAPI struct followed by a hidden tail with the real
// 64-bit data / data_end / data_meta pointers that the u32 UAPI fields stand for.
// Test runs follow bpf_prog_test_run_xdp: ctx_in.data is the metadata length (the first bytes of
// data_in), ctx_in.data_end must not exceed data_in (bytes past it model non-linear frags, which
// the program cannot reach directly), rx_queue_index must be 0; data_out runs from data_meta.

import { EINVAL, ENODEV } from '../errno.js';
import type { KernelMemory } from '../memory.js';
import { helpersForProgType } from '../helpers/allowlist.js';
import { FieldTable } from './access.js';
import { ProgTypeError, type CtxField, type PreparedRun, type ProgTypeDef, type TestRunInput } from './types.js';

export const XDP_MD_SIZE = 24;
export const XDP = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20 } as const;
/** hidden tail of the context block (struct xdp_buff's fields the helpers need) */
export const XDP_HIDDEN = { data: 24, data_end: 32, data_meta: 40, data_hard_start: 48, frame_sz: 56, frags_len: 60 } as const;
const XDP_BLOCK_SIZE = 64;
export const XDP_PACKET_HEADROOM = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)): reserved at the end of every frame */
export const XDP_TAILROOM = 320;
/** test runs use one page per frame; data beyond what fits goes to (unreachable) frags */
const XDP_FRAME_SZ = 4096;
/** largest metadata area xdp_metalen_invalid allows (type_max of skb_shared_info.meta_len, a u8) */
const XDP_META_MAX = 255;

const FIELDS: readonly CtxField[] = [
  { name: 'data', off: XDP.data, size: 4, read: 'exact', kind: 'packet', real: { off: XDP_HIDDEN.data, size: 8 } },
  { name: 'data_end', off: XDP.data_end, size: 4, read: 'exact', kind: 'packet_end', real: { off: XDP_HIDDEN.data_end, size: 8 } },
  { name: 'data_meta', off: XDP.data_meta, size: 4, read: 'exact', kind: 'packet_meta', real: { off: XDP_HIDDEN.data_meta, size: 8 } },
  { name: 'ingress_ifindex', off: XDP.ingress_ifindex, size: 4, read: 'exact' },
  { name: 'rx_queue_index', off: XDP.rx_queue_index, size: 4, read: 'exact' },
  // egress_ifindex is only readable by programs attached to a devmap (expected attach type)
];

class XdpProgType implements ProgTypeDef {
  readonly type = 'xdp' as const;
  readonly ctxSize = XDP_MD_SIZE;
  readonly fields = FIELDS;
  private readonly table = new FieldTable(XDP_MD_SIZE, FIELDS);

  helpers(): ReadonlySet<number> {
    return helpersForProgType('xdp');
  }

  convertCtxAccess(off: number, size: number, isWrite: boolean) {
    return this.table.convert(off, size, isWrite);
  }

  isValidAccess(off: number, size: number, isWrite: boolean): boolean {
    return this.table.convert(off, size, isWrite) !== null;
  }

  prepareRun(mem: KernelMemory, input: TestRunInput = {}): PreparedRun {
    const data = input.dataIn ?? new Uint8Array(0);
    let meta = 0;
    let linear = data.length;
    let ingress = 0;
    if (input.ctxIn) {
      const c = input.ctxIn;
      if (c.length > XDP_MD_SIZE && c.subarray(XDP_MD_SIZE).some((b) => b !== 0)) throw new ProgTypeError(EINVAL, 'xdp_md ctx_in: bytes past the struct must be zero');
      const buf = new Uint8Array(XDP_MD_SIZE);
      buf.set(c.subarray(0, XDP_MD_SIZE));
      const dv = new DataView(buf.buffer);
      meta = dv.getUint32(XDP.data, true);
      const dataEnd = dv.getUint32(XDP.data_end, true);
      if (dv.getUint32(XDP.data_meta, true) !== 0) throw new ProgTypeError(EINVAL, 'xdp_md ctx_in: data_meta must be 0');
      if (dataEnd > data.length || meta > dataEnd) throw new ProgTypeError(EINVAL, 'xdp_md ctx_in: data_end beyond data_in or before data');
      if (meta & 3 || meta > XDP_META_MAX) throw new ProgTypeError(EINVAL, `xdp_md ctx_in: metadata length ${meta} invalid (multiple of 4, at most ${XDP_META_MAX})`);
      if (dv.getUint32(XDP.rx_queue_index, true) !== 0) throw new ProgTypeError(EINVAL, 'xdp_md ctx_in: rx_queue_index must be 0');
      if (dv.getUint32(XDP.egress_ifindex, true) !== 0) throw new ProgTypeError(EINVAL, 'xdp_md ctx_in: egress_ifindex must be 0');
      ingress = dv.getUint32(XDP.ingress_ifindex, true);
      if (ingress > 1) throw new ProgTypeError(ENODEV, `xdp test run: no device with ifindex ${ingress}`);
      linear = dataEnd;
    }
    // like bpf_prog_test_run_xdp: the linear part lives in a page-sized frame
    linear = Math.min(linear, XDP_FRAME_SZ - XDP_PACKET_HEADROOM - XDP_TAILROOM);
    const frameSz = Math.max(XDP_FRAME_SZ, XDP_PACKET_HEADROOM + data.length + XDP_TAILROOM);
    const bufOff = mem.alloc(frameSz, 8);
    const metaOff = bufOff + XDP_PACKET_HEADROOM;
    mem.writeBytes(metaOff, data.subarray(0, linear));
    const fragBytes = data.slice(linear);
    const dataOff = metaOff + meta;
    const endOff = metaOff + linear;
    const ctxOff = mem.alloc(XDP_BLOCK_SIZE, 8);
    mem.writeU32(ctxOff + XDP.ingress_ifindex, ingress);
    const frags = data.length - linear;
    mem.writeU64(ctxOff + XDP_HIDDEN.data, mem.toPtr(dataOff));
    mem.writeU64(ctxOff + XDP_HIDDEN.data_end, mem.toPtr(endOff));
    mem.writeU64(ctxOff + XDP_HIDDEN.data_meta, mem.toPtr(metaOff));
    mem.writeU64(ctxOff + XDP_HIDDEN.data_hard_start, mem.toPtr(bufOff));
    mem.writeU32(ctxOff + XDP_HIDDEN.frame_sz, XDP_FRAME_SZ);
    mem.writeU32(ctxOff + XDP_HIDDEN.frags_len, frags);
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
      packet: { dataOff, dataEndOff: endOff, dataMetaOff: metaOff },
      finish: () => {
        // the program (or future adjust_head/meta helpers) may have moved the pointers
        const d = mem.toOff(mem.readU64(ctxOff + XDP_HIDDEN.data));
        const e = mem.toOff(mem.readU64(ctxOff + XDP_HIDDEN.data_end));
        const m = mem.toOff(mem.readU64(ctxOff + XDP_HIDDEN.data_meta));
        const out = new Uint8Array(XDP_MD_SIZE);
        const dv = new DataView(out.buffer);
        dv.setUint32(XDP.data, d - m, true);
        dv.setUint32(XDP.data_end, e - m, true);
        dv.setUint32(XDP.ingress_ifindex, ingress, true);
        // the non-linear rest (frags) is kept outside kernel memory: programs cannot reach it
        const dataOut = new Uint8Array(e - m + fragBytes.length);
        dataOut.set(mem.readBytes(m, e - m));
        dataOut.set(fragBytes, e - m);
        release();
        return { ctxOut: out, dataOut };
      },
      release,
    };
  }
}

export const xdp: ProgTypeDef = new XdpProgType();
