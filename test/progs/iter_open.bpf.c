// SPDX-License-Identifier: MIT
// Open-coded iterators from syscall programs: bpf_for_each over task, task_vma, css, css_task,
// bits and task_file (with the CRIB companions), nested bpf_for loops, and constructor errors.
#include "bpfwasm.h"

/* complete (not forward) types: libbpf checks kfunc prototypes against the kernel's and a
 * forward declaration is not compatible with a struct */
struct file {
	unsigned int f_flags;
} __attribute__((preserve_access_index));
struct vm_area_struct {
	unsigned long vm_start;
} __attribute__((preserve_access_index));
struct bpf_iter_task_file { __u64 __opaque[3]; } __attribute__((aligned(8)));
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;
extern int bpf_iter_task_file_new(struct bpf_iter_task_file *it, struct task_struct *task) __weak __ksym;
extern struct file *bpf_iter_task_file_next(struct bpf_iter_task_file *it) __weak __ksym;
extern int bpf_iter_task_file_get_fd(struct bpf_iter_task_file *it__iter) __weak __ksym;
extern void bpf_iter_task_file_destroy(struct bpf_iter_task_file *it) __weak __ksym;
extern struct file *bpf_fget_task(struct task_struct *task, unsigned int fd) __weak __ksym;
extern void bpf_put_file(struct file *file) __weak __ksym;
extern unsigned int bpf_get_file_ops_type(struct file *file) __weak __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __weak __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __weak __ksym;
extern void bpf_rcu_read_lock(void) __weak __ksym;
extern void bpf_rcu_read_unlock(void) __weak __ksym;

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct cgroup;
struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
} __attribute__((preserve_access_index));

struct cgroup {
	struct cgroup_subsys_state self;
	int level;
} __attribute__((preserve_access_index));

#define BPF_TASK_ITER_ALL_PROCS 0
#define BPF_TASK_ITER_ALL_THREADS 1
#define BPF_TASK_ITER_PROC_THREADS 2
#define BPF_CGROUP_ITER_SELF_ONLY 1
#define BPF_CGROUP_ITER_DESCENDANTS_PRE 2
#define BPF_CGROUP_ITER_DESCENDANTS_POST 3
#define BPF_CGROUP_ITER_ANCESTORS_UP 4
#define CSS_TASK_ITER_PROCS 1
#define FILE_OPS_SOCK 1

/* What user space passes in the syscall program's context. */
struct args {
	int pid;
	int flags;
	__u64 cgid;
	__u64 addr;
};

SEC("syscall")
int count_tasks(struct args *a)
{
	struct task_struct *t;
	int n = 0;

	bpf_rcu_read_lock();
	bpf_for_each(task, t, NULL, a->flags)
		n++;
	bpf_rcu_read_unlock();
	return n;
}

/* Sum of the pids of the threads of a->pid, from that thread on (BPF_TASK_ITER_PROC_THREADS). */
SEC("syscall")
int proc_threads(struct args *a)
{
	struct task_struct *task, *t;
	int s = 0;

	task = bpf_task_from_pid(a->pid);
	if (!task)
		return -1;
	bpf_rcu_read_lock();
	bpf_for_each(task, t, task, BPF_TASK_ITER_PROC_THREADS)
		s += t->pid;
	bpf_rcu_read_unlock();
	bpf_task_release(task);
	return s;
}

/* Constructor results: each error code in its own byte. */
SEC("syscall")
int ctor_errors(void *ctx)
{
	struct bpf_iter_task it;
	struct bpf_iter_bits bits;
	struct bpf_iter_css css;
	__u64 words[2] = { 0, 0 };
	int e1, e2, e3, e4;

	bpf_rcu_read_lock();
	e1 = bpf_iter_task_new(&it, NULL, 7);
	bpf_iter_task_destroy(&it);
	e2 = bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_PROC_THREADS);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	e3 = bpf_iter_bits_new(&bits, words, 512);
	bpf_iter_bits_destroy(&bits);
	e4 = bpf_iter_bits_new(&bits, words, 0);
	bpf_iter_bits_destroy(&bits);
	return (-e1 & 0xff) | (-e2 & 0xff) << 8 | (-e3 & 0xff) << 16 | (-e4 & 0xff) << 24;
}

/* Number of VMAs of a->pid ending above a->addr. */
SEC("syscall")
int count_vmas(struct args *a)
{
	struct task_struct *task;
	struct vm_area_struct *v;
	int n = 0;

	task = bpf_task_from_pid(a->pid);
	if (!task)
		return -1;
	bpf_for_each(task_vma, v, task, a->addr)
		n++;
	bpf_task_release(task);
	return n;
}

/* Walk the cgroups under (or above) cgroup a->cgid in order a->flags; returns the level
 * digits in visit order, base 10 (e.g. 0122 ...), so the order is checked, not just the count. */
SEC("syscall")
long walk_css(struct args *a)
{
	struct cgroup *cg;
	struct cgroup_subsys_state *pos;
	long digits = 0;

	cg = bpf_cgroup_from_id(a->cgid);
	if (!cg)
		return -1;
	bpf_rcu_read_lock();
	bpf_for_each(css, pos, &cg->self, a->flags)
		digits = digits * 10 + pos->cgroup->level + 1;
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return digits;
}

/* Tasks (a->flags == CSS_TASK_ITER_PROCS: processes) in cgroup a->cgid: count * 100000 + pid sum. */
SEC("syscall")
long css_tasks(struct args *a)
{
	struct cgroup *cg;
	struct task_struct *t;
	long n = 0, s = 0;

	cg = bpf_cgroup_from_id(a->cgid);
	if (!cg)
		return -1;
	bpf_for_each(css_task, t, &cg->self, a->flags) {
		n++;
		s += t->pid;
	}
	bpf_cgroup_release(cg);
	return n * 100000 + s;
}

/* Sum of (bit index + 1) over the set bits of two words. */
__u64 words[2];

SEC("syscall")
int sum_bits(void *ctx)
{
	int *bit, s = 0;

	bpf_for_each(bits, bit, words, 2)
		s += *bit + 1;
	return s;
}

/* a->pid's sockets (by bpf_get_file_ops_type): count * 1000 + sum of their fds. */
SEC("syscall")
int count_sockets(struct args *a)
{
	struct bpf_iter_task_file it;
	struct task_struct *task;
	struct file *f;
	int n = 0, fds = 0;

	task = bpf_task_from_pid(a->pid);
	if (!task)
		return -1;
	bpf_iter_task_file_new(&it, task);
	while ((f = bpf_iter_task_file_next(&it))) {
		if (bpf_get_file_ops_type(f) == FILE_OPS_SOCK) {
			n++;
			fds += bpf_iter_task_file_get_fd(&it);
		}
	}
	bpf_iter_task_file_destroy(&it);
	bpf_task_release(task);
	return n * 1000 + fds;
}

/* bpf_for_each(task_file, ...) counting every open file of every process. */
SEC("syscall")
int all_files(void *ctx)
{
	struct task_struct *t;
	struct file *f;
	int n = 0;

	bpf_rcu_read_lock();
	bpf_for_each(task, t, NULL, BPF_TASK_ITER_ALL_PROCS) {
		bpf_for_each(task_file, f, t)
			n++;
	}
	bpf_rcu_read_unlock();
	return n;
}

/* file type of a->pid's fd a->flags via bpf_fget_task (-1: no such fd). */
SEC("syscall")
int fd_type(struct args *a)
{
	struct task_struct *task;
	struct file *f;
	int r;

	task = bpf_task_from_pid(a->pid);
	if (!task)
		return -2;
	f = bpf_fget_task(task, a->flags);
	if (!f) {
		r = -1;
	} else {
		r = bpf_get_file_ops_type(f);
		bpf_put_file(f);
	}
	bpf_task_release(task);
	return r;
}

/* Nested bpf_for: sum of i * j for i in [0, 10), j in [0, i). */
SEC("syscall")
int nested_for(void *ctx)
{
	int i, j, s = 0;

	bpf_for(i, 0, 10) {
		bpf_for(j, 0, i)
			s += i * j;
	}
	return s;
}

char LICENSE[] SEC("license") = "GPL";
