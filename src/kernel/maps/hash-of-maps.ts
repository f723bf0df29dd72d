// BPF_MAP_TYPE_HASH_OF_MAPS: a hash map whose 4-byte (fd) values are stored
// as the inner map's address in the element's 8-byte value slot; a program
// lookup returns that address (the inner struct bpf_map), the syscall lookup
// returns the inner map's id.

import { EBADF, EINVAL } from '../errno.js';
import { BpfMap, MapError, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { innerMapCompatible } from './fd-array.js';
import { HashMap } from './hash.js';

export class HashOfMapsMap extends HashMap {
  readonly innerTemplate: BpfMap;
  private readonly inners = new Map<bigint, BpfMap>();

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env, false, false);
    this.innerTemplate = attr.innerMap!;
  }

  override lookupElem(keyOff: number): number {
    const v = super.lookupElem(keyOff);
    return v === 0 ? 0 : this.mem.toOff(this.mem.readU64(v));
  }

  override updateElem(): number {
    return -EINVAL;
  }

  private store(keyOff: number, inner: BpfMap, flags: bigint): number {
    // stage a 4-byte dummy value, then put the pointer in the 8-byte slot
    const r = super.updateSys(keyOff, keyOff, flags);
    if (r < 0) return r;
    const v = super.lookupSys(keyOff, 0);
    this.mem.writeU64(v, inner.ptr);
    this.inners.set(inner.ptr, inner);
    return 0;
  }

  override updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    const inner = this.env.mapByFd?.(this.mem.readU32(valueOff));
    if (inner === undefined) return -EBADF;
    if (!innerMapCompatible(this.innerTemplate, inner)) return -EINVAL;
    return this.store(keyOff, inner, flags);
  }

  /** Host: store a map object under `key` (no fd needed). */
  setInner(key: Uint8Array, inner: BpfMap, flags: number | bigint = 0): void {
    this.checkKey(key, 'update');
    if (!innerMapCompatible(this.innerTemplate, inner)) throw new MapError(EINVAL, `hash_of_maps '${this.name}': incompatible inner map`);
    const s = this.scratchOffs();
    this.mem.writeBytes(s.key, key);
    const r = this.store(s.key, inner, BigInt(flags));
    if (r < 0) this.fail(-r, 'update');
  }

  /** Host: the inner map stored under `key`. */
  innerFor(key: Uint8Array): BpfMap | undefined {
    this.checkKey(key, 'lookup');
    const s = this.scratchOffs();
    this.mem.writeBytes(s.key, key);
    const v = super.lookupSys(s.key, 0);
    return v === 0 ? undefined : this.inners.get(this.mem.readU64(v));
  }

  override lookup(key: Uint8Array): Uint8Array | undefined {
    const m = this.innerFor(key);
    return m === undefined ? undefined : new Uint8Array(new Uint32Array([m.id]).buffer);
  }

  override entries(): Array<[Uint8Array, Uint8Array]> {
    return this.keys().map((k) => [k, this.lookup(k)!] as [Uint8Array, Uint8Array]);
  }
}
