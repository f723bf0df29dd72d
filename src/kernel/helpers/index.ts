// Every helper the simulated kernel implements, and their registration into a Kernel.
//
// Not implemented (their ids are still in the allow lists, so the verifier can tell "not allowed
// for this program type" from "not simulated"): bpf_timer_*, per_cpu_ptr / this_cpu_ptr,
// task_pt_regs, user_ringbuf_drain, probe_write_user, override_return (not built into the
// reference 6.18 kernel), skb_change_* / adjust_room / vlan / tunnel helpers, socket lookups and
// the sk_*/skc_* family, get_branch_snapshot / read_branch_records, sys_bpf and friends.

import type { Kernel } from '../kernel.js';
import { callbackHelpers } from './callbacks.js';
import { currentHelpers } from './current.js';
import { dynptrHelpers } from './dynptr.js';
import { mapHelpers } from './map-helpers.js';
import { outputHelpers } from './output.js';
import { packetHelpers } from './packet.js';
import { printfHelpers } from './printf.js';
import { probeReadHelpers } from './probe-read.js';
import { stackHelpers } from './stack.js';
import { localStorageHelpers } from './storage.js';
import { stringHelpers } from './strings.js';
import { syncHelpers } from './sync.js';
import { tracingHelpers } from './tracing.js';
import type { HelperImpl } from './types.js';

export * from './types.js';
export { HELPER_NAMES, __BPF_FUNC_MAX_ID, helperId, helperName } from './ids.js';
export { helpersForProgType, helperAllowed, normalizeAttachType, RECORDED_PROG_TYPES } from './allowlist.js';
export { parseFormat, renderFormat, countSpecs, FormatError, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, type FormatPiece, type FormatSpec } from './format.js';
export { seedPrandom, setTaskStack, taskStacks, helperState, type HelperState, type SignalRecord, type PerfOutputRecord, type TaskStacks } from './state.js';
export { BPF_MAX_LOOPS } from './callbacks.js';
export type { RingbufOps, StackTraceOps, LocalStorageOps, PerfEventArrayOps } from './map-ops.js';
export { defineHelper, HelperDefinitionError, type ArgDef, type ArgSpec, type HelperOpts } from './define.js';

/** All implemented helpers (prototype + implementation), in id order. */
export const ALL_HELPERS: readonly HelperImpl[] = [
  ...mapHelpers,
  ...probeReadHelpers,
  ...currentHelpers,
  ...printfHelpers,
  ...outputHelpers,
  ...stackHelpers,
  ...callbackHelpers,
  ...syncHelpers,
  ...stringHelpers,
  ...localStorageHelpers,
  ...packetHelpers,
  ...tracingHelpers,
  ...dynptrHelpers,
].sort((a, b) => a.proto.id - b.proto.id);

/** Register every helper into kernel.helpers (idempotent). */
export function registerAllHelpers(kernel: Kernel): void {
  for (const h of ALL_HELPERS) kernel.helpers.register(h);
}
