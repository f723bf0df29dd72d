// SPDX-License-Identifier: MIT
// Programs written the way the kernel's verifier selftests are: naked functions with inline
// assembly, maps and helpers passed in as immediates, '?' sections and annotations.
#include "bpfwasm.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, long long);
	__type(value, long long);
} map_hash_8b SEC(".maps");

SEC("socket")
__description("asm: hash lookup, null check, read value")
__success __retval(0)
__naked void asm_lookup(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:
	: __imm(bpf_map_lookup_elem), __imm_addr(map_hash_8b)
	: __clobber_all);
}

SEC("?raw_tp")
__description("asm: misaligned stack access")
__failure __msg("misaligned stack access off")
__log_level(2)
__naked void asm_misaligned(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 12) = r1;"
	"r0 = 0;"
	"exit;"
	::: __clobber_all);
}

static __naked __noinline __attribute__((used)) void subprog_add(void)
{
	asm volatile (
	"r0 = r1;"
	"r0 += 40;"
	"exit;"
	::: __clobber_all);
}

SEC("syscall")
__description("asm: bpf-to-bpf call from asm")
__success __retval(42)
__naked void asm_call(void)
{
	asm volatile (
	"r1 = 2;"
	"call subprog_add;"
	"exit;"
	::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";

/* An exception callback is linked into the program that names it even though nothing calls
 * it (libbpf's __exception_cb, libbpf >= 1.3; the host's libbpf 1.1 does not know it, so this
 * one carries no expectation annotations). */
__noinline int on_exception(unsigned long long cookie)
{
	return (int)cookie + 1;
}

SEC("syscall")
__attribute__((btf_decl_tag("exception_callback:on_exception")))
int with_exception_cb(void *ctx)
{
	return 0;
}
