// SPDX-License-Identifier: MIT
// Ring buffer and spin-locked map values; also a global function taking a ctx argument.
#include "bpfwasm.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event {
	__u32 pid;
	__u32 seq;
};

__u32 seq_no;

__noinline int emit(__u32 pid)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = pid;
	e->seq = seq_no++;
	bpf_ringbuf_submit(e, 0);
	return 1;
}

SEC("tp/sched/sched_process_exec")
__success
int on_exec(void *ctx)
{
	return emit(bpf_get_current_pid_tgid() >> 32);
}

SEC("syscall")
__description("ringbuf: a reserved record must be submitted or discarded")
__failure __msg("Unreleased reference")
int leak_record(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	return e != 0;
}

char LICENSE[] SEC("license") = "GPL";
