import { describe, expect, it } from 'vitest';
import { BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS, sectionProgInfo } from '../../src/loader/index.js';

describe('libbpf SEC() table', () => {
  const cases: [string, string, string | undefined, string | undefined, boolean][] = [
    // section, prog type, expected attach type, attach target, sleepable
    ['syscall', 'syscall', undefined, undefined, true],
    ['xdp', 'xdp', 'xdp', undefined, false],
    ['xdp.frags', 'xdp', 'xdp', undefined, false],
    ['xdp/devmap', 'xdp', 'xdp_devmap', undefined, false],
    ['tc', 'sched_cls', undefined, undefined, false],
    ['classifier', 'sched_cls', undefined, undefined, false],
    ['action', 'sched_act', undefined, undefined, false],
    ['tcx/ingress', 'sched_cls', 'tcx_ingress', undefined, false],
    ['tcx/egress', 'sched_cls', 'tcx_egress', undefined, false],
    ['tc/ingress', 'sched_cls', 'tcx_ingress', undefined, false],
    ['socket', 'socket_filter', undefined, undefined, false],
    ['kprobe/do_sys_open', 'kprobe', undefined, 'do_sys_open', false],
    ['kretprobe/do_sys_open', 'kprobe', undefined, 'do_sys_open', false],
    ['kprobe', 'kprobe', undefined, undefined, false],
    ['uprobe//bin/bash:readline', 'kprobe', undefined, '/bin/bash:readline', false],
    ['uprobe.s//bin/bash:readline', 'kprobe', undefined, '/bin/bash:readline', true],
    ['kprobe.multi/tcp_*', 'kprobe', 'trace_kprobe_multi', 'tcp_*', false],
    ['tp/syscalls/sys_enter_openat', 'tracepoint', undefined, 'syscalls/sys_enter_openat', false],
    ['tracepoint/sched/sched_switch', 'tracepoint', undefined, 'sched/sched_switch', false],
    ['raw_tp/sys_enter', 'raw_tracepoint', undefined, 'sys_enter', false],
    ['raw_tracepoint/sys_enter', 'raw_tracepoint', undefined, 'sys_enter', false],
    ['raw_tp.w/sys_enter', 'raw_tracepoint_writable', undefined, 'sys_enter', false],
    ['tp_btf/sched_switch', 'tracing', 'trace_raw_tp', 'sched_switch', false],
    ['fentry/do_unlinkat', 'tracing', 'trace_fentry', 'do_unlinkat', false],
    ['fexit/do_unlinkat', 'tracing', 'trace_fexit', 'do_unlinkat', false],
    ['fentry.s/do_unlinkat', 'tracing', 'trace_fentry', 'do_unlinkat', true],
    ['fmod_ret/security_x', 'tracing', 'modify_return', 'security_x', false],
    ['lsm/file_open', 'lsm', 'lsm_mac', 'file_open', false],
    ['lsm.s/file_open', 'lsm', 'lsm_mac', 'file_open', true],
    ['iter/task', 'tracing', 'trace_iter', 'task', false],
    ['iter.s/task_vma', 'tracing', 'trace_iter', 'task_vma', true],
    ['iter/bpf_map_elem', 'tracing', 'trace_iter', 'bpf_map_elem', false],
    ['struct_ops/dummy', 'struct_ops', undefined, 'dummy', false],
    ['struct_ops.s/dummy', 'struct_ops', undefined, 'dummy', true],
    ['cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress', undefined, false],
    ['cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress', undefined, false],
    ['cgroup/connect4', 'cgroup_sock_addr', 'cgroup_inet4_connect', undefined, false],
    ['cgroup/sock', 'cgroup_sock', 'cgroup_inet_sock_create', undefined, false],
    ['perf_event', 'perf_event', undefined, undefined, false],
    ['sk_lookup', 'sk_lookup', 'sk_lookup', undefined, false],
    ['freplace/handler', 'ext', undefined, 'handler', false],
    ['netfilter', 'netfilter', 'netfilter', undefined, false],
  ];
  it.each(cases)('%s → %s', (sec, type, attach, target, sleepable) => {
    const info = sectionProgInfo(sec);
    expect(info).toBeDefined();
    expect(info!.type).toBe(type);
    expect(info!.expectedAttachType).toBe(attach);
    expect(info!.attachTo).toBe(target);
    expect(info!.sleepable).toBe(sleepable);
    expect((info!.progFlags & BPF_F_SLEEPABLE) !== 0).toBe(sleepable);
  });

  it('marks xdp.frags programs with BPF_F_XDP_HAS_FRAGS', () => {
    expect(sectionProgInfo('xdp.frags')!.progFlags).toBe(BPF_F_XDP_HAS_FRAGS);
    expect(sectionProgInfo('xdp')!.progFlags).toBe(0);
  });

  it.each(['xdpfoo', 'kprobex/foo', 'tracepointy', 'sk_msgs', 'unknown', '.text', 'syscall/x', 'iterx/task', ''])(
    'does not know %j',
    (sec) => {
      expect(sectionProgInfo(sec)).toBeUndefined();
    },
  );
});
