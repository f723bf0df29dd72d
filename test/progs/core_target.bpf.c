// SPDX-License-Identifier: MIT
// The *target* layout for core_reloc.bpf.c: the loader test takes this object's BTF as the
// "kernel" BTF. Nothing here runs; the variables and functions only make clang emit the types.
// It also stands in for the kernel's kfuncs and ksyms (same names and prototypes) so that
// extern resolution can be tested without a vmlinux.
#define BPFWASM_NO_ITER_KFUNCS
#include "bpfwasm.h"

struct core_inner {
	long long pad;
	int y;
	int x;
};

struct core_sample {
	long long b;            /* offset 0 */
	int added_in_v2;        /* 8 */
	unsigned int c;         /* 12: a u32 here, a u8 locally */
	unsigned short pad : 9; /* 16 */
	int sbits : 5;
	unsigned int lo : 3;
	struct core_inner *next;  /* 24 */
	int arr[6];             /* 32 */
	int a;                  /* 56 */
	struct core_inner inner; /* 64 */
	int sh;                 /* 80: an int here, a short locally */
};                          /* 88 bytes */

typedef struct core_inner core_inner_t;

enum core_state { CS_RUNNING = 10, CS_SLEEPING = 20 };

struct core_sample target_sample;
core_inner_t target_inner;
enum core_state target_state;

struct rq {
	int cpu;
	long long clock;
};
struct rq runqueues;

struct task_struct;

__noinline struct task_struct *bpf_task_acquire(struct task_struct *p) { return p; }
__noinline void bpf_task_release(struct task_struct *p) { }
__noinline void bpf_rcu_read_lock(void) { }
__noinline void bpf_rcu_read_unlock(void) { }
__noinline int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) { return start - end; }
__noinline int *bpf_iter_num_next(struct bpf_iter_num *it) { return (int *)it; }
__noinline void bpf_iter_num_destroy(struct bpf_iter_num *it) { }

/* what iter/task and tp_btf/sched_switch programs attach to, named as in vmlinux */
__noinline int bpf_iter_task(void *meta, struct task_struct *task) { return 0; }
typedef void (*btf_trace_sched_switch)(void *, bool, struct task_struct *, struct task_struct *);
btf_trace_sched_switch target_tp;

SEC("kprobe/anchor")
int anchor(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
