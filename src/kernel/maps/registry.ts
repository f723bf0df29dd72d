// File descriptors and ids for maps, owned by the Kernel object. fds start at
// 3 like a fresh process's (0-2 are stdio); ids start at 1 and are never reused.

import { EBADF } from '../errno.js';
import { BpfMap, MapError, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { createMap } from './create.js';

export class MapRegistry {
  readonly env: MapEnv;
  private readonly byFd = new Map<number, BpfMap>();
  private readonly byPtr = new Map<bigint, BpfMap>();
  private readonly byId = new Map<number, BpfMap>();
  private nextFd = 3;
  private nextId = 1;

  constructor(env: MapEnv) {
    // maps see the registry's fds (map-in-map updates) without copying env's methods
    this.env = {
      mem: env.mem,
      get nrCpus() {
        return env.nrCpus;
      },
      currentCpu: () => env.currentCpu(),
      mapByFd: (fd: number) => this.mapByFd(fd),
      taskPtrByPid: (pid: number) => env.taskPtrByPid?.(pid),
    };
  }

  /** Create a map (Linux validation; throws MapError) and give it an fd. */
  createMap(attr: MapCreateAttr): { fd: number; map: BpfMap } {
    const map = createMap({ ...attr, id: attr.id ?? this.nextId }, this.env);
    this.nextId = Math.max(this.nextId, map.id + 1);
    const fd = this.add(map);
    return { fd, map };
  }

  /** Register a map created elsewhere; returns its new fd. */
  add(map: BpfMap): number {
    const fd = this.nextFd++;
    this.byFd.set(fd, map);
    this.byPtr.set(map.ptr, map);
    this.byId.set(map.id, map);
    this.nextId = Math.max(this.nextId, map.id + 1);
    return fd;
  }

  mapByFd(fd: number): BpfMap | undefined {
    return this.byFd.get(fd);
  }

  /** O(1) lookup of the map whose `struct bpf_map` is at ptr (either signedness). */
  mapByPtr(ptr: bigint): BpfMap | undefined {
    return this.byPtr.get(BigInt.asUintN(64, ptr));
  }

  mapById(id: number): BpfMap | undefined {
    return this.byId.get(id);
  }

  fdOf(map: BpfMap): number | undefined {
    for (const [fd, m] of this.byFd) if (m === map) return fd;
    return undefined;
  }

  /** Close an fd; the map is destroyed when no fd refers to it any more. */
  close(fd: number): void {
    const map = this.byFd.get(fd);
    if (map === undefined) throw new MapError(EBADF, `close of unknown map fd ${fd}`);
    this.byFd.delete(fd);
    for (const m of this.byFd.values()) if (m === map) return;
    this.byPtr.delete(map.ptr);
    this.byId.delete(map.id);
    map.destroy();
  }

  /** Maps in id order (what bpf_map iterators and `bpftool map` list). */
  all(): BpfMap[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  get size(): number {
    return this.byId.size;
  }
}
