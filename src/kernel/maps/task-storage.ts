// Local storage maps — BPF_MAP_TYPE_TASK_STORAGE, and with the same model
// CGRP_STORAGE, INODE_STORAGE and SK_STORAGE: one value per owner object,
// keyed by the owner's kernel pointer. Values are allocated on demand (bpf_task_storage_get with
// BPF_LOCAL_STORAGE_GET_F_CREATE) and keep their offsets until deleted.
// From user space the key is a pid(fd); env.taskPtrByPid translates it.

import { EBADF, EEXIST, ENOENT, ENOTSUPP } from '../errno.js';
import { BpfMap, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST } from './types.js';

export class LocalStorageMap extends BpfMap {
  private readonly byTask = new Map<bigint, number>();

  constructor(attr: MapCreateAttr, env: MapEnv) {
    super(attr, env);
  }

  /** Value offset of the task's storage, creating it (zeroed or from initValueOff) when asked; 0 if none. */
  taskStorageGet(taskPtr: bigint, initValueOff: number, create: boolean): number {
    const t = BigInt.asUintN(64, taskPtr);
    const v = this.byTask.get(t);
    if (v !== undefined) return v;
    if (!create) return 0;
    const off = this.mem.tryAlloc(Math.max(8, this.valueSize), 8);
    if (off === 0) return 0;
    if (initValueOff !== 0) this.copyValue(off, initValueOff);
    this.byTask.set(t, off);
    return off;
  }

  /** Owner-neutral names (cgroup, inode and socket storage helpers). */
  storageGet(ownerPtr: bigint, initValueOff: number, create: boolean): number {
    return this.taskStorageGet(ownerPtr, initValueOff, create);
  }

  storageDelete(ownerPtr: bigint): number {
    return this.taskStorageDelete(ownerPtr);
  }

  /** The brief's name for the task lookup. */
  getForTask(taskPtr: bigint, create: boolean): number {
    return this.taskStorageGet(taskPtr, 0, create);
  }

  taskStorageDelete(taskPtr: bigint): number {
    const t = BigInt.asUintN(64, taskPtr);
    const v = this.byTask.get(t);
    if (v === undefined) return -ENOENT;
    this.byTask.delete(t);
    this.mem.free(v);
    return 0;
  }

  /** Drop a task's storage when the task exits. */
  taskExited(taskPtr: bigint): void {
    this.taskStorageDelete(taskPtr);
  }

  /** Tasks that currently have storage. */
  tasks(): bigint[] {
    return [...this.byTask.keys()];
  }

  private taskOfKey(keyOff: number): bigint | undefined {
    const pid = this.mem.readU32(keyOff);
    return this.env.taskPtrByPid?.(pid);
  }

  override lookupElem(_keyOff: number): number {
    return 0; // programs use bpf_task_storage_get
  }

  override lookupSys(keyOff: number): number {
    const t = this.taskOfKey(keyOff);
    return t === undefined ? 0 : this.taskStorageGet(t, 0, false);
  }

  override updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    const r = this.checkUpdateFlags(flags);
    if (r < 0) return r;
    const t = this.taskOfKey(keyOff);
    if (t === undefined) return -EBADF;
    const mode = Number(flags & ~BigInt(BPF_F_LOCK));
    const cur = this.taskStorageGet(t, 0, false);
    if (cur !== 0 && mode === BPF_NOEXIST) return -EEXIST;
    if (cur === 0 && mode === BPF_EXIST) return -ENOENT;
    const off = cur !== 0 ? cur : this.taskStorageGet(t, 0, true);
    this.copyValue(off, valueOff);
    return 0;
  }

  override deleteElem(keyOff: number): number {
    const t = this.taskOfKey(keyOff);
    if (t === undefined) return -EBADF;
    return this.taskStorageDelete(t);
  }

  override getNextKeyElem(): number {
    return -ENOTSUPP;
  }

  protected override releaseStorage(): void {
    for (const v of this.byTask.values()) this.mem.free(v);
    this.byTask.clear();
  }
}

/** BPF_MAP_TYPE_TASK_STORAGE. */
export const TaskStorageMap = LocalStorageMap;
export type TaskStorageMap = LocalStorageMap;
