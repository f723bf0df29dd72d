// SPDX-License-Identifier: MIT
// .kconfig and .ksyms externs: values the loader fills in, kfuncs it resolves by name.
#include "bpfwasm.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern int CONFIG_HZ __kconfig __weak;
extern bool CONFIG_BPFWASM_MISSING __kconfig __weak;

struct task_struct;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_kfunc_that_does_not_exist(int x) __ksym __weak;

struct rq {
	int cpu;
};
extern const struct rq runqueues __ksym __weak; /* typed ksym */
extern const void bpf_prog_active __ksym __weak; /* typeless ksym */

SEC("syscall")
__description("externs: kconfig values")
__success
int read_kconfig(void *ctx)
{
	int r = 0;

	if (LINUX_KERNEL_VERSION >= (6 << 16))
		r |= 1;
	if (CONFIG_BPF_SYSCALL)
		r |= 2;
	if (CONFIG_BPF_JIT == TRI_YES)
		r |= 4;
	if (CONFIG_BPFWASM_MISSING)
		r |= 8;
	return r + CONFIG_HZ;
}

SEC("syscall")
__description("externs: kfunc calls and a weak missing kfunc")
__success __retval(1)
int call_kfuncs(void *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	if (bpf_kfunc_that_does_not_exist)
		return bpf_kfunc_that_does_not_exist(1);
	return 1;
}

SEC("tp_btf/sched_switch")
int ksym_addr(void *ctx)
{
	return (long)&runqueues + (long)&bpf_prog_active != 0;
}

char LICENSE[] SEC("license") = "GPL";
