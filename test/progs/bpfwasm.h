/* SPDX-License-Identifier: MIT */
/*
 * bpfwasm.h — the one header our test programs include.
 *
 * Written for bpfwasm (not derived from libbpf's headers). It gives a BPF C program what it
 * needs without vmlinux.h: fixed-width types, SEC(), BTF-defined map macros, helper
 * declarations (Linux helper ids), extern attributes for .ksyms/.kconfig, open-coded iterator
 * loops, CO-RE access macros, and the kernel selftests' test annotations (BTF decl tags with the
 * same strings as tools/testing/selftests/bpf/progs/bpf_misc.h, so selftest objects and ours
 * are read by the same test runner).
 */
#ifndef BPFWASM_H
#define BPFWASM_H

/* ------------------------------------------------------------------ types */
#ifndef __VMLINUX_H__
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* Map types, in uapi order (enum bpf_map_type). */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC,
	BPF_MAP_TYPE_HASH,
	BPF_MAP_TYPE_ARRAY,
	BPF_MAP_TYPE_PROG_ARRAY,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	BPF_MAP_TYPE_PERCPU_HASH,
	BPF_MAP_TYPE_PERCPU_ARRAY,
	BPF_MAP_TYPE_STACK_TRACE,
	BPF_MAP_TYPE_CGROUP_ARRAY,
	BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH,
	BPF_MAP_TYPE_LPM_TRIE,
	BPF_MAP_TYPE_ARRAY_OF_MAPS,
	BPF_MAP_TYPE_HASH_OF_MAPS,
	BPF_MAP_TYPE_DEVMAP,
	BPF_MAP_TYPE_SOCKMAP,
	BPF_MAP_TYPE_CPUMAP,
	BPF_MAP_TYPE_XSKMAP,
	BPF_MAP_TYPE_SOCKHASH,
	BPF_MAP_TYPE_CGROUP_STORAGE,
	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE,
	BPF_MAP_TYPE_QUEUE,
	BPF_MAP_TYPE_STACK,
	BPF_MAP_TYPE_SK_STORAGE,
	BPF_MAP_TYPE_DEVMAP_HASH,
	BPF_MAP_TYPE_STRUCT_OPS,
	BPF_MAP_TYPE_RINGBUF,
	BPF_MAP_TYPE_INODE_STORAGE,
	BPF_MAP_TYPE_TASK_STORAGE,
	BPF_MAP_TYPE_BLOOM_FILTER,
	BPF_MAP_TYPE_USER_RINGBUF,
	BPF_MAP_TYPE_CGRP_STORAGE,
	BPF_MAP_TYPE_ARENA,
};

/* Update flags and map_flags. */
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_LOCK = 4,
};
enum {
	BPF_F_NO_PREALLOC = 1U << 0,
	BPF_F_NO_COMMON_LRU = 1U << 1,
	BPF_F_NUMA_NODE = 1U << 2,
	BPF_F_RDONLY = 1U << 3,
	BPF_F_WRONLY = 1U << 4,
	BPF_F_STACK_BUILD_ID = 1U << 5,
	BPF_F_ZERO_SEED = 1U << 6,
	BPF_F_RDONLY_PROG = 1U << 7,
	BPF_F_WRONLY_PROG = 1U << 8,
	BPF_F_CLONE = 1U << 9,
	BPF_F_MMAPABLE = 1U << 10,
	BPF_F_INNER_MAP = 1U << 12,
};
#define BPF_F_CURRENT_CPU 0xffffffffULL

enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

/* Program contexts (uapi layouts). */
struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
	__u32 napi_id;
	__u32 family;
	__u32 remote_ip4;
	__u32 local_ip4;
	__u32 remote_ip6[4];
	__u32 local_ip6[4];
	__u32 remote_port;
	__u32 local_port;
	__u32 data_meta;
};

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

/* x86-64 struct pt_regs, as a kprobe program sees it. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/* Open-coded iterator state, sized like the kernel's. */
struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
struct bpf_iter_task { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_iter_task_vma { __u64 __opaque[1]; } __attribute__((aligned(8)));
struct bpf_iter_css { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_iter_css_task { __u64 __opaque[1]; } __attribute__((aligned(8)));
struct bpf_iter_bits { __u64 __opaque[2]; } __attribute__((aligned(8)));
#endif /* !__VMLINUX_H__ */

/* The legacy (pre-BTF) map definition read from SEC("maps"). */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

enum { LIBBPF_PIN_NONE = 0, LIBBPF_PIN_BY_NAME = 1 };
enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };

/* ---------------------------------------------------------------- placement */
#define SEC(name) __attribute__((section(name), used))
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))
#define __weak __attribute__((weak))
#define __hidden __attribute__((visibility("hidden")))
#define __ksym __attribute__((section(".ksyms")))
#define __kconfig __attribute__((section(".kconfig")))
#define __naked __attribute__((naked))
#define __kptr __attribute__((btf_type_tag("kptr_untrusted")))
#define __kptr_ref __attribute__((btf_type_tag("kptr")))
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))

/* BTF-defined maps: each property is encoded as the type of a member so that only BTF
 * carries it (an array dimension for a number, a pointee for a type). */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define __ulong(name, val) enum { ___bpfwasm_##name = (val) } name

/* ----------------------------------------------------------------- helpers */
/* Classic declaration: a const pointer whose value is the helper id, so a call through it
 * becomes `call <id>`. Ids are Linux's (enum bpf_func_id). */
#define BPFWASM_HELPER(ret, name, id, ...) \
	static ret (*const bpf_##name)(__VA_ARGS__) = (void *)(id)

BPFWASM_HELPER(void *, map_lookup_elem, 1, void *map, const void *key);
BPFWASM_HELPER(long, map_update_elem, 2, void *map, const void *key, const void *value, __u64 flags);
BPFWASM_HELPER(long, map_delete_elem, 3, void *map, const void *key);
BPFWASM_HELPER(long, probe_read, 4, void *dst, __u32 size, const void *unsafe_ptr);
BPFWASM_HELPER(__u64, ktime_get_ns, 5, void);
BPFWASM_HELPER(long, trace_printk, 6, const char *fmt, __u32 fmt_size, ...);
BPFWASM_HELPER(__u32, get_prandom_u32, 7, void);
BPFWASM_HELPER(__u32, get_smp_processor_id, 8, void);
BPFWASM_HELPER(long, skb_store_bytes, 9, void *skb, __u32 offset, const void *from, __u32 len, __u64 flags);
BPFWASM_HELPER(long, l3_csum_replace, 10, void *skb, __u32 offset, __u64 from, __u64 to, __u64 size);
BPFWASM_HELPER(long, l4_csum_replace, 11, void *skb, __u32 offset, __u64 from, __u64 to, __u64 flags);
BPFWASM_HELPER(long, tail_call, 12, void *ctx, void *prog_array_map, __u32 index);
BPFWASM_HELPER(long, clone_redirect, 13, void *skb, __u32 ifindex, __u64 flags);
BPFWASM_HELPER(__u64, get_current_pid_tgid, 14, void);
BPFWASM_HELPER(__u64, get_current_uid_gid, 15, void);
BPFWASM_HELPER(long, get_current_comm, 16, void *buf, __u32 size_of_buf);
BPFWASM_HELPER(__u32, get_cgroup_classid, 17, void *skb);
BPFWASM_HELPER(long, redirect, 23, __u32 ifindex, __u64 flags);
BPFWASM_HELPER(long, perf_event_output, 25, void *ctx, void *map, __u64 flags, void *data, __u64 size);
BPFWASM_HELPER(long, skb_load_bytes, 26, const void *skb, __u32 offset, void *to, __u32 len);
BPFWASM_HELPER(long, get_stackid, 27, void *ctx, void *map, __u64 flags);
BPFWASM_HELPER(__s64, csum_diff, 28, __be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed);
BPFWASM_HELPER(__u32, get_hash_recalc, 34, void *skb);
BPFWASM_HELPER(__u64, get_current_task, 35, void);
BPFWASM_HELPER(long, probe_write_user, 36, void *dst, const void *src, __u32 len);
BPFWASM_HELPER(long, skb_change_tail, 38, void *skb, __u32 len, __u64 flags);
BPFWASM_HELPER(long, skb_pull_data, 39, void *skb, __u32 len);
BPFWASM_HELPER(long, get_numa_node_id, 42, void);
BPFWASM_HELPER(long, xdp_adjust_head, 44, void *xdp_md, int delta);
BPFWASM_HELPER(long, probe_read_str, 45, void *dst, __u32 size, const void *unsafe_ptr);
BPFWASM_HELPER(__u64, get_socket_cookie, 46, void *ctx);
BPFWASM_HELPER(__u32, get_socket_uid, 47, void *skb);
BPFWASM_HELPER(long, skb_adjust_room, 50, void *skb, __s32 len_diff, __u32 mode, __u64 flags);
BPFWASM_HELPER(long, redirect_map, 51, void *map, __u64 key, __u64 flags);
BPFWASM_HELPER(long, xdp_adjust_meta, 54, void *xdp_md, int delta);
BPFWASM_HELPER(long, override_return, 58, struct pt_regs *regs, __u64 rc);
BPFWASM_HELPER(long, xdp_adjust_tail, 65, void *xdp_md, int delta);
BPFWASM_HELPER(long, get_stack, 67, void *ctx, void *buf, __u32 size, __u64 flags);
BPFWASM_HELPER(__u64, skb_cgroup_id, 79, void *skb);
BPFWASM_HELPER(__u64, get_current_cgroup_id, 80, void);
BPFWASM_HELPER(void *, get_local_storage, 81, void *map, __u64 flags);
BPFWASM_HELPER(long, map_push_elem, 87, void *map, const void *value, __u64 flags);
BPFWASM_HELPER(long, map_pop_elem, 88, void *map, void *value);
BPFWASM_HELPER(long, map_peek_elem, 89, void *map, void *value);
BPFWASM_HELPER(long, spin_lock, 93, void *lock);
BPFWASM_HELPER(long, spin_unlock, 94, void *lock);
BPFWASM_HELPER(void *, sk_storage_get, 107, void *map, void *sk, void *value, __u64 flags);
BPFWASM_HELPER(long, sk_storage_delete, 108, void *map, void *sk);
BPFWASM_HELPER(long, send_signal, 109, __u32 sig);
BPFWASM_HELPER(long, probe_read_user, 112, void *dst, __u32 size, const void *unsafe_ptr);
BPFWASM_HELPER(long, probe_read_kernel, 113, void *dst, __u32 size, const void *unsafe_ptr);
BPFWASM_HELPER(long, probe_read_user_str, 114, void *dst, __u32 size, const void *unsafe_ptr);
BPFWASM_HELPER(long, probe_read_kernel_str, 115, void *dst, __u32 size, const void *unsafe_ptr);
BPFWASM_HELPER(long, send_signal_thread, 117, __u32 sig);
BPFWASM_HELPER(__u64, jiffies64, 118, void);
BPFWASM_HELPER(long, get_ns_current_pid_tgid, 120, __u64 dev, __u64 ino, void *nsdata, __u32 size);
BPFWASM_HELPER(__u64, get_current_ancestor_cgroup_id, 123, int ancestor_level);
BPFWASM_HELPER(__u64, ktime_get_boot_ns, 125, void);
BPFWASM_HELPER(long, seq_printf, 126, void *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len);
BPFWASM_HELPER(long, seq_write, 127, void *m, const void *data, __u32 len);
BPFWASM_HELPER(long, ringbuf_output, 130, void *ringbuf, void *data, __u64 size, __u64 flags);
BPFWASM_HELPER(void *, ringbuf_reserve, 131, void *ringbuf, __u64 size, __u64 flags);
BPFWASM_HELPER(void, ringbuf_submit, 132, void *data, __u64 flags);
BPFWASM_HELPER(void, ringbuf_discard, 133, void *data, __u64 flags);
BPFWASM_HELPER(__u64, ringbuf_query, 134, void *ringbuf, __u64 flags);
BPFWASM_HELPER(long, get_task_stack, 141, void *task, void *buf, __u32 size, __u64 flags);
BPFWASM_HELPER(long, d_path, 147, void *path, char *buf, __u32 sz);
BPFWASM_HELPER(long, copy_from_user, 148, void *dst, __u32 size, const void *user_ptr);
BPFWASM_HELPER(void *, per_cpu_ptr, 153, const void *percpu_ptr, __u32 cpu);
BPFWASM_HELPER(void *, this_cpu_ptr, 154, const void *percpu_ptr);
BPFWASM_HELPER(void *, task_storage_get, 156, void *map, void *task, void *value, __u64 flags);
BPFWASM_HELPER(long, task_storage_delete, 157, void *map, void *task);
BPFWASM_HELPER(void *, get_current_task_btf, 158, void);
BPFWASM_HELPER(__u64, ktime_get_coarse_ns, 160, void);
BPFWASM_HELPER(long, for_each_map_elem, 164, void *map, void *callback_fn, void *callback_ctx, __u64 flags);
BPFWASM_HELPER(long, snprintf, 165, char *str, __u32 str_size, const char *fmt, __u64 *data, __u32 data_len);
BPFWASM_HELPER(long, timer_init, 169, void *timer, void *map, __u64 flags);
BPFWASM_HELPER(long, timer_set_callback, 170, void *timer, void *callback_fn);
BPFWASM_HELPER(long, timer_start, 171, void *timer, __u64 nsecs, __u64 flags);
BPFWASM_HELPER(long, timer_cancel, 172, void *timer);
BPFWASM_HELPER(__u64, get_func_ip, 173, void *ctx);
BPFWASM_HELPER(__u64, get_attach_cookie, 174, void *ctx);
BPFWASM_HELPER(long, task_pt_regs, 175, void *task);
BPFWASM_HELPER(long, trace_vprintk, 177, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len);
BPFWASM_HELPER(long, find_vma, 180, void *task, __u64 addr, void *callback_fn, void *callback_ctx, __u64 flags);
BPFWASM_HELPER(long, loop, 181, __u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags);
BPFWASM_HELPER(long, strncmp, 182, const char *s1, __u32 s1_sz, const char *s2);
BPFWASM_HELPER(long, get_func_arg, 183, void *ctx, __u32 n, __u64 *value);
BPFWASM_HELPER(long, get_func_ret, 184, void *ctx, __u64 *value);
BPFWASM_HELPER(long, get_func_arg_cnt, 185, void *ctx);
BPFWASM_HELPER(int, get_retval, 186, void);
BPFWASM_HELPER(int, set_retval, 187, int retval);
BPFWASM_HELPER(__u64, xdp_get_buff_len, 188, void *xdp_md);
BPFWASM_HELPER(long, xdp_load_bytes, 189, void *xdp_md, __u32 offset, void *buf, __u32 len);
BPFWASM_HELPER(long, xdp_store_bytes, 190, void *xdp_md, __u32 offset, void *buf, __u32 len);
BPFWASM_HELPER(void *, kptr_xchg, 194, void *dst, void *ptr);
BPFWASM_HELPER(void *, map_lookup_percpu_elem, 195, void *map, const void *key, __u32 cpu);
BPFWASM_HELPER(long, dynptr_from_mem, 197, void *data, __u32 size, __u64 flags, void *ptr);
BPFWASM_HELPER(long, ringbuf_reserve_dynptr, 198, void *ringbuf, __u32 size, __u64 flags, void *ptr);
BPFWASM_HELPER(void, ringbuf_submit_dynptr, 199, void *ptr, __u64 flags);
BPFWASM_HELPER(void, ringbuf_discard_dynptr, 200, void *ptr, __u64 flags);
BPFWASM_HELPER(long, dynptr_read, 201, void *dst, __u32 len, const void *src, __u32 offset, __u64 flags);
BPFWASM_HELPER(long, dynptr_write, 202, const void *dst, __u32 offset, void *src, __u32 len, __u64 flags);
BPFWASM_HELPER(void *, dynptr_data, 203, const void *ptr, __u32 offset, __u32 len);
BPFWASM_HELPER(__u64, ktime_get_tai_ns, 208, void);
BPFWASM_HELPER(long, user_ringbuf_drain, 209, void *map, void *callback_fn, void *ctx, __u64 flags);

/* bpf_printk("fmt", args...): the format lives in .rodata as a local array, as the kernel's
 * trace_printk wants a constant string of known size. */
#define bpf_printk(fmt, ...)                                                  \
	({                                                                    \
		static const char ____bw_fmt[] = fmt;                         \
		bpf_trace_printk(____bw_fmt, sizeof(____bw_fmt), ##__VA_ARGS__); \
	})

/* ---------------------------------------------------- open-coded iterators */
#ifndef BPFWASM_NO_ITER_KFUNCS
struct task_struct;
struct cgroup_subsys_state;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern int bpf_iter_css_new(struct bpf_iter_css *it, struct cgroup_subsys_state *start, unsigned int flags) __weak __ksym;
extern struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it) __weak __ksym;
extern void bpf_iter_css_destroy(struct bpf_iter_css *it) __weak __ksym;
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __weak __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __weak __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __weak __ksym;
#endif

#define ___bw_cat2(a, b) a##b
#define ___bw_cat(a, b) ___bw_cat2(a, b)

/*
 * bpf_for_each(type, cur, args...): walk an open-coded iterator. The iterator state is a
 * for-scoped variable whose cleanup attribute calls _destroy on every exit path (break,
 * return, fall-out), which is what the verifier demands of an iterator's lifetime. The second
 * declarator exists only to run _new once, before the first test.
 */
#define bpf_for_each(type, cur, args...)                                               \
	for (struct bpf_iter_##type ___bw_it                                           \
		     __attribute__((aligned(8), cleanup(bpf_iter_##type##_destroy))), \
	     *___bw_once __attribute__((unused)) =                                      \
		     (bpf_iter_##type##_new(&___bw_it, ##args), (void *)0);            \
	     ((cur) = bpf_iter_##type##_next(&___bw_it));)

/* bpf_for(i, start, end): i takes every value in [start, end). */
#define bpf_for(i, start, end)                                                         \
	for (struct bpf_iter_num ___bw_it                                              \
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),       \
	     *___bw_once __attribute__((unused)) =                                      \
		     (bpf_iter_num_new(&___bw_it, (start), (end)), (void *)0);         \
	     ({ int *___bw_v = bpf_iter_num_next(&___bw_it);                            \
		___bw_v ? ((i) = *___bw_v, 1) : 0; });)

/* bpf_repeat(n): run the body n times. */
#define bpf_repeat(n)                                                                  \
	for (struct bpf_iter_num ___bw_it                                              \
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),       \
	     *___bw_once __attribute__((unused)) =                                      \
		     (bpf_iter_num_new(&___bw_it, 0, (n)), (void *)0);                 \
	     bpf_iter_num_next(&___bw_it);)

/* ------------------------------------------------------------------- CO-RE */
/* Kinds as clang numbers them (enum bpf_core_relo_kind subsets per builtin). */
enum { BW_FIELD_BYTE_OFFSET = 0, BW_FIELD_BYTE_SIZE = 1, BW_FIELD_EXISTS = 2,
       BW_FIELD_SIGNED = 3, BW_FIELD_LSHIFT_U64 = 4, BW_FIELD_RSHIFT_U64 = 5 };
enum { BW_TYPE_ID_LOCAL = 0, BW_TYPE_ID_TARGET = 1 };
enum { BW_TYPE_EXISTS = 0, BW_TYPE_SIZE = 1, BW_TYPE_MATCHES = 2 };
enum { BW_ENUMVAL_EXISTS = 0, BW_ENUMVAL_VALUE = 1 };

#define bpf_core_field_offset(field) __builtin_preserve_field_info(field, BW_FIELD_BYTE_OFFSET)
#define bpf_core_field_size(field) __builtin_preserve_field_info(field, BW_FIELD_BYTE_SIZE)
#define bpf_core_field_exists(field) __builtin_preserve_field_info(field, BW_FIELD_EXISTS)
#define bpf_core_field_signed(field) __builtin_preserve_field_info(field, BW_FIELD_SIGNED)
#define bpf_core_field_lshift(field) __builtin_preserve_field_info(field, BW_FIELD_LSHIFT_U64)
#define bpf_core_field_rshift(field) __builtin_preserve_field_info(field, BW_FIELD_RSHIFT_U64)
#define bpf_core_type_id_local(type) __builtin_btf_type_id(*(typeof(type) *)0, BW_TYPE_ID_LOCAL)
#define bpf_core_type_id_kernel(type) __builtin_btf_type_id(*(typeof(type) *)0, BW_TYPE_ID_TARGET)
#define bpf_core_type_exists(type) __builtin_preserve_type_info(*(typeof(type) *)0, BW_TYPE_EXISTS)
#define bpf_core_type_size(type) __builtin_preserve_type_info(*(typeof(type) *)0, BW_TYPE_SIZE)
#define bpf_core_type_matches(type) __builtin_preserve_type_info(*(typeof(type) *)0, BW_TYPE_MATCHES)
#define bpf_core_enum_value_exists(enum_type, value) \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)value, BW_ENUMVAL_EXISTS)
#define bpf_core_enum_value(enum_type, value) \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)value, BW_ENUMVAL_VALUE)

/* Read a bitfield whatever its target layout: load the containing bytes at the relocated
 * offset and size, then shift it to the top and back down (arithmetic if signed). */
#define BPF_CORE_READ_BITFIELD(s, field)                                              \
	({                                                                             \
		const void *___bw_p = (const void *)(s) + bpf_core_field_offset((s)->field); \
		unsigned long long ___bw_v = 0;                                        \
		switch (bpf_core_field_size((s)->field)) {                             \
		case 1: ___bw_v = *(const volatile __u8 *)___bw_p; break;              \
		case 2: ___bw_v = *(const volatile __u16 *)___bw_p; break;             \
		case 4: ___bw_v = *(const volatile __u32 *)___bw_p; break;             \
		case 8: ___bw_v = *(const volatile __u64 *)___bw_p; break;             \
		}                                                                      \
		___bw_v <<= bpf_core_field_lshift((s)->field);                         \
		bpf_core_field_signed((s)->field)                                      \
			? (unsigned long long)((long long)___bw_v >> bpf_core_field_rshift((s)->field)) \
			: (___bw_v >> bpf_core_field_rshift((s)->field));              \
	})

/* Relocatable kernel reads. bpf_core_read(dst, sz, src) probes one relocated address;
 * BPF_CORE_READ(p, a, b, ...) follows a pointer chain p->a->b with one probe per hop. */
#define bpf_core_read(dst, sz, src) \
	bpf_probe_read_kernel(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_user(dst, sz, src) \
	bpf_probe_read_user(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_str(dst, sz, src) \
	bpf_probe_read_kernel_str(dst, sz, (const void *)__builtin_preserve_access_index(src))

#define ___bw_read_hop(dst, src, a)                                                    \
	bpf_core_read((void *)&(dst), sizeof(dst), &(src)->a)

#define ___bw_core1(s, a)                                                             \
	({ typeof((s)->a) ___r1; ___bw_read_hop(___r1, s, a); ___r1; })
#define ___bw_core2(s, a, b)                                                          \
	({ typeof((s)->a) ___p2 = ___bw_core1(s, a); ___bw_core1(___p2, b); })
#define ___bw_core3(s, a, b, c)                                                       \
	({ typeof((s)->a) ___p3 = ___bw_core1(s, a); ___bw_core2(___p3, b, c); })
#define ___bw_core4(s, a, b, c, d)                                                    \
	({ typeof((s)->a) ___p4 = ___bw_core1(s, a); ___bw_core3(___p4, b, c, d); })
#define ___bw_pick(_1, _2, _3, _4, NAME, ...) NAME
#define BPF_CORE_READ(s, ...)                                                         \
	___bw_pick(__VA_ARGS__, ___bw_core4, ___bw_core3, ___bw_core2, ___bw_core1)(s, __VA_ARGS__)

/* ------------------------------------------------------- test annotations */
#define ___bw_str2(x) #x
#define ___bw_str(x) ___bw_str2(x)
#define __success __attribute__((btf_decl_tag("comment:test_expect_success")))
#define __failure __attribute__((btf_decl_tag("comment:test_expect_failure")))
#define __msg(m) __attribute__((btf_decl_tag("comment:test_expect_msg=" m)))
#define __retval(v) __attribute__((btf_decl_tag("comment:test_retval=" ___bw_str(v))))
#define __description(d) __attribute__((btf_decl_tag("comment:test_description=" d)))
#define __log_level(n) __attribute__((btf_decl_tag("comment:test_log_level=" #n)))
#define __auxiliary __attribute__((btf_decl_tag("comment:test_auxiliary")))

#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define __clobber_common "r0", "r1", "r2", "r3", "r4", "r5", "memory"
#define __imm(name) [name] "i"(name)
#define __imm_addr(name) [name] "i"(&name)

#endif /* BPFWASM_H */
