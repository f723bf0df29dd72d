// The public object API (DESIGN.md, "How a user sees it"): open an ELF object against a
// simulated kernel, load it (create maps, verify, pick an engine), then run programs and read
// maps.
import { basename } from 'node:path';
import { Kernel } from '../kernel/index.js';
import { DEFAULT_KCONFIG } from '../kernel/kconfig.js';
import type { BpfMap } from '../kernel/maps/bpf-map.js';
import { openObject, type BpfObjectSpec, type KconfigValue } from '../loader/index.js';
import { BpfApiError } from './errors.js';
import { createObjectMaps } from './maps.js';
import { Program, type LoadOptions } from './program.js';

export interface OpenOptions {
  /** the world programs see; a fresh default `new Kernel()` when absent */
  kernel?: Kernel;
  /** `.kconfig` extern values (CONFIG_*, LINUX_KERNEL_VERSION) */
  kconfig?: Record<string, KconfigValue>;
  /** object name for internal map names (`<name>.bss`...); from the file name when opened from a path */
  name?: string;
}

export class BpfObject {
  readonly programs: readonly Program[];
  private mapList: BpfMap[] | undefined;
  private loaded = false;

  private constructor(readonly spec: BpfObjectSpec, readonly kernel: Kernel) {
    this.programs = spec.programs.map((p) => new Program(this, p));
  }

  /** Parse an object and apply its relocations against the kernel's BTF. Throws BpfObjectError. */
  static open(bytes: Uint8Array, opts: OpenOptions = {}): BpfObject {
    const kernel = opts.kernel ?? new Kernel();
    const spec = openObject(bytes, {
      targetBtf: kernel.btf,
      kconfig: { ...DEFAULT_KCONFIG, ...opts.kconfig },
      objectName: opts.name,
      kallsyms: Object.fromEntries(kernel.kallsyms),
    });
    return new BpfObject(spec, kernel);
  }

  /** `open` for a file path; the object name comes from the file name as libbpf does. */
  static async openFile(path: string, opts: OpenOptions = {}): Promise<BpfObject> {
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(path));
    return BpfObject.open(bytes, { name: basename(path).split('.')[0], ...opts });
  }

  /**
   * Create the maps and verify every program (or only `programs`), preparing the chosen engine.
   * Throws BpfLoadError (name 'VerifierError') carrying the verifier log.
   */
  async load(opts: LoadOptions & { programs?: string[] } = {}): Promise<void> {
    if (this.loaded) throw new BpfApiError('object is already loaded');
    this.mapList = createObjectMaps(this.kernel, this.spec.maps);
    this.loaded = true;
    const wanted = opts.programs ? new Set(opts.programs) : undefined;
    if (wanted) for (const n of wanted) this.program(n);
    // Like libbpf, programs in '?' sections load only when asked for by name.
    for (const p of this.programs) {
      if (wanted === undefined ? p.spec.autoload : wanted.has(p.name)) await p.load(opts);
    }
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The object's maps in spec order (after load). */
  get maps(): readonly BpfMap[] {
    if (this.mapList === undefined) throw new BpfApiError('maps exist once the object is loaded');
    return this.mapList;
  }

  mapByIndex(index: number): BpfMap | undefined {
    return this.mapList?.[index];
  }

  map(name: string): BpfMap {
    const i = this.spec.maps.findIndex((m) => m.name === name);
    if (i < 0) throw new BpfApiError(`no map named '${name}' (maps: ${this.spec.maps.map((m) => m.name).join(', ') || 'none'})`);
    const m = this.maps[i];
    if (m === undefined) throw new BpfApiError(`map '${name}' was not created`);
    return m;
  }

  program(name: string): Program {
    const p = this.programs.find((x) => x.name === name);
    if (p === undefined) throw new BpfApiError(`no program named '${name}' (programs: ${this.programs.map((x) => x.name).join(', ') || 'none'})`);
    return p;
  }
}
