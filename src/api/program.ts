// One program of an object: loading (resolve references, verify, build the engine) and
// BPF_PROG_TEST_RUN-style runs.
import type { Task } from '../kernel/index.js';
import { progTypeDef, type ProgTypeDef } from '../kernel/progtypes/index.js';
import type { ProgramSpec } from '../loader/index.js';
import { trustInsns } from '../interp/index.js';
import { resolvePseudoLdImm64, PseudoResolveError } from '../verifier/resolve-pseudo.js';
import type { VerifiedProgram } from '../verifier/verified-program.js';
import { verifyProgram, VerifierError } from '../verifier/index.js';
import { kfuncLookup } from '../verifier/kfunc-lookup.js';
import { KERNEL_BASE } from '../kernel/memory.js';
import type { BpfMap } from '../kernel/maps/bpf-map.js';
import type { JitTier } from '../../jit/index.js';
import { createEngine, type Engine, type EngineContext, type EngineName } from './engine.js';
import { BpfApiError, BpfLoadError } from './errors.js';
import type { BpfObject } from './object.js';
import { openIterator, type BpfIterator, type IterOptions } from './iter.js';

export interface LoadOptions {
  /** 'interp' (reference interpreter) or 'jit' (WebAssembly); default 'interp' */
  engine?: EngineName;
  /** run without verification — for debugging only: nothing but the linear-memory bound is checked */
  unverified?: boolean;
  /** JIT only: 'baseline' (fast start) or 'optimized' (TurboFan before the first run) */
  tier?: JitTier;
  /** verifier log level as BPF_PROG_LOAD's log_level: 1 (default), 2 (every instruction), |4 stats */
  logLevel?: number;
}

export interface RunOptions {
  /** BPF_PROG_TEST_RUN ctx_in */
  ctxIn?: Uint8Array;
  /** BPF_PROG_TEST_RUN data_in (packet for xdp/tc/socket programs) */
  dataIn?: Uint8Array;
  /** runs; the result is the last run's, the duration the mean */
  repeat?: number;
  /** CPU the program runs on (per-CPU maps, bpf_get_smp_processor_id) */
  cpu?: number;
  /** the "current" task: a Task or a pid */
  task?: Task | number;
}

export interface RunResult {
  retval: bigint;
  durationNs: number;
  ctxOut?: Uint8Array;
  dataOut?: Uint8Array;
}

/** Whether load() can verify programs in this build (false: only { unverified: true } loads). */
export const VERIFIER_AVAILABLE = true;

// Programs loaded into one kernel by id, so prog_array slots (which hold program ids) can be
// followed by tail calls across objects, as in Linux.
const programTables = new WeakMap<object, Map<number, VerifiedProgram>>();
let nextProgId = 1;

export class Program {
  readonly name: string;
  /** kernel-style program id, stored in prog_array maps to make tail-call targets */
  id = 0;
  private vp: VerifiedProgram | undefined;
  private engine: Engine | undefined;
  private def: ProgTypeDef | undefined;

  constructor(readonly object: BpfObject, readonly spec: ProgramSpec) {
    this.name = spec.name;
  }

  get type(): string {
    return this.spec.type;
  }

  get verified(): VerifiedProgram {
    if (this.vp === undefined) throw new BpfApiError(`program '${this.name}' is not loaded`);
    return this.vp;
  }

  get engineName(): EngineName | undefined {
    return this.engine?.name;
  }

  /** @internal called by BpfObject.load */
  async load(opts: LoadOptions): Promise<void> {
    const kernel = this.object.kernel;
    this.def = progTypeDef(this.spec.type, { attachType: this.spec.expectedAttachType, iterTarget: this.spec.attachTo });
    this.vp = opts.unverified ? this.trusted() : this.verify(opts.logLevel ?? 1);
    this.id = nextProgId++;
    tableOf(kernel).set(this.id, this.vp);
    const ctx: EngineContext = { kernel, resolveTailCall: (ptr, index) => resolveTailCall(kernel, ptr, index) };
    this.engine = await createEngine(opts.engine ?? 'interp', this.vp, ctx, { tier: opts.tier });
  }

  /** The verifier's log of the last load (empty for unverified loads). */
  verifierLog = '';

  private verify(logLevel: number): VerifiedProgram {
    const kernel = this.object.kernel;
    const maps = this.object.maps;
    try {
      const res = verifyProgram(this.spec.insns, {
        progType: this.spec.type,
        progTypeDef: this.def,
        logLevel,
        maps,
        resolveMapFd: (fd) => kernel.maps.mapByFd(fd),
        mapAddress: (m) => (m as BpfMap).ptr,
        mapValueAddress: (m, off) => {
          const base = arrayValueBase(m as BpfMap);
          if (base === undefined) throw new BpfLoadError(`map '${m.name}' has no direct value access`);
          return KERNEL_BASE + BigInt(base + off);
        },
        helperProto: (id) => kernel.helpers.get(id)?.proto,
        helperAllowed: (id) => this.def!.helpers().has(id),
        subprogNames: this.spec.subprogs,
        kfunc: kfuncLookup(kernel),
      });
      this.verifierLog = res.log;
      return res.prog;
    } catch (e) {
      if (e instanceof VerifierError) {
        this.verifierLog = e.log;
        throw new BpfLoadError(`program '${this.name}' rejected by the verifier: ${e.message}`, e.log);
      }
      throw e;
    }
  }

  /** --unverified: references resolved to addresses, nothing else checked. */
  private trusted(): VerifiedProgram {
    const kernel = this.object.kernel;
    try {
      const resolved = resolvePseudoLdImm64(this.spec.insns, {
        mapByIndex: (i) => this.object.mapByIndex(i),
        mapByFd: (fd) => kernel.maps.mapByFd(fd),
        ksymAddress: (id) => kernel.kallsyms.get(kernel.btf.nameOf(id)),
        valueOffset: arrayValueBase,
      });
      this.verifierLog = '';
      return trustInsns(resolved.insns, this.spec.type);
    } catch (e) {
      if (e instanceof PseudoResolveError) throw new BpfLoadError(`program '${this.name}': ${e.slot}: ${e.message}`, `${e.slot}: ${e.message}\n`);
      throw e;
    }
  }

  /** One BPF_PROG_TEST_RUN: build the context (and packet), run `repeat` times, collect outputs. */
  run(opts: RunOptions = {}): RunResult {
    if (this.engine === undefined || this.def === undefined) throw new BpfApiError(`program '${this.name}' is not loaded`);
    const kernel = this.object.kernel;
    if (opts.cpu !== undefined) kernel.setCpu(opts.cpu);
    if (opts.task !== undefined) {
      const task = typeof opts.task === 'number' ? kernel.taskByPid(opts.task) : opts.task;
      if (task === undefined) throw new BpfApiError(`no task with pid ${String(opts.task)}`);
      kernel.setCurrent(task);
    }
    const prepared = this.def.prepareRun(kernel.mem, { ctxIn: opts.ctxIn, dataIn: opts.dataIn });
    let result;
    try {
      result = this.engine.run({ ctxPtr: prepared.ctxPtr, repeat: opts.repeat ?? 1, packet: opts.dataIn });
    } catch (e) {
      prepared.release();
      throw e;
    }
    const out = prepared.finish();
    return { retval: result.retval, durationNs: result.durationNs, ctxOut: out.ctxOut, dataOut: out.dataOut };
  }

  /** Open the iterator of a SEC("iter/<target>") program: `.read()` is what `cat` prints. */
  iter(opts: IterOptions = {}): BpfIterator {
    const engine = this.engine;
    if (engine === undefined) throw new BpfApiError(`program '${this.name}' is not loaded`);
    return openIterator(this, (ctxPtr, env) => engine.run({ ctxPtr, repeat: 1, env }).retval, opts);
  }
}

function tableOf(kernel: object): Map<number, VerifiedProgram> {
  let t = programTables.get(kernel);
  if (t === undefined) programTables.set(kernel, (t = new Map()));
  return t;
}

function resolveTailCall(kernel: import('../kernel/index.js').Kernel, ptr: bigint, index: number): VerifiedProgram | undefined {
  const map = kernel.maps.mapByPtr(ptr);
  if (map === undefined || index < 0 || index >= map.maxEntries) return undefined;
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, index, true);
  const value = map.lookup(key);
  if (value === undefined || value === null || !(value instanceof Uint8Array)) return undefined;
  const id = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
  return tableOf(kernel).get(id);
}

/** Base offset of an array map's values (the only maps whose values have fixed addresses). */
function arrayValueBase(m: BpfMap): number | undefined {
  const f = (m as unknown as { valueOffset?: (i: number) => number }).valueOffset;
  return typeof f === 'function' ? f.call(m, 0) : undefined;
}
