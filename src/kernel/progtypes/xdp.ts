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
const HIDDEN_DATA = 24;
const HIDDEN_DATA_END = 32;
const HIDDEN_DATA_META = 40;
const XDP_BLOCK_SIZE = 48;
export const XDP_PACKET_HEADROOM = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)): room bpf_xdp_adjust_tail may grow into */
const XDP_TAILROOM = 320;
/** largest metadata area xdp_metalen_invalid allows */
const XDP_META_MAX = 32;

const FIELDS: readonly CtxField[] = [
  { name: 'data', off: XDP.data, size: 4, read: 'exact', kind: 'packet', real: { off: HIDDEN_DATA, size: 8 } },
  { name: 'data_end', off: XDP.data_end, size: 4, read: 'exact', kind: 'packet_end', real: { off: HIDDEN_DATA_END, size: 8 } },
  { name: 'data_meta', off: XDP.data_meta, size: 4, read: 'exact', kind: 'packet_meta', real: { off: HIDDEN_DATA_META, size: 8 } },
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
    const bufOff = mem.alloc(XDP_PACKET_HEADROOM + data.length + XDP_TAILROOM, 8);
    const metaOff = bufOff + XDP_PACKET_HEADROOM;
    mem.writeBytes(metaOff, data);
    const dataOff = metaOff + meta;
    const endOff = metaOff + linear;
    const ctxOff = mem.alloc(XDP_BLOCK_SIZE, 8);
    mem.writeU32(ctxOff + XDP.ingress_ifindex, ingress);
    mem.writeU64(ctxOff + HIDDEN_DATA, mem.toPtr(dataOff));
    mem.writeU64(ctxOff + HIDDEN_DATA_END, mem.toPtr(endOff));
    mem.writeU64(ctxOff + HIDDEN_DATA_META, mem.toPtr(metaOff));
    const frags = data.length - linear;
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
        const d = mem.toOff(mem.readU64(ctxOff + HIDDEN_DATA));
        const e = mem.toOff(mem.readU64(ctxOff + HIDDEN_DATA_END));
        const m = mem.toOff(mem.readU64(ctxOff + HIDDEN_DATA_META));
        const out = new Uint8Array(XDP_MD_SIZE);
        const dv = new DataView(out.buffer);
        dv.setUint32(XDP.data, d - m, true);
        dv.setUint32(XDP.data_end, e - m, true);
        dv.setUint32(XDP.ingress_ifindex, ingress, true);
        const dataOut = mem.readBytes(m, e - m + frags);
        release();
        return { ctxOut: out, dataOut };
      },
      release,
    };
  }
}

export const xdp: ProgTypeDef = new XdpProgType();
