// Per-kernel state the helpers keep beside the Kernel object: the pseudo-random generator behind
// bpf_get_prandom_u32, signals programs asked to send, perf event output, and the simulated call
// stacks bpf_get_stack / bpf_get_stackid report for each task.

import type { Kernel } from '../kernel.js';
import type { Task } from '../world/objects.js';

export interface SignalRecord {
  pid: number;
  tgid: number;
  sig: number;
  /** bpf_send_signal_thread (true) or bpf_send_signal (false: whole process) */
  thread: boolean;
}

export interface PerfOutputRecord {
  /** the perf event array's struct bpf_map address */
  mapPtr: bigint;
  mapName: string;
  /** slot of the perf event array the record went to (the CPU for BPF_F_CURRENT_CPU) */
  index: number;
  data: Uint8Array;
}

export interface RedirectRecord {
  /** target ifindex (bpf_redirect) or map key (bpf_redirect_map) */
  target: number;
  flags: bigint;
  /** bpf_redirect_map: the map's struct bpf_map address */
  mapPtr?: bigint;
}

export interface TaskStacks {
  /** kernel return addresses, innermost first */
  kernel?: readonly bigint[];
  /** user return addresses, innermost first */
  user?: readonly bigint[];
}

export interface HelperState {
  /** splitmix64 state of bpf_get_prandom_u32 */
  prng: bigint;
  /** key of the %p pointer hash */
  ptrKey: bigint;
  readonly signals: SignalRecord[];
  readonly perfOutput: PerfOutputRecord[];
  /** the last redirect a program asked for (struct bpf_redirect_info), per run */
  lastRedirect?: RedirectRecord;
  readonly stacks: WeakMap<Task, TaskStacks>;
}

/** Default seed: programs see the same "random" numbers on every run unless a test reseeds. */
export const DEFAULT_PRANDOM_SEED = 0x2545f4914f6cdd1dn;

const states = new WeakMap<Kernel, HelperState>();

export function helperState(kernel: Kernel): HelperState {
  let s = states.get(kernel);
  if (s === undefined) {
    s = { prng: DEFAULT_PRANDOM_SEED, ptrKey: 0x9e3779b97f4a7c15n, signals: [], perfOutput: [], stacks: new WeakMap() };
    states.set(kernel, s);
  }
  return s;
}

/** Reseed bpf_get_prandom_u32 (deterministic sequences per seed). */
export function seedPrandom(kernel: Kernel, seed: bigint | number): void {
  helperState(kernel).prng = BigInt.asUintN(64, BigInt(seed));
}

/** Next value of bpf_get_prandom_u32 (splitmix64, upper half). */
export function nextPrandomU32(kernel: Kernel): number {
  const st = helperState(kernel);
  st.prng = BigInt.asUintN(64, st.prng + 0x9e3779b97f4a7c15n);
  let z = st.prng;
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  z ^= z >> 31n;
  return Number(z >> 32n);
}

/** Give a task the call stacks bpf_get_stack / bpf_get_stackid will report. */
export function setTaskStack(kernel: Kernel, task: Task, stacks: TaskStacks): void {
  helperState(kernel).stacks.set(task, { ...helperState(kernel).stacks.get(task), ...stacks });
}

/**
 * The stacks of a task: what setTaskStack gave it, else a deterministic made-up one (a syscall
 * entry path in the kernel; for user tasks two frames in the text mapping).
 */
export function taskStacks(kernel: Kernel, task: Task): { kernel: readonly bigint[]; user: readonly bigint[] } {
  const set = helperState(kernel).stacks.get(task);
  const pid = BigInt(task.pid);
  const kernelStack = set?.kernel ?? [0xffffffff81a01234n + pid * 0x10n, 0xffffffff81c0007fn, 0xffffffff82000090n];
  const userStack = set?.user ?? (task.mm ? [0x401136n + pid * 0x10n, 0x7f0000029d90n] : []);
  return { kernel: kernelStack, user: userStack };
}
