// SPDX-License-Identifier: MIT
// The two __sk_buff program types: a tc classifier and a socket filter.
#include "bpfwasm.h"

SEC("tc")
__description("tc: mark packets by length")
__success
int tc_mark(struct __sk_buff *skb)
{
	if (skb->len > 100)
		skb->mark = 0x42;
	return TC_ACT_OK;
}

SEC("socket")
__description("socket: keep the first 64 bytes of IPv4 packets")
__success
int socket_trunc(struct __sk_buff *skb)
{
	__u8 ver = 0;

	if (bpf_skb_load_bytes(skb, 14, &ver, 1) < 0)
		return 0;
	return (ver >> 4) == 4 ? 64 : 0;
}

SEC("tcx/ingress")
int tcx_pass(struct __sk_buff *skb)
{
	return skb->protocol ? TC_ACT_OK : TC_ACT_SHOT;
}

/* '?' marks a program libbpf opens but does not load unless asked to. */
SEC("?tc")
int tc_optional(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
