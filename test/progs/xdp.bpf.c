// SPDX-License-Identifier: MIT
// XDP: bounds-checked packet reads.
#include "bpfwasm.h"

struct ethhdr {
	__u8 h_dest[6];
	__u8 h_source[6];
	__be16 h_proto;
} __attribute__((packed));

SEC("xdp")
__description("xdp: drop IPv6, pass everything else")
__success
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == __builtin_bswap16(0x86dd))
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
__description("xdp: reading past data_end without a check")
__failure __msg("invalid access to packet")
int xdp_unchecked(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;

	return data[20];
}

SEC("xdp.frags")
__success
int xdp_frags_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx) > 64 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
