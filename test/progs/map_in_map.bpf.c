// SPDX-License-Identifier: MIT
// Map-in-map and prog_array with statically initialised slots (the `values` member).
#include "bpfwasm.h"

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_map inner_a SEC(".maps");
struct inner_map inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

int tail_target(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

SEC("tc")
__success __retval(7)
int tail_target(void *ctx)
{
	return 7;
}

SEC("tc")
__description("map_in_map: lookup through the outer map")
__success __retval(1)
int use_outer(void *ctx)
{
	__u32 k = 0;
	void *inner = bpf_map_lookup_elem(&outer, &k);

	if (!inner)
		return -1;
	bpf_tail_call(ctx, &jmp_table, 5);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
