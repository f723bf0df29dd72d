// Which helpers each program type may call: the answer of each type's get_func_proto in Linux
// 6.18 (kernel/bpf/helpers.c bpf_base_func_proto, kernel/trace/bpf_trace.c, net/core/filter.c).
// Recorded by asking a real 6.18 kernel: for every (program type, helper id) we loaded
// `call id; r0 = 0; exit` as root and noted whether the verifier refused with "program of this
// type cannot use helper". Being allowed here does not mean the call verifies: argument checks,
// GPL and sleepable rules still apply (the verifier's business).

import { helperId } from './ids.js';

/** Helpers every program type gets (bpf_base_func_proto with CAP_BPF + CAP_PERFMON). */
const BASE = [
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'ktime_get_ns', 'trace_printk',
  'get_prandom_u32', 'get_smp_processor_id', 'tail_call', 'get_current_pid_tgid',
  'get_current_uid_gid', 'get_current_comm', 'get_cgroup_classid', 'perf_event_read',
  'perf_event_output', 'get_current_task', 'current_task_under_cgroup', 'get_numa_node_id',
  'perf_event_read_value', 'get_current_cgroup_id', 'map_push_elem', 'map_pop_elem',
  'map_peek_elem', 'spin_lock', 'spin_unlock', 'strtol', 'strtoul', 'send_signal',
  'probe_read_user', 'probe_read_kernel', 'probe_read_user_str', 'probe_read_kernel_str',
  'send_signal_thread', 'jiffies64', 'get_ns_current_pid_tgid', 'get_current_ancestor_cgroup_id',
  'ktime_get_boot_ns', 'ringbuf_output', 'ringbuf_reserve', 'ringbuf_submit', 'ringbuf_discard',
  'ringbuf_query', 'get_task_stack', 'copy_from_user', 'snprintf_btf', 'per_cpu_ptr',
  'this_cpu_ptr', 'task_storage_get', 'task_storage_delete', 'get_current_task_btf',
  'for_each_map_elem', 'snprintf', 'timer_init', 'timer_set_callback', 'timer_start',
  'timer_cancel', 'task_pt_regs', 'get_branch_snapshot', 'trace_vprintk', 'find_vma', 'loop',
  'strncmp', 'copy_from_user_task', 'kptr_xchg', 'map_lookup_percpu_elem', 'dynptr_from_mem',
  'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr', 'dynptr_read',
  'dynptr_write', 'dynptr_data', 'ktime_get_tai_ns', 'user_ringbuf_drain', 'cgrp_storage_get',
  'cgrp_storage_delete',
];

/** Added by bpf_tracing_func_proto for every tracing-family type. */
const TRACING_COMMON = [
  'probe_read', 'get_stackid', 'probe_read_str', 'get_stack', 'get_func_ip',
];

const EXTRA: Record<string, readonly string[]> = {
  socket_filter: [
    'skb_load_bytes', 'get_socket_cookie', 'get_socket_uid', 'skb_load_bytes_relative',
    'get_netns_cookie', 'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock',
    'skc_to_tcp_request_sock', 'skc_to_udp6_sock', 'ktime_get_coarse_ns', 'skc_to_unix_sock',
    'skc_to_mptcp_sock',
  ],
  kprobe: [
    'get_attach_cookie',
  ],
  sched_cls: [
    'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'clone_redirect', 'skb_vlan_push',
    'skb_vlan_pop', 'skb_get_tunnel_key', 'skb_set_tunnel_key', 'redirect', 'get_route_realm',
    'skb_load_bytes', 'csum_diff', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'skb_change_proto',
    'skb_change_type', 'skb_under_cgroup', 'get_hash_recalc', 'skb_change_tail', 'skb_pull_data',
    'csum_update', 'set_hash_invalid', 'skb_change_head', 'get_socket_cookie', 'get_socket_uid',
    'set_hash', 'skb_adjust_room', 'skb_get_xfrm_state', 'skb_load_bytes_relative', 'fib_lookup',
    'skb_cgroup_id', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release',
    'sk_fullsock', 'tcp_sock', 'skb_ecn_set_ce', 'get_listener_sock', 'skc_lookup_tcp',
    'tcp_check_syncookie', 'sk_storage_get', 'sk_storage_delete', 'tcp_gen_syncookie',
    'get_netns_cookie', 'sk_assign', 'csum_level', 'skc_to_tcp6_sock', 'skc_to_tcp_sock',
    'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
    'skb_cgroup_classid', 'redirect_neigh', 'redirect_peer', 'ktime_get_coarse_ns', 'check_mtu',
    'skc_to_unix_sock', 'skb_set_tstamp', 'skc_to_mptcp_sock', 'tcp_raw_gen_syncookie_ipv4',
    'tcp_raw_gen_syncookie_ipv6', 'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
  ],
  sched_act: [
    'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'clone_redirect', 'skb_vlan_push',
    'skb_vlan_pop', 'skb_get_tunnel_key', 'skb_set_tunnel_key', 'redirect', 'get_route_realm',
    'skb_load_bytes', 'csum_diff', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'skb_change_proto',
    'skb_change_type', 'skb_under_cgroup', 'get_hash_recalc', 'skb_change_tail', 'skb_pull_data',
    'csum_update', 'set_hash_invalid', 'skb_change_head', 'get_socket_cookie', 'get_socket_uid',
    'set_hash', 'skb_adjust_room', 'skb_get_xfrm_state', 'skb_load_bytes_relative', 'fib_lookup',
    'skb_cgroup_id', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release',
    'sk_fullsock', 'tcp_sock', 'skb_ecn_set_ce', 'get_listener_sock', 'skc_lookup_tcp',
    'tcp_check_syncookie', 'sk_storage_get', 'sk_storage_delete', 'tcp_gen_syncookie',
    'get_netns_cookie', 'sk_assign', 'csum_level', 'skc_to_tcp6_sock', 'skc_to_tcp_sock',
    'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
    'skb_cgroup_classid', 'redirect_neigh', 'redirect_peer', 'ktime_get_coarse_ns', 'check_mtu',
    'skc_to_unix_sock', 'skb_set_tstamp', 'skc_to_mptcp_sock', 'tcp_raw_gen_syncookie_ipv4',
    'tcp_raw_gen_syncookie_ipv6', 'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
  ],
  tracepoint: [
    'get_attach_cookie',
  ],
  xdp: [
    'redirect', 'csum_diff', 'xdp_adjust_head', 'redirect_map', 'xdp_adjust_meta',
    'xdp_adjust_tail', 'fib_lookup', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release',
    'skc_lookup_tcp', 'tcp_check_syncookie', 'tcp_gen_syncookie', 'skc_to_tcp6_sock',
    'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
    'ktime_get_coarse_ns', 'check_mtu', 'skc_to_unix_sock', 'xdp_get_buff_len', 'xdp_load_bytes',
    'xdp_store_bytes', 'skc_to_mptcp_sock', 'tcp_raw_gen_syncookie_ipv4',
    'tcp_raw_gen_syncookie_ipv6', 'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
  ],
  perf_event: [
    'perf_prog_read_value', 'read_branch_records', 'get_attach_cookie',
  ],
  raw_tracepoint: [
    'get_attach_cookie',
  ],
  tracing: [
    'get_socket_cookie', 'sk_storage_get', 'sk_storage_delete', 'skb_output', 'xdp_output',
    'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
    'skc_to_udp6_sock', 'd_path', 'sock_from_file', 'get_attach_cookie', 'skc_to_unix_sock',
    'get_func_arg', 'get_func_ret', 'get_func_arg_cnt', 'xdp_get_buff_len', 'skc_to_mptcp_sock',
  ],
  'tracing:trace_raw_tp': [
    'get_socket_cookie', 'sk_storage_get', 'sk_storage_delete', 'skb_output', 'xdp_output',
    'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
    'skc_to_udp6_sock', 'd_path', 'sock_from_file', 'get_attach_cookie', 'skc_to_unix_sock',
    'xdp_get_buff_len', 'skc_to_mptcp_sock',
  ],
  'tracing:trace_iter': [
    'get_socket_cookie', 'sk_storage_get', 'sk_storage_delete', 'skb_output', 'xdp_output',
    'seq_printf', 'seq_write', 'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock',
    'skc_to_tcp_request_sock', 'skc_to_udp6_sock', 'd_path', 'seq_printf_btf', 'sock_from_file',
    'skc_to_unix_sock', 'xdp_get_buff_len', 'skc_to_mptcp_sock',
  ],
  syscall: [
    'get_socket_cookie', 'sk_storage_get', 'sk_storage_delete', 'skb_output', 'xdp_output',
    'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
    'skc_to_udp6_sock', 'd_path', 'sock_from_file', 'sys_bpf', 'btf_find_by_name_kind',
    'sys_close', 'skc_to_unix_sock', 'kallsyms_lookup_name', 'xdp_get_buff_len',
    'skc_to_mptcp_sock',
  ],
  cgroup_skb: [
    'skb_load_bytes', 'get_socket_cookie', 'get_socket_uid', 'skb_load_bytes_relative',
    'skb_cgroup_id', 'get_local_storage', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp',
    'sk_lookup_udp', 'sk_release', 'sk_fullsock', 'tcp_sock', 'skb_ecn_set_ce',
    'get_listener_sock', 'skc_lookup_tcp', 'sk_storage_get', 'sk_storage_delete',
    'get_netns_cookie', 'sk_cgroup_id', 'sk_ancestor_cgroup_id', 'skc_to_tcp6_sock',
    'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
    'ktime_get_coarse_ns', 'skc_to_unix_sock', 'skc_to_mptcp_sock',
  ],
};

const TRACING_FAMILY = new Set(['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'tracing', 'syscall', 'lsm']);
/** Types whose list was not recorded but matches a recorded one (same get_func_proto). */
const SAME_AS: Readonly<Record<string, string>> = { raw_tracepoint_writable: 'raw_tracepoint' };

/** The kernel's expected_attach_type names for BPF_PROG_TYPE_TRACING that change the helper set. */
function tracingKey(attachType: string | undefined): string {
  switch (normalizeAttachType(attachType)) {
    case 'trace_raw_tp':
      return 'tracing:trace_raw_tp';
    case 'trace_iter':
      return 'tracing:trace_iter';
    default:
      return 'tracing';
  }
}

/** 'BPF_TRACE_ITER' / 'trace_iter' / 'iter' → 'trace_iter' (and the same for the others). */
export function normalizeAttachType(attachType: string | undefined): string | undefined {
  if (attachType === undefined) return undefined;
  const a = attachType.toLowerCase().replace(/^bpf_/, '');
  switch (a) {
    case 'iter':
      return 'trace_iter';
    case 'tp_btf':
    case 'raw_tp':
      return 'trace_raw_tp';
    case 'fentry':
      return 'trace_fentry';
    case 'fexit':
      return 'trace_fexit';
    case 'fmod_ret':
      return 'modify_return';
    default:
      return a;
  }
}

const cache = new Map<string, ReadonlySet<number>>();

/**
 * Helper ids a program of `progType` (the kernel's BPF_PROG_TYPE_* name in lower case without the
 * prefix, e.g. 'xdp', 'sched_cls', 'tracing') may call. For 'tracing' the attach type matters:
 * iterators ('trace_iter') get seq_printf/seq_write, tp_btf ('trace_raw_tp') no get_func_arg.
 * Unknown program types get the base set.
 */
export function helpersForProgType(progType: string, attachType?: string): ReadonlySet<number> {
  const key = progType === 'tracing' ? tracingKey(attachType) : (SAME_AS[progType] ?? progType);
  let set = cache.get(key);
  if (set === undefined) {
    const names = [...BASE, ...(TRACING_FAMILY.has(progType) ? TRACING_COMMON : []), ...(EXTRA[key] ?? [])];
    set = new Set(names.map(helperId));
    cache.set(key, set);
  }
  return set;
}

/** Whether `progType` may call helper `id` (get_func_proto would return a prototype). */
export function helperAllowed(id: number, progType: string, attachType?: string): boolean {
  return helpersForProgType(progType, attachType).has(id);
}

/** Program types whose allow list was recorded from the kernel (others fall back to BASE). */
export const RECORDED_PROG_TYPES: readonly string[] = Object.keys(EXTRA);
