// SPDX-License-Identifier: MIT
// The *target* layout for core_reloc.bpf.c: the loader test takes this object's BTF as the
// "kernel" BTF. Nothing here runs; the variables only make clang emit the types.
#include "bpfwasm.h"

struct core_inner {
	long long pad;
	int y;
	int x;
};

struct core_sample {
	long long b;            /* offset 0 */
	int added_in_v2;        /* 8 */
	int c;                  /* 12: an int here, a char locally */
	unsigned short pad : 9; /* 16 */
	int sbits : 5;
	unsigned int lo : 3;
	struct core_inner *next;  /* 24 */
	int arr[6];             /* 32 */
	int a;                  /* 56 */
	struct core_inner inner; /* 64 */
};                          /* 80 bytes */

typedef struct core_inner core_inner_t;

enum core_state { CS_RUNNING = 10, CS_SLEEPING = 20 };

struct core_sample target_sample;
core_inner_t target_inner;
enum core_state target_state;

SEC("kprobe/anchor")
int anchor(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
