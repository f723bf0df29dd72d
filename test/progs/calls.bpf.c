// SPDX-License-Identifier: MIT
// bpf-to-bpf calls: static and global .text functions, reached directly and transitively.
#include "bpfwasm.h"

static __noinline int square(int x)
{
	return x * x;
}

static __noinline int sum_squares(int a, int b)
{
	return square(a) + square(b);
}

__noinline int global_triple(int x)
{
	return x * 3 + (x > 100 ? 1 : 0);
}

static __noinline int unused_helper(int x)
{
	return x - 1;
}

SEC("syscall")
__description("calls: static subprograms, transitively")
__success __retval(25)
int call_static(void *ctx)
{
	return sum_squares(3, 4);
}

SEC("syscall")
__description("calls: a global function in .text")
__success __retval(27)
int call_global(void *ctx)
{
	return global_triple(9);
}

SEC("syscall")
__description("calls: static and global, each once")
__success __retval(78)
int call_both(void *ctx)
{
	return global_triple(square(5)) + unused_helper(4) - 0;  /* 75 + 3 */
}

char LICENSE[] SEC("license") = "GPL";
