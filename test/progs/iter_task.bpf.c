// SPDX-License-Identifier: MIT
// An iter/task program: one call per task, text out through bpf_seq_printf.
// The kernel structs carry only the fields we read; preserve_access_index makes every access a
// CO-RE relocation, so the real layout comes from the kernel's BTF at load time.
#include "bpfwasm.h"

struct seq_file;

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

SEC("iter/task")
__success
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	static const char hdr[] = "    pid    tgid comm\n";
	static const char fmt[] = "%7d %7d %s\n";
	__u64 args[3];

	if (!task)
		return 0;
	if (ctx->meta->seq_num == 0)
		bpf_seq_write(seq, hdr, sizeof(hdr) - 1);
	args[0] = task->pid;
	args[1] = task->tgid;
	args[2] = (__u64)(long)task->comm;
	bpf_seq_printf(seq, fmt, sizeof(fmt), args, sizeof(args));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
