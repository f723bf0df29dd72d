// SPDX-License-Identifier: MIT
// Pre-BTF map definitions in SEC("maps") (struct bpf_map_def), as old objects have them.
#include "bpfwasm.h"

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 8,
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 16,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("socket")
__success
int legacy_user(struct __sk_buff *skb)
{
	__u32 key = 1, v = 2;
	__u64 *c = bpf_map_lookup_elem(&legacy_array, &key);

	if (c)
		*c += skb->len;
	bpf_map_update_elem(&legacy_hash, &key, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060c00;
