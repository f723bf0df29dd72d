// SPDX-License-Identifier: MIT
// BTF-defined array and hash maps: lookups, updates, deletes, and the flags/pinning knobs.
#include "bpfwasm.h"

struct pair {
	__u64 hits;
	__u32 last;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct pair);
} pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__uint(numa_node, 0);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__type(key, __u32);
	__type(value, __u32);
} lru SEC(".maps");

SEC("syscall")
__description("maps: array lookup and in-place increment")
__success __retval(3)
int array_incr(void *ctx)
{
	__u32 key = 2;
	__u64 *v;
	int i;

	for (i = 0; i < 3; i++) {
		v = bpf_map_lookup_elem(&counters, &key);
		if (!v)
			return -1;
		__sync_fetch_and_add(v, 1);
	}
	v = bpf_map_lookup_elem(&counters, &key);
	return v ? (int)*v : -1;
}

SEC("syscall")
__description("maps: hash insert, update, lookup, delete")
__success __retval(7)
int hash_ops(void *ctx)
{
	__u64 key = 0xdeadbeef;
	struct pair p = { .hits = 5, .last = 1 };
	struct pair *q;

	if (bpf_map_update_elem(&pairs, &key, &p, BPF_NOEXIST))
		return -1;
	q = bpf_map_lookup_elem(&pairs, &key);
	if (!q)
		return -2;
	q->hits += 2;
	q = bpf_map_lookup_elem(&pairs, &key);
	if (!q)
		return -3;
	p.hits = q->hits;
	bpf_map_delete_elem(&pairs, &key);
	if (bpf_map_lookup_elem(&pairs, &key))
		return -4;
	return (int)p.hits;
}

SEC("syscall")
__description("maps: dereferencing a lookup result without a NULL check")
__failure __msg("invalid mem access 'map_value_or_null'")
int lookup_no_null_check(void *ctx)
{
	__u64 key = 0;
	struct pair *v = bpf_map_lookup_elem(&pairs, &key);

	return (int)v->hits;
}

SEC("syscall")
__success __retval(0)
int percpu_and_lru(void *ctx)
{
	__u32 key = 0, val = 9;
	char *s = bpf_map_lookup_elem(&scratch, &key);

	if (!s)
		return -1;
	s[15] = 1;
	bpf_map_update_elem(&lru, &key, &val, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
