// libbpf's section-name conventions: which program type, expected attach type and flags a
// SEC("...") name means. Matching rules follow libbpf: a pattern ending in '+' matches the exact
// name or the name followed by '/extras'; one ending in '/' must be followed by extras; anything
// else must match exactly. The first matching entry wins, so more specific entries come first.

import { BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS, type AttachType, type ProgType } from './types.js';

interface SecDef {
  pattern: string;
  type: ProgType;
  attach?: AttachType;
  sleepable?: boolean;
  xdpFrags?: boolean;
}

const d = (pattern: string, type: ProgType, attach?: AttachType, flags: { s?: boolean; frags?: boolean } = {}): SecDef => ({
  pattern,
  type,
  attach,
  sleepable: flags.s,
  xdpFrags: flags.frags,
});
const S = { s: true };

const SECTION_DEFS: readonly SecDef[] = [
  d('socket', 'socket_filter'),
  d('sk_reuseport/migrate', 'sk_reuseport', 'sk_reuseport_select_or_migrate'),
  d('sk_reuseport', 'sk_reuseport', 'sk_reuseport_select'),
  d('kprobe+', 'kprobe'),
  d('uprobe+', 'kprobe'),
  d('uprobe.s+', 'kprobe', undefined, S),
  d('kretprobe+', 'kprobe'),
  d('uretprobe+', 'kprobe'),
  d('uretprobe.s+', 'kprobe', undefined, S),
  d('kprobe.multi+', 'kprobe', 'trace_kprobe_multi'),
  d('kretprobe.multi+', 'kprobe', 'trace_kprobe_multi'),
  d('kprobe.session+', 'kprobe', 'trace_kprobe_session'),
  d('uprobe.multi+', 'kprobe', 'trace_uprobe_multi'),
  d('uretprobe.multi+', 'kprobe', 'trace_uprobe_multi'),
  d('uprobe.session+', 'kprobe', 'trace_uprobe_session'),
  d('uprobe.multi.s+', 'kprobe', 'trace_uprobe_multi', S),
  d('uretprobe.multi.s+', 'kprobe', 'trace_uprobe_multi', S),
  d('uprobe.session.s+', 'kprobe', 'trace_uprobe_session', S),
  d('ksyscall+', 'kprobe'),
  d('kretsyscall+', 'kprobe'),
  d('usdt+', 'kprobe'),
  d('usdt.s+', 'kprobe', undefined, S),
  d('tc/ingress', 'sched_cls', 'tcx_ingress'),
  d('tc/egress', 'sched_cls', 'tcx_egress'),
  d('tcx/ingress', 'sched_cls', 'tcx_ingress'),
  d('tcx/egress', 'sched_cls', 'tcx_egress'),
  d('tc', 'sched_cls'),
  d('classifier', 'sched_cls'),
  d('action', 'sched_act'),
  d('netkit/primary', 'sched_cls', 'netkit_primary'),
  d('netkit/peer', 'sched_cls', 'netkit_peer'),
  d('tracepoint+', 'tracepoint'),
  d('tp+', 'tracepoint'),
  d('raw_tracepoint+', 'raw_tracepoint'),
  d('raw_tp+', 'raw_tracepoint'),
  d('raw_tracepoint.w+', 'raw_tracepoint_writable'),
  d('raw_tp.w+', 'raw_tracepoint_writable'),
  d('tp_btf+', 'tracing', 'trace_raw_tp'),
  d('fentry+', 'tracing', 'trace_fentry'),
  d('fmod_ret+', 'tracing', 'modify_return'),
  d('fexit+', 'tracing', 'trace_fexit'),
  d('fentry.s+', 'tracing', 'trace_fentry', S),
  d('fmod_ret.s+', 'tracing', 'modify_return', S),
  d('fexit.s+', 'tracing', 'trace_fexit', S),
  d('freplace+', 'ext'),
  d('lsm+', 'lsm', 'lsm_mac'),
  d('lsm.s+', 'lsm', 'lsm_mac', S),
  d('lsm_cgroup+', 'lsm', 'lsm_cgroup'),
  d('iter+', 'tracing', 'trace_iter'),
  d('iter.s+', 'tracing', 'trace_iter', S),
  d('syscall', 'syscall', undefined, S),
  d('xdp.frags/devmap', 'xdp', 'xdp_devmap', { frags: true }),
  d('xdp/devmap', 'xdp', 'xdp_devmap'),
  d('xdp.frags/cpumap', 'xdp', 'xdp_cpumap', { frags: true }),
  d('xdp/cpumap', 'xdp', 'xdp_cpumap'),
  d('xdp.frags', 'xdp', 'xdp', { frags: true }),
  d('xdp', 'xdp', 'xdp'),
  d('perf_event', 'perf_event'),
  d('lwt_in', 'lwt_in'),
  d('lwt_out', 'lwt_out'),
  d('lwt_xmit', 'lwt_xmit'),
  d('lwt_seg6local', 'lwt_seg6local'),
  d('sockops', 'sock_ops', 'cgroup_sock_ops'),
  d('sk_skb/stream_parser', 'sk_skb', 'sk_skb_stream_parser'),
  d('sk_skb/stream_verdict', 'sk_skb', 'sk_skb_stream_verdict'),
  d('sk_skb', 'sk_skb'),
  d('sk_msg', 'sk_msg', 'sk_msg_verdict'),
  d('lirc_mode2', 'lirc_mode2', 'lirc_mode2'),
  d('flow_dissector', 'flow_dissector', 'flow_dissector'),
  d('cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress'),
  d('cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress'),
  d('cgroup/skb', 'cgroup_skb'),
  d('cgroup/sock_create', 'cgroup_sock', 'cgroup_inet_sock_create'),
  d('cgroup/sock_release', 'cgroup_sock', 'cgroup_inet_sock_release'),
  d('cgroup/sock', 'cgroup_sock', 'cgroup_inet_sock_create'),
  d('cgroup/post_bind4', 'cgroup_sock', 'cgroup_inet4_post_bind'),
  d('cgroup/post_bind6', 'cgroup_sock', 'cgroup_inet6_post_bind'),
  d('cgroup/bind4', 'cgroup_sock_addr', 'cgroup_inet4_bind'),
  d('cgroup/bind6', 'cgroup_sock_addr', 'cgroup_inet6_bind'),
  d('cgroup/connect4', 'cgroup_sock_addr', 'cgroup_inet4_connect'),
  d('cgroup/connect6', 'cgroup_sock_addr', 'cgroup_inet6_connect'),
  d('cgroup/connect_unix', 'cgroup_sock_addr', 'cgroup_unix_connect'),
  d('cgroup/sendmsg4', 'cgroup_sock_addr', 'cgroup_udp4_sendmsg'),
  d('cgroup/sendmsg6', 'cgroup_sock_addr', 'cgroup_udp6_sendmsg'),
  d('cgroup/sendmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_sendmsg'),
  d('cgroup/recvmsg4', 'cgroup_sock_addr', 'cgroup_udp4_recvmsg'),
  d('cgroup/recvmsg6', 'cgroup_sock_addr', 'cgroup_udp6_recvmsg'),
  d('cgroup/recvmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_recvmsg'),
  d('cgroup/getpeername4', 'cgroup_sock_addr', 'cgroup_inet4_getpeername'),
  d('cgroup/getpeername6', 'cgroup_sock_addr', 'cgroup_inet6_getpeername'),
  d('cgroup/getpeername_unix', 'cgroup_sock_addr', 'cgroup_unix_getpeername'),
  d('cgroup/getsockname4', 'cgroup_sock_addr', 'cgroup_inet4_getsockname'),
  d('cgroup/getsockname6', 'cgroup_sock_addr', 'cgroup_inet6_getsockname'),
  d('cgroup/getsockname_unix', 'cgroup_sock_addr', 'cgroup_unix_getsockname'),
  d('cgroup/sysctl', 'cgroup_sysctl', 'cgroup_sysctl'),
  d('cgroup/getsockopt', 'cgroup_sockopt', 'cgroup_getsockopt'),
  d('cgroup/setsockopt', 'cgroup_sockopt', 'cgroup_setsockopt'),
  d('cgroup/dev', 'cgroup_device', 'cgroup_device'),
  d('struct_ops+', 'struct_ops'),
  d('struct_ops.s+', 'struct_ops', undefined, S),
  d('sk_lookup', 'sk_lookup', 'sk_lookup'),
  d('netfilter', 'netfilter', 'netfilter'),
];

export interface SectionProgInfo {
  type: ProgType;
  expectedAttachType?: AttachType;
  attachTo?: string;
  sleepable: boolean;
  progFlags: number;
  /** the table pattern that matched, e.g. "kprobe+" */
  pattern: string;
}

function matches(pattern: string, name: string): string | undefined | false {
  const last = pattern[pattern.length - 1];
  if (last === '/') return name.startsWith(pattern) ? name.slice(pattern.length) : false;
  if (last === '+') {
    const base = pattern.slice(0, -1);
    if (name === base) return undefined;
    if (name.startsWith(base + '/')) return name.slice(base.length + 1);
    return false;
  }
  return name === pattern ? undefined : false;
}

/** Program type etc. for a section name, or undefined if libbpf would not know it. */
export function sectionProgInfo(section: string): SectionProgInfo | undefined {
  for (const def of SECTION_DEFS) {
    const m = matches(def.pattern, section);
    if (m === false) continue;
    const sleepable = def.sleepable ?? false;
    const info: SectionProgInfo = {
      type: def.type,
      sleepable,
      progFlags: (sleepable ? BPF_F_SLEEPABLE : 0) | (def.xdpFrags ? BPF_F_XDP_HAS_FRAGS : 0),
      pattern: def.pattern,
    };
    if (def.attach !== undefined) info.expectedAttachType = def.attach;
    if (m !== undefined && m !== '') info.attachTo = m;
    return info;
  }
  return undefined;
}

/** All section patterns, for error messages and documentation. */
export const SECTION_PATTERNS: readonly string[] = SECTION_DEFS.map((x) => x.pattern);
