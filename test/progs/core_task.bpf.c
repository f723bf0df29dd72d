// SPDX-License-Identifier: MIT
// CO-RE against the simulated kernel's own vmlinux.h (`bpfwasm btf dump --kernel --format c`):
// every field access below is relocated at load time, so the values must be right whatever
// the layout.
#include "vmlinux.h"
#include "bpfwasm.h"

struct core_task_out {
	int pid;
	int tgid;
	int parent_tgid;
	int grandparent_tgid;
	unsigned int uid;
	int nr_files_max;
	unsigned long vm_start;
	char comm[16];
	char parent_comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct core_task_out);
} core_out SEC(".maps");

SEC("syscall")
__success __retval(0)
int read_current(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 zero = 0;
	struct core_task_out *o = bpf_map_lookup_elem(&core_out, &zero);

	if (!o)
		return 1;
	o->pid = BPF_CORE_READ(t, pid);
	o->tgid = BPF_CORE_READ(t, tgid);
	o->parent_tgid = BPF_CORE_READ(t, real_parent, tgid);
	o->grandparent_tgid = BPF_CORE_READ(t, real_parent, real_parent, tgid);
	o->uid = BPF_CORE_READ(t, cred, uid.val);
	o->nr_files_max = BPF_CORE_READ(t, files, fdt, max_fds);
	o->vm_start = BPF_CORE_READ(t, mm, mmap_base);
	bpf_core_read_str(o->comm, sizeof(o->comm), &t->comm);
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	bpf_core_read_str(o->parent_comm, sizeof(o->parent_comm), &parent->comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
