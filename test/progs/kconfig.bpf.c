// SPDX-License-Identifier: MIT
// Every .kconfig extern type libbpf knows: bool, tristate, char, integers of each size and
// signedness, and char arrays (strings).
#include "bpfwasm.h"

extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern int CONFIG_BPFWASM_NEG __kconfig __weak;
extern unsigned short CONFIG_BPFWASM_U16 __kconfig __weak;
extern char CONFIG_BPFWASM_CHAR __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("syscall")
__success
int read_all(void *ctx)
{
	long r = CONFIG_NR_CPUS + CONFIG_BPFWASM_NEG + CONFIG_BPFWASM_U16 + CONFIG_BPFWASM_CHAR;

	r += CONFIG_DEFAULT_HOSTNAME[0] + CONFIG_BPF_JIT + CONFIG_BPF_SYSCALL + LINUX_KERNEL_VERSION;
	return r != 0;
}

char LICENSE[] SEC("license") = "GPL";
