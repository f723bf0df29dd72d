// Program types by name: the context layout, access rules, helper allow list and test-run
// plumbing each BPF_PROG_TYPE_* brings.

import { EINVAL } from '../errno.js';
import { normalizeAttachType } from '../helpers/allowlist.js';
import { cgroupSkb, cgroupSkbEgress, schedAct, schedCls, socketFilter } from './skb.js';
import { iterProgType, kprobe, lsm, modifyReturn, perfEvent, rawTracepoint, rawTracepointWritable, syscall, tpBtf, tracepoint, tracing } from './tracing.js';
import { ProgTypeError, type ProgTypeDef } from './types.js';
import { xdp } from './xdp.js';

export * from './types.js';
export { FieldTable } from './access.js';
export { SKB, SK_BUFF_SIZE, ETH_HLEN } from './skb.js';
export { XDP, XDP_MD_SIZE, XDP_PACKET_HEADROOM } from './xdp.js';
export {
  ITER_TARGETS, MAX_BPF_FUNC_ARGS, PERF_MAX_TRACE_SIZE, PT_REGS_NAMES, PT_REGS_SIZE, SYSCALL_CTX_MAX,
  iterProgType, ptRegs, ptRegsOff, sysEnterRecord, sysExitRecord, u64Args,
} from './tracing.js';

const BY_TYPE: Readonly<Record<string, ProgTypeDef>> = {
  socket_filter: socketFilter,
  sched_cls: schedCls,
  sched_act: schedAct,
  cgroup_skb: cgroupSkb,
  xdp,
  kprobe,
  perf_event: perfEvent,
  tracepoint,
  raw_tracepoint: rawTracepoint,
  raw_tracepoint_writable: rawTracepointWritable,
  lsm,
  syscall,
};

export interface ProgTypeQuery {
  /** expected attach type for 'tracing' programs: 'trace_iter', 'trace_raw_tp', 'trace_fentry'... */
  attachType?: string;
  /** iterator target for trace_iter programs ('task', 'task_file', 'bpf_map_elem', ...) */
  iterTarget?: string;
}

/** The definition of a program type; throws ProgTypeError for types the simulation lacks. */
export function progTypeDef(type: string, q: ProgTypeQuery = {}): ProgTypeDef {
  if (type === 'tracing') {
    const at = normalizeAttachType(q.attachType);
    if (at === 'trace_iter') return iterProgType(q.iterTarget ?? 'task');
    if (at === 'trace_raw_tp') return tpBtf;
    if (at === 'modify_return') return modifyReturn;
    return tracing;
  }
  if (type === 'cgroup_skb' && normalizeAttachType(q.attachType) === 'cgroup_inet_egress') return cgroupSkbEgress;
  const def = BY_TYPE[type];
  if (def === undefined) throw new ProgTypeError(EINVAL, `program type '${type}' is not supported by the simulated kernel`);
  return def;
}

/** Program types progTypeDef knows. */
export const SUPPORTED_PROG_TYPES: readonly string[] = [...Object.keys(BY_TYPE), 'tracing'];
