// Helpers about "now": the current task and CPU, clocks, random numbers, signals, attach data.

import { EINVAL, ENOENT, EPERM } from '../errno.js';
import { PF_EXITING, PF_KTHREAD } from '../world/constants.js';
import { UNINIT_MEM, defineHelper } from './define.js';
import { helperState, nextPrandomU32 } from './state.js';
import type { CallEnv, HelperImpl } from './types.js';
import { MEM_UNINIT, MEM_WRITE } from './types.js';
import { neg, off, u32 } from './util.js';

/** CONFIG_HZ of the reference kernel. */
export const HZ = 250n;
/** INITIAL_JIFFIES on 64-bit: jiffies start 5 minutes before wrapping 32 bits. */
export const INITIAL_JIFFIES = (1n << 32n) - 300n * HZ;
const TICK_NS = 1_000_000_000n / HZ;
/** TASK_COMM_LEN */
const TASK_COMM_LEN = 16;
/** _NSIG on x86-64 */
const NSIG = 64;

function sendSignal(env: CallEnv, sig: bigint, thread: boolean): bigint {
  const task = env.kernel.current;
  // valid_signal(); then the kernel refuses kthreads, exiting tasks and init
  if (BigInt.asUintN(64, sig) > BigInt(NSIG)) return neg(EINVAL);
  if (task.flags & (PF_KTHREAD | PF_EXITING) || task.pid === 0) return neg(EPERM);
  if (task.tgid === 1) return neg(EPERM);
  helperState(env.kernel).signals.push({ pid: task.pid, tgid: task.tgid, sig: Number(sig), thread });
  return 0n;
}

/** PROC_PID_INIT_INO: the inode number of init_pid_ns under nsfs */
export const PROC_PID_INIT_INO = 0xeffffffcn;
/** st_dev of /proc/self/ns/pid in the simulation (nsfs is usually device 0:4) */
export const NSFS_DEV = 4n;

export const currentHelpers: HelperImpl[] = [
  defineHelper('get_ns_current_pid_tgid', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_ANYTHING', { type: 'ARG_PTR_TO_UNINIT_MEM', flags: MEM_UNINIT | MEM_WRITE }, 'ARG_CONST_SIZE'], (env, r1, r2, r3, r4) => {
    const size = u32(r4);
    const o = off(env, r3);
    const mem = env.kernel.mem;
    // struct bpf_pidns_info { u32 pid; u32 tgid; }; one pid namespace: the initial one
    let err = 0;
    if (size !== 8 || BigInt.asUintN(32, r1) !== r1) err = -EINVAL;
    else if (r1 !== NSFS_DEV || r2 !== PROC_PID_INIT_INO) err = -ENOENT;
    if (err) {
      mem.fill(o, size, 0);
      return BigInt(err);
    }
    const t = env.kernel.current;
    mem.writeU32(o, t.pid);
    mem.writeU32(o + 4, t.tgid);
    return 0n;
  }),
  defineHelper('get_current_pid_tgid', 'RET_INTEGER', [], (env) => {
    const t = env.kernel.current;
    return (BigInt(t.tgid) << 32n) | BigInt(t.pid);
  }),
  defineHelper('get_current_uid_gid', 'RET_INTEGER', [], (env) => {
    const ids = env.kernel.current.cred.ids;
    return (BigInt(ids.gid >>> 0) << 32n) | BigInt(ids.uid >>> 0);
  }),
  defineHelper('get_current_comm', 'RET_INTEGER', [UNINIT_MEM, 'ARG_CONST_SIZE'], (env, r1, r2) => {
    const size = u32(r2);
    const mem = env.kernel.mem;
    const o = off(env, r1);
    // strscpy_pad: at most size-1 bytes of comm, NUL, zero padding to size
    const comm = new TextEncoder().encode(env.kernel.current.comm).subarray(0, TASK_COMM_LEN - 1);
    mem.fill(o, size, 0);
    mem.writeBytes(o, comm.subarray(0, Math.max(0, size - 1)));
    return 0n;
  }),
  defineHelper('get_current_task', 'RET_INTEGER', [], (env) => env.kernel.current.ptr, { gplOnly: true }),
  defineHelper('get_current_task_btf', 'RET_PTR_TO_BTF_ID_TRUSTED', [], (env) => env.kernel.current.ptr, {
    gplOnly: true,
    retBtfType: 'struct task_struct',
  }),
  defineHelper('get_current_cgroup_id', 'RET_INTEGER', [], (env) => env.kernel.current.cgroup.id),
  defineHelper('get_current_ancestor_cgroup_id', 'RET_INTEGER', ['ARG_ANYTHING'], (env, r1) => {
    const cg = env.kernel.current.cgroup;
    const level = BigInt.asIntN(32, r1);
    if (level < 0n || level > BigInt(cg.level)) return 0n;
    let a = cg;
    for (let l = cg.level; l > Number(level) && a.parent; l--) a = a.parent;
    return a.id;
  }),
  defineHelper('get_smp_processor_id', 'RET_INTEGER', [], (env) => BigInt(env.kernel.currentCpu)),
  defineHelper('get_numa_node_id', 'RET_INTEGER', [], () => 0n),
  defineHelper('get_prandom_u32', 'RET_INTEGER', [], (env) => BigInt(nextPrandomU32(env.kernel))),
  defineHelper('ktime_get_ns', 'RET_INTEGER', [], (env) => env.kernel.clock.monotonicNs()),
  defineHelper('ktime_get_boot_ns', 'RET_INTEGER', [], (env) => env.kernel.clock.boottimeNs()),
  defineHelper('ktime_get_tai_ns', 'RET_INTEGER', [], (env) => env.kernel.clock.realtimeNs()),
  // the coarse clock is the time of the last tick: monotonic rounded down to a jiffy
  defineHelper('ktime_get_coarse_ns', 'RET_INTEGER', [], (env) => {
    const t = env.kernel.clock.peekNs();
    return t - (t % TICK_NS);
  }),
  defineHelper('jiffies64', 'RET_INTEGER', [], (env) => INITIAL_JIFFIES + env.kernel.clock.peekNs() / TICK_NS),
  defineHelper('send_signal', 'RET_INTEGER', ['ARG_ANYTHING'], (env, r1) => sendSignal(env, BigInt.asUintN(32, r1), false)),
  defineHelper('send_signal_thread', 'RET_INTEGER', ['ARG_ANYTHING'], (env, r1) => sendSignal(env, BigInt.asUintN(32, r1), true)),
  defineHelper('get_func_ip', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], (env) => env.funcIp ?? 0n),
  defineHelper('get_attach_cookie', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], (env) => env.attachCookie ?? 0n),
];

