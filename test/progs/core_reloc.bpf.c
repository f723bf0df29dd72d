// SPDX-License-Identifier: MIT
// CO-RE: compiled against *local* struct definitions whose layout differs from the target's
// (core_target.bpf.c holds the target layout). Each program exercises one relocation kind so a
// test can check the relocated instruction directly.
#include "bpfwasm.h"

struct core_inner {
	int x;
	int y;
} __attribute__((preserve_access_index));

/* Local view: small, packed-ish, fields in a different order than in the target. */
struct core_sample {
	int a;
	unsigned char c;
	short sh;
	unsigned int lo : 3;
	int sbits : 5;
	long long b;
	int arr[4];
	struct core_inner *next;
	struct core_inner inner;
} __attribute__((preserve_access_index));

/* A flavor: same target struct, but a field that only newer targets have. */
struct core_sample___v2 {
	int added_in_v2;
	int a;
} __attribute__((preserve_access_index));

/* A flavor describing an older layout with a field the target no longer has. */
struct core_sample___old {
	int removed_field;
} __attribute__((preserve_access_index));

struct core_missing {
	int z;
} __attribute__((preserve_access_index));

enum core_state { CS_RUNNING = 1, CS_SLEEPING = 2, CS_LOCAL_ONLY = 3 };

typedef struct core_inner core_inner_t;

SEC("kprobe/core_direct")
int core_direct_loads(struct core_sample *s)
{
	/* LDX with relocated offsets; c is a u8 locally but a u32 in the target, so the load
	 * size is adjusted too (safe for unsigned integers). */
	return s->a + s->c + (int)s->b + s->arr[2] + s->inner.y;
}

SEC("kprobe/core_memsz")
int core_memsz_poison(struct core_sample *s)
{
	/* sh is a signed short locally and a signed int in the target: the load cannot be
	 * resized without changing the value, so libbpf poisons it. */
	return s->sh;
}

SEC("kprobe/core_probe")
int core_probe_read(struct core_sample *s)
{
	int y = 0;

	bpf_core_read(&y, sizeof(y), &s->next->y);
	return BPF_CORE_READ(s, next, x) + y;
}

SEC("kprobe/core_offset")
int core_field_offset(void *ctx)
{
	struct core_sample *s = 0;

	return bpf_core_field_offset(s->b);
}

SEC("kprobe/core_size")
int core_field_size(void *ctx)
{
	struct core_sample *s = 0;

	return bpf_core_field_size(s->c);
}

SEC("kprobe/core_exists")
int core_field_exists(void *ctx)
{
	struct core_sample___v2 *v2 = 0;
	struct core_sample___old *old = 0;

	return bpf_core_field_exists(v2->added_in_v2) * 10 + bpf_core_field_exists(old->removed_field);
}

SEC("kprobe/core_bitfield")
int core_bitfield(struct core_sample *s)
{
	return (int)BPF_CORE_READ_BITFIELD(s, sbits) + (int)BPF_CORE_READ_BITFIELD(s, lo);
}

SEC("kprobe/core_signed")
int core_field_signed(void *ctx)
{
	struct core_sample *s = 0;

	return bpf_core_field_signed(s->sbits) * 2 + bpf_core_field_signed(s->lo);
}

SEC("kprobe/core_type_id")
int core_type_ids(void *ctx)
{
	return bpf_core_type_id_kernel(struct core_sample) * 1000 + bpf_core_type_id_local(struct core_sample);
}

SEC("kprobe/core_type_info")
int core_type_info(void *ctx)
{
	return bpf_core_type_exists(struct core_missing) * 1000000 +
	       bpf_core_type_exists(core_inner_t) * 100000 +
	       bpf_core_type_size(struct core_sample) * 10 +
	       bpf_core_type_matches(struct core_inner);
}

SEC("kprobe/core_enum")
int core_enum(void *ctx)
{
	return bpf_core_enum_value(enum core_state, CS_SLEEPING) * 100 +
	       bpf_core_enum_value_exists(enum core_state, CS_LOCAL_ONLY) * 10 +
	       bpf_core_enum_value_exists(enum core_state, CS_RUNNING);
}

SEC("kprobe/core_missing_field")
int core_missing_field(struct core_sample___old *old)
{
	/* The target has no removed_field: libbpf poisons this load. */
	return old->removed_field;
}

char LICENSE[] SEC("license") = "GPL";
