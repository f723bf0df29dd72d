// Registries of helpers and kfuncs that a Kernel carries.
//
// OWNERSHIP: the world engineer wrote this minimal skeleton so `Kernel` could exist early; from
// now on the helpers/kfuncs engineer owns this file and may refine the entry types (e.g. import
// HelperProto / KfuncDef from ./helpers and ./kfuncs) as long as register/get/byName/byBtfId keep
// working.

/** What the registry needs to know about a helper; the helpers area refines it. */
export interface HelperEntry {
  proto: { id: number; name: string };
  fn: (...args: never[]) => bigint;
}

/** What the registry needs to know about a kfunc; the kfuncs area refines it. */
export interface KfuncEntry {
  name: string;
  /** id of the kfunc's FUNC in kernel.btf (0 until the kernel BTF assigned it) */
  btfId: number;
  flags: number;
  fn: (...args: never[]) => bigint;
}

export class HelperRegistry<E extends HelperEntry = HelperEntry> {
  private readonly byId = new Map<number, E>();
  private readonly names = new Map<string, E>();

  register(entry: E): void {
    this.byId.set(entry.proto.id, entry);
    this.names.set(entry.proto.name, entry);
  }

  get(id: number): E | undefined {
    return this.byId.get(id);
  }

  byName(name: string): E | undefined {
    return this.names.get(name);
  }

  all(): E[] {
    return [...this.byId.values()];
  }
}

export class KfuncRegistry<E extends KfuncEntry = KfuncEntry> {
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
