import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { WorldError } from '../../src/kernel/world/errors.js';
import type { Btf } from '../../src/btf/index.js';

// Everything below reads memory through offsets found *by name in kernel.btf*, the way a CO-RE
// program would, so a disagreement between the layout the world writes and the BTF it publishes
// fails here.

function fieldOff(btf: Btf, struct: string, path: string): number {
  let id = btf.findIdByName(struct, 'struct');
  expect(id, `struct ${struct}`).toBeGreaterThan(0);
  let off = 0;
  const parts = path.split('.');
  parts.forEach((p, i) => {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(p)!;
    const f = btf.findMember(id, m[1]);
    if (!f) throw new Error(`no ${struct}.${path}`);
    off += f.bitOffset / 8;
    let t = btf.resolve(f.member.type);
    if (m[2] !== undefined) {
      expect(t.kind).toBe('array');
      const elem = (t as { type: number }).type;
      off += Number(m[2]) * btf.sizeof(elem);
      t = btf.resolve(elem);
    }
    if (i < parts.length - 1) id = t.id;
  });
  return off;
}

class Reader {
  constructor(readonly k: Kernel) {}
  off(ptr: bigint): number {
    const o = this.k.mem.toOff(ptr);
    expect(o).toBeGreaterThan(0);
    return o;
  }
  u64(ptr: bigint, struct: string, path: string): bigint {
    return this.k.mem.readU64(this.off(ptr) + fieldOff(this.k.btf, struct, path));
  }
  u32(ptr: bigint, struct: string, path: string): number {
    return this.k.mem.readU32(this.off(ptr) + fieldOff(this.k.btf, struct, path));
  }
  u16(ptr: bigint, struct: string, path: string): number {
    return this.k.mem.readU16(this.off(ptr) + fieldOff(this.k.btf, struct, path));
  }
  str(ptr: bigint, struct: string, path: string, max = 16): string {
    return this.k.mem.readCString(this.off(ptr) + fieldOff(this.k.btf, struct, path), max);
  }
  cstr(ptr: bigint): string {
    return this.k.mem.readCString(this.off(ptr), 256);
  }
  /** container_of walk of a list_head: returns the containing objects */
  list(head: bigint, struct: string, member: string): bigint[] {
    const out: bigint[] = [];
    const moff = BigInt(fieldOff(this.k.btf, struct, member));
    for (let p = this.k.mem.readU64(this.off(head)); p !== head; p = this.k.mem.readU64(this.off(p))) {
      out.push(p - moff);
      if (out.length > 10000) throw new Error('list does not terminate');
    }
    return out;
  }
}

describe('default world, read back through kernel BTF offsets', () => {
  const k = new Kernel();
  const r = new Reader(k);

  it('task_struct.real_parent → tgid, comm, pid', () => {
    const bash = k.taskByPid(1203)!;
    expect(bash.comm).toBe('bash');
    expect(r.u32(bash.ptr, 'task_struct', 'pid')).toBe(1203);
    expect(r.str(bash.ptr, 'task_struct', 'comm')).toBe('bash');
    const parent = r.u64(bash.ptr, 'task_struct', 'real_parent');
    expect(r.u32(parent, 'task_struct', 'tgid')).toBe(1180);
    expect(r.str(parent, 'task_struct', 'comm')).toBe('sshd-session');
    const grand = r.u64(parent, 'task_struct', 'real_parent');
    expect(r.u32(grand, 'task_struct', 'pid')).toBe(702);
  });

  it('has init, kthreadd, kthreads and user processes', () => {
    expect(k.taskByPid(1)!.comm).toBe('systemd');
    expect(k.taskByPid(2)!.comm).toBe('kthreadd');
    expect(k.taskByPid(2)!.isKthread).toBe(true);
    const kthreads = k.tasks.filter((t) => t.isKthread && t.parent?.pid === 2);
    expect(kthreads.length).toBeGreaterThanOrEqual(3);
    const users = k.world.processes().filter((t) => !t.isKthread);
    expect(users.map((t) => t.comm)).toEqual(expect.arrayContaining(['systemd', 'sshd', 'nginx', 'bash', 'python3', 'grep']));
    expect(k.current.comm).toBe('bash');
    // kthreads carry PF_KTHREAD and no mm
    const kt = k.taskByPid(6)!;
    expect(r.u32(kt.ptr, 'task_struct', 'flags') & 0x00200000).toBe(0x00200000);
    expect(r.u64(kt.ptr, 'task_struct', 'mm')).toBe(0n);
  });

  it('walks init_task.tasks like for_each_process', () => {
    const init = k.kallsyms.get('init_task')!;
    expect(r.u32(init, 'task_struct', 'pid')).toBe(0);
    expect(r.str(init, 'task_struct', 'comm')).toBe('swapper/0');
    const procs = r.list(init + BigInt(fieldOff(k.btf, 'task_struct', 'tasks')), 'task_struct', 'tasks');
    const pids = procs.map((p) => r.u32(p, 'task_struct', 'pid'));
    expect(pids).toEqual(k.tasks.filter((t) => t.isLeader).map((t) => t.pid));
    expect(pids).not.toContain(816); // threads are not on the process list
  });

  it('children/sibling lists', () => {
    const bash = k.taskByPid(1203)!;
    const head = bash.ptr + BigInt(fieldOff(k.btf, 'task_struct', 'children'));
    const kids = r.list(head, 'task_struct', 'sibling').map((p) => r.u32(p, 'task_struct', 'pid'));
    expect(kids).toEqual([1250, 1254]);
  });

  it('threads on signal->thread_head via thread_node, sharing mm/files and group_leader', () => {
    const nginx = k.taskByPid(815)!;
    const sig = r.u64(nginx.ptr, 'task_struct', 'signal');
    expect(r.u32(sig, 'signal_struct', 'nr_threads')).toBe(3);
    const head = sig + BigInt(fieldOff(k.btf, 'signal_struct', 'thread_head'));
    const threads = r.list(head, 'task_struct', 'thread_node');
    expect(threads.map((p) => r.u32(p, 'task_struct', 'pid'))).toEqual([815, 816, 817]);
    for (const t of threads) {
      expect(r.u32(t, 'task_struct', 'tgid')).toBe(815);
      expect(r.u64(t, 'task_struct', 'group_leader')).toBe(nginx.ptr);
      expect(r.u64(t, 'task_struct', 'mm')).toBe(nginx.mm!.ptr);
      expect(r.u64(t, 'task_struct', 'files')).toBe(nginx.files!.ptr);
    }
    const fsbases = threads.map((p) => r.u64(p, 'task_struct', 'thread.fsbase'));
    expect(new Set(fsbases).size).toBe(3);
    expect(fsbases[0]).toBe(nginx.fsbase);
    // %fs:0 holds the TCB's own address in user memory
    const tcb = k.readUser(nginx, fsbases[1], 8)!;
    expect(new DataView(tcb.buffer).getBigUint64(0, true)).toBe(fsbases[1]);
  });

  it('cred → uid/gid/euid', () => {
    const py = k.taskByPid(1250)!;
    const cred = r.u64(py.ptr, 'task_struct', 'cred');
    expect(r.u32(cred, 'cred', 'uid.val')).toBe(1000);
    expect(r.u32(cred, 'cred', 'euid.val')).toBe(1000);
    expect(r.u32(cred, 'cred', 'gid.val')).toBe(1000);
    const root = r.u64(k.taskByPid(1)!.ptr, 'task_struct', 'cred');
    expect(r.u32(root, 'cred', 'uid.val')).toBe(0);
    expect(r.u64(root, 'cred', 'cap_effective.val')).not.toBe(0n);
  });

  it('files → fdtable → struct file with f_op identity, f_path, f_inode', () => {
    const py = k.taskByPid(1250)!;
    const files = r.u64(py.ptr, 'task_struct', 'files');
    const fdt = r.u64(files, 'files_struct', 'fdt');
    const maxFds = r.u32(fdt, 'fdtable', 'max_fds');
    expect(maxFds).toBeGreaterThanOrEqual(64);
    const fdArr = r.u64(fdt, 'fdtable', 'fd');
    const fileAt = (fd: number) => k.mem.readU64(r.off(fdArr) + fd * 8);
    const fops = (f: bigint) => r.u64(f, 'file', 'f_op');
    expect(fops(fileAt(1))).toBe(k.kallsyms.get('pipefifo_fops'));
    expect(fops(fileAt(3))).toBe(k.kallsyms.get('ext4_file_operations'));
    expect(fops(fileAt(4))).toBe(k.kallsyms.get('socket_file_ops'));
    expect(fops(fileAt(5))).toBe(k.kallsyms.get('eventfd_fops'));
    expect(fops(fileAt(6))).toBe(k.kallsyms.get('ext4_dir_operations'));
    expect(fileAt(7)).toBe(0n);
    // open_fds bitmap
    const openFds = k.mem.readU64(r.off(r.u64(fdt, 'fdtable', 'open_fds')));
    expect(openFds).toBe(0b1111111n);
    // f_path.dentry → d_name, d_parent chain gives /home/alice/data.csv
    const f3 = fileAt(3);
    const names: string[] = [];
    let d = r.u64(f3, 'file', 'f_path.dentry');
    for (let i = 0; i < 10; i++) {
      const name = r.cstr(r.u64(d, 'dentry', 'd_name.name'));
      const parent = r.u64(d, 'dentry', 'd_parent');
      if (parent === d) break;
      names.unshift(name);
      d = parent;
    }
    expect('/' + names.join('/')).toBe('/home/alice/data.csv');
    expect(r.u32(r.u64(f3, 'file', 'f_path.dentry'), 'dentry', 'd_name.len')).toBe('data.csv'.length);
    // inode
    const inode = r.u64(f3, 'file', 'f_inode');
    expect(r.u16(inode, 'inode', 'i_mode') & 0o170000).toBe(0o100000);
    expect(r.u64(inode, 'inode', 'i_size')).toBe(52431n);
    expect(r.u64(inode, 'inode', 'i_ino')).toBe(BigInt(py.files!.fds.get(3)!.inode.ino));
    expect(r.u64(f3, 'file', 'f_pos')).toBe(8192n);
    expect(r.u64(r.u64(f3, 'file', 'f_path.dentry'), 'dentry', 'd_inode')).toBe(inode);
    for (let fd = 0; fd <= 6; fd++) expect(r.u64(r.u64(fileAt(fd), 'file', 'f_path.dentry'), 'dentry', 'd_inode')).toBe(r.u64(fileAt(fd), 'file', 'f_inode'));
    // the pipe's two ends (python3 fd 1, grep fd 0) share one inode
    const grep = k.taskByPid(1254)!;
    expect(grep.files!.fds.get(0)!.inode).toBe(py.files!.fds.get(1)!.inode);
    expect(py.files!.fds.get(1)!.path).toBe('pipe:[8812]');
    expect(r.u16(r.u64(fileAt(1), 'file', 'f_inode'), 'inode', 'i_mode') & 0o170000).toBe(0o010000);
  });

  it('fd tables grow past 64 (bash fd 255)', () => {
    const bash = k.taskByPid(1203)!;
    const fdt = r.u64(bash.files!.ptr, 'files_struct', 'fdt');
    expect(r.u32(fdt, 'fdtable', 'max_fds')).toBe(256);
    const fdArr = r.u64(fdt, 'fdtable', 'fd');
    expect(k.mem.readU64(r.off(fdArr) + 255 * 8)).toBe(bash.files!.fds.get(255)!.ptr);
    expect(k.mem.readU64(r.off(fdArr) + 0 * 8)).toBe(bash.files!.fds.get(0)!.ptr);
  });

  it('mm → VMAs with vm_start/vm_end/vm_flags/vm_file/vm_mm; find_vma', () => {
    const bash = k.taskByPid(1203)!;
    const mm = bash.mm!;
    expect(r.u64(bash.ptr, 'task_struct', 'mm')).toBe(mm.ptr);
    expect(r.u32(mm.ptr, 'mm_struct', 'map_count')).toBe(mm.vmas.length);
    expect(mm.vmas.length).toBeGreaterThan(15);
    for (const v of mm.vmas) {
      expect(r.u64(v.ptr, 'vm_area_struct', 'vm_start')).toBe(v.start);
      expect(r.u64(v.ptr, 'vm_area_struct', 'vm_end')).toBe(v.end);
      expect(r.u64(v.ptr, 'vm_area_struct', 'vm_flags')).toBe(v.flags);
      expect(r.u64(v.ptr, 'vm_area_struct', 'vm_mm')).toBe(mm.ptr);
      expect(r.u64(v.ptr, 'vm_area_struct', 'vm_file')).toBe(v.file ? v.file.ptr : 0n);
    }
    const text = mm.vmas.find((v) => v.file?.path === '/usr/bin/bash' && (v.flags & 4n))!;
    expect(k.findVma(bash, text.start + 10n)).toBe(text);
    const libc = mm.vmas.filter((v) => v.file?.path.endsWith('libc.so.6'));
    expect(libc.length).toBe(5);
    expect(new Set(libc.map((v) => v.file)).size).toBe(1); // one struct file per mapping
    expect(mm.vmas.map((v) => v.name).filter(Boolean)).toEqual(['[heap]', '[stack]', '[vvar]', '[vdso]']);
    // exe_file, start_code, arg_start → argv in user memory
    expect(r.u64(mm.ptr, 'mm_struct', 'exe_file')).toBe(text.file!.ptr);
    expect(r.u64(mm.ptr, 'mm_struct', 'start_code')).toBe(text.start);
    const argStart = r.u64(mm.ptr, 'mm_struct', 'arg_start');
    const argEnd = r.u64(mm.ptr, 'mm_struct', 'arg_end');
    expect(new TextDecoder().decode(k.readUser(bash, argStart, Number(argEnd - argStart))!)).toBe('-bash\0');
    expect(k.findVma(bash, argStart)!.name).toBe('[stack]');
    // the executable's first bytes are an ELF header
    expect(Array.from(k.readUser(bash, text.start - 4n * 0x1000n, 4)!)).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(k.readUser(bash, 0x1000n, 8)).toBeNull();
  });

  it('cgroups: css_set → dfl_cgrp → kn->name, level, ancestors', () => {
    const py = k.taskByPid(1250)!;
    const cset = r.u64(py.ptr, 'task_struct', 'cgroups');
    const cg = r.u64(cset, 'css_set', 'dfl_cgrp');
    expect(cg).toBe(py.cgroup.ptr);
    expect(r.u32(cg, 'cgroup', 'level')).toBe(3);
    const kn = r.u64(cg, 'cgroup', 'kn');
    expect(r.cstr(r.u64(kn, 'kernfs_node', 'name'))).toBe('session-1.scope');
    const pkn = r.u64(kn, 'kernfs_node', '__parent');
    expect(r.cstr(r.u64(pkn, 'kernfs_node', 'name'))).toBe('user-1000.slice');
    expect(r.u64(kn, 'kernfs_node', 'id')).toBe(py.cgroup.id);
    const anc = (i: number) => k.mem.readU64(r.off(cg) + fieldOff(k.btf, 'cgroup', 'ancestors') + i * 8);
    expect(anc(0)).toBe(k.rootCgroup.ptr);
    expect(anc(3)).toBe(cg);
    // subsys[memory_cgrp_id]->cgroup is the task's cgroup
    const memCss = r.u64(cset, 'css_set', 'subsys[4]');
    expect(r.u64(memCss, 'cgroup_subsys_state', 'cgroup')).toBe(cg);
    expect(r.u32(r.u64(k.rootCgroup.ptr, 'cgroup', 'kn'), 'kernfs_node', 'id')).toBe(1);
    // tasks of the css_set via cg_list
    const members = r.list(cset + BigInt(fieldOff(k.btf, 'css_set', 'tasks')), 'task_struct', 'cg_list').map((p) => r.u32(p, 'task_struct', 'pid'));
    expect(members).toEqual([1180, 1203, 1250, 1251, 1254]);
    expect(k.cgroups.map((c) => c.path)).toContain('/system.slice/nginx.service');
    // every cgroup's root is cgrp_dfl_root, whose embedded cgrp is the root cgroup
    const dfl = k.kallsyms.get('cgrp_dfl_root')!;
    expect(r.u64(cg, 'cgroup', 'root')).toBe(dfl);
    expect(r.u32(dfl, 'cgroup_root', 'hierarchy_id')).toBe(0);
    expect(dfl + BigInt(fieldOff(k.btf, 'cgroup_root', 'cgrp'))).toBe(k.rootCgroup.ptr);
    expect(r.u64(k.rootCgroup.ptr, 'cgroup', 'ancestors')).toBe(k.rootCgroup.ptr);
    expect(r.u32(dfl, 'cgroup_root', 'nr_cgrps')).toBe(k.cgroups.length);
  });

  it('thread_pid → numbers[0].nr, nsproxy → pid namespace inum, start_time', () => {
    const py = k.taskByPid(1251)!;
    const pid = r.u64(py.ptr, 'task_struct', 'thread_pid');
    expect(r.u32(pid, 'pid', 'numbers[0].nr')).toBe(1251);
    const ns = r.u64(k.taskByPid(1)!.ptr, 'task_struct', 'nsproxy');
    const pidns = r.u64(ns, 'nsproxy', 'pid_ns_for_children');
    expect(r.u32(pidns, 'pid_namespace', 'ns.inum')).toBe(0xeffffffc);
    expect(r.u64(k.taskByPid(1250)!.ptr, 'task_struct', 'start_time')).toBe(200_000_000_000n);
    expect(r.u64(k.taskByPid(1)!.ptr, 'task_struct', 'start_boottime')).toBe(500_000_000n);
  });
});

describe('determinism', () => {
  it('two default kernels have identical memory and BTF', () => {
    const a = new Kernel();
    const b = new Kernel();
    expect(a.mem.highWater).toBe(b.mem.highWater);
    expect(Buffer.compare(a.mem.readBytes(0, a.mem.highWater), b.mem.readBytes(0, b.mem.highWater))).toBe(0);
    expect(Buffer.compare(a.btfBytes, b.btfBytes)).toBe(0);
    expect(a.tasks.map((t) => t.ptr)).toEqual(b.tasks.map((t) => t.ptr));
  });

  it('the clock advances deterministically', () => {
    const a = new Kernel({ empty: true });
    const b = new Kernel({ empty: true });
    const ta = [a.clock.monotonicNs(), a.clock.monotonicNs(), a.clock.boottimeNs()];
    const tb = [b.clock.monotonicNs(), b.clock.monotonicNs(), b.clock.boottimeNs()];
    expect(ta).toEqual(tb);
    expect(ta[1]).toBeGreaterThan(ta[0]);
    expect(() => a.clock.advance(-1n)).toThrow(WorldError);
  });
});

describe('namespaces, fs, tty, accounting', () => {
  const k = new Kernel({ utsname: { nodename: 'testhost' } });
  const r = new Reader(k);

  it('nsproxy → uts/mnt/net/cgroup namespaces with their inode numbers; utsname', () => {
    const py = k.taskByPid(1250)!;
    const nsp = r.u64(py.ptr, 'task_struct', 'nsproxy');
    const uts = r.u64(nsp, 'nsproxy', 'uts_ns');
    expect(r.str(uts, 'uts_namespace', 'name.nodename', 65)).toBe('testhost');
    expect(r.str(uts, 'uts_namespace', 'name.sysname', 65)).toBe('Linux');
    expect(r.str(uts, 'uts_namespace', 'name.release', 65)).toBe('6.18.0-bpfwasm');
    expect(r.u32(uts, 'uts_namespace', 'ns.inum')).toBe(0xeffffffe);
    expect(r.u32(r.u64(nsp, 'nsproxy', 'mnt_ns'), 'mnt_namespace', 'ns.inum')).toBe(0xf0000001);
    expect(r.u32(r.u64(nsp, 'nsproxy', 'net_ns'), 'net', 'ns.inum')).toBe(0xf0000000);
    expect(r.u32(r.u64(nsp, 'nsproxy', 'cgroup_ns'), 'cgroup_namespace', 'ns.inum')).toBe(0xeffffffb);
    expect(k.kallsyms.get('init_uts_ns')).toBe(uts);
  });

  it('fs->pwd and fs->root, shared by threads', () => {
    const py = k.taskByPid(1250)!;
    const fs = r.u64(py.ptr, 'task_struct', 'fs');
    const pwd = fs + BigInt(fieldOff(k.btf, 'fs_struct', 'pwd'));
    expect(k.dPath(pwd)).toBe('/home/alice/reports');
    expect(k.dPath(fs + BigInt(fieldOff(k.btf, 'fs_struct', 'root')))).toBe('/');
    expect(r.u64(k.taskByPid(1251)!.ptr, 'task_struct', 'fs')).toBe(fs);
    expect(r.u64(k.taskByPid(6)!.ptr, 'task_struct', 'fs')).toBe(0n);
  });

  it('signal->tty names the controlling terminal', () => {
    const tty = r.u64(r.u64(k.taskByPid(1203)!.ptr, 'task_struct', 'signal'), 'signal_struct', 'tty');
    expect(r.str(tty, 'tty_struct', 'name', 64)).toBe('pts0');
    expect(r.u32(tty, 'tty_struct', 'index')).toBe(0);
    expect(r.u64(r.u64(k.taskByPid(815)!.ptr, 'task_struct', 'signal'), 'signal_struct', 'tty')).toBe(0n);
  });

  it('CPU time and RSS are set deterministically', () => {
    const t = k.taskByPid(1203)!;
    const se = r.u64(t.ptr, 'task_struct', 'se.sum_exec_runtime');
    expect(se).toBeGreaterThan(0n);
    expect(r.u64(t.ptr, 'task_struct', 'utime') + r.u64(t.ptr, 'task_struct', 'stime')).toBeLessThanOrEqual(se);
    const rss = r.u64(t.mm!.ptr, 'mm_struct', 'rss_stat[0].count') + r.u64(t.mm!.ptr, 'mm_struct', 'rss_stat[1].count');
    expect(rss).toBeGreaterThan(0n);
    expect(r.u64(t.mm!.ptr, 'mm_struct', 'hiwater_rss')).toBe(rss);
  });
});

describe('sockets', () => {
  const k = new Kernel();
  const r = new Reader(k);

  it('file->private_data → struct socket → sk → __sk_common addresses and ports', () => {
    const py = k.taskByPid(1250)!;
    const file = py.files!.fds.get(4)!;
    const socket = r.u64(file.ptr, 'file', 'private_data');
    expect(r.u64(socket, 'socket', 'file')).toBe(file.ptr);
    expect(r.u16(socket, 'socket', 'type')).toBe(1);
    expect(r.u32(socket, 'socket', 'state')).toBe(3); // SS_CONNECTED
    const sk = r.u64(socket, 'socket', 'sk');
    expect(r.u64(sk, 'sock', 'sk_socket')).toBe(socket);
    expect(r.u16(sk, 'sock', '__sk_common.skc_family')).toBe(2);
    expect(k.mem.readU8(r.off(sk) + fieldOff(k.btf, 'sock', '__sk_common.skc_state'))).toBe(1); // TCP_ESTABLISHED
    expect(r.u16(sk, 'sock', '__sk_common.skc_num')).toBe(40112);
    expect(r.u16(sk, 'sock', '__sk_common.skc_dport')).toBe(((443 & 0xff) << 8) | (443 >> 8)); // big-endian
    const daddr = k.mem.readBytes(r.off(sk) + fieldOff(k.btf, 'sock', '__sk_common.skc_daddr'), 4);
    expect(Array.from(daddr)).toEqual([93, 184, 216, 34]);
    expect(r.u16(sk, 'sock', 'sk_protocol')).toBe(6);
  });

  it('listening IPv6 socket', () => {
    const sshd = k.taskByPid(702)!;
    const f = sshd.files!.fds.get(4)!;
    expect(f.sock).toMatchObject({ family: 10, state: 10, type: 1 });
    const sk = r.u64(r.u64(f.ptr, 'file', 'private_data'), 'socket', 'sk');
    expect(r.u16(sk, 'sock', '__sk_common.skc_num')).toBe(22);
    expect(Array.from(k.mem.readBytes(r.off(sk) + fieldOff(k.btf, 'sock', '__sk_common.skc_v6_rcv_saddr'), 16))).toEqual(new Array(16).fill(0));
  });

  it('bad socket specs raise WorldError', () => {
    const t = k.spawn({ comm: 's', vmas: [] });
    expect(() => k.openFile(t, { path: 'socket:[1]', socket: { family: 'inet', local: '1.2.3:80' } })).toThrow(WorldError);
    expect(() => k.openFile(t, { path: 'socket:[2]', socket: { family: 'inet6', local: '[::g]:80' } })).toThrow(WorldError);
    expect(() => k.openFile(t, { path: 'socket:[3]', socket: { family: 'inet', local: '1.2.3.4:70000' } })).toThrow(WorldError);
    const v6 = k.openFile(t, { path: 'socket:[4]', socket: { family: 'inet6', local: '[fe80::1:2]:53', type: 'dgram', state: 'close' } });
    expect(Array.from(v6.file.sock!.local!.addr)).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    expect(v6.file.sock!.protocol).toBe(17);
  });
});
