// SPDX-License-Identifier: MIT
// Open-coded number iterator (bpf_iter_num_{new,next,destroy}) through bpf_for / bpf_repeat.
#include "bpfwasm.h"

SEC("syscall")
__description("iter_num: bpf_for sums 0..9")
__success __retval(45)
int for_sum(void *ctx)
{
	int i, s = 0;

	bpf_for(i, 0, 10)
		s += i;
	return s;
}

SEC("syscall")
__description("iter_num: bpf_repeat and nested bpf_for")
__success __retval(12)
int nested(void *ctx)
{
	int i, n = 0;

	bpf_repeat(3) {
		bpf_for(i, 0, 4)
			n++;
	}
	return n;
}

SEC("syscall")
__description("iter_num: raw bpf_for_each over num")
__success __retval(6)
int for_each_num(void *ctx)
{
	int *v, s = 0;

	bpf_for_each(num, v, 1, 4)
		s += *v;
	return s;
}

char LICENSE[] SEC("license") = "GPL";
