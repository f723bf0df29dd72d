// SPDX-License-Identifier: MIT
// Iterator programs over maps: iter/bpf_map_elem sums a hash map (and an array / per-CPU array)
// and prints one line per element; iter/bpf_map lists every map of the kernel.
#include "bpfwasm.h"

struct seq_file;

struct bpf_map {
	__u32 id;
	char name[16];
	__u32 max_entries;
} __attribute__((preserve_access_index));

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
} __attribute__((preserve_access_index));

#define SEQ_PRINTF(seq, fmt, ...)                                                   \
	({                                                                          \
		static const char ___fmt[] = fmt;                                   \
		__u64 ___args[] = { __VA_ARGS__ };                                  \
		bpf_seq_printf(seq, ___fmt, sizeof(___fmt), ___args, sizeof(___args)); \
	})

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

__u64 sum, nr;

SEC("iter/bpf_map_elem")
int sum_elems(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val) {
		SEQ_PRINTF(seq, "%s: %llu elems, sum %llu\n", (__u64)(long)ctx->map->name, nr, sum);
		return 0;
	}
	nr++;
	sum += *val;
	SEQ_PRINTF(seq, "%u=%llu\n", *key, *val);
	/* the value is the element itself (not per-CPU): writes go to the map */
	*val += 1000;
	return 0;
}

/* per-CPU maps: the value is every CPU's value, 8 bytes each */
SEC("iter/bpf_map_elem")
int sum_percpu(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val)
		return 0;
	SEQ_PRINTF(seq, "%u: %llu %llu %llu %llu\n", *key, val[0], val[1], val[2], val[3]);
	return 0;
}

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	SEQ_PRINTF(seq, "%u %s %u\n", map->id, (__u64)(long)map->name, map->max_entries);
	return 0;
}

/* A task_file-free helper for the overflow tests: `lines` lines of `width` bytes per object. */
__u32 lines = 1;

SEC("iter/bpf_map_elem")
int wide(struct bpf_iter__bpf_map_elem *ctx)
{
	static const char row[] = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456\n";
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;
	int i;

	if (!key) {
		SEQ_PRINTF(seq, "end\n", 0);
		return 0;
	}
	bpf_for(i, 0, lines)
		bpf_seq_write(seq, row, sizeof(row) - 1);
	return 0;
}

/* Asks for the same object again (return 1) until it has been seen twice. */
__u32 retry_key = 0xffffffff;
int retried;

SEC("iter/bpf_map_elem")
int retry_once(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;

	if (!key)
		return 0;
	SEQ_PRINTF(seq, "%u@%llu\n", *key, ctx->meta->seq_num);
	if (*key == retry_key && !retried) {
		retried = 1;
		return 1;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
