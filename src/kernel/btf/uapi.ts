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
  { name: 'bpf_perf_event_data', kind: 'struct', fields: [['regs', 'bpf_user_pt_regs_t'], ['sample_period', '__u64'], ['addr', '__u64']] },
  { name: 'bpf_sock', kind: 'struct', fields: [
    ...u32s('bound_dev_if', 'family', 'type', 'protocol', 'mark', 'priority', 'src_ip4'),
    ['src_ip6', '__u32[4]'],
    ['src_port', '__u32'],
    ['dst_port', '__be16'],
    ['dst_ip4', '__u32'],
    ['dst_ip6', '__u32[4]'],
    ['state', '__u32'],
    ['rx_queue_mapping', '__s32'],
  ] },

  // objects programs embed in map values and on the stack (opaque; the sizes are the ABI)
  { name: 'bpf_spin_lock', kind: 'struct', fields: [['val', '__u32']] },
  { name: 'bpf_res_spin_lock', kind: 'struct', fields: [['val', 'u32']] },
  opaque64('bpf_timer', 2),
  opaque64('bpf_dynptr', 2),
  opaque64('bpf_list_head', 2),
  opaque64('bpf_list_node', 3),
  opaque64('bpf_rb_root', 2),
  opaque64('bpf_rb_node', 4),
  { name: 'bpf_refcount', kind: 'struct', fields: [['__opaque', '__u32[1]']] },
  opaque64('bpf_wq', 2),

  // tracepoint records (SEC("tp/...") contexts), as the trace event classes define them
  { name: 'trace_entry', kind: 'struct', fields: [['type', 'short unsigned int'], ['flags', 'unsigned char'], ['preempt_count', 'unsigned char'], ['pid', 'int']] },
  traceEvent('sys_enter', [['id', 'long int'], ['args', 'long unsigned int[6]']]),
  traceEvent('sys_exit', [['id', 'long int'], ['ret', 'long int']]),
  traceEvent('sched_switch', [
    ['prev_comm', 'char[16]'], ['prev_pid', 'pid_t'], ['prev_prio', 'int'], ['prev_state', 'long int'],
    ['next_comm', 'char[16]'], ['next_pid', 'pid_t'], ['next_prio', 'int'],
  ]),
  traceEvent('sched_process_exec', [['__data_loc_filename', 'u32'], ['pid', 'pid_t'], ['old_pid', 'pid_t']]),
  traceEvent('sched_process_fork', [['__data_loc_parent_comm', 'u32'], ['parent_pid', 'pid_t'], ['__data_loc_child_comm', 'u32'], ['child_pid', 'pid_t']]),
  traceEvent('sched_process_template', [['__data_loc_comm', 'u32'], ['pid', 'pid_t'], ['prio', 'int']]),
  traceEvent('sched_wakeup_template', [['comm', 'char[16]'], ['pid', 'pid_t'], ['prio', 'int'], ['target_cpu', 'int']]),
];

function opaque64(name: string, words: number): StructSpec {
  return { name, kind: 'struct', fields: [['__opaque', `__u64[${words}]`]] };
}

function traceEvent(event: string, fields: [string, string][]): StructSpec {
  return { name: `trace_event_raw_${event}`, kind: 'struct', fields: [['ent', 'struct trace_entry'], ...fields, ['__data', 'char[0]']] };
}
