// SPDX-License-Identifier: MIT
// Global variables in every section libbpf turns into an array map.
#include "bpfwasm.h"

int counter = 5;                          /* .data */
const volatile __u32 limit = 100;         /* .rodata */
const char greeting[] = "hello";          /* .rodata */
__u64 zeroed;                             /* .bss */
__u64 zeroed_too[4];                      /* .bss */
int custom_a SEC(".data.custom") = 0x11223344;
int custom_b SEC(".data.custom") = 0x55;
const volatile int ro_custom SEC(".rodata.tuning") = 3;

SEC("syscall")
__description("globals: read and write .data, .rodata, .bss, .data.custom")
__success __retval(120)
int use_globals(void *ctx)
{
	counter += 10;                  /* 15 */
	zeroed = counter + limit;       /* 115 */
	zeroed_too[3] = greeting[1];    /* 'e' = 101 */
	custom_b += ro_custom;          /* 0x58 = 88 */
	return (int)(zeroed + (custom_b - 83)); /* 115 + 5 */
}

SEC("syscall")
__description("globals: .rodata is read-only for the program")
__failure __msg("write into map forbidden")
int write_rodata(void *ctx)
{
	*(volatile __u32 *)&limit = 1;
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
