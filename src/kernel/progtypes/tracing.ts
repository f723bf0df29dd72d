// Tracing-family contexts: kprobe (struct pt_regs), perf_event (struct bpf_perf_event_data),
// tracepoint (the raw trace record), raw_tracepoint / tracing (u64 argument arrays), iterators
// (struct bpf_iter__<target>) and syscall programs (a plain user-supplied buffer).
// Access rules were checked against Linux 6.18 by loading single loads/stores at every offset.

import { EINVAL } from '../errno.js';
import type { KernelMemory } from '../memory.js';
import { helpersForProgType } from '../helpers/allowlist.js';
import { FieldTable } from './access.js';
import { ProgTypeError, type CtxField, type PreparedRun, type ProgType, type ProgTypeDef, type TestRunInput } from './types.js';

/** struct pt_regs on x86-64, in memory order. */
export const PT_REGS_NAMES = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'] as const;
export const PT_REGS_SIZE = 168;
/** Offset of a pt_regs member, e.g. ptRegsOff('di') = 112 (PT_REGS_PARM1). */
export function ptRegsOff(name: (typeof PT_REGS_NAMES)[number]): number {
  return PT_REGS_NAMES.indexOf(name) * 8;
}

/** MAX_BPF_FUNC_ARGS: raw_tracepoint and tracing programs see up to 12 u64 arguments. */
export const MAX_BPF_FUNC_ARGS = 12;
/** PERF_MAX_TRACE_SIZE: tracepoint records are at most this long. */
export const PERF_MAX_TRACE_SIZE = 2048;
/** syscall program contexts are limited to U16_MAX bytes. */
export const SYSCALL_CTX_MAX = 65535;

/**
 * A context that is one plain block: allocate, copy ctx_in, run, copy back. `minOff` models the
 * tracepoint rule that the first 8 bytes (the common header slot) are not readable.
 */
class BlockProgType implements ProgTypeDef {
  private readonly table: FieldTable;

  constructor(
    readonly type: ProgType,
    readonly ctxSize: number,
    readonly fields: readonly CtxField[],
    private readonly opts: { attachType?: string; ctxIsMem?: boolean; copyBack?: boolean; retRange?: readonly [number, number] } = {},
  ) {
    this.table = new FieldTable(ctxSize, fields);
  }

  get attachType(): string | undefined {
    return this.opts.attachType;
  }

  get retRange(): readonly [number, number] | undefined {
    return this.opts.retRange;
  }

  get ctxIsMem(): boolean {
    return this.opts.ctxIsMem ?? false;
  }

  helpers(): ReadonlySet<number> {
    return helpersForProgType(this.type, this.opts.attachType);
  }

  convertCtxAccess(off: number, size: number, isWrite: boolean) {
    return this.table.convert(off, size, isWrite);
  }

  isValidAccess(off: number, size: number, isWrite: boolean): boolean {
    return this.table.convert(off, size, isWrite) !== null;
  }

  prepareRun(mem: KernelMemory, input: TestRunInput = {}): PreparedRun {
    if (input.dataIn && input.dataIn.length > 0) throw new ProgTypeError(EINVAL, `${this.type} test run takes no data_in`);
    const ctxIn = input.ctxIn ?? new Uint8Array(0);
    if (ctxIn.length > this.ctxSize) throw new ProgTypeError(EINVAL, `${this.type} ctx_in of ${ctxIn.length} bytes exceeds ${this.ctxSize}`);
    // syscall programs get exactly the caller's buffer (NULL when there is none)
    const size = this.opts.ctxIsMem ? ctxIn.length : this.ctxSize;
    if (this.opts.ctxIsMem && size === 0) {
      return { ctxPtr: 0n, ctxOff: 0, finish: () => ({ ctxOut: new Uint8Array(0) }), release: () => {} };
    }
    const ctxOff = mem.alloc(size, 8);
    mem.writeBytes(ctxOff, ctxIn);
    let live = true;
    const release = (): void => {
      if (live) mem.free(ctxOff);
      live = false;
    };
    return {
      ctxPtr: mem.toPtr(ctxOff),
      ctxOff,
      finish: () => {
        const out = this.opts.copyBack ? mem.readBytes(ctxOff, size) : undefined;
        release();
        return out ? { ctxOut: out } : {};
      },
      release,
    };
  }
}

const ptRegsFields = (read: 'narrow' | 'exact'): CtxField[] => PT_REGS_NAMES.map((name, i) => ({ name, off: i * 8, size: 8, read }));

export const kprobe: ProgTypeDef = new BlockProgType('kprobe', PT_REGS_SIZE, ptRegsFields('narrow'));

/** struct bpf_perf_event_data: pt_regs (whole-word reads only), sample_period, addr. */
export const perfEvent: ProgTypeDef = new BlockProgType('perf_event', PT_REGS_SIZE + 16, [
  ...ptRegsFields('exact'),
  { name: 'sample_period', off: 168, size: 8, read: 'narrow' },
  { name: 'addr', off: 176, size: 8, read: 'narrow' },
]);

export const rawTracepoint: ProgTypeDef = new BlockProgType('raw_tracepoint', 8 * MAX_BPF_FUNC_ARGS, argFields('narrow'));
/** raw_tp.w: same context; the writable buffer is reached through a pointer argument */
export const rawTracepointWritable: ProgTypeDef = new BlockProgType('raw_tracepoint_writable', 8 * MAX_BPF_FUNC_ARGS, argFields('narrow'));

function argFields(read: 'narrow' | 'exact'): CtxField[] {
  return Array.from({ length: MAX_BPF_FUNC_ARGS }, (_, i) => ({ name: `args[${i}]`, off: 8 * i, size: 8, read }));
}

/**
 * tracing programs (fentry/fexit/fmod_ret, tp_btf): u64 arguments whose types come from the
 * attach target's BTF. The per-argument typing (pointer args load as PTR_TO_BTF_ID and only as
 * whole words; scalars may be read narrowly) is the verifier's btf_ctx_access; here every slot
 * allows narrow reads.
 */
export const tracing: ProgTypeDef = new BlockProgType('tracing', 8 * MAX_BPF_FUNC_ARGS, argFields('narrow'), { attachType: 'trace_fentry', retRange: [0, 0] });
/** fmod_ret programs return the traced function's new return value: any value */
export const modifyReturn: ProgTypeDef = new BlockProgType('tracing', 8 * MAX_BPF_FUNC_ARGS, argFields('narrow'), { attachType: 'modify_return' });
/** BPF LSM programs: the hook's arguments as u64s, like fentry (typed by the hook's BTF). */
export const lsm: ProgTypeDef = new BlockProgType('lsm', 8 * MAX_BPF_FUNC_ARGS, argFields('narrow'), { attachType: 'lsm_mac' });
export const tpBtf: ProgTypeDef = new BlockProgType('tracing', 8 * MAX_BPF_FUNC_ARGS, argFields('narrow'), { attachType: 'trace_raw_tp' });

/** Tracepoint records: byte 0..7 (the common header slot) are off limits, the rest readable. */
export const tracepoint: ProgTypeDef = new BlockProgType('tracepoint', PERF_MAX_TRACE_SIZE, [
  { name: 'record', off: 8, size: PERF_MAX_TRACE_SIZE - 8, read: 'narrow' },
]);

/** syscall programs: ctx is the caller's buffer, readable and writable, copied back after the run. */
export const syscall: ProgTypeDef = new BlockProgType('syscall', SYSCALL_CTX_MAX, [
  { name: 'ctx', off: 0, size: SYSCALL_CTX_MAX, read: 'narrow', write: 'any' },
], { ctxIsMem: true, copyBack: true });

// ---- iterators -------------------------------------------------------------------------------

/** Members of struct bpf_iter__<target> after `meta` (each a pointer or a u32, 8-byte slots). */
export const ITER_TARGETS: Readonly<Record<string, readonly CtxField[]>> = {
  task: [{ name: 'task', off: 8, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct task_struct' }],
  task_file: [
    { name: 'task', off: 8, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct task_struct' },
    { name: 'fd', off: 16, size: 4, read: 'narrow' },
    { name: 'file', off: 24, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct file' },
  ],
  task_vma: [
    { name: 'task', off: 8, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct task_struct' },
    { name: 'vma', off: 16, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct vm_area_struct' },
  ],
  bpf_map: [{ name: 'map', off: 8, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct bpf_map' }],
  bpf_map_elem: [
    { name: 'map', off: 8, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct bpf_map' },
    { name: 'key', off: 16, size: 8, read: 'exact', kind: 'rdonly_buf_or_null' },
    { name: 'value', off: 24, size: 8, read: 'exact', kind: 'rdwr_buf_or_null' },
  ],
  cgroup: [{ name: 'cgroup', off: 8, size: 8, read: 'exact', kind: 'btf_ptr_or_null', btfType: 'struct cgroup' }],
};

const iterDefs = new Map<string, ProgTypeDef>();

/** The context of SEC("iter/<target>") programs: struct bpf_iter__<target>. */
export function iterProgType(target: string): ProgTypeDef {
  let def = iterDefs.get(target);
  if (def === undefined) {
    const members = ITER_TARGETS[target];
    if (members === undefined) throw new ProgTypeError(EINVAL, `unknown iterator target '${target}'`);
    const fields: CtxField[] = [
      { name: 'meta', off: 0, size: 8, read: 'exact', kind: 'btf_ptr', btfType: 'struct bpf_iter_meta' },
      ...members,
    ];
    const size = Math.max(...fields.map((f) => f.off + 8));
    def = new BlockProgType('tracing', size, fields, { attachType: 'trace_iter', retRange: [0, 1] });
    iterDefs.set(target, def);
  }
  return def;
}

// ---- tracepoint records -----------------------------------------------------------------------

/** struct trace_entry: u16 type, u8 flags, u8 preempt_count, int pid. */
export const TRACE_ENTRY_SIZE = 8;

/**
 * A raw_syscalls:sys_enter record (struct trace_event_raw_sys_enter): common header,
 * long id, unsigned long args[6]; 64 bytes.
 */
export function sysEnterRecord(opts: { type?: number; pid?: number; id: number | bigint; args?: readonly bigint[] }): Uint8Array {
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, opts.type ?? 0, true);
  dv.setInt32(4, opts.pid ?? 0, true);
  dv.setBigInt64(8, BigInt(opts.id), true);
  (opts.args ?? []).slice(0, 6).forEach((a, i) => dv.setBigUint64(16 + 8 * i, BigInt.asUintN(64, a), true));
  return b;
}

/** A raw_syscalls:sys_exit record: common header, long id, long ret; 24 bytes. */
export function sysExitRecord(opts: { type?: number; pid?: number; id: number | bigint; ret: number | bigint }): Uint8Array {
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, opts.type ?? 0, true);
  dv.setInt32(4, opts.pid ?? 0, true);
  dv.setBigInt64(8, BigInt(opts.id), true);
  dv.setBigInt64(16, BigInt(opts.ret), true);
  return b;
}

/** A struct pt_regs image from named registers (kprobe / perf_event contexts). */
export function ptRegs(regs: Partial<Record<(typeof PT_REGS_NAMES)[number], bigint>>): Uint8Array {
  const b = new Uint8Array(PT_REGS_SIZE);
  const dv = new DataView(b.buffer);
  for (const [name, v] of Object.entries(regs)) {
    const i = PT_REGS_NAMES.indexOf(name as (typeof PT_REGS_NAMES)[number]);
    if (i < 0) throw new ProgTypeError(EINVAL, `pt_regs has no register '${name}'`);
    dv.setBigUint64(i * 8, BigInt.asUintN(64, v!), true);
  }
  return b;
}

/** A u64 argument array (raw_tracepoint / tracing contexts). */
export function u64Args(args: readonly bigint[]): Uint8Array {
  if (args.length > MAX_BPF_FUNC_ARGS) throw new ProgTypeError(EINVAL, `at most ${MAX_BPF_FUNC_ARGS} arguments`);
  const b = new Uint8Array(8 * args.length);
  const dv = new DataView(b.buffer);
  args.forEach((a, i) => dv.setBigUint64(8 * i, BigInt.asUintN(64, a), true));
  return b;
}
