// SPDX-License-Identifier: MIT
// bpf_loop with a callback: the callback's address is an ld_imm64 of a function (BPF_PSEUDO_FUNC).
#include "bpfwasm.h"

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
};

static int add_index(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	if (index >= c->stop_at)
		return 1; /* stop */
	c->sum += index;
	return 0;
}

SEC("syscall")
__description("bpf_loop: sum indices until the callback stops")
__success __retval(45)
int loop_sum(void *ctx)
{
	struct loop_ctx c = { .sum = 0, .stop_at = 10 };

	bpf_loop(1000, add_index, &c, 0);
	return (int)c.sum;
}

static int count_cb(__u32 index, void *data)
{
	(*(__u64 *)data)++;
	return 0;
}

SEC("syscall")
__description("bpf_loop: the return value is the number of iterations")
__success __retval(17)
int loop_count(void *ctx)
{
	__u64 n = 0;
	long r = bpf_loop(17, count_cb, &n, 0);

	return r == (long)n ? (int)r : -1;
}

char LICENSE[] SEC("license") = "GPL";
