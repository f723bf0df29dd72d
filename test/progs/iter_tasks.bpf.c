// SPDX-License-Identifier: MIT
// Iterator programs over tasks: iter/task (pid tgid comm, as the kernel selftests'
// bpf_iter_task.c), iter/task_file (a CRIB-like `tgid fd f_op` dump), iter/task_vma
// (/proc/PID/maps-like lines) and iter/cgroup. Each prints a trailer from the final call with
// NULL objects, so the stop call and meta->seq_num are visible in the output.
#include "bpfwasm.h"

struct seq_file;
struct file_operations;

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct file {
	const struct file_operations *f_op;
} __attribute__((preserve_access_index));

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
} __attribute__((preserve_access_index));

struct kernfs_node {
	const char *name;
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	int level;
	struct kernfs_node *kn;
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

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __attribute__((preserve_access_index));

struct bpf_iter__task_vma {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	struct vm_area_struct *vma;
} __attribute__((preserve_access_index));

struct bpf_iter__cgroup {
	struct bpf_iter_meta *meta;
	struct cgroup *cgroup;
} __attribute__((preserve_access_index));

/* BPF_SEQ_PRINTF-like: arguments go into a u64 array for bpf_seq_printf. */
#define SEQ_PRINTF(seq, fmt, ...)                                                   \
	({                                                                          \
		static const char ___fmt[] = fmt;                                   \
		__u64 ___args[] = { __VA_ARGS__ };                                  \
		bpf_seq_printf(seq, ___fmt, sizeof(___fmt), ___args, sizeof(___args)); \
	})

int tasks_seen;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) {
		SEQ_PRINTF(seq, "=== END seq_num=%llu tasks=%d ===\n", ctx->meta->seq_num, tasks_seen);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		SEQ_PRINTF(seq, "    pid    tgid comm\n", 0);
	tasks_seen++;
	SEQ_PRINTF(seq, "%7d %7d %s\n", task->pid, task->tgid, (__u64)(long)task->comm);
	return 0;
}

SEC("iter/task_file")
int dump_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file) {
		SEQ_PRINTF(seq, "=== END ===\n", 0);
		return 0;
	}
	SEQ_PRINTF(seq, "%8d %4u %lx\n", task->tgid, ctx->fd, (__u64)(long)file->f_op);
	return 0;
}

#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_MAYSHARE 0x80

SEC("iter/task_vma")
int dump_task_vma(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	char perm[5];
	unsigned long fl;

	if (!task || !vma)
		return 0;
	fl = vma->vm_flags;
	perm[0] = fl & VM_READ ? 'r' : '-';
	perm[1] = fl & VM_WRITE ? 'w' : '-';
	perm[2] = fl & VM_EXEC ? 'x' : '-';
	perm[3] = fl & VM_MAYSHARE ? 's' : 'p';
	perm[4] = 0;
	SEQ_PRINTF(seq, "%d %08lx-%08lx %s %08lx %c\n", task->tgid, vma->vm_start, vma->vm_end, (__u64)(long)perm,
		   vma->vm_pgoff << 12, vma->vm_file ? 'f' : 'a');
	return 0;
}

SEC("iter/cgroup")
int dump_cgroup(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;

	if (!cg) {
		SEQ_PRINTF(seq, "=== END ===\n", 0);
		return 0;
	}
	SEQ_PRINTF(seq, "%d %llu [%s]\n", cg->level, cg->kn->id, (__u64)(long)cg->kn->name);
	return 0;
}

/* Stops the cgroup walk (return 1) after the cgroup whose id is stop_id. */
__u64 stop_id;

SEC("iter/cgroup")
int cgroup_until(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;

	if (!cg)
		return 0;
	SEQ_PRINTF(seq, "%llu\n", cg->kn->id);
	return cg->kn->id == stop_id;
}

char LICENSE[] SEC("license") = "GPL";
