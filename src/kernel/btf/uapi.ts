// UAPI context types. Programs access these at fixed offsets (no CO-RE), so their layout is the
// ABI: every field is declared, in order, and the layout code reproduces the UAPI offsets.

import type { StructSpec } from './types.js';

const u32s = (...names: string[]): [string, string][] => names.map((n) => [n, '__u32']);

export const UAPI_STRUCTS: StructSpec[] = [
  { name: '__sk_buff', kind: 'struct', fields: [
    ...u32s('len', 'pkt_type', 'mark', 'queue_mapping', 'protocol', 'vlan_present', 'vlan_tci', 'vlan_proto',
      'priority', 'ingress_ifindex', 'ifindex', 'tc_index'),
    ['cb', '__u32[5]'],
    ...u32s('hash', 'tc_classid', 'data', 'data_end', 'napi_id', 'family', 'remote_ip4', 'local_ip4'),
    ['remote_ip6', '__u32[4]'],
    ['local_ip6', '__u32[4]'],
    ...u32s('remote_port', 'local_port', 'data_meta'),
    { anon: { kind: 'union', align: 8, fields: [['flow_keys', 'struct bpf_flow_keys *']] } },
    ['tstamp', '__u64'],
    ...u32s('wire_len', 'gso_segs'),
    { anon: { kind: 'union', align: 8, fields: [['sk', 'struct bpf_sock *']] } },
    ['gso_size', '__u32'],
    ['tstamp_type', '__u8'],
    ['hwtstamp', '__u64'],
  ] },
  { name: 'xdp_md', kind: 'struct', fields: u32s('data', 'data_end', 'data_meta', 'ingress_ifindex', 'rx_queue_index', 'egress_ifindex') },
  { name: 'pt_regs', kind: 'struct', fields: [
    ...(['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip']
      .map((n): [string, string] => [n, 'long unsigned int'])),
    { anon: { kind: 'union', fields: [['cs', 'u16'], ['csx', 'u64']] } },
    ['flags', 'long unsigned int'],
    ['sp', 'long unsigned int'],
    { anon: { kind: 'union', fields: [['ss', 'u16'], ['ssx', 'u64']] } },
  ] },
  { name: 'bpf_raw_tracepoint_args', kind: 'struct', fields: [['args', '__u64[0]']] },
];
