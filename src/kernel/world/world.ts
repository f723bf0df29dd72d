// The simulated world: tasks, files, memory maps and cgroups, laid out in KernelMemory as the
// kernel's structs (offsets from the declared types) with a TypeScript mirror per object.
//
// Linked structure follows Linux 6.18 so programs that walk it themselves see what they expect:
// processes hang off init_task.tasks, children/sibling lists link parents and children, threads
// are on signal->thread_head via task->thread_node, tasks of a css_set are on cset->tasks via
// task->cg_list, and fdtable->fd[] / open_fds describe the file table.

import type { KernelMemory } from '../memory.js';
import { UserAddressSpace } from '../user-memory.js';
import type { TypeTable } from '../btf/layout.js';
import { CGROUP_SUBSYS_COUNT } from '../btf/tables.js';
import { KObjects } from './structs.js';
import { Clock } from './clock.js';
import { WorldError } from './errors.js';
import { Cgroup, Cred, File, FilesTable, Inode, Mm, Task, Vma, type CredIds, type FileKind, type SockInfo } from './objects.js';
import * as K from './constants.js';

export interface FileSpec {
  /** `/etc/passwd`, `/dev/pts/0`, `pipe:[4213]`, `socket:[5120]`, `anon_inode:[eventfd]` */
  path: string;
  /** inferred from the path when absent (pipe:, socket:, anon_inode:, /dev/, trailing /) */
  kind?: FileKind;
  /** O_* flags, or 'r' | 'w' | 'rw' */
  flags?: number | 'r' | 'w' | 'rw';
  /** the fd to install at (default: lowest free) */
  fd?: number;
  pos?: bigint | number;
  /** i_size (regular files) */
  size?: bigint | number;
  /** permission bits of the inode (default 0644, 0755 for directories) */
  perm?: number;
  /** sockets: what file->private_data (struct socket) and its struct sock describe */
  socket?: SocketSpec;
}

export interface SocketSpec {
  /** address family (default unix) */
  family?: 'unix' | 'inet' | 'inet6';
  /** default stream */
  type?: 'stream' | 'dgram' | 'raw';
  /** TCP-style state (default: listen for a stream socket with a local but no remote address, else established) */
  state?: 'established' | 'syn_sent' | 'syn_recv' | 'fin_wait1' | 'fin_wait2' | 'time_wait' | 'close' | 'close_wait' | 'last_ack' | 'listen' | 'closing';
  /** `0.0.0.0:22`, `[::1]:8080` */
  local?: string;
  remote?: string;
}

export interface VmaSpec {
  start: bigint;
  end: bigint;
  /** VM_* bits, or a /proc/PID/maps permission string like `r-xp` */
  flags?: bigint | number | string;
  /** path of the mapped file */
  file?: string;
  /** offset into the file in pages */
  pgoff?: bigint | number;
  /** `[heap]`, `[stack]`, `[vdso]`, `[vvar]` */
  name?: string;
}

export interface MemorySpec {
  addr: bigint;
  bytes: Uint8Array | string;
}

export interface ThreadSpec {
  comm?: string;
  pid?: number;
  fsbase?: bigint;
}

export interface SpawnOptions {
  comm: string;
  pid?: number;
  /** real_parent (a Task or a pid; default init, or kthreadd for kthreads) */
  parent?: Task | number;
  uid?: number;
  gid?: number;
  euid?: number;
  egid?: number;
  /** open files, installed at fd 0, 1, 2... (or at their `fd`) */
  files?: FileSpec[];
  /** memory map; default: a standard layout of /usr/bin/<comm>; `[]` for none */
  vmas?: VmaSpec[];
  /** user memory contents */
  memory?: MemorySpec[];
  /** extra threads besides the leader (a count or per-thread specs) */
  threads?: number | ThreadSpec[];
  /** cgroup path or object (default: the parent's cgroup) */
  cgroup?: string | Cgroup;
  /** a kernel thread: no mm, no files, PF_KTHREAD */
  kthread?: boolean;
  /** thread.fsbase of the leader (default: a TLS address in the default layout) */
  fsbase?: bigint;
  /** task->start_time (default: now on the clock) */
  startTime?: bigint;
  /** argv written onto the stack, mm->arg_start..arg_end (default [exe path]) */
  args?: string[];
  /** environment written onto the stack, mm->env_start..env_end */
  env?: string[];
  /** path of the executable (default /usr/bin/<comm>) */
  exe?: string;
  /** working directory, fs->pwd (default `/`) */
  cwd?: string;
}

const te = new TextEncoder();

export interface UtsName {
  /** hostname (uname -n) */
  nodename: string;
  /** kernel release (uname -r) */
  release: string;
}

export const DEFAULT_UTSNAME: UtsName = { nodename: 'bpfwasm', release: '6.18.0-bpfwasm' };

/** fops object name per file kind (the symbols Linux's f_op points to for such files). */
function fopsFor(kind: FileKind, path: string): string {
  switch (kind) {
    case 'regular':
      return 'ext4_file_operations';
    case 'directory':
      return 'ext4_dir_operations';
    case 'pipe':
      return 'pipefifo_fops';
    case 'socket':
      return 'socket_file_ops';
    case 'char':
      if (path === '/dev/null' || path === '/dev/zero') return path === '/dev/null' ? 'null_fops' : 'zero_fops';
      if (path.startsWith('/dev/pts/') || path.startsWith('/dev/tty')) return 'tty_fops';
      return 'def_chr_fops';
    case 'anon_inode': {
      const m = /\[(\w+)\]/.exec(path);
      const n = m ? m[1] : '';
      const known: Record<string, string> = {
        eventfd: 'eventfd_fops',
        eventpoll: 'eventpoll_fops',
        timerfd: 'timerfd_fops',
        signalfd: 'signalfd_fops',
        pidfd: 'pidfd_fops',
        'bpf-map': 'bpf_map_fops',
        'bpf-prog': 'bpf_prog_fops',
        'bpf-link': 'bpf_link_fops',
      };
      return known[n] ?? 'anon_inode_fops';
    }
  }
}

export const ALL_FOPS = [
  'ext4_file_operations', 'ext4_dir_operations', 'pipefifo_fops', 'socket_file_ops', 'null_fops',
  'zero_fops', 'tty_fops', 'def_chr_fops', 'eventfd_fops', 'eventpoll_fops', 'timerfd_fops',
  'signalfd_fops', 'pidfd_fops', 'bpf_map_fops', 'bpf_prog_fops', 'bpf_link_fops', 'anon_inode_fops',
];

function inferKind(path: string): FileKind {
  if (path.startsWith('pipe:')) return 'pipe';
  if (path.startsWith('socket:')) return 'socket';
  if (path.startsWith('anon_inode:')) return 'anon_inode';
  if (path.startsWith('/dev/')) return 'char';
  if (path.endsWith('/')) return 'directory';
  return 'regular';
}

function parseFlags(f: FileSpec['flags'], kind: FileKind): number {
  if (typeof f === 'number') return f;
  const acc = f === 'w' ? K.O_WRONLY : f === 'rw' ? K.O_RDWR : f === 'r' ? K.O_RDONLY : kind === 'socket' || kind === 'char' || kind === 'anon_inode' ? K.O_RDWR : K.O_RDONLY;
  return acc | (kind === 'directory' ? K.O_DIRECTORY : 0) | K.O_LARGEFILE;
}

/** `r-xp` style → VM_* */
export function parseVmFlags(f: VmaSpec['flags']): bigint {
  if (f === undefined) return K.VM_READ | K.VM_MAYREAD | K.VM_MAYWRITE | K.VM_MAYEXEC;
  if (typeof f === 'bigint') return f;
  if (typeof f === 'number') return BigInt(f);
  if (!/^[r-][w-][x-][ps]$/.test(f)) throw new WorldError(`bad VMA permissions '${f}' (want e.g. 'r-xp')`);
  let v = K.VM_MAYREAD | K.VM_MAYWRITE | K.VM_MAYEXEC;
  if (f[0] === 'r') v |= K.VM_READ;
  if (f[1] === 'w') v |= K.VM_WRITE;
  if (f[2] === 'x') v |= K.VM_EXEC;
  if (f[3] === 's') v |= K.VM_SHARED | K.VM_MAYSHARE;
  return v;
}

/** A deterministic 32-bit name hash for qstr.hash (FNV-1a; Linux's own hash is salted anyway). */
function nameHash(s: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of s) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

export class World {
  readonly objs: KObjects;
  readonly mem: KernelMemory;
  readonly types: TypeTable;
  readonly clock: Clock;
  readonly nrCpus: number;
  /** every task except the idle task, in creation order */
  readonly tasks: Task[] = [];
  readonly files: File[] = [];
  /** root first, then in creation order */
  readonly cgroups: Cgroup[] = [];
  /** addresses of named kernel objects, as /proc/kallsyms would list them */
  readonly kallsyms = new Map<string, bigint>();
  readonly idle: Task;
  readonly rootCgroup: Cgroup;

  private readonly pids = new Map<number, Task>();
  private readonly taskOffs = new Map<number, Task>();
  private readonly fileOffs = new Map<number, File>();
  private readonly vmaOffs = new Map<number, Vma>();
  private readonly cgroupOffs = new Map<number, Cgroup>();
  private readonly cgroupPaths = new Map<string, Cgroup>();
  private readonly inodes = new Map<string, Inode>();
  private readonly dentries = new Map<string, number>();
  private readonly fops = new Map<string, number>();
  /** dentry offset → the path d_path() prints for it */
  private readonly dentryPaths = new Map<number, string>();
  private readonly mmFiles = new Map<Mm, Map<string, File>>();
  private nextPid = 1;
  private nextIno = 4000;
  private nextPseudoIno = 20000;
  private nextCgroupId = 1n;
  private readonly pidNsOff: number;
  private readonly cgroupNsOff: number;
  private cgroupRootOff = 0;
  private readonly ttys = new Map<string, number>();
  private readonly sockets = new Map<string, SockInfo>();
  private readonly nsproxyOff: number;
  private readonly rootCred: Cred;

  constructor(mem: KernelMemory, types: TypeTable, clock: Clock, nrCpus: number, uname: UtsName = DEFAULT_UTSNAME) {
    this.mem = mem;
    this.types = types;
    this.clock = clock;
    this.nrCpus = nrCpus;
    this.objs = new KObjects(mem, types);
    const o = this.objs;

    for (const name of ALL_FOPS) {
      const off = o.alloc('file_operations');
      this.fops.set(name, off);
      this.kallsyms.set(name, mem.toPtr(off));
    }

    this.pidNsOff = o.alloc('pid_namespace');
    o.set(this.pidNsOff, 'pid_namespace', 'level', 0);
    o.set(this.pidNsOff, 'pid_namespace', 'pid_max', 4194304);
    o.set(this.pidNsOff, 'pid_namespace', 'ns.inum', K.PROC_PID_INIT_INO);
    o.set(this.pidNsOff, 'pid_namespace', 'ns.__ns_ref.refs.counter', 1);
    this.kallsyms.set('init_pid_ns', mem.toPtr(this.pidNsOff));

    this.nsproxyOff = o.alloc('nsproxy');
    o.set(this.nsproxyOff, 'nsproxy', 'count.refs.counter', 1);
    o.setPtr(this.nsproxyOff, 'nsproxy', 'pid_ns_for_children', this.pidNsOff);
    this.kallsyms.set('init_nsproxy', mem.toPtr(this.nsproxyOff));
    const ns = (struct: string, sym: string, field: string, inum: number): number => {
      const off = o.alloc(struct);
      o.set(off, struct, 'ns.inum', inum);
      o.set(off, struct, 'ns.__ns_ref.refs.counter', 1);
      o.setPtr(this.nsproxyOff, 'nsproxy', field, off);
      this.kallsyms.set(sym, mem.toPtr(off));
      return off;
    };
    const uts = ns('uts_namespace', 'init_uts_ns', 'uts_ns', K.PROC_UTS_INIT_INO);
    const utsname: [string, string][] = [
      ['sysname', 'Linux'], ['nodename', uname.nodename], ['release', uname.release],
      ['version', '#1 SMP PREEMPT_DYNAMIC Sun Nov 22 00:00:00 UTC 2026'], ['machine', 'x86_64'], ['domainname', '(none)'],
    ];
    for (const [f, v] of utsname) o.setString(uts, 'uts_namespace', `name.${f}`, v);
    ns('ipc_namespace', 'init_ipc_ns', 'ipc_ns', K.PROC_IPC_INIT_INO);
    ns('mnt_namespace', 'init_mnt_ns', 'mnt_ns', K.INIT_MNT_INO);
    const net = ns('net', 'init_net', 'net_ns', K.INIT_NET_INO);
    o.set(net, 'net', 'ifindex', 3);
    const time = ns('time_namespace', 'init_time_ns', 'time_ns', K.PROC_TIME_INIT_INO);
    o.setPtr(this.nsproxyOff, 'nsproxy', 'time_ns_for_children', time);
    this.cgroupNsOff = ns('cgroup_namespace', 'init_cgroup_ns', 'cgroup_ns', K.PROC_CGROUP_INIT_INO);

    this.rootCred = this.makeCred({ uid: 0, gid: 0, suid: 0, sgid: 0, euid: 0, egid: 0, fsuid: 0, fsgid: 0 });
    this.kallsyms.set('init_cred', this.rootCred.ptr);

    this.rootCgroup = this.makeCgroup('/', null);
    this.kallsyms.set('cgrp_dfl_root', mem.toPtr(this.cgroupRootOff));
    o.setPtr(this.cgroupNsOff, 'cgroup_namespace', 'root_cset', this.rootCgroup.cssSetOff);

    this.idle = this.makeTask({
      pid: 0, tgid: 0, comm: 'swapper/0', parent: null, leader: null, cred: this.rootCred,
      files: null, mm: null, cgroup: this.rootCgroup, flags: K.PF_KTHREAD | K.PF_IDLE,
      startTime: 0n, fsbase: 0n, signalOff: this.makeSignal(),
    });
    this.kallsyms.set('init_task', this.idle.ptr);
  }

  // ---- lookups ------------------------------------------------------------

  taskByPid(pid: number): Task | undefined {
    return this.pids.get(pid);
  }

  taskByPtr(ptr: bigint): Task | undefined {
    return this.taskOffs.get(this.mem.toOff(ptr));
  }

  fileByPtr(ptr: bigint): File | undefined {
    return this.fileOffs.get(this.mem.toOff(ptr));
  }

  vmaByPtr(ptr: bigint): Vma | undefined {
    return this.vmaOffs.get(this.mem.toOff(ptr));
  }

  cgroupByPtr(ptr: bigint): Cgroup | undefined {
    return this.cgroupOffs.get(this.mem.toOff(ptr));
  }

  cgroupByPath(path: string): Cgroup | undefined {
    return this.cgroupPaths.get(normCgroupPath(path));
  }

  cgroupById(id: bigint): Cgroup | undefined {
    return this.cgroups.find((c) => c.id === id);
  }

  /** d_path() of a dentry, by its pointer (undefined for a pointer that is not a dentry). */
  dentryPath(dentryPtr: bigint): string | undefined {
    return this.dentryPaths.get(this.mem.toOff(dentryPtr));
  }

  /** d_path() of a `struct path *` (what bpf_d_path receives), e.g. &file->f_path. */
  dPath(pathPtr: bigint): string | undefined {
    const off = this.mem.toOff(pathPtr);
    if (off < 0 || !this.mem.readableOff(off, this.types.sizeof('path'))) return undefined;
    return this.dentryPath(this.objs.get(off, 'path', 'dentry'));
  }

  /**
   * Cgroups reachable from `start` in the order of the css iterators (BPF_CGROUP_ITER_*):
   * 'pre' = descendants pre-order (start first), 'post' = descendants post-order (start last),
   * 'up' = start then its ancestors up to the root, 'self' = start only.
   */
  cgroupWalk(start: Cgroup, order: 'pre' | 'post' | 'up' | 'self'): Cgroup[] {
    if (order === 'self') return [start];
    if (order === 'up') return start.ancestors();
    const out: Cgroup[] = [];
    const visit = (c: Cgroup): void => {
      if (order === 'pre') out.push(c);
      for (const ch of c.children) visit(ch);
      if (order === 'post') out.push(c);
    };
    visit(start);
    return out;
  }

  /** Tasks (threads included) whose css_set is `cg`'s, in cset->tasks order (css_task iterator). */
  tasksInCgroup(cg: Cgroup): Task[] {
    return [this.idle, ...this.tasks].filter((t) => t.cgroup === cg && !t.exited);
  }

  /**
   * The tasks an iterator over all tasks visits, in pid order. With `skipDupFiles` (task_file and
   * task_vma iterators), a thread that shares its leader's file table is skipped, as Linux's
   * task_seq_get_next(skip_if_dup_files) does.
   */
  iterTasks(skipDupFiles = false): Task[] {
    return this.tasksByPid().filter((t) => !skipDupFiles || t.isLeader || t.files !== t.leader.files);
  }

  /** (task, fd, file) in iter/task_file order: iterTasks(true), then fds ascending. */
  *iterTaskFiles(): Generator<{ task: Task; fd: number; file: File }> {
    for (const task of this.iterTasks(true)) {
      if (!task.files) continue;
      for (const [fd, file] of task.files.sorted()) yield { task, fd, file };
    }
  }

  /** (task, vma) in iter/task_vma order: iterTasks(true), then VMAs by address. */
  *iterTaskVmas(): Generator<{ task: Task; vma: Vma }> {
    for (const task of this.iterTasks(true)) {
      if (!task.mm) continue;
      for (const vma of task.mm.vmas) yield { task, vma };
    }
  }

  /** thread-group leaders in pid order (what for_each_process and iter/task with one entry per process see) */
  processes(): Task[] {
    return this.tasks.filter((t) => t.isLeader).sort((a, b) => a.pid - b.pid);
  }

  /** all tasks (threads included) in pid order, as the task iterator visits them */
  tasksByPid(): Task[] {
    return [...this.tasks].sort((a, b) => a.pid - b.pid);
  }

  // ---- building -----------------------------------------------------------

  createCgroup(path: string): Cgroup {
    const norm = normCgroupPath(path);
    const hit = this.cgroupPaths.get(norm);
    if (hit) return hit;
    const slash = norm.lastIndexOf('/');
    const parent = this.createCgroup(slash === 0 ? '/' : norm.slice(0, slash));
    return this.makeCgroup(norm, parent);
  }

  spawn(opts: SpawnOptions): Task {
    if (!opts || typeof opts.comm !== 'string') throw new WorldError('spawn: `comm` (a string) is required');
    for (const k of ['files', 'vmas', 'memory'] as const) {
      if (opts[k] !== undefined && !Array.isArray(opts[k])) throw new WorldError(`spawn ${opts.comm}: \`${k}\` must be an array`);
    }
    if (opts.threads !== undefined && !Array.isArray(opts.threads) && !(Number.isInteger(opts.threads) && opts.threads >= 0 && opts.threads <= 4096)) {
      throw new WorldError(`spawn ${opts.comm}: \`threads\` must be a count (0..4096) or an array`);
    }
    for (const m of opts.memory ?? []) {
      if (typeof m?.addr !== 'bigint' || (typeof m.bytes !== 'string' && !(m.bytes instanceof Uint8Array))) {
        throw new WorldError(`spawn ${opts.comm}: memory entries are { addr: bigint, bytes: Uint8Array | string }`);
      }
    }
    for (const k of ['uid', 'gid', 'euid', 'egid'] as const) {
      const v = opts[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new WorldError(`spawn ${opts.comm}: bad ${k} ${String(v)}`);
    }
    if (opts.kthread && (opts.files?.length || opts.vmas?.length || opts.memory?.length)) {
      throw new WorldError(`spawn ${opts.comm}: a kernel thread has no files, VMAs or user memory`);
    }
    const kthread = opts.kthread ?? false;
    const parent = this.resolveParent(opts.parent, kthread);
    const pid = this.allocPid(opts.pid);
    const cgroup = opts.cgroup === undefined ? parent.cgroup : typeof opts.cgroup === 'string' ? this.createCgroup(opts.cgroup) : opts.cgroup;

    const uid = opts.uid ?? (kthread ? 0 : parent === this.idle ? 0 : parent.cred.ids.uid);
    const gid = opts.gid ?? (opts.uid !== undefined ? opts.uid : kthread ? 0 : parent === this.idle ? 0 : parent.cred.ids.gid);
    const euid = opts.euid ?? uid;
    const egid = opts.egid ?? gid;
    const cred = uid === 0 && gid === 0 && euid === 0 && egid === 0 ? this.rootCred
      : this.makeCred({ uid, gid, suid: euid, sgid: egid, euid, egid, fsuid: euid, fsgid: egid });

    let files: FilesTable | null = null;
    let mm: Mm | null = null;
    if (!kthread) {
      files = this.makeFiles();
      mm = this.makeMm();
    }
    const exe = opts.exe ?? `/usr/bin/${opts.comm}`;
    const layout = !kthread && opts.vmas === undefined ? defaultLayout(pid, exe) : undefined;
    const fsbase = opts.fsbase ?? layout?.tls ?? 0n;
    const startTime = opts.startTime ?? this.clock.monotonicNs();
    const task = this.makeTask({
      pid, tgid: pid, comm: opts.comm, parent, leader: null, cred, files, mm, cgroup,
      flags: kthread ? K.PF_KTHREAD : K.PF_RANDOMIZE | K.PF_FORKNOEXEC, startTime, fsbase,
      signalOff: this.makeSignal(),
    });

    if (mm) {
      this.objs.setPtr(mm.off, 'mm_struct', 'owner', task.off);
      const vmas = opts.vmas ?? layout!.vmas;
      for (const v of vmas) this.addVma(task, v);
      if (layout) {
        this.writeArgs(task, layout.stackTop, opts.args ?? [exe], opts.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8', `HOME=${uid === 0 ? '/root' : `/home/u${uid}`}`]);
        this.writeUser(task, layout.textStart, elfHeader());
        this.writeUser(task, layout.heapStart, te.encode(`heap of ${opts.comm}\0`));
        this.writeUser(task, fsbase, u64le(fsbase)); // %fs:0 points to the TCB itself, as glibc sets it up
      }
      const exeVma = mm.vmas.find((v) => v.file?.path === exe);
      if (exeVma?.file) this.objs.setPtr(mm.off, 'mm_struct', 'exe_file', exeVma.file.off);
    }
    for (const m of opts.memory ?? []) this.writeUser(task, m.addr, typeof m.bytes === 'string' ? te.encode(m.bytes) : m.bytes);
    if (files) for (const f of opts.files ?? []) this.openFile(task, f);
    if (!kthread) {
      this.makeFs(task, opts.cwd ?? '/');
      const tty = [...(files?.fds.values() ?? [])].find((f) => /^\/dev\/(pts\/\d+|tty\d*)$/.test(f.path));
      if (tty) this.objs.setPtr(task.signalOff, 'signal_struct', 'tty', this.ttyFor(tty.path));
    }
    if (mm) this.accountRss(mm);

    const threads = typeof opts.threads === 'number' ? Array.from({ length: opts.threads }, () => ({})) : opts.threads ?? [];
    threads.forEach((t: ThreadSpec, i) => {
      this.spawnThread(task, { comm: t.comm, pid: t.pid, fsbase: t.fsbase ?? (layout ? layout.tls - BigInt(i + 1) * 0x801000n : 0n) });
    });
    return task;
  }

  /** fs_struct with root `/` and pwd `cwd` (threads share it). */
  private makeFs(task: Task, cwd: string): void {
    const o = this.objs;
    const fs = o.alloc('fs_struct');
    o.set(fs, 'fs_struct', 'users', 1);
    o.set(fs, 'fs_struct', 'umask', 0o022);
    o.setPtr(fs, 'fs_struct', 'root.dentry', this.dentryFor('/', 'directory', null));
    o.setPtr(fs, 'fs_struct', 'pwd.dentry', this.dentryFor(cwd, 'directory', this.inodeFor(cwd, 'directory', { path: cwd })));
    o.setPtr(task.off, 'task_struct', 'fs', fs);
  }

  /** One tty_struct per terminal device: /dev/pts/3 is `pts3`, /dev/tty1 is `tty1`. */
  private ttyFor(path: string): number {
    let off = this.ttys.get(path);
    if (off === undefined) {
      const o = this.objs;
      off = o.alloc('tty_struct');
      const m = /(\d+)$/.exec(path);
      o.set(off, 'tty_struct', 'index', m ? Number(m[1]) : 0);
      o.setString(off, 'tty_struct', 'name', path.slice('/dev/'.length).replace('/', ''));
      this.ttys.set(path, off);
    }
    return off;
  }

  /** mm->rss_stat: resident file and anonymous pages (a fixed share of each mapping). */
  private accountRss(mm: Mm): void {
    let filePages = 0n;
    let anonPages = 0n;
    for (const v of mm.vmas) {
      const pages = (v.end - v.start) >> 12n;
      if (v.file) filePages += (pages + 1n) / 2n;
      else anonPages += (pages + 3n) / 4n;
    }
    const o = this.objs;
    o.set(mm.off, 'mm_struct', 'rss_stat[0].count', filePages); // MM_FILEPAGES
    o.set(mm.off, 'mm_struct', 'rss_stat[1].count', anonPages); // MM_ANONPAGES
    o.set(mm.off, 'mm_struct', 'hiwater_rss', filePages + anonPages);
  }

  /** Add a thread to `leader`'s thread group: shares mm, files, cred, signal. */
  spawnThread(leader: Task, opts: ThreadSpec = {}): Task {
    if (!leader.isLeader) throw new WorldError(`spawnThread: task ${leader.pid} is not a thread-group leader`);
    const pid = this.allocPid(opts.pid);
    const t = this.makeTask({
      pid, tgid: leader.tgid, comm: opts.comm ?? leader.comm, parent: leader.parent, leader,
      cred: leader.cred, files: leader.files, mm: leader.mm, cgroup: leader.cgroup,
      flags: leader.flags & ~K.PF_FORKNOEXEC, startTime: this.clock.monotonicNs(), fsbase: opts.fsbase ?? 0n,
      signalOff: leader.signalOff,
    });
    if (t.mm && t.fsbase) this.writeUser(t, t.fsbase, u64le(t.fsbase));
    this.objs.set(t.off, 'task_struct', 'fs', this.objs.get(leader.off, 'task_struct', 'fs'));
    return t;
  }

  /** Open a file in `task`'s file table; returns the fd and the file. */
  openFile(task: Task, spec: FileSpec): { fd: number; file: File } {
    const files = task.files;
    if (!files) throw new WorldError(`openFile: task ${task.pid} (${task.comm}) has no file table`);
    if (!spec || typeof spec.path !== 'string' || spec.path === '') throw new WorldError('openFile: `path` is required');
    const file = this.makeFile(spec, task.cred);
    let fd = spec.fd;
    if (fd === undefined) {
      fd = 0;
      while (files.fds.has(fd)) fd++;
    } else if (!Number.isInteger(fd) || fd < 0 || fd >= 1 << 20) {
      throw new WorldError(`openFile: bad fd ${fd}`);
    } else if (files.fds.has(fd)) {
      throw new WorldError(`openFile: fd ${fd} of task ${task.pid} is already open`);
    }
    this.installFd(files, fd, file);
    return { fd, file };
  }

  /** close(fd) */
  closeFd(task: Task, fd: number): void {
    const files = task.files;
    if (!files || !files.fds.has(fd)) throw new WorldError(`closeFd: fd ${fd} of task ${task.pid} is not open`);
    files.fds.delete(fd);
    this.mem.writeU64(files.fdArrayOff + fd * 8, 0n);
    const w = files.openFdsOff + (fd >> 6) * 8;
    this.mem.writeU64(w, this.mem.readU64(w) & ~(1n << BigInt(fd & 63)));
  }

  /** Map a VMA into `task`'s mm. Overlaps are refused. */
  addVma(task: Task, spec: VmaSpec): Vma {
    if (!spec || typeof spec !== 'object') throw new WorldError('addVma: a { start, end, flags?, file?, pgoff?, name? } spec is required');
    const mm = task.mm;
    if (!mm) throw new WorldError(`addVma: task ${task.pid} (${task.comm}) has no mm`);
    const { start, end } = spec;
    if (typeof start !== 'bigint' || typeof end !== 'bigint' || start >= end || (start & 0xfffn) !== 0n || (end & 0xfffn) !== 0n || end > K.TASK_SIZE + 0x1000n) {
      throw new WorldError(`addVma: bad range [${String(start)}, ${String(end)}) (page-aligned, start < end, below TASK_SIZE)`);
    }
    const at = mm.vmas.findIndex((v) => v.end > start);
    if (at >= 0 && mm.vmas[at].start < end) throw new WorldError(`addVma: [0x${start.toString(16)}, 0x${end.toString(16)}) overlaps an existing VMA`);
    const flags = parseVmFlags(spec.flags) | (spec.name === '[stack]' ? K.VM_GROWSDOWN : 0n);
    const file = spec.file ? this.mappedFile(mm, spec.file, task.cred) : null;
    const o = this.objs;
    const off = o.alloc('vm_area_struct');
    const vma = new Vma(off, this.mem.toPtr(off), start, end, flags, BigInt(spec.pgoff ?? 0), file, spec.name, mm);
    o.set(off, 'vm_area_struct', 'vm_start', start);
    o.set(off, 'vm_area_struct', 'vm_end', end);
    o.setPtr(off, 'vm_area_struct', 'vm_mm', mm.off);
    o.set(off, 'vm_area_struct', 'vm_page_prot.pgprot', 0x8000000000000025n);
    o.set(off, 'vm_area_struct', '__vm_flags', flags);
    o.set(off, 'vm_area_struct', 'vm_pgoff', vma.pgoff);
    if (file) o.setPtr(off, 'vm_area_struct', 'vm_file', file.off);
    o.set(off, 'vm_area_struct', 'vm_refcnt.refs.counter', 1);
    mm.vmas.splice(at < 0 ? mm.vmas.length : at, 0, vma);
    this.vmaOffs.set(off, vma);

    const pages = (end - start) >> 12n;
    const bump = (f: string, n: bigint): void => o.set(mm.off, 'mm_struct', f, o.get(mm.off, 'mm_struct', f) + n);
    o.set(mm.off, 'mm_struct', 'map_count', mm.vmas.length);
    bump('total_vm', pages);
    if (flags & K.VM_EXEC) bump('exec_vm', pages);
    else if (spec.name === '[stack]') bump('stack_vm', pages);
    else if (flags & K.VM_WRITE) bump('data_vm', pages);
    if (spec.name === '[heap]') {
      o.set(mm.off, 'mm_struct', 'start_brk', start);
      o.set(mm.off, 'mm_struct', 'brk', end);
    } else if (spec.name === '[stack]') {
      o.set(mm.off, 'mm_struct', 'start_stack', end - 0x1000n);
    } else if (file && (flags & K.VM_EXEC) && o.get(mm.off, 'mm_struct', 'start_code') === 0n) {
      o.set(mm.off, 'mm_struct', 'start_code', start);
      o.set(mm.off, 'mm_struct', 'end_code', end);
    } else if (file && (flags & K.VM_WRITE) && o.get(mm.off, 'mm_struct', 'start_data') === 0n) {
      o.set(mm.off, 'mm_struct', 'start_data', start);
      o.set(mm.off, 'mm_struct', 'end_data', end);
    }
    return vma;
  }

  /** Write bytes into a task's user address space (mapping the pages). */
  writeUser(task: Task, addr: bigint, bytes: Uint8Array): void {
    if (!task.mm) throw new WorldError(`writeUser: task ${task.pid} (${task.comm}) has no mm`);
    task.mm.user.map(addr, bytes);
  }

  setComm(task: Task, comm: string): void {
    task.comm = truncComm(comm);
    this.objs.setString(task.off, 'task_struct', 'comm', comm);
  }

  setFsbase(task: Task, fsbase: bigint): void {
    task.fsbase = fsbase;
    this.objs.set(task.off, 'task_struct', 'thread.fsbase', fsbase);
  }

  setState(task: Task, state: number): void {
    this.objs.set(task.off, 'task_struct', '__state', state);
  }

  /** Move a whole thread group to another cgroup. */
  moveToCgroup(task: Task, cgroup: Cgroup | string): void {
    const cg = typeof cgroup === 'string' ? this.createCgroup(cgroup) : cgroup;
    for (const t of task.leader.threads) {
      const o = this.objs;
      const old = t.cgroup.cssSetOff;
      o.listDel(t.off + o.off('task_struct', 'cg_list'));
      o.set(old, 'css_set', 'nr_tasks', o.get(old, 'css_set', 'nr_tasks') - 1n);
      t.cgroup = cg;
      this.linkCgroup(t);
    }
  }

  /**
   * A process (all its threads) or a single thread exits and is reaped: it leaves the pid table,
   * the task list, its parent's children, its thread group and its css_set; its children are
   * reparented to init. The memory stays allocated, so stale pointers read old values, as after
   * an RCU grace period has not passed yet.
   */
  exitTask(task: Task): void {
    if (task === this.idle) throw new WorldError('exitTask: the idle task cannot exit');
    if (task.exited) throw new WorldError(`exitTask: task ${task.pid} already exited`);
    const o = this.objs;
    const S = 'task_struct';
    const victims = task.isLeader ? [...task.threads].reverse() : [task];
    for (const t of victims) {
      t.exited = true;
      o.listDel(t.off + o.off(S, 'thread_node'));
      o.listDel(t.off + o.off(S, 'cg_list'));
      const cset = t.cgroup.cssSetOff;
      o.set(cset, 'css_set', 'nr_tasks', o.get(cset, 'css_set', 'nr_tasks') - 1n);
      const sig = t.signalOff;
      o.set(sig, 'signal_struct', 'nr_threads', o.get(sig, 'signal_struct', 'nr_threads') - 1n);
      o.set(sig, 'signal_struct', 'live.counter', o.get(sig, 'signal_struct', 'live.counter') - 1n);
      o.set(t.off, S, 'exit_state', 0x10); // EXIT_DEAD
      o.set(t.off, S, '__state', 0x80); // TASK_DEAD
      o.set(t.off, S, 'flags', Number(o.get(t.off, S, 'flags')) | K.PF_EXITING);
      this.pids.delete(t.pid);
      this.tasks.splice(this.tasks.indexOf(t), 1);
      const lt = t.leader.threads;
      lt.splice(lt.indexOf(t), 1);
    }
    if (task.isLeader) {
      o.listDel(task.off + o.off(S, 'tasks'));
      o.listDel(task.off + o.off(S, 'sibling'));
      if (task.parent) task.parent.children.splice(task.parent.children.indexOf(task), 1);
      const reaper = this.pids.get(1) ?? this.idle;
      for (const child of [...task.children]) {
        o.listDel(child.off + o.off(S, 'sibling'));
        o.listAddTail(child.off + o.off(S, 'sibling'), reaper.off + o.off(S, 'children'));
        for (const th of child.threads) {
          o.setPtr(th.off, S, 'real_parent', reaper.off);
          o.setPtr(th.off, S, 'parent', reaper.off);
          th.parent = reaper;
        }
        reaper.children.push(child);
      }
      task.children.length = 0;
    }
  }

  // ---- object construction ----------------------------------------------------------

  private resolveParent(p: SpawnOptions['parent'], kthread: boolean): Task {
    if (p === undefined) return (kthread ? this.pids.get(2) : this.pids.get(1)) ?? this.idle;
    if (typeof p === 'number') {
      if (p === 0) return this.idle;
      const t = this.pids.get(p);
      if (!t) throw new WorldError(`spawn: no parent with pid ${p}`);
      return t.leader;
    }
    if (!(p instanceof Task)) throw new WorldError('spawn: `parent` must be a Task or a pid');
    return p.leader;
  }

  private allocPid(want?: number): number {
    if (want !== undefined) {
      if (!Number.isInteger(want) || want <= 0 || want > 4194304) throw new WorldError(`bad pid ${want}`);
      if (this.pids.has(want)) throw new WorldError(`pid ${want} is in use`);
      if (want >= this.nextPid) this.nextPid = want + 1;
      return want;
    }
    while (this.pids.has(this.nextPid)) this.nextPid++;
    return this.nextPid++;
  }

  private makeCred(ids: CredIds): Cred {
    const o = this.objs;
    const off = o.alloc('cred');
    o.set(off, 'cred', 'usage.counter', 1);
    for (const k of Object.keys(ids) as (keyof CredIds)[]) o.set(off, 'cred', `${k}.val`, ids[k]);
    const caps = ids.euid === 0 ? K.CAP_FULL_SET : 0n;
    o.set(off, 'cred', 'cap_permitted.val', caps);
    o.set(off, 'cred', 'cap_effective.val', caps);
    o.set(off, 'cred', 'cap_bset.val', K.CAP_FULL_SET);
    return new Cred(off, this.mem.toPtr(off), { ...ids });
  }

  private makeSignal(): number {
    const o = this.objs;
    const off = o.alloc('signal_struct');
    o.initList(off + o.off('signal_struct', 'thread_head'));
    o.set(off, 'signal_struct', 'sigcnt.refs.counter', 1);
    o.set(off, 'signal_struct', 'oom_score_adj', 0);
    return off;
  }

  private makeFiles(): FilesTable {
    const o = this.objs;
    const off = o.alloc('files_struct');
    const fdt = off + o.off('files_struct', 'fdtab');
    const arr = off + o.off('files_struct', 'fd_array');
    const openFds = off + o.off('files_struct', 'open_fds_init');
    o.set(off, 'files_struct', 'count.counter', 1);
    o.setPtr(off, 'files_struct', 'fdt', fdt);
    o.set(fdt, 'fdtable', 'max_fds', 64);
    o.setPtr(fdt, 'fdtable', 'fd', arr);
    o.setPtr(fdt, 'fdtable', 'open_fds', openFds);
    o.setPtr(fdt, 'fdtable', 'close_on_exec', off + o.off('files_struct', 'close_on_exec_init'));
    o.setPtr(fdt, 'fdtable', 'full_fds_bits', off + o.off('files_struct', 'full_fds_bits_init'));
    return new FilesTable(off, this.mem.toPtr(off), fdt, arr, 64, openFds);
  }

  private installFd(files: FilesTable, fd: number, file: File): void {
    const o = this.objs;
    if (fd >= files.maxFds) this.expandFdtable(files, fd + 1);
    files.fds.set(fd, file);
    this.mem.writeU64(files.fdArrayOff + fd * 8, file.ptr);
    const w = files.openFdsOff + (fd >> 6) * 8;
    this.mem.writeU64(w, this.mem.readU64(w) | (1n << BigInt(fd & 63)));
    let next = 0;
    while (files.fds.has(next)) next++;
    o.set(files.off, 'files_struct', 'next_fd', next);
  }

  /** expand_fdtable(): a bigger struct fdtable with its own fd array and bitmaps. */
  private expandFdtable(files: FilesTable, need: number): void {
    const o = this.objs;
    let max = 256;
    while (max < need) max *= 2;
    const fdt = o.alloc('fdtable');
    const arr = this.mem.alloc(max * 8);
    const bitmapBytes = max / 8;
    const openFds = this.mem.alloc(bitmapBytes);
    const cloexec = this.mem.alloc(bitmapBytes);
    const full = this.mem.alloc(Math.max(8, bitmapBytes / 64));
    this.mem.copy(arr, files.fdArrayOff, files.maxFds * 8);
    this.mem.copy(openFds, files.openFdsOff, files.maxFds / 8);
    o.set(fdt, 'fdtable', 'max_fds', max);
    o.setPtr(fdt, 'fdtable', 'fd', arr);
    o.setPtr(fdt, 'fdtable', 'open_fds', openFds);
    o.setPtr(fdt, 'fdtable', 'close_on_exec', cloexec);
    o.setPtr(fdt, 'fdtable', 'full_fds_bits', full);
    o.setPtr(files.off, 'files_struct', 'fdt', fdt);
    files.fdtOff = fdt;
    files.fdArrayOff = arr;
    files.maxFds = max;
    files.openFdsOff = openFds;
  }

  private makeMm(): Mm {
    const o = this.objs;
    const off = o.alloc('mm_struct');
    o.set(off, 'mm_struct', 'mm_count.counter', 1);
    o.set(off, 'mm_struct', 'mm_users.counter', 1);
    o.set(off, 'mm_struct', 'task_size', K.TASK_SIZE);
    o.set(off, 'mm_struct', 'mmap_base', 0x7f0000000000n);
    o.set(off, 'mm_struct', 'mmap_legacy_base', 0x7f0000000000n);
    return new Mm(off, this.mem.toPtr(off), new UserAddressSpace());
  }

  private makeTask(a: {
    pid: number; tgid: number; comm: string; parent: Task | null; leader: Task | null; cred: Cred;
    files: FilesTable | null; mm: Mm | null; cgroup: Cgroup; flags: number; startTime: bigint;
    fsbase: bigint; signalOff: number;
  }): Task {
    const o = this.objs;
    const S = 'task_struct';
    const off = o.alloc(S);
    const ptr = this.mem.toPtr(off);
    const t = new Task(off, ptr, a.pid, a.tgid, truncComm(a.comm), a.parent, a.leader, a.cred, a.files, a.mm, a.cgroup, a.signalOff, a.flags, a.startTime, a.fsbase);
    const kthread = (a.flags & K.PF_KTHREAD) !== 0;
    o.set(off, S, '__state', kthread ? K.TASK_IDLE : K.TASK_INTERRUPTIBLE);
    o.set(off, S, 'usage.refs.counter', 1);
    o.set(off, S, 'flags', a.flags);
    o.set(off, S, 'user_dumpable', kthread ? 0 : 1);
    o.set(off, S, 'prio', 120);
    o.set(off, S, 'static_prio', 120);
    o.set(off, S, 'normal_prio', 120);
    o.set(off, S, 'nr_cpus_allowed', this.nrCpus);
    // CPU time consumed so far: a deterministic function of the pid
    const runtime = BigInt((a.pid * 7919 + 104729) % 1000003) * 13_370n;
    o.set(off, S, 'se.load.weight', 1048576);
    o.set(off, S, 'se.load.inv_weight', 4096);
    o.set(off, S, 'se.sum_exec_runtime', runtime);
    o.set(off, S, 'se.vruntime', runtime + 1_000_000n);
    o.set(off, S, 'se.exec_start', a.startTime);
    o.set(off, S, 'se.nr_migrations', BigInt(a.pid % 17));
    o.set(off, S, 'utime', (runtime * 3n) / 5n);
    o.set(off, S, 'stime', (runtime * 2n) / 5n);
    o.set(off, S, 'nvcsw', a.pid % 997);
    o.set(off, S, 'nivcsw', a.pid % 31);
    for (const f of ['tasks', 'children', 'sibling', 'ptraced', 'ptrace_entry', 'thread_node', 'cg_list']) o.initList(off + o.off(S, f));
    if (a.mm) {
      o.setPtr(off, S, 'mm', a.mm.off);
      o.setPtr(off, S, 'active_mm', a.mm.off);
    }
    o.set(off, S, 'exit_signal', a.leader ? -1 : K.SIGCHLD);
    o.set(off, S, 'pid', a.pid);
    o.set(off, S, 'tgid', a.tgid);
    const parentOff = a.parent ? a.parent.off : off;
    o.setPtr(off, S, 'real_parent', parentOff);
    o.setPtr(off, S, 'parent', parentOff);
    o.setPtr(off, S, 'group_leader', a.leader ? a.leader.off : off);
    o.set(off, S, 'start_time', a.startTime);
    o.set(off, S, 'start_boottime', a.startTime + this.clock.suspendedNs);
    o.setPtr(off, S, 'real_cred', a.cred.off);
    o.setPtr(off, S, 'cred', a.cred.off);
    o.setString(off, S, 'comm', a.comm);
    if (a.files) o.setPtr(off, S, 'files', a.files.off);
    o.setPtr(off, S, 'nsproxy', this.nsproxyOff);
    o.setPtr(off, S, 'signal', a.signalOff);
    const uid = a.cred.ids.uid;
    o.set(off, S, 'loginuid.val', uid >= 1000 ? uid : 0xffffffff);
    o.set(off, S, 'sessionid', uid >= 1000 ? 1 : 0xffffffff);
    o.set(off, S, 'thread.fsbase', a.fsbase);
    o.set(off, S, 'thread.sp', ptr + BigInt(o.types.sizeof(S)));

    // struct pid with one upid (level 0 in init_pid_ns)
    const pidOff = o.alloc('pid', o.types.sizeof('upid'));
    o.set(pidOff, 'pid', 'count.refs.counter', 1);
    o.set(pidOff, 'pid', 'level', 0);
    o.set(pidOff, 'pid', 'ino', BigInt(a.pid) + 0x100000000n);
    o.set(pidOff, 'pid', 'numbers[0].nr', a.pid);
    o.setPtr(pidOff, 'pid', 'numbers[0].ns', this.pidNsOff);
    o.setPtr(off, S, 'thread_pid', pidOff);

    // thread group: signal->thread_head ... task->thread_node
    const sig = a.signalOff;
    o.listAddTail(off + o.off(S, 'thread_node'), sig + o.off('signal_struct', 'thread_head'));
    o.set(sig, 'signal_struct', 'nr_threads', o.get(sig, 'signal_struct', 'nr_threads') + 1n);
    o.set(sig, 'signal_struct', 'quick_threads', o.get(sig, 'signal_struct', 'quick_threads') + 1n);
    o.set(sig, 'signal_struct', 'live.counter', o.get(sig, 'signal_struct', 'live.counter') + 1n);
    if (!a.leader) {
      o.setPtr(sig, 'signal_struct', 'curr_target', off);
      for (const i of [0, 1, 2, 3]) o.setPtr(sig, 'signal_struct', `pids[${i}]`, pidOff);
      o.set(sig, 'signal_struct', 'leader', a.parent && a.parent.pid <= 1 ? 1 : 0);
    }
    const leader = a.leader ?? t;
    leader.threads.push(t);
    if (a.mm && a.leader) o.set(a.mm.off, 'mm_struct', 'mm_users.counter', leader.threads.length);

    if (a.pid !== 0) {
      if (!a.leader) {
        // a new process: on the global task list and its parent's children list
        o.listAddTail(off + o.off(S, 'tasks'), this.idle.off + o.off(S, 'tasks'));
        if (a.parent) {
          o.listAddTail(off + o.off(S, 'sibling'), a.parent.off + o.off(S, 'children'));
          a.parent.children.push(t);
        }
      }
      this.tasks.push(t);
      this.pids.set(a.pid, t);
    }
    this.taskOffs.set(off, t);
    this.linkCgroup(t);
    return t;
  }

  private linkCgroup(t: Task): void {
    const o = this.objs;
    const cset = t.cgroup.cssSetOff;
    o.setPtr(t.off, 'task_struct', 'cgroups', cset);
    o.listAddTail(t.off + o.off('task_struct', 'cg_list'), cset + o.off('css_set', 'tasks'));
    o.set(cset, 'css_set', 'nr_tasks', o.get(cset, 'css_set', 'nr_tasks') + 1n);
  }

  private makeCgroup(path: string, parent: Cgroup | null): Cgroup {
    const o = this.objs;
    const level = parent ? parent.level + 1 : 0;
    const name = parent ? path.slice(path.lastIndexOf('/') + 1) : '';
    const id = this.nextCgroupId++;
    let off: number;
    if (parent) off = o.alloc('cgroup', (level + 1) * 8);
    else {
      // the root cgroup is embedded in its hierarchy's cgroup_root (cgrp_dfl_root.cgrp), whose
      // next member, cgrp_ancestor_storage, is the root's ancestors[0]
      this.cgroupRootOff = o.alloc('cgroup_root');
      const R = 'cgroup_root';
      o.set(this.cgroupRootOff, R, 'hierarchy_id', 0);
      o.set(this.cgroupRootOff, R, 'subsys_mask', (1 << CGROUP_SUBSYS_COUNT) - 1);
      o.initList(this.cgroupRootOff + o.off(R, 'root_list'));
      o.setString(this.cgroupRootOff, R, 'name', '');
      off = this.cgroupRootOff + o.off(R, 'cgrp');
    }
    const ptr = this.mem.toPtr(off);
    o.setPtr(off, 'cgroup', 'root', this.cgroupRootOff);
    o.set(this.cgroupRootOff, 'cgroup_root', 'nr_cgrps.counter', this.nextCgroupId - 1n);

    const kn = o.alloc('kernfs_node');
    o.set(kn, 'kernfs_node', 'count.counter', 1);
    o.set(kn, 'kernfs_node', 'active.counter', 1);
    if (parent) o.setPtr(kn, 'kernfs_node', '__parent', parent.knOff);
    o.setPtr(kn, 'kernfs_node', 'name', o.cstring(name));
    o.set(kn, 'kernfs_node', 'hash', nameHash(te.encode(name)) & 0x7fffffff);
    o.set(kn, 'kernfs_node', 'flags', 0x1); // KERNFS_DIR
    o.set(kn, 'kernfs_node', 'mode', K.S_IFDIR | 0o755);
    o.set(kn, 'kernfs_node', 'id', id);
    o.setPtr(kn, 'kernfs_node', 'priv', off);

    const cg = new Cgroup(off, ptr, path, name, level, id, parent, kn);
    const self = off + o.off('cgroup', 'self');
    o.setPtr(self, 'cgroup_subsys_state', 'cgroup', off);
    o.initList(self + o.off('cgroup_subsys_state', 'sibling'));
    o.initList(self + o.off('cgroup_subsys_state', 'children'));
    o.set(self, 'cgroup_subsys_state', 'id', Number(id));
    o.set(self, 'cgroup_subsys_state', 'flags', 0x3); // CSS_NO_REF | CSS_ONLINE
    o.set(self, 'cgroup_subsys_state', 'serial_nr', id + 1n);
    o.set(self, 'cgroup_subsys_state', 'online_cnt.counter', 1);
    if (parent) {
      const pself = parent.off + o.off('cgroup', 'self');
      o.setPtr(self, 'cgroup_subsys_state', 'parent', pself);
      o.listAddTail(self + o.off('cgroup_subsys_state', 'sibling'), pself + o.off('cgroup_subsys_state', 'children'));
      parent.children.push(cg);
      for (let a: Cgroup | null = parent; a; a = a.parent) {
        o.set(a.off, 'cgroup', 'nr_descendants', o.get(a.off, 'cgroup', 'nr_descendants') + 1n);
        o.set(a.off + o.off('cgroup', 'self'), 'cgroup_subsys_state', 'nr_descendants', o.get(a.off, 'cgroup', 'nr_descendants'));
      }
    }
    o.set(off, 'cgroup', 'level', level);
    o.set(off, 'cgroup', 'max_depth', 0x7fffffff);
    o.set(off, 'cgroup', 'max_descendants', 0x7fffffff);
    o.setPtr(off, 'cgroup', 'kn', kn);
    o.setPtr(off, 'cgroup', 'dom_cgrp', off);
    o.initList(off + o.off('cgroup', 'cset_links'));
    for (let i = 0; i < CGROUP_SUBSYS_COUNT; i++) o.initList(off + o.off('cgroup', `e_csets[${i}]`));
    const anc = cg.ancestors().reverse();
    const ancOff = off + o.off('cgroup', 'ancestors');
    anc.forEach((c, i) => this.mem.writeU64(ancOff + i * 8, c.ptr));

    // the cgroup's css_set: every controller's css is the cgroup's own (a cgroup v2 view)
    const cset = o.alloc('css_set');
    for (let i = 0; i < CGROUP_SUBSYS_COUNT; i++) {
      o.setPtr(cset, 'css_set', `subsys[${i}]`, self);
      o.initList(cset + o.off('css_set', `e_cset_node[${i}]`));
    }
    o.set(cset, 'css_set', 'refcount.refs.counter', 1);
    o.setPtr(cset, 'css_set', 'dom_cset', cset);
    o.setPtr(cset, 'css_set', 'dfl_cgrp', off);
    for (const f of ['tasks', 'mg_tasks', 'dying_tasks', 'task_iters', 'threaded_csets', 'threaded_csets_node', 'cgrp_links']) {
      o.initList(cset + o.off('css_set', f));
    }
    cg.cssSetOff = cset;

    this.cgroups.push(cg);
    this.cgroupOffs.set(off, cg);
    this.cgroupPaths.set(path, cg);
    return cg;
  }

  /** struct socket + struct sock for a socket inode (shared by every file of that socket). */
  private socketFor(path: string, spec: SocketSpec, file: File): SockInfo {
    const hit = this.sockets.get(path);
    if (hit) return hit;
    const o = this.objs;
    const family = { unix: 1, inet: 2, inet6: 10 }[spec.family ?? 'unix'];
    if (family === undefined) throw new WorldError(`socket ${path}: bad family '${String(spec.family)}'`);
    const type = { stream: 1, dgram: 2, raw: 3 }[spec.type ?? 'stream'];
    if (type === undefined) throw new WorldError(`socket ${path}: bad type '${String(spec.type)}'`);
    const protocol = family === 1 ? 0 : type === 1 ? 6 : type === 2 ? 17 : 255;
    const local = spec.local !== undefined ? parseSockAddr(spec.local, family, path) : undefined;
    const remote = spec.remote !== undefined ? parseSockAddr(spec.remote, family, path) : undefined;
    const stateName = spec.state ?? (type === 1 && local && !remote ? 'listen' : 'established');
    const state = TCP_STATES[stateName];
    if (state === undefined) throw new WorldError(`socket ${path}: bad state '${stateName}'`);

    const sock = o.alloc('sock');
    const socket = o.alloc('socket');
    o.set(socket, 'socket', 'state', state === 1 ? 3 : 1); // SS_CONNECTED / SS_UNCONNECTED
    o.set(socket, 'socket', 'type', type);
    o.setPtr(socket, 'socket', 'file', file.off);
    o.setPtr(socket, 'socket', 'sk', sock);
    const C = '__sk_common';
    o.set(sock, 'sock', `${C}.skc_family`, family);
    o.set(sock, 'sock', `${C}.skc_state`, state);
    o.set(sock, 'sock', `${C}.skc_refcnt.refs.counter`, 1);
    if (family !== 1 && state === 10) o.set(sock, 'sock', `${C}.skc_reuse`, 1); // SK_CAN_REUSE, as servers set SO_REUSEADDR
    if (family === 10 && local && local.addr.every((b) => b === 0)) o.set(sock, 'sock', `${C}.skc_ipv6only`, 1);
    o.set(sock, 'sock', `${C}.skc_cookie.counter`, BigInt(file.inode.ino) * 4096n + 1n);
    o.setPtr(sock, 'sock', `${C}.skc_net.net`, this.mem.toOff(this.kallsyms.get('init_net')!));
    const put = (field: string, a: { addr: Uint8Array } | undefined): void => {
      if (!a) return;
      const at = sock + o.off('sock', field);
      this.mem.writeBytes(at, a.addr);
    };
    if (family === 2) {
      put(`${C}.skc_rcv_saddr`, local);
      put(`${C}.skc_daddr`, remote);
    } else if (family === 10) {
      put(`${C}.skc_v6_rcv_saddr`, local);
      put(`${C}.skc_v6_daddr`, remote);
    }
    if (local) o.set(sock, 'sock', `${C}.skc_num`, local.port);
    if (remote) o.set(sock, 'sock', `${C}.skc_dport`, ((remote.port & 0xff) << 8) | (remote.port >> 8)); // network order
    o.set(sock, 'sock', 'sk_rcvbuf', 131072);
    o.set(sock, 'sock', 'sk_sndbuf', 16384);
    o.setPtr(sock, 'sock', 'sk_socket', socket);
    o.set(sock, 'sock', 'sk_protocol', protocol);
    o.set(sock, 'sock', 'sk_type', type);
    const info: SockInfo = { socketOff: socket, sockOff: sock, family, type, protocol, state, local, remote };
    this.sockets.set(path, info);
    return info;
  }

  /** One struct file per mapped path per mm: the file every segment of one mmap() shares. */
  private mappedFile(mm: Mm, path: string, cred: Cred): File {
    let cache = this.mmFiles.get(mm);
    if (!cache) this.mmFiles.set(mm, (cache = new Map()));
    let f = cache.get(path);
    if (!f) cache.set(path, (f = this.makeFile({ path, flags: 'r', kind: 'regular' }, cred, false)));
    return f;
  }

  private fopsOff(name: string): number {
    return this.fops.get(name)!;
  }

  /** The struct file for a spec; inodes and dentries are shared per path. */
  private makeFile(spec: FileSpec, cred: Cred, track = true): File {
    const path = spec.path;
    if (!path.startsWith('/') && !/^(pipe|socket|anon_inode):\S+$/.test(path)) {
      throw new WorldError(`bad path '${path}' (absolute paths, or pipe:[N] / socket:[N] / anon_inode:[name])`);
    }
    const kind = spec.kind ?? inferKind(path);
    const flags = parseFlags(spec.flags, kind);
    const inode = this.inodeFor(path, kind, spec);
    const dentry = this.dentryFor(path, kind, inode);
    const acc = flags & K.O_ACCMODE;
    let fmode = (acc === K.O_RDONLY || acc === K.O_RDWR ? K.FMODE_READ | K.FMODE_CAN_READ : 0)
      | (acc === K.O_WRONLY || acc === K.O_RDWR ? K.FMODE_WRITE | K.FMODE_CAN_WRITE : 0);
    if (kind === 'regular' || kind === 'directory') fmode |= K.FMODE_LSEEK | K.FMODE_PREAD | K.FMODE_PWRITE;
    const fopsName = fopsFor(kind, path);
    const o = this.objs;
    const off = o.alloc('file');
    const F = 'file';
    o.set(off, F, 'f_mode', fmode);
    o.setPtr(off, F, 'f_op', this.fopsOff(fopsName));
    o.setPtr(off, F, 'f_inode', inode.off);
    o.set(off, F, 'f_flags', flags);
    o.setPtr(off, F, 'f_cred', cred.off);
    o.setPtr(off, F, '__f_path.dentry', dentry);
    o.set(off, F, 'f_pos', BigInt(spec.pos ?? 0));
    o.set(off, F, 'f_ref.refcnt.counter', 1);
    const displayPath = kind === 'directory' && path.length > 1 ? path.replace(/\/+$/, '') : path;
    const file = new File(off, this.mem.toPtr(off), kind, displayPath, inode, dentry, flags, fmode, fopsName);
    if (kind === 'socket') {
      file.sock = this.socketFor(path, spec.socket ?? {}, file);
      o.setPtr(off, F, 'private_data', file.sock.socketOff);
    }
    this.fileOffs.set(off, file);
    if (track) this.files.push(file);
    return file;
  }

  private inodeFor(rawPath: string, kind: FileKind, spec: FileSpec): Inode {
    const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
    const hit = this.inodes.get(path);
    if (hit) return hit;
    const typeBits = { regular: K.S_IFREG, directory: K.S_IFDIR, pipe: K.S_IFIFO, socket: K.S_IFSOCK, anon_inode: K.S_IFREG, char: K.S_IFCHR }[kind];
    const perm = spec.perm ?? (kind === 'directory' ? 0o755 : kind === 'char' ? 0o666 : kind === 'anon_inode' ? 0o600 : kind === 'socket' ? 0o777 : 0o644);
    const m = /\[(\d+)\]$/.exec(path);
    const ino = m ? Number(m[1]) : kind === 'anon_inode' ? 1 : kind === 'pipe' || kind === 'socket' ? this.nextPseudoIno++ : this.nextIno++;
    const size = BigInt(spec.size ?? (kind === 'directory' ? 4096 : 0));
    const o = this.objs;
    const off = o.alloc('inode');
    const I = 'inode';
    const mode = typeBits | perm;
    o.set(off, I, 'i_mode', mode);
    o.set(off, I, 'i_ino', ino);
    o.set(off, I, '__i_nlink', kind === 'directory' ? 2 : 1);
    o.set(off, I, 'i_size', size);
    const t = 1_767_225_600n;
    for (const f of ['i_atime_sec', 'i_mtime_sec', 'i_ctime_sec']) o.set(off, I, f, t);
    o.set(off, I, 'i_blkbits', 12);
    o.set(off, I, 'i_blocks', ((size + 511n) / 512n + 7n) & ~7n);
    o.set(off, I, 'i_count.counter', 1);
    o.setPtr(off, I, 'i_fop', this.fopsOff(fopsFor(kind, path)));
    const inode = new Inode(off, this.mem.toPtr(off), ino, mode, size);
    this.inodes.set(path, inode);
    return inode;
  }

  /** A dentry chain for `path` (each component's d_parent is its directory; `/`'s is itself). */
  private dentryFor(path: string, kind: FileKind, inode: Inode | null): number {
    const key = path;
    const hit = this.dentries.get(key);
    if (hit) return hit;
    let name: string;
    let parent: number;
    const pseudo = /^(pipe|socket|anon_inode):(.*)$/.exec(path);
    if (pseudo) {
      // pseudo filesystems: sockets and pipes have empty names (d_dname builds `pipe:[N]`),
      // anon inodes are named like `[eventfd]`; they hang directly under their fs root
      parent = this.dentryFor(`@${pseudo[1]}:`, 'directory', null);
      name = pseudo[1] === 'anon_inode' ? pseudo[2] : '';
    } else if (path.startsWith('@')) {
      name = path.slice(1);
      parent = 0;
    } else {
      const clean = path.replace(/\/+$/, '') || '/';
      if (!clean.startsWith('/')) throw new WorldError(`bad path '${path}' (absolute paths, or pipe:[N] / socket:[N] / anon_inode:[name])`);
      if (clean === '/') {
        name = '/';
        parent = 0;
        inode ??= this.inodeFor('/', 'directory', { path: '/' });
      } else {
        const slash = clean.lastIndexOf('/');
        const dir = slash === 0 ? '/' : clean.slice(0, slash);
        parent = this.dentryFor(dir, 'directory', this.inodeFor(dir, 'directory', { path: dir }));
        name = clean.slice(slash + 1);
      }
      if (clean !== path) {
        // `/home/alice/` is the dentry of `/home/alice`
        const d = this.dentryFor(clean, kind, inode);
        this.dentries.set(path, d);
        return d;
      }
    }
    const o = this.objs;
    const D = 'dentry';
    const off = o.alloc(D);
    const enc = te.encode(name);
    const shortOff = off + o.off(D, 'd_shortname');
    let nameOff: number;
    if (enc.length < 40) {
      this.mem.writeBytes(shortOff, enc); // short names live inline, as in Linux
      nameOff = shortOff;
    } else nameOff = o.cstring(name);
    o.set(off, D, 'd_flags', inode ? 0x00100000 : 0x00200000);
    o.setPtr(off, D, 'd_parent', parent === 0 ? off : parent);
    o.set(off, D, '__d_name.hash', nameHash(enc));
    o.set(off, D, '__d_name.len', enc.length);
    o.setPtr(off, D, '__d_name.name', nameOff);
    if (inode) o.setPtr(off, D, 'd_inode', inode.off);
    this.dentries.set(key, off);
    if (!key.startsWith('@')) this.dentryPaths.set(off, key === '/' ? '/' : key.replace(/\/+$/, ''));
    return off;
  }

  /** argv/envp strings at the top of the stack; mm->arg_start.. and env_start.. point at them. */
  private writeArgs(task: Task, stackTop: bigint, args: string[], env: string[]): void {
    const mm = task.mm!;
    const argBytes = te.encode(args.map((s) => s + '\0').join(''));
    const envBytes = te.encode(env.map((s) => s + '\0').join(''));
    const envStart = (stackTop - BigInt(envBytes.length) - 8n) & ~7n;
    const argStart = (envStart - BigInt(argBytes.length)) & ~7n;
    this.writeUser(task, argStart, argBytes);
    this.writeUser(task, envStart, envBytes);
    const o = this.objs;
    o.set(mm.off, 'mm_struct', 'arg_start', argStart);
    o.set(mm.off, 'mm_struct', 'arg_end', argStart + BigInt(argBytes.length));
    o.set(mm.off, 'mm_struct', 'env_start', envStart);
    o.set(mm.off, 'mm_struct', 'env_end', envStart + BigInt(envBytes.length));
  }
}

const TCP_STATES: Record<string, number> = {
  established: 1, syn_sent: 2, syn_recv: 3, fin_wait1: 4, fin_wait2: 5, time_wait: 6, close: 7,
  close_wait: 8, last_ack: 9, listen: 10, closing: 11,
};

/** `1.2.3.4:80` / `[::1]:80` → network-order address bytes and the port. */
function parseSockAddr(s: string, family: number, path: string): { addr: Uint8Array; port: number } {
  const bad = (): never => {
    throw new WorldError(`socket ${path}: bad address '${s}' for ${family === 2 ? 'inet' : family === 10 ? 'inet6' : 'unix'}`);
  };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)$/.exec(s);
  if (!m || family === 1) return bad();
  const port = Number(m[3]);
  if (port > 65535) return bad();
  if (family === 2) {
    if (!m[2]) return bad();
    const parts = m[2].split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p > 255)) return bad();
    return { addr: new Uint8Array(parts), port };
  }
  if (!m[1]) return bad();
  const [head, tail] = m[1].includes('::') ? m[1].split('::') : [m[1], undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return bad();
  const addr = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    addr[i * 2] = v >> 8;
    addr[i * 2 + 1] = v & 0xff;
  });
  return { addr, port };
}

function normCgroupPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new WorldError(`bad cgroup path '${String(path)}' (must start with /)`);
  const parts = path.split('/').filter((p) => p !== '');
  for (const p of parts) if (p === '.' || p === '..') throw new WorldError(`bad cgroup path '${path}'`);
  return '/' + parts.join('/');
}

/** comm is char[16]: at most 15 bytes of the name survive (TASK_COMM_LEN) */
function truncComm(s: string): string {
  const b = te.encode(s);
  return b.length <= 15 ? s : new TextDecoder().decode(b.subarray(0, 15)).replace(/\uFFFD+$/, '');
}

function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

function elfHeader(): Uint8Array {
  // e_ident of an x86-64 ELF64 little-endian executable, e_type ET_DYN, e_machine EM_X86_64
  return new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 0, 0, 0]);
}

export interface DefaultLayout {
  vmas: VmaSpec[];
  textStart: bigint;
  heapStart: bigint;
  stackTop: bigint;
  tls: bigint;
}

/**
 * A PIE executable with glibc, like /proc/PID/maps shows on x86-64: the executable's four
 * segments, heap, ld cache-free libc and ld.so mappings, an anonymous TLS area, stack, vvar and
 * vdso. Addresses vary per pid (deterministically), as ASLR would make them.
 */
export function defaultLayout(pid: number, exe: string): DefaultLayout {
  const salt = BigInt((pid * 0x9e37) & 0xffff);
  const exeBase = 0x555555554000n + (salt << 16n);
  const libBase = 0x7f0000000000n + (salt << 24n);
  const stackTop = 0x7ffd00000000n + ((salt & 0xfffn) << 20n);
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  const ld = '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2';
  const P = 0x1000n;
  const vmas: VmaSpec[] = [
    { start: exeBase, end: exeBase + 4n * P, flags: 'r--p', file: exe, pgoff: 0 },
    { start: exeBase + 4n * P, end: exeBase + 40n * P, flags: 'r-xp', file: exe, pgoff: 4 },
    { start: exeBase + 40n * P, end: exeBase + 52n * P, flags: 'r--p', file: exe, pgoff: 40 },
    { start: exeBase + 52n * P, end: exeBase + 54n * P, flags: 'rw-p', file: exe, pgoff: 52 },
    { start: exeBase + 54n * P, end: exeBase + 56n * P, flags: 'rw-p' },
    { start: exeBase + 0x1000000n, end: exeBase + 0x1000000n + 33n * P, flags: 'rw-p', name: '[heap]' },
    { start: libBase, end: libBase + 3n * P, flags: 'rw-p' }, // TLS and thread control blocks
    { start: libBase + 3n * P, end: libBase + 43n * P, flags: 'r--p', file: libc, pgoff: 0 },
    { start: libBase + 43n * P, end: libBase + 405n * P, flags: 'r-xp', file: libc, pgoff: 40 },
    { start: libBase + 405n * P, end: libBase + 491n * P, flags: 'r--p', file: libc, pgoff: 402 },
    { start: libBase + 491n * P, end: libBase + 495n * P, flags: 'r--p', file: libc, pgoff: 487 },
    { start: libBase + 495n * P, end: libBase + 497n * P, flags: 'rw-p', file: libc, pgoff: 491 },
    { start: libBase + 497n * P, end: libBase + 510n * P, flags: 'rw-p' },
    { start: libBase + 0x200000n, end: libBase + 0x201000n, flags: 'r--p', file: ld, pgoff: 0 },
    { start: libBase + 0x201000n, end: libBase + 0x227000n, flags: 'r-xp', file: ld, pgoff: 1 },
    { start: libBase + 0x227000n, end: libBase + 0x231000n, flags: 'r--p', file: ld, pgoff: 39 },
    { start: libBase + 0x231000n, end: libBase + 0x233000n, flags: 'r--p', file: ld, pgoff: 48 },
    { start: libBase + 0x233000n, end: libBase + 0x235000n, flags: 'rw-p', file: ld, pgoff: 50 },
    { start: stackTop - 0x21000n, end: stackTop, flags: 'rw-p', name: '[stack]' },
    { start: stackTop + 0x1c000n, end: stackTop + 0x20000n, flags: 'r--p', name: '[vvar]' },
    { start: stackTop + 0x20000n, end: stackTop + 0x22000n, flags: 'r-xp', name: '[vdso]' },
  ];
  return { vmas, textStart: exeBase, heapStart: exeBase + 0x1000000n, stackTop, tls: libBase + 0x740n };
}
