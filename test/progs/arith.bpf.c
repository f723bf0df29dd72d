// SPDX-License-Identifier: MIT
// Plain ALU work in a syscall program: the simplest thing a loader and an engine must get right.
#include "bpfwasm.h"

SEC("syscall")
__description("arith: mixed 64/32-bit arithmetic")
__success __retval(42)
int arith_basic(void *ctx)
{
	volatile __u64 a = 1000, b = 7;
	__u64 q = a / b;          /* 142 */
	__u64 r = a % b;          /* 6 */
	__s32 n = -(__s32)r;      /* -6 */
	__u32 m = (__u32)(q << 3) ^ 0xff; /* 1136 ^ 255 = 1167 */
	return (int)((m >> 5) + n + 12); /* 36 - 6 + 12 = 42 */
}

SEC("syscall")
__description("arith: signed division (cpu v4 sdiv/smod)")
__success __retval(3)
int arith_sdiv(void *ctx)
{
	volatile __s64 a = -17, b = 5;
	__s64 q = a / b;   /* -3 */
	__s64 r = a % b;   /* -2 */
	return (int)(-q + (r + 2)); /* 3 */
}

SEC("syscall")
__description("arith: reading an uninitialised register is rejected")
__failure __msg("R2 !read_ok")
__naked int arith_uninit(void)
{
	asm volatile (
	"r0 = r2;"
	"exit;"
	::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
