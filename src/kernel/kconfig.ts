// The simulated kernel's configuration, as /proc/config.gz would give it to libbpf for
// `.kconfig` externs. A representative x86-64 6.18 build with BPF fully enabled.
/** Same shape as the loader's KconfigValue: y/n/m strings, numbers, strings. */
export type KconfigValue = bigint | number | boolean | string;

export const DEFAULT_KCONFIG: Readonly<Record<string, KconfigValue>> = {
  CONFIG_64BIT: 'y',
  CONFIG_X86_64: 'y',
  CONFIG_SMP: 'y',
  CONFIG_HZ: 250,
  CONFIG_HZ_250: 'y',
  CONFIG_NR_CPUS: 64,
  CONFIG_BPF: 'y',
  CONFIG_BPF_SYSCALL: 'y',
  CONFIG_BPF_JIT: 'y',
  CONFIG_BPF_JIT_ALWAYS_ON: 'y',
  CONFIG_BPF_JIT_DEFAULT_ON: 'y',
  CONFIG_BPF_EVENTS: 'y',
  CONFIG_BPF_LSM: 'y',
  CONFIG_DEBUG_INFO_BTF: 'y',
  CONFIG_DEBUG_INFO_BTF_MODULES: 'y',
  CONFIG_CGROUPS: 'y',
  CONFIG_CGROUP_BPF: 'y',
  CONFIG_MEMCG: 'y',
  CONFIG_KPROBES: 'y',
  CONFIG_FTRACE: 'y',
  CONFIG_FUNCTION_TRACER: 'y',
  CONFIG_DYNAMIC_FTRACE: 'y',
  CONFIG_PREEMPT_RCU: 'n',
  CONFIG_NET: 'y',
  CONFIG_XDP_SOCKETS: 'y',
  CONFIG_NET_CLS_BPF: 'm',
  CONFIG_NET_ACT_BPF: 'm',
  CONFIG_PAGE_SIZE_4KB: 'y',
};
