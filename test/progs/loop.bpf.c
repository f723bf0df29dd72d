// SPDX-License-Identifier: MIT
// Bounded loops the verifier must prove terminate.
#include "bpfwasm.h"

SEC("syscall")
__description("loop: bounded sum 0..99")
__success __retval(4950)
int bounded_sum(void *ctx)
{
	int i, s = 0;

	for (i = 0; i < 100; i++)
		s += i;
	return s;
}

SEC("syscall")
__description("loop: collatz steps for 27 (bounded by 200)")
__success __retval(111)
int collatz(void *ctx)
{
	volatile __u64 n = 27;
	__u64 x = n;
	int steps = 0;

	while (x != 1 && steps < 200) {
		x = (x & 1) ? 3 * x + 1 : x / 2;
		steps++;
	}
	return steps;
}

SEC("syscall")
__description("loop: an infinite loop is rejected")
__failure __msg("infinite loop detected")
__naked int infinite(void)
{
	asm volatile (
	"r0 = 0;"
	"l0_%=:"
	"goto l0_%=;"
	::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
