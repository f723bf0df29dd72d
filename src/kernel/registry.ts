// Registries of helpers and kfuncs that a Kernel carries.
//
// The world engineer wrote the first skeleton; the helpers/kfuncs area owns it now. Entries are
// structural so the registries stay usable with minimal entries, and default to the full
// HelperImpl / KfuncDef types of ./helpers and ./kfuncs.

import { helperAllowed, helpersForProgType } from './helpers/allowlist.js';
import type { HelperImpl } from './helpers/types.js';
import type { KfuncDef } from './kfuncs/types.js';

/** What the registry needs to know about a helper. */
export interface HelperEntry {
  proto: { id: number; name: string };
  fn: (...args: never[]) => bigint;
}

/** What the registry needs to know about a kfunc. */
export interface KfuncEntry {
  name: string;
  /** id of the kfunc's FUNC in kernel.btf (0 until the kernel BTF assigned it) */
  btfId: number;
  flags: number;
  fn: (...args: never[]) => bigint;
}

export class HelperRegistry<E extends HelperEntry = HelperImpl> {
  private readonly byId = new Map<number, E>();
  private readonly names = new Map<string, E>();

  register(entry: E): void {
    this.byId.set(entry.proto.id, entry);
    this.names.set(entry.proto.name, entry);
  }

  get(id: number): E | undefined {
    return this.byId.get(id);
  }

  /** by name with or without the `bpf_` prefix */
  byName(name: string): E | undefined {
    return this.names.get(name) ?? (name.startsWith('bpf_') ? this.names.get(name.slice(4)) : undefined);
  }

  all(): E[] {
    return [...this.byId.values()];
  }

  /** Helper ids `progType` may call in Linux 6.18 (implemented here or not). */
  helpersForProgType(progType: string, attachType?: string): ReadonlySet<number> {
    return helpersForProgType(progType, attachType);
  }

  /** Whether `progType` may call helper `id` (the kernel's get_func_proto answer). */
  allowedIn(id: number, progType: string, attachType?: string): boolean {
    return helperAllowed(id, progType, attachType);
  }
}

export class KfuncRegistry<E extends KfuncEntry = KfuncDef> {
  private readonly ids = new Map<number, E>();
  private readonly names = new Map<string, E>();

  /** `resolveBtfId` maps a kfunc name to its FUNC id in kernel.btf (set by the Kernel). */
  constructor(private readonly resolveBtfId: (name: string) => number = () => 0) {}

  register(entry: E): void {
    if (!entry.btfId) entry.btfId = this.resolveBtfId(entry.name);
    this.names.set(entry.name, entry);
    if (entry.btfId) this.ids.set(entry.btfId, entry);
  }

  get(btfId: number): E | undefined {
    return this.ids.get(btfId);
  }

  byBtfId(btfId: number): E | undefined {
    return this.ids.get(btfId);
  }

  byName(name: string): E | undefined {
    return this.names.get(name);
  }

  all(): E[] {
    return [...this.names.values()];
  }
}
