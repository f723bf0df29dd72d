// SPDX-License-Identifier: MIT
// String literals: clang puts them in mergeable .rodata.str1.1 and points at them with a
// section-symbol relocation plus an offset in the instruction.
#include "bpfwasm.h"

SEC("syscall")
__success __retval(0)
int print_literals(void *ctx)
{
	long a = bpf_trace_printk("first %d\n", sizeof("first %d\n"), 1);
	long b = bpf_trace_printk("second %d\n", sizeof("second %d\n"), 2);

	return a < 0 || b < 0;
}

char LICENSE[] SEC("license") = "GPL";
