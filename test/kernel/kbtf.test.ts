import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { kernelTypes } from '../../src/kernel/btf/index.js';
import { fieldParts } from '../../src/kernel/btf/layout.js';
import { KERNEL_STRUCTS } from '../../src/kernel/btf/tables.js';
import { UAPI_STRUCTS } from '../../src/kernel/btf/uapi.js';
import { parseBtf, type Btf } from '../../src/btf/index.js';

const k = new Kernel({
  empty: true,
  bare: true,
  kfuncProtos: [
    { name: 'bpf_iter_num_new', ret: 'int', args: [['it', 'struct bpf_iter_num *'], ['start', 'int'], ['end', 'int']] },
    { name: 'bpf_iter_num_next', ret: 'int *', args: [['it', 'struct bpf_iter_num *']] },
    { name: 'bpf_task_acquire', ret: 'struct task_struct *', args: [['p', 'struct task_struct *']] },
  ],
});
const btf = k.btf;

function off(struct: string, member: string): number {
  const id = btf.findIdByName(struct, 'struct');
  const m = btf.findMember(id, member);
  if (!m) throw new Error(`${struct}.${member} missing`);
  return m.bitOffset / 8;
}

describe('kernel BTF', () => {
  it('UAPI context types have the ABI offsets (checked against clang on linux/bpf.h)', () => {
    expect(off('__sk_buff', 'len')).toBe(0);
    expect(off('__sk_buff', 'data')).toBe(76);
    expect(off('__sk_buff', 'data_end')).toBe(80);
    expect(off('__sk_buff', 'data_meta')).toBe(140);
    expect(off('__sk_buff', 'flow_keys')).toBe(144);
    expect(off('__sk_buff', 'tstamp')).toBe(152);
    expect(off('__sk_buff', 'sk')).toBe(168);
    expect(off('__sk_buff', 'hwtstamp')).toBe(184);
    expect(btf.sizeof(btf.findIdByName('__sk_buff', 'struct'))).toBe(192);
    expect(off('xdp_md', 'egress_ifindex')).toBe(20);
    expect(btf.sizeof(btf.findIdByName('xdp_md', 'struct'))).toBe(24);
    expect(off('pt_regs', 'di')).toBe(112);
    expect(off('pt_regs', 'ip')).toBe(128);
    expect(off('pt_regs', 'sp')).toBe(152);
    expect(off('pt_regs', 'ss')).toBe(160);
    expect(btf.sizeof(btf.findIdByName('pt_regs', 'struct'))).toBe(168);
    expect(btf.sizeof(btf.findIdByName('bpf_raw_tracepoint_args', 'struct'))).toBe(0);
  });

  it('iterator contexts and open-coded iterator state have the kernel sizes', () => {
    const size = (n: string) => btf.sizeof(btf.findIdByName(n, 'struct'));
    expect(size('bpf_iter_meta')).toBe(24);
    expect(size('bpf_iter__task')).toBe(16);
    expect(size('bpf_iter__task_file')).toBe(32);
    expect(off('bpf_iter__task_file', 'fd')).toBe(16);
    expect(off('bpf_iter__task_file', 'file')).toBe(24);
    expect(size('bpf_iter__bpf_map_elem')).toBe(32);
    expect(size('bpf_iter__cgroup')).toBe(16);
    expect(size('bpf_iter__task_vma')).toBe(24);
    expect(size('bpf_iter_num')).toBe(8);
    expect(size('bpf_iter_task')).toBe(24);
    expect(size('bpf_iter_task_vma')).toBe(8);
    expect(size('bpf_iter_css')).toBe(24);
    expect(size('bpf_iter_css_task')).toBe(8);
    expect(size('bpf_iter_bits')).toBe(16);
  });

  it('every struct offset in kernel BTF equals the layout the world writes at', () => {
    const types = kernelTypes();
    let checked = 0;
    for (const s of KERNEL_STRUCTS) {
      const id = btf.findIdByName(s.name, s.kind);
      expect(id, s.name).toBeGreaterThan(0);
      expect(btf.sizeof(id), s.name).toBe(types.sizeof(s.name, s.kind));
      if (s.kind !== 'struct') continue;
      for (const f of s.fields) {
        const [name] = fieldParts(f);
        if (!name) continue;
        const want = types.field(s.name, name);
        const got = btf.findMember(id, name)!;
        expect(got.bitOffset, `${s.name}.${name}`).toBe(want.offset * 8 + (want.bitShift ?? 0));
        expect(got.member.bitfieldSize, `${s.name}.${name} width`).toBe(want.bitSize ?? 0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('struct bpf_map follows the maps area layout', () => {
    expect(off('bpf_map', 'map_type')).toBe(64);
    expect(off('bpf_map', 'max_entries')).toBe(76);
    expect(off('bpf_map', 'name')).toBe(136);
    expect(btf.findByName('bpf_map_type', 'enum')).toBeDefined();
  });

  it('self-references resolve to the struct itself; unknown structs are FWDs', () => {
    const task = btf.findIdByName('task_struct', 'struct');
    const rp = btf.findMember(task, 'real_parent')!;
    const ptr = btf.get(rp.member.type);
    expect(ptr.kind).toBe('ptr');
    expect(btf.resolveId((ptr as { type: number }).type)).toBe(task);
    expect(btf.findByName('vfsmount', 'fwd')).toBeDefined();
    // field types follow vmlinux: kuid_t is a typedef of a struct with `val`
    const cred = btf.findIdByName('cred', 'struct');
    const uid = btf.findMember(cred, 'uid')!;
    expect(btf.nameOf(uid.member.type)).toBe('kuid_t');
    expect(btf.findMember(btf.resolveId(uid.member.type), 'val')).toBeDefined();
  });

  it('kfunc prototypes get FUNC ids that the kfunc registry resolves', () => {
    const id = k.kfuncBtfId('bpf_iter_num_new');
    expect(id).toBeGreaterThan(0);
    const f = btf.get(id);
    expect(f.kind).toBe('func');
    expect(f.name).toBe('bpf_iter_num_new');
    const params = btf.params((f as { type: number }).type);
    expect(params.map((p) => p.name)).toEqual(['it', 'start', 'end']);
    expect(k.kfuncBtfId('no_such_kfunc')).toBe(0);
    const entry = { name: 'bpf_task_acquire', btfId: 0, flags: 0, fn: () => 0n } as unknown as Parameters<typeof k.kfuncs.register>[0];
    k.kfuncs.register(entry);
    expect(entry.btfId).toBe(k.kfuncBtfId('bpf_task_acquire'));
    expect(k.kfuncs.byBtfId(entry.btfId)).toBe(entry);
    expect(() => k.addKfuncProtos([{ name: 'late', ret: 'void', args: [] }])).toThrow();
  });

  it('a default kernel registers helpers and the kfunc table with BTF ids', () => {
    const d = new Kernel({ empty: true });
    expect(d.helpers.all().length).toBeGreaterThan(50);
    expect(d.kfuncs.byName('bpf_iter_num_new')).toBeUndefined(); // until the BTF is first used
    expect(d.btf.findIdByName('bpf_iter_num_new', 'func')).toBeGreaterThan(0);
    const num = d.kfuncs.byName('bpf_iter_num_new')!;
    expect(num.btfId).toBe(d.kfuncBtfId('bpf_iter_num_new'));
    expect(d.btf.nameOf(num.btfId)).toBe('bpf_iter_num_new');
  });

  it('is deterministic and independent of the world', () => {
    const a = new Kernel();
    const b = new Kernel({ empty: true });
    expect(Buffer.compare(a.btfBytes, b.btfBytes)).toBe(0);
  });
});

// Fidelity with the reference kernel: every field we declare exists, by name, in the same struct
// of the host's vmlinux BTF (when the host has one), so CO-RE access paths written against the
// real vmlinux.h resolve against ours.
const VMLINUX = '/sys/kernel/btf/vmlinux';
describe.skipIf(!existsSync(VMLINUX))('kernel BTF vs host vmlinux', () => {
  let host: Btf;
  try {
    host = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
  } catch {
    return;
  }
  it('declared fields exist in the host struct of the same name', () => {
    const missing: string[] = [];
    // fields that differ on purpose: simplified opaque stand-ins for lock/bitfield types
    // and bpf_iter_task_file, the CRIB proposal's iterator, which 6.18 does not have yet
    const own = new Set(['desc_struct', 'spinlock', 'maple_tree', 'file_ref', 'bpf_iter_task_file']);
    for (const s of [...KERNEL_STRUCTS, ...UAPI_STRUCTS]) {
      if (own.has(s.name)) continue;
      const id = host.findIdByName(s.name, s.kind);
      if (id < 0) {
        missing.push(`${s.kind} ${s.name}`);
        continue;
      }
      for (const f of s.fields) {
        const [name] = fieldParts(f);
        const names = name ? [name] : anonNames(f);
        for (const n of names) if (!host.findMember(id, n)) missing.push(`${s.name}.${n}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

function anonNames(f: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    const [name, t] = fieldParts(x as Parameters<typeof fieldParts>[0]);
    if (name) out.push(name);
    else if (t.k === 'anon') t.def.fields.forEach(walk);
  };
  walk(f);
  return out;
}

describe('bitfields', () => {
  it('are laid out like C (SysV) and read/written through the world', () => {
    const types = kernelTypes();
    const ts = types.field('thread_struct', 'iopl_warn');
    expect(ts.bitSize).toBe(1);
    expect(types.offsetof('thread_struct', 'pkru')).toBe(ts.offset + 4);
    const reuse = types.field('sock_common', 'skc_reuse');
    expect([reuse.offset, reuse.bitShift, reuse.bitSize]).toEqual([types.offsetof('sock_common', 'skc_state') + 1, 0, 4]);
    expect(types.field('sock_common', 'skc_ipv6only').bitShift).toBe(5);
    expect(types.offsetof('sock_common', 'skc_bound_dev_if')).toBe(20);
    const kk = new Kernel();
    const bash = kk.taskByPid(1203)!;
    const o = kk.world.objs;
    expect(o.get(bash.off, 'task_struct', 'user_dumpable')).toBe(1n);
    o.set(bash.off, 'task_struct', 'in_execve', 1);
    expect(o.get(bash.off, 'task_struct', 'in_execve')).toBe(1n);
    expect(o.get(bash.off, 'task_struct', 'user_dumpable')).toBe(1n);
    expect(o.get(bash.off, 'task_struct', 'in_iowait')).toBe(0n);
    const sshd6 = kk.taskByPid(702)!.files!.fds.get(4)!.sock!;
    expect(o.get(sshd6.sockOff, 'sock', '__sk_common.skc_reuse')).toBe(1n);
    expect(o.get(sshd6.sockOff, 'sock', '__sk_common.skc_ipv6only')).toBe(1n);
  });
});

describe('UAPI objects and tracepoint records', () => {
  it('have the sizes and offsets of Linux 6.18 (values from clang on the host vmlinux.h)', () => {
    const size = (n: string) => btf.sizeof(btf.findIdByName(n, 'struct'));
    expect(size('bpf_spin_lock')).toBe(4);
    expect(size('bpf_timer')).toBe(16);
    expect(size('bpf_dynptr')).toBe(16);
    expect(size('bpf_list_node')).toBe(24);
    expect(size('bpf_rb_node')).toBe(32);
    expect(size('bpf_refcount')).toBe(4);
    expect(size('bpf_sock')).toBe(80);
    expect(off('bpf_sock', 'dst_ip4')).toBe(52);
    expect(size('bpf_perf_event_data')).toBe(184);
    expect(size('trace_entry')).toBe(8);
    expect(off('trace_event_raw_sys_enter', 'args')).toBe(16);
    expect(off('trace_event_raw_sched_switch', 'next_comm')).toBe(40);
    expect(off('trace_event_raw_sched_switch', 'next_pid')).toBe(56);
  });
});

describe('extra structs', () => {
  it('a Kernel can declare more structs; iterator states of the kfuncs area are in by default', () => {
    const d = new Kernel({ empty: true, bare: true });
    expect(d.btf.findIdByName('bpf_iter_testmod_seq', 'struct')).toBeGreaterThan(0);
    const x = new Kernel({ empty: true, bare: true, extraStructs: [{ name: 'my_state', kind: 'struct', fields: [['a', 'u32'], ['b', 'u64']] }] });
    const id = x.btf.findIdByName('my_state', 'struct');
    expect(x.btf.sizeof(id)).toBe(16);
    expect(d.btf.findIdByName('my_state', 'struct')).toBe(-1);
    expect(() => new Kernel({ empty: true, bare: true, extraStructs: [{ name: 'task_struct', kind: 'struct', fields: [] }] })).toThrow(/declared twice/);
  });
});
