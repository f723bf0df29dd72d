// SPDX-License-Identifier: MIT
// Tracing attach points: raw tracepoint, tracepoint, kprobe.
#include "bpfwasm.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} syscalls_by_pid SEC(".maps");

/* The tracepoint record layout of syscalls/sys_enter_openat. */
struct trace_event_raw_sys_enter_openat {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s32 __syscall_nr;
	__u32 pad;
	__u64 dfd;
	const char *filename;
	__u64 flags;
	__u64 mode;
};

SEC("raw_tp/sys_enter")
__success
int count_syscalls(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&syscalls_by_pid, &pid);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&syscalls_by_pid, &pid, &one, BPF_NOEXIST);
	return ctx->args[1] == 257 ? 1 : 0;
}

SEC("tp/syscalls/sys_enter_openat")
__success
int trace_openat(struct trace_event_raw_sys_enter_openat *ctx)
{
	char name[32];

	bpf_probe_read_user_str(name, sizeof(name), ctx->filename);
	bpf_printk("openat %s flags %llx", name, ctx->flags);
	return 0;
}

SEC("kprobe/do_sys_open")
__success
int probe_open(struct pt_regs *regs)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	return comm[0] == 'b' && regs->si != 0;
}

SEC("kretprobe/do_sys_open")
int probe_open_ret(struct pt_regs *regs)
{
	return regs->ax < 0;
}

char LICENSE[] SEC("license") = "GPL";
