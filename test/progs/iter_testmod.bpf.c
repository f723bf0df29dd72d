// SPDX-License-Identifier: MIT
// An iterator type the kernel does not have: the selftests' bpf_testmod_seq iterator
// (value repeated cnt times), registered from TypeScript by an embedder (test/iter).
#include "bpfwasm.h"

struct bpf_iter_testmod_seq { __u64 __opaque[2]; } __attribute__((aligned(8)));
extern int bpf_iter_testmod_seq_new(struct bpf_iter_testmod_seq *it, __s64 value, int cnt) __weak __ksym;
extern __s64 *bpf_iter_testmod_seq_next(struct bpf_iter_testmod_seq *it) __weak __ksym;
extern void bpf_iter_testmod_seq_destroy(struct bpf_iter_testmod_seq *it) __weak __ksym;

/* 3 * 7, plus a nested numeric loop inside: 21 + 3 * (0 + 1) = 24 */
SEC("syscall")
int testmod_sum(void *ctx)
{
	__s64 *v, s = 0;
	int i;

	bpf_for_each(testmod_seq, v, 7, 3) {
		s += *v;
		bpf_for(i, 0, 2)
			s += i;
	}
	return s;
}

SEC("syscall")
int testmod_bad(void *ctx)
{
	struct bpf_iter_testmod_seq it;
	int err = bpf_iter_testmod_seq_new(&it, 1, -1);
	int n = 0;

	while (bpf_iter_testmod_seq_next(&it))
		n++;
	bpf_iter_testmod_seq_destroy(&it);
	return err * 10 + n;
}

char LICENSE[] SEC("license") = "GPL";
