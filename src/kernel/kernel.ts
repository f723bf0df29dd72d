// The simulated kernel: one KernelMemory holding every object a BPF pointer can reach, the world
// (tasks, files, VMAs, cgroups) laid out in it, BPF maps, the helper and kfunc registries, CPUs,
// a deterministic clock and the kernel's own BTF.

import { Btf, parseBtf } from '../btf/index.js';
import { KernelMemory, type KernelMemoryOptions } from './memory.js';
import { MapRegistry } from './maps/registry.js';
import { HelperRegistry, KfuncRegistry } from './registry.js';
import { buildKernelBtf, kernelTypes, type FuncSpec, type KernelBtf, type StructSpec, type TypeTable } from './btf/index.js';
import { Clock, type ClockOptions } from './world/clock.js';
import { DEFAULT_UTSNAME, World, type UtsName, type FileSpec, type SpawnOptions, type ThreadSpec, type VmaSpec } from './world/world.js';
import { WorldError } from './world/errors.js';
import { buildDefaultWorld } from './world/default.js';
import { describeWorld, type DescribeOptions } from './world/describe.js';
import { registerAllHelpers } from './helpers/index.js';
import { registerAllKfuncs } from './kfuncs/index.js';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from './world/constants.js';
import type { Cgroup, File, Task, Vma } from './world/objects.js';

const btfCache = new Map<string, { kbtf: KernelBtf; btf?: Btf }>();

export interface KernelOptions {
  /** no processes besides the idle task (swapper/0) and the root cgroup */
  empty?: boolean;
  /** number of possible CPUs (default 4) */
  nrCpus?: number;
  /** an existing memory to build in, or options for a new one */
  memory?: KernelMemory | KernelMemoryOptions;
  clock?: ClockOptions;
  /** more struct declarations for the kernel BTF (besides the kernel's and the iterators' own) */
  extraStructs?: readonly StructSpec[];
  /** uname -n / uname -r of the simulated machine (init_uts_ns) */
  utsname?: Partial<UtsName>;
  /** kfunc prototypes to give FUNC entries in the kernel BTF (besides the kfunc table's) */
  kfuncProtos?: readonly FuncSpec[];
  /**
   * Leave kernel.helpers and kernel.kfuncs empty. By default every implemented helper is
   * registered at construction, and every kfunc of src/kernel/kfuncs/table.ts when the kernel
   * BTF is first used (kernel.btf, btfBytes, kfuncBtfId), unless kfuncs were registered
   * explicitly before that.
   */
  bare?: boolean;
}

export class Kernel {
  readonly mem: KernelMemory;
  /** the declared types: layout of every kernel object */
  readonly types: TypeTable;
  readonly world: World;
  readonly maps: MapRegistry;
  readonly clock: Clock;
  readonly nrCpus: number;
  currentCpu = 0;
  /** the task a program runs on behalf of (bpf_get_current_task) */
  current: Task;
  readonly helpers = new HelperRegistry();
  readonly kfuncs: KfuncRegistry;
  /** bpf_trace_printk output, one entry per call */
  readonly trace: string[] = [];
  private readonly kfuncProtos: FuncSpec[];
  private readonly extraKey: string;
  private kbtf?: KernelBtf;
  private parsedBtf?: Btf;
  private btfShared?: { kbtf: KernelBtf; btf?: Btf };
  /**
   * The kfunc table is registered when the BTF is first needed, unless someone registered
   * kfuncs explicitly before (addKfuncProtos), who then decides the set.
   */
  private defaultKfuncsPending: boolean;

  constructor(opts: KernelOptions = {}) {
    const nrCpus = opts.nrCpus ?? 4;
    if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > 1024) throw new WorldError(`bad nrCpus ${String(opts.nrCpus)} (1..1024)`);
    this.nrCpus = nrCpus;
    this.mem = opts.memory instanceof KernelMemory ? opts.memory : new KernelMemory(opts.memory);
    this.types = kernelTypes(opts.extraStructs);
    this.clock = new Clock(opts.clock);
    this.extraKey = JSON.stringify(opts.extraStructs ?? []);
    this.kfuncProtos = [...(opts.kfuncProtos ?? [])];
    this.world = new World(this.mem, this.types, this.clock, nrCpus, { ...DEFAULT_UTSNAME, ...opts.utsname });
    this.maps = new MapRegistry({
      mem: this.mem,
      nrCpus,
      currentCpu: () => this.currentCpu,
      // task storage from user space is keyed by pid (Linux: a pidfd; the simulation has none)
      taskPtrByPid: (pid) => this.world.taskByPid(pid)?.ptr,
    });
    this.kfuncs = new KfuncRegistry((name) => this.kernelBtf.funcIds.get(name) ?? 0);
    this.current = this.world.idle;
    if (!opts.bare) registerAllHelpers(this);
    this.defaultKfuncsPending = !opts.bare;
    if (!opts.empty) this.setCurrent(buildDefaultWorld(this.world));
    else this.world.setState(this.current, TASK_RUNNING);
  }

  // ---- BTF ---------------------------------------------------------------

  /** The kernel's BTF (like /sys/kernel/btf/vmlinux), built on first use. */
  get btf(): Btf {
    if (!this.parsedBtf) {
      void this.kernelBtf;
      this.btfShared!.btf ??= parseBtf(this.kernelBtf.bytes);
      this.parsedBtf = this.btfShared!.btf;
    }
    return this.parsedBtf;
  }

  /** Raw bytes of the kernel BTF. */
  get btfBytes(): Uint8Array {
    return this.kernelBtf.bytes;
  }

  /** BTF id of a kfunc's FUNC (0 if it has no prototype). */
  kfuncBtfId(name: string): number {
    return this.kernelBtf.funcIds.get(name) ?? 0;
  }

  /**
   * Add kfunc prototypes. Only possible before the BTF has been built (ids must never change
   * under a loaded program); the kfuncs area passes its table at construction or right after.
   */
  addKfuncProtos(protos: readonly FuncSpec[]): void {
    this.defaultKfuncsPending = false;
    if (this.kbtf) throw new WorldError('kernel BTF already built: kfunc prototypes must be added before first use of kernel.btf');
    this.kfuncProtos.push(...protos);
  }

  private get kernelBtf(): KernelBtf {
    if (!this.kbtf && this.defaultKfuncsPending) {
      this.defaultKfuncsPending = false;
      registerAllKfuncs(this); // adds the table's prototypes, then builds through this getter
    }
    if (!this.kbtf) {
      // The BTF is a pure function of the (shared, immutable) type table and the kfunc
      // prototypes, so kernels with the same prototypes share one build and one parsed Btf.
      const key = JSON.stringify([this.extraKey, this.kfuncProtos]);
      let hit = btfCache.get(key);
      if (!hit) {
        hit = { kbtf: buildKernelBtf(this.types, this.kfuncProtos) };
        btfCache.set(key, hit);
        if (btfCache.size > 16) btfCache.delete(btfCache.keys().next().value!);
      }
      this.kbtf = hit.kbtf;
      this.btfShared = hit;
    }
    return this.kbtf;
  }

  // ---- the world -------------------------------------------------------------

  /** every task except the idle task, in creation order */
  get tasks(): readonly Task[] {
    return this.world.tasks;
  }

  get files(): readonly File[] {
    return this.world.files;
  }

  get cgroups(): readonly Cgroup[] {
    return this.world.cgroups;
  }

  get rootCgroup(): Cgroup {
    return this.world.rootCgroup;
  }

  /** init_task (swapper/0, pid 0): head of the task list */
  get initTask(): Task {
    return this.world.idle;
  }

  /** addresses of named kernel objects (init_task, init_pid_ns, pipefifo_fops...) */
  get kallsyms(): ReadonlyMap<string, bigint> {
    return this.world.kallsyms;
  }

  spawn(opts: SpawnOptions): Task {
    return this.world.spawn(opts);
  }

  spawnThread(leader: Task, opts?: ThreadSpec): Task {
    return this.world.spawnThread(leader, opts);
  }

  openFile(task: Task, spec: FileSpec): { fd: number; file: File } {
    return this.world.openFile(task, spec);
  }

  closeFd(task: Task, fd: number): void {
    this.world.closeFd(task, fd);
  }

  addVma(task: Task, spec: VmaSpec): Vma {
    return this.world.addVma(task, spec);
  }

  createCgroup(path: string): Cgroup {
    return this.world.createCgroup(path);
  }

  moveToCgroup(task: Task, cgroup: Cgroup | string): void {
    this.world.moveToCgroup(task, cgroup);
  }

  /** The task (a whole process if it is a leader) exits; see World.exitTask. */
  exitTask(task: Task): void {
    this.world.exitTask(task);
    if (this.current.exited) this.setCurrent(this.world.idle);
  }

  /** d_path() of a `struct path *`, e.g. &file->f_path (undefined if it is not one) */
  dPath(pathPtr: bigint): string | undefined {
    return this.world.dPath(pathPtr);
  }

  setCurrent(task: Task): void {
    if (task !== this.world.idle && this.world.taskByPid(task.pid) !== task) throw new WorldError('setCurrent: task is not part of this kernel');
    if (this.current !== this.world.idle && !this.current.exited) {
      this.world.setState(this.current, TASK_INTERRUPTIBLE);
      this.world.objs.set(this.current.off, 'task_struct', 'on_cpu', 0);
    }
    this.current = task;
    this.world.setState(task, TASK_RUNNING);
    this.world.objs.set(task.off, 'task_struct', 'thread_info.cpu', this.currentCpu);
    this.world.objs.set(task.off, 'task_struct', 'on_cpu', 1);
  }

  setCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.nrCpus) throw new WorldError(`setCpu: cpu ${cpu} out of range 0..${this.nrCpus - 1}`);
    this.currentCpu = cpu;
    this.world.objs.set(this.current.off, 'task_struct', 'thread_info.cpu', cpu);
  }

  taskByPid(pid: number): Task | undefined {
    return this.world.taskByPid(pid);
  }

  taskByPtr(ptr: bigint): Task | undefined {
    return this.world.taskByPtr(ptr);
  }

  fileByPtr(ptr: bigint): File | undefined {
    return this.world.fileByPtr(ptr);
  }

  vmaByPtr(ptr: bigint): Vma | undefined {
    return this.world.vmaByPtr(ptr);
  }

  cgroupByPtr(ptr: bigint): Cgroup | undefined {
    return this.world.cgroupByPtr(ptr);
  }

  /** find_vma(mm, addr): the first VMA ending above addr */
  findVma(task: Task, addr: bigint): Vma | undefined {
    return task.mm?.findVma(addr);
  }

  /** A ps-like text dump of tasks, files, (optionally) memory maps and the cgroup tree. */
  describe(opts?: DescribeOptions): string {
    return describeWorld(this.world, this.current, opts);
  }

  /** Write user memory of a task (mapping the pages). */
  writeUser(task: Task, addr: bigint, bytes: Uint8Array): void {
    this.world.writeUser(task, addr, bytes);
  }

  /** Read user memory of a task (null = fault), as bpf_probe_read_user does. */
  readUser(task: Task, addr: bigint, len: number): Uint8Array | null {
    return task.mm ? task.mm.user.read(addr, len) : null;
  }
}
