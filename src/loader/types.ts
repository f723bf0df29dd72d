// The loader's output: what an ELF object holds once libbpf's conventions are applied.

import type { Btf } from '../btf/index.js';
import type { Insn } from '../isa/insn.js';

/** enum bpf_prog_type, kernel names minus BPF_PROG_TYPE_, lower case (index = uapi value). */
export const PROG_TYPES = [
  'unspec', 'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp', 'perf_event',
  'cgroup_skb', 'cgroup_sock', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sock_ops', 'sk_skb', 'cgroup_device',
  'sk_msg', 'raw_tracepoint', 'cgroup_sock_addr', 'lwt_seg6local', 'lirc_mode2', 'sk_reuseport',
  'flow_dissector', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'tracing',
  'struct_ops', 'ext', 'lsm', 'sk_lookup', 'syscall', 'netfilter',
] as const;
export type ProgType = (typeof PROG_TYPES)[number];

/** enum bpf_attach_type, kernel names minus BPF_, lower case (index = uapi value). */
export const ATTACH_TYPES = [
  'cgroup_inet_ingress', 'cgroup_inet_egress', 'cgroup_inet_sock_create', 'cgroup_sock_ops',
  'sk_skb_stream_parser', 'sk_skb_stream_verdict', 'cgroup_device', 'sk_msg_verdict',
  'cgroup_inet4_bind', 'cgroup_inet6_bind', 'cgroup_inet4_connect', 'cgroup_inet6_connect',
  'cgroup_inet4_post_bind', 'cgroup_inet6_post_bind', 'cgroup_udp4_sendmsg', 'cgroup_udp6_sendmsg',
  'lirc_mode2', 'flow_dissector', 'cgroup_sysctl', 'cgroup_udp4_recvmsg', 'cgroup_udp6_recvmsg',
  'cgroup_getsockopt', 'cgroup_setsockopt', 'trace_raw_tp', 'trace_fentry', 'trace_fexit',
  'modify_return', 'lsm_mac', 'trace_iter', 'cgroup_inet4_getpeername', 'cgroup_inet6_getpeername',
  'cgroup_inet4_getsockname', 'cgroup_inet6_getsockname', 'xdp_devmap', 'cgroup_inet_sock_release',
  'xdp_cpumap', 'sk_lookup', 'xdp', 'sk_skb_verdict', 'sk_reuseport_select',
  'sk_reuseport_select_or_migrate', 'perf_event', 'trace_kprobe_multi', 'lsm_cgroup', 'struct_ops',
  'netfilter', 'tcx_ingress', 'tcx_egress', 'trace_uprobe_multi', 'cgroup_unix_connect',
  'cgroup_unix_sendmsg', 'cgroup_unix_recvmsg', 'cgroup_unix_getpeername', 'cgroup_unix_getsockname',
  'netkit_primary', 'netkit_peer', 'trace_kprobe_session', 'trace_uprobe_session',
] as const;
export type AttachType = (typeof ATTACH_TYPES)[number];

export const progTypeId = (t: ProgType): number => PROG_TYPES.indexOf(t);
export const attachTypeId = (t: AttachType): number => ATTACH_TYPES.indexOf(t);

/** BPF_F_* program load flags libbpf derives from the section name */
export const BPF_F_SLEEPABLE = 1 << 4;
export const BPF_F_XDP_HAS_FRAGS = 1 << 5;

export interface FuncInfo {
  /** slot index in ProgramSpec.insns */
  insnOff: number;
  /** FUNC type id in the object's BTF */
  typeId: number;
}

export interface LineInfo {
  insnOff: number;
  fileName: string;
  line: number;
  col: number;
  /** the source line text clang recorded */
  text: string;
}

/** A CO-RE relocation that could not be applied; the instruction was poisoned like libbpf does. */
export interface CoreFailure {
  /** slot index in ProgramSpec.insns */
  insnOff: number;
  /** e.g. "failed to resolve CO-RE relocation <byte_off> [2] struct core_sample.a (0:0 @ offset 0)" */
  reason: string;
}

/** A weak kfunc that was not found: the call was poisoned (libbpf's 2002000000 + extern index). */
export interface UnresolvedKfunc {
  insnOff: number;
  name: string;
}

export interface ProgramSpec {
  name: string;
  section: string;
  /** false for SEC("?...") programs, which libbpf opens but does not load by default */
  autoload: boolean;
  type: ProgType;
  expectedAttachType?: AttachType;
  /** what follows the section prefix: `do_sys_open` in kprobe/do_sys_open, `task` in iter/task */
  attachTo?: string;
  /**
   * BTF id in the target BTF of what a tracing/lsm program attaches to, found as libbpf does
   * (iter/X → FUNC bpf_iter_X, tp_btf/X → TYPEDEF btf_trace_X, lsm/X → FUNC bpf_lsm_X,
   * fentry/fexit/fmod_ret X → FUNC X); undefined when absent or without a target BTF.
   */
  attachBtfId?: number;
  /** sleepable (`.s` sections and syscall) */
  sleepable: boolean;
  /** BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS as libbpf would pass them */
  progFlags: number;
  /** main function, then every reached subprogram appended; calls fixed up */
  insns: Insn[];
  license: string;
  kernVersion: number;
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  /** [0] is the main function at 0 */
  subprogs: { name: string; start: number }[];
  /** FUNC id of the main function in the object's BTF (0 without BTF) */
  btfId: number;
  /** decl tags on the main function (selftest annotations such as comment:test_retval=0) */
  tags: string[];
  coreFailures: CoreFailure[];
  unresolvedKfuncs: UnresolvedKfunc[];
}

export interface MapSpec {
  name: string;
  /** BPF_MAP_TYPE_* */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  keyTypeId?: number;
  valueTypeId?: number;
  innerMap?: MapSpec;
  /** global data and .kconfig: the value of entry 0 */
  initialData?: Uint8Array;
  /** `values` slots of map-in-map / prog_array: index -> map index or program name */
  initialSlots?: { index: number; map?: number; program?: string }[];
  /** LIBBPF_PIN_* */
  pinning: number;
  numaNode: number;
  mapExtra: bigint;
  isGlobalData: boolean;
  /** the ELF section the map came from: '.maps', 'maps', '.data', '.kconfig', ... */
  section: string;
  btf: Btf | undefined;
}

export interface ExternSpec {
  name: string;
  kind: 'kconfig' | 'ksym';
  weak: boolean;
  /** resolved: kconfig value present or ksym found in the target BTF */
  resolved: boolean;
  /** kconfig: offset in the .kconfig map */
  offset?: number;
  /** ksym: id in the target BTF (FUNC for kfuncs, VAR for typed ksyms) */
  targetBtfId?: number;
  isFunc?: boolean;
}

export interface BpfObjectSpec {
  programs: ProgramSpec[];
  maps: MapSpec[];
  externs: ExternSpec[];
  license: string;
  kernVersion: number;
  btf: Btf | undefined;
  program(name: string): ProgramSpec | undefined;
  map(name: string): MapSpec | undefined;
}

export type KconfigValue = bigint | number | boolean | string;

export interface OpenObjectOptions {
  targetBtf?: Btf;
  kconfig?: Record<string, KconfigValue>;
  /** object name used for internal map names (libbpf: the file name up to the first '.') */
  objectName?: string;
  /** addresses of typeless ksyms (`extern const void x __ksym`), like /proc/kallsyms */
  kallsyms?: Record<string, bigint>;
}
