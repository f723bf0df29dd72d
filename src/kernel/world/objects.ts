// TypeScript mirrors of the world's kernel objects. Each mirror knows where its struct lives
// (`off` in KernelMemory, `ptr` as a BPF pointer) so host code and helpers can go both ways fast:
// from a pointer a program hands over to the mirror (World.taskByPtr...), and from a mirror to
// the bytes a program reads.

import type { UserAddressSpace } from '../user-memory.js';

export type FileKind = 'regular' | 'directory' | 'pipe' | 'socket' | 'anon_inode' | 'char';

export class Inode {
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    readonly ino: number,
    readonly mode: number,
    public size: bigint,
  ) {}
}

export interface SockInfo {
  /** struct socket (file->private_data) */
  socketOff: number;
  /** struct sock (socket->sk) */
  sockOff: number;
  family: number;
  type: number;
  protocol: number;
  /** TCP_* state as in sk->__sk_common.skc_state */
  state: number;
  local?: { addr: Uint8Array; port: number };
  remote?: { addr: Uint8Array; port: number };
}

export class File {
  /** sockets only: the socket behind the file */
  sock?: SockInfo;
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    readonly kind: FileKind,
    /** what d_path prints: `/usr/bin/bash`, `pipe:[4213]`, `socket:[5120]`, `anon_inode:[eventfd]` */
    readonly path: string,
    readonly inode: Inode,
    readonly dentryOff: number,
    /** O_* flags as stored in f_flags */
    readonly flags: number,
    /** FMODE_* bits as stored in f_mode */
    readonly fmode: number,
    /** name of the file_operations object f_op points to (as in kallsyms) */
    readonly fopsName: string,
  ) {}
}

export class Vma {
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    readonly start: bigint,
    readonly end: bigint,
    /** VM_* flags */
    readonly flags: bigint,
    readonly pgoff: bigint,
    readonly file: File | null,
    /** `[heap]`, `[stack]`, `[vdso]`, `[vvar]` for special anonymous mappings */
    readonly name: string | undefined,
    readonly mm: Mm,
  ) {}
}

export class Mm {
  /** sorted by start, non-overlapping */
  readonly vmas: Vma[] = [];
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    readonly user: UserAddressSpace,
  ) {}

  /** find_vma(): the first VMA with end > addr (it may start above addr). */
  findVma(addr: bigint): Vma | undefined {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return this.vmas[lo];
  }

  /** The VMA containing addr, if any. */
  vmaAt(addr: bigint): Vma | undefined {
    const v = this.findVma(addr);
    return v && v.start <= addr ? v : undefined;
  }
}

export interface CredIds {
  uid: number;
  gid: number;
  suid: number;
  sgid: number;
  euid: number;
  egid: number;
  fsuid: number;
  fsgid: number;
}

export class Cred {
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    readonly ids: Readonly<CredIds>,
  ) {}
}

export class FilesTable {
  /** fd → file */
  readonly fds = new Map<number, File>();
  /** offset of the current struct fdtable (files->fdt) */
  fdtOff: number;
  /** offset of the fd array (fdt->fd) */
  fdArrayOff: number;
  maxFds: number;
  /** offset of the open_fds bitmap */
  openFdsOff: number;
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    fdtOff: number,
    fdArrayOff: number,
    maxFds: number,
    openFdsOff: number,
  ) {
    this.fdtOff = fdtOff;
    this.fdArrayOff = fdArrayOff;
    this.maxFds = maxFds;
    this.openFdsOff = openFdsOff;
  }

  /** Open fds in ascending order, as the task_file iterator visits them. */
  sorted(): [number, File][] {
    return [...this.fds.entries()].sort((a, b) => a[0] - b[0]);
  }
}

export class Cgroup {
  readonly children: Cgroup[] = [];
  /** css_set whose dfl_cgrp is this cgroup (created with the cgroup) */
  cssSetOff = 0;
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    /** `/`, `/system.slice`, `/system.slice/nginx.service` */
    readonly path: string,
    /** kernfs name: `` for the root, else the last path component */
    readonly name: string,
    readonly level: number,
    /** kernfs node id == cgroup id (what bpf_get_current_cgroup_id returns) */
    readonly id: bigint,
    readonly parent: Cgroup | null,
    readonly knOff: number,
  ) {}

  /** self, parent, ..., root */
  ancestors(): Cgroup[] {
    const out: Cgroup[] = [this];
    for (let c = this.parent; c; c = c.parent) out.push(c);
    return out;
  }
}

export class Task {
  /** child processes (thread-group leaders), in creation order — the children list */
  readonly children: Task[] = [];
  /** on a thread-group leader: all threads including itself, in signal->thread_head order */
  readonly threads: Task[] = [];
  /** group_leader (itself for a leader) */
  readonly leader: Task;
  /** set by exitTask: the task is gone from every list but its memory stays */
  exited = false;
  constructor(
    readonly off: number,
    readonly ptr: bigint,
    readonly pid: number,
    readonly tgid: number,
    public comm: string,
    /** real_parent (null only for the idle task; changes when the parent exits) */
    public parent: Task | null,
    /** group_leader; null when this task is a leader */
    leader: Task | null,
    readonly cred: Cred,
    readonly files: FilesTable | null,
    readonly mm: Mm | null,
    public cgroup: Cgroup,
    readonly signalOff: number,
    /** PF_* flags */
    readonly flags: number,
    readonly startTime: bigint,
    public fsbase: bigint,
  ) {
    this.leader = leader ?? this;
  }

  get isKthread(): boolean {
    return (this.flags & 0x00200000) !== 0;
  }

  get isLeader(): boolean {
    return this.leader === this;
  }
}
