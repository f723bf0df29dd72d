// The hash map family: BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH.
//
// Elements live in kernel memory as [key, round_up(key_size, 8)][value(s)];
// per-CPU elements hold nrCpus values of round_up(value_size, 8) bytes. All
// bookkeeping (bucket chains, the iteration list, LRU lists) is kept in JS
// typed arrays indexed by element slot, so programs cannot corrupt it.
//
// Storage: with preallocation (the default) every element is allocated at
// create time; with BPF_F_NO_PREALLOC elements are allocated on first use and
// recycled through the map's own free list (their memory is only returned to
// the kernel allocator when the map is destroyed, so a stale value pointer a
// program still holds never points into another object).
//
// Iteration order (get_next_key, entries, batches, bpf_for_each_map_elem) is
// insertion order, oldest first, and stable under updates of existing keys.
// Linux walks buckets instead, which user space cannot rely on either; a
// missing key passed to get_next_key restarts at the first key, as in Linux.
//
// Updates of an existing key copy the value in place (Linux does so for
// per-CPU maps and BPF_F_LOCK; for plain maps it swaps in a new element, which
// only differs for a program that keeps the old pointer).
//
// LRU maps model Linux's common LRU (bpf_lru_list.c): global active and
// inactive lists plus a global free list, a per-CPU local free list and
// per-CPU pending list. A new element comes from the current CPU's local free
// list and sits in its pending list (ref cleared) until the next refill
// flushes pending elements to the head of the inactive list (active if
// referenced since). A refill first rotates: when the inactive list is
// shorter than the active one, up to nr_scans active elements are scanned
// from the tail (referenced ones go back to the active head, the others to the
// inactive head, refs cleared); then up to nr_scans inactive elements are
// scanned headward from a persistent rotation cursor (wrapping once) and
// referenced ones promoted to the active head. Then
// it takes up to target_free elements from the global free list and, if short,
// evicts unreferenced elements from the inactive tail (promoting referenced
// ones); if none could be evicted, the inactive tail (or active tail) is
// evicted regardless of its reference bit. target_free = clamp(max_entries /
// nrCpus / 2, 1, 128), nr_scans = 128. A program lookup sets the reference
// bit; a syscall lookup does not. Like Linux, an update (other than
// BPF_EXIST on a per-CPU LRU map) takes a fresh element first, which may evict
// another key even when the updated key exists. BPF_F_NO_COMMON_LRU maps
// (bpf_percpu_lru) give each CPU its own lists and max_entries / nrCpus
// elements; a new element goes straight to the CPU's inactive head, and when
// the CPU has no free element it rotates and shrinks (4 at a time, 4 scans).
// Simplification: when every list is empty a CPU steals only other CPUs'
// free (not pending) elements. Both models were checked against Linux 6.18
// with random update/lookup/delete sequences (see test/kernel/maps-lru).

import { E2BIG, EEXIST, EINVAL, ENOENT, ENOMEM } from '../errno.js';
import { BpfMap, type ForEachCb, type MapCreateAttr, type MapEnv } from './bpf-map.js';
import { hashKey, keysEqual } from './key-hash.js';
import { BPF_EXIST, BPF_F_LOCK, BPF_F_NO_COMMON_LRU, BPF_F_NO_PREALLOC, BPF_NOEXIST, roundUp8, roundUpPow2 } from './types.js';

const NONE = -1;
const LRU_NR_SCANS = 128;
const LOCAL_FREE_TARGET = 128;
const PERCPU_FREE_TARGET = 4;
const PERCPU_NR_SCANS = PERCPU_FREE_TARGET;
// where an element is, for LRU maps
const L_FREE = 0;
const L_INACTIVE = 1;
const L_ACTIVE = 2;
const L_LOCAL_FREE = 3;
const L_PENDING = 4;

/** Doubly-linked lists over slot indices sharing prev/next arrays. */
class SlotLists {
  prev: Int32Array;
  next: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  count: Int32Array;
  where: Uint8Array;
  constructor(slots: number, nLists: number) {
    this.prev = new Int32Array(slots).fill(NONE);
    this.next = new Int32Array(slots).fill(NONE);
    this.where = new Uint8Array(slots);
    this.head = new Int32Array(nLists).fill(NONE);
    this.tail = new Int32Array(nLists).fill(NONE);
    this.count = new Int32Array(nLists);
  }

  grow(slots: number): void {
    const g = (a: Int32Array): Int32Array => {
      const b = new Int32Array(slots).fill(NONE);
      b.set(a);
      return b;
    };
    this.prev = g(this.prev);
    this.next = g(this.next);
    const w = new Uint8Array(slots);
    w.set(this.where);
    this.where = w;
  }

  pushHead(l: number, s: number): void {
    this.where[s] = l;
    this.prev[s] = NONE;
    this.next[s] = this.head[l]!;
    if (this.head[l] !== NONE) this.prev[this.head[l]!] = s;
    else this.tail[l] = s;
    this.head[l] = s;
    this.count[l]!++;
  }

  pushTail(l: number, s: number): void {
    this.where[s] = l;
    this.next[s] = NONE;
    this.prev[s] = this.tail[l]!;
    if (this.tail[l] !== NONE) this.next[this.tail[l]!] = s;
    else this.head[l] = s;
    this.tail[l] = s;
    this.count[l]!++;
  }

  remove(l: number, s: number): void {
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p !== NONE) this.next[p] = n;
    else this.head[l] = n;
    if (n !== NONE) this.prev[n] = p;
    else this.tail[l] = p;
    this.prev[s] = NONE;
    this.next[s] = NONE;
    this.count[l]!--;
  }

  /** Put slot `s`, currently in list `from`, after slot `after` in the same list (or at the head if NONE). */
  replace(l: number, old: number, s: number): void {
    const p = this.prev[old]!;
    const n = this.next[old]!;
    this.prev[s] = p;
    this.next[s] = n;
    if (p !== NONE) this.next[p] = s;
    else this.head[l] = s;
    if (n !== NONE) this.prev[n] = s;
    else this.tail[l] = s;
    this.prev[old] = NONE;
    this.next[old] = NONE;
    this.where[s] = l;
  }
}

export class HashMap extends BpfMap {
  override readonly percpu: boolean;
  readonly lru: boolean;
  readonly prealloc: boolean;
  private readonly keyStride: number;
  private readonly elemSize: number;
  private readonly seed: number;
  // per-slot bookkeeping
  private elemOff: Float64Array;
  private hashes: Uint32Array;
  private chain: Int32Array;
  private live: Uint8Array;
  private serial: Float64Array;
  private nextSerial = 1;
  private slots = 0;
  private buckets: Int32Array;
  private mask: number;
  /** Insertion-order list of live elements (list 0). */
  private order: SlotLists;
  /** Free slots not on an LRU list. */
  private freeStack: number[] = [];
  private pool = 0;
  private readonly chunks: number[] = [];
  private count = 0;
  // LRU state
  /** LRU lists: one set for the common LRU, one per CPU with BPF_F_NO_COMMON_LRU. */
  private domains: SlotLists[] = [];
  private rotCursors: number[] = [];
  /** The domain the LRU code is working on. */
  private dom = 0;
  private owner: Uint8Array = new Uint8Array(0);
  private readonly percpuLru: boolean;
  private readonly nrScans: number;
  private localFree: number[][] = [];
  private pending: number[][] = [];
  private ref: Uint8Array = new Uint8Array(0);
  private readonly targetFree: number;

  private get lruLists(): SlotLists | null {
    return this.domains[this.dom] ?? null;
  }

  /** Linux's next_inactive_rotation: an inactive slot, or NONE for the list head. */
  private get rotCursor(): number {
    return this.rotCursors[this.dom]!;
  }

  private set rotCursor(v: number) {
    this.rotCursors[this.dom] = v;
  }

  constructor(attr: MapCreateAttr, env: MapEnv, percpu: boolean, lru: boolean) {
    super(attr, env);
    this.batchEndsWithLast = true;
    this.percpu = percpu;
    this.lru = lru;
    this.percpuLru = lru && (this.flags & BPF_F_NO_COMMON_LRU) !== 0;
    this.nrScans = this.percpuLru ? PERCPU_NR_SCANS : LRU_NR_SCANS;
    this.prealloc = (this.flags & BPF_F_NO_PREALLOC) === 0;
    this.keyStride = roundUp8(this.keySize);
    this.elemSize = this.keyStride + this.valueStride * (percpu ? env.nrCpus : 1);
    this.seed = (Math.imul(this.id, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
    const initial = this.prealloc ? this.maxEntries : Math.min(this.maxEntries, 64);
    this.elemOff = new Float64Array(initial);
    this.hashes = new Uint32Array(initial);
    this.chain = new Int32Array(initial).fill(NONE);
    this.live = new Uint8Array(initial);
    this.serial = new Float64Array(initial);
    this.order = new SlotLists(initial, 1);
    const nb = roundUpPow2(Math.max(1, Math.min(this.maxEntries, this.prealloc ? this.maxEntries : 64)));
    this.buckets = new Int32Array(nb).fill(NONE);
    this.mask = nb - 1;
    this.targetFree = Math.min(LOCAL_FREE_TARGET, Math.max(1, Math.floor(this.maxEntries / env.nrCpus / 2)));
    if (this.prealloc) {
      const total = this.elemSize * this.maxEntries;
      this.pool = this.mem.alloc(total, 8);
      this.slots = this.maxEntries;
      for (let i = 0; i < this.maxEntries; i++) this.elemOff[i] = this.pool + i * this.elemSize;
      // pop order 0, 1, 2, ...
      for (let i = this.maxEntries - 1; i >= 0; i--) this.freeStack.push(i);
    }
    if (lru) {
      const nDom = this.percpuLru ? env.nrCpus : 1;
      for (let d = 0; d < nDom; d++) {
        this.domains.push(new SlotLists(this.slots, 3));
        this.rotCursors.push(NONE);
      }
      this.ref = new Uint8Array(this.slots);
      this.owner = new Uint8Array(this.slots);
      for (let c = 0; c < env.nrCpus; c++) {
        this.localFree.push([]);
        this.pending.push([]);
      }
      // per-CPU LRU: each CPU owns max_entries / nrCpus consecutive elements
      const per = Math.max(1, Math.floor(this.slots / nDom));
      for (let i = 0; i < this.slots; i++) {
        const d = Math.min(nDom - 1, Math.floor(i / per));
        this.owner[i] = d;
        this.domains[d]!.pushTail(L_FREE, i);
      }
      this.freeStack = [];
    }
  }

  get size(): number {
    return this.count;
  }

  // ---- element storage ---------------------------------------------------

  private growSlots(n: number): void {
    const g64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.elemOff = g64(this.elemOff);
    this.serial = g64(this.serial);
    const h = new Uint32Array(n);
    h.set(this.hashes);
    this.hashes = h;
    const c = new Int32Array(n).fill(NONE);
    c.set(this.chain);
    this.chain = c;
    const l = new Uint8Array(n);
    l.set(this.live);
    this.live = l;
    this.order.grow(n);
  }

  /** A free slot for a plain (non-LRU) hash, or -1 when the map is full. */
  private allocSlot(): number {
    if (this.count >= this.maxEntries) return NONE;
    const s = this.freeStack.pop();
    if (s !== undefined) return s;
    // BPF_F_NO_PREALLOC: a new element
    const slot = this.slots;
    if (slot >= this.elemOff.length) this.growSlots(Math.min(this.maxEntries, Math.max(64, this.elemOff.length * 2)));
    const off = this.mem.tryAlloc(this.elemSize, 8);
    if (off === 0) return NONE;
    this.chunks.push(off);
    this.elemOff[slot] = off;
    this.slots++;
    return slot;
  }

  private valueAt(slot: number, cpu: number): number {
    return this.elemOff[slot]! + this.keyStride + cpu * this.valueStride;
  }

  private find(keyOff: number, h: number): number {
    const u8 = this.mem.u8;
    const ks = this.keySize;
    for (let s = this.buckets[h & this.mask]!; s !== NONE; s = this.chain[s]!) {
      if (this.hashes[s] === h && keysEqual(u8, this.elemOff[s]!, keyOff, ks)) return s;
    }
    return NONE;
  }

  private hashOf(keyOff: number): number {
    return hashKey(this.mem.u8, keyOff, this.keySize, this.seed);
  }

  private linkBucket(s: number, h: number): void {
    this.hashes[s] = h;
    const b = h & this.mask;
    this.chain[s] = this.buckets[b]!;
    this.buckets[b] = s;
  }

  private unlinkBucket(s: number): void {
    const b = this.hashes[s]! & this.mask;
    let p = this.buckets[b]!;
    if (p === s) {
      this.buckets[b] = this.chain[s]!;
    } else {
      while (p !== NONE && this.chain[p] !== s) p = this.chain[p]!;
      if (p !== NONE) this.chain[p] = this.chain[s]!;
    }
    this.chain[s] = NONE;
  }

  private maybeRehash(): void {
    if (this.count <= this.buckets.length || this.buckets.length >= roundUpPow2(this.maxEntries)) return;
    const nb = this.buckets.length * 2;
    this.buckets = new Int32Array(nb).fill(NONE);
    this.mask = nb - 1;
    for (let s = this.order.head[0]!; s !== NONE; s = this.order.next[s]!) {
      const b = this.hashes[s]! & this.mask;
      this.chain[s] = this.buckets[b]!;
      this.buckets[b] = s;
    }
  }

  private insertNew(s: number, keyOff: number, h: number): void {
    this.mem.copy(this.elemOff[s]!, keyOff, this.keySize);
    this.mem.fill(this.elemOff[s]! + this.keyStride, this.elemSize - this.keyStride);
    this.linkBucket(s, h);
    this.order.pushTail(0, s);
    this.live[s] = 1;
    this.serial[s] = this.nextSerial++;
    this.count++;
    this.maybeRehash();
  }

  private removeLive(s: number): void {
    this.unlinkBucket(s);
    this.order.remove(0, s);
    this.live[s] = 0;
    this.count--;
  }

  // ---- LRU ----------------------------------------------------------------

  private lruMove(s: number, to: number): void {
    const L = this.lruLists!;
    this.lruDetach(s);
    this.ref[s] = 0;
    L.pushHead(to, s);
  }

  private lruRotate(): void {
    const L = this.lruLists!;
    if (L.count[L_INACTIVE]! < L.count[L_ACTIVE]!) {
      const first = L.head[L_ACTIVE]!;
      let s = L.tail[L_ACTIVE]!;
      for (let i = 0; s !== NONE; ) {
        const prev = L.prev[s]!;
        this.lruMove(s, this.ref[s] ? L_ACTIVE : L_INACTIVE);
        if (++i === this.nrScans || s === first) break;
        s = prev;
      }
    }
    this.lruRotateInactive();
  }

  /**
   * Scan the inactive list headward from the rotation cursor, wrapping once,
   * promoting referenced elements; the cursor (NONE = the list head sentinel)
   * persists between refills as Linux's next_inactive_rotation does.
   */
  private lruRotateInactive(): void {
    const L = this.lruLists!;
    if (L.count[L_INACTIVE] === 0) return;
    let last = this.rotCursor === NONE ? L.head[L_INACTIVE]! : L.next[this.rotCursor]!;
    if (last === NONE) last = L.head[L_INACTIVE]!;
    let cur = this.rotCursor;
    let nxt = NONE;
    for (let i = 0; i < this.nrScans; ) {
      if (cur === NONE) {
        cur = L.tail[L_INACTIVE]!;
        if (cur === NONE) break;
        continue;
      }
      nxt = L.prev[cur]!;
      if (this.ref[cur]) this.lruMove(cur, L_ACTIVE);
      if (cur === last) break;
      cur = nxt;
      i++;
    }
    this.rotCursor = nxt;
  }

  /** Take s off the active/inactive list, keeping the rotation cursor valid. */
  private lruDetach(s: number): void {
    const L = this.lruLists!;
    if (s === this.rotCursor) this.rotCursor = L.prev[s]!;
    L.remove(L.where[s]!, s);
  }

  /** Evict element `s` from the hash table (del_from_htab). */
  private lruEvict(s: number): void {
    if (this.live[s]) this.removeLive(s);
  }

  /** Evicted elements go to the CPU's local free list (common LRU) or the domain's free list (per-CPU LRU). */
  private lruToFree(s: number, cpu: number): void {
    const L = this.lruLists!;
    this.ref[s] = 0;
    if (this.percpuLru) {
      L.pushHead(L_FREE, s);
    } else {
      this.localFree[cpu]!.push(s);
      L.where[s] = L_LOCAL_FREE;
    }
  }

  private lruShrink(target: number, cpu: number): void {
    const L = this.lruLists!;
    let n = 0;
    let s = L.tail[L_INACTIVE]!;
    for (let i = 0; s !== NONE && n < target && i < this.nrScans; i++) {
      const prev = L.prev[s]!;
      if (this.ref[s]) {
        this.lruMove(s, L_ACTIVE);
      } else {
        this.lruEvict(s);
        this.lruDetach(s);
        this.lruToFree(s, cpu);
        n++;
      }
      s = prev;
    }
    if (n > 0) return;
    const from = L.count[L_INACTIVE]! > 0 ? L_INACTIVE : L_ACTIVE;
    const victim = L.tail[from]!;
    if (victim === NONE) return;
    this.lruEvict(victim);
    this.lruDetach(victim);
    this.lruToFree(victim, cpu);
  }

  private lruFlushPending(cpu: number): void {
    const L = this.lruLists!;
    const pend = this.pending[cpu]!;
    // oldest pending first, so the newest ends up nearest the head
    for (const s of pend) {
      if (L.where[s] !== L_PENDING) continue;
      // a referenced pending element goes to the active list, ref cleared as in Linux
      const to = this.ref[s] ? L_ACTIVE : L_INACTIVE;
      this.ref[s] = 0;
      L.pushHead(to, s);
    }
    pend.length = 0;
  }

  private lruRefill(cpu: number): void {
    const L = this.lruLists!;
    this.lruFlushPending(cpu);
    this.lruRotate();
    const local = this.localFree[cpu]!;
    let n = 0;
    while (n < this.targetFree && L.head[L_FREE] !== NONE) {
      const s = L.head[L_FREE]!;
      L.remove(L_FREE, s);
      L.where[s] = L_LOCAL_FREE;
      local.push(s);
      n++;
    }
    if (n < this.targetFree) this.lruShrink(this.targetFree - n, cpu);
  }

  /** prealloc_lru_pop: a fresh element for `cpu`, evicting if needed; -1 if none. */
  private lruPop(cpu: number): number {
    if (this.percpuLru) return this.lruPopPercpu(cpu);
    this.dom = 0;
    const L = this.lruLists!;
    let local = this.localFree[cpu]!;
    if (local.length === 0) this.lruRefill(cpu);
    local = this.localFree[cpu]!;
    let s = local.length > 0 ? local.pop()! : NONE;
    if (s === NONE) {
      // steal from another CPU's local free list
      for (let c = 0; c < this.env.nrCpus && s === NONE; c++) {
        const other = this.localFree[c]!;
        if (other.length > 0) s = other.pop()!;
      }
      if (s === NONE) return NONE;
    }
    this.ref[s] = 0;
    L.where[s] = L_PENDING;
    this.pending[cpu]!.push(s);
    return s;
  }

  /** bpf_percpu_lru_pop_free: rotate the CPU's lists, shrink if no free element, new element to the inactive head. */
  private lruPopPercpu(cpu: number): number {
    this.dom = cpu;
    const L = this.lruLists!;
    this.lruRotate();
    if (L.head[L_FREE] === NONE) this.lruShrink(PERCPU_FREE_TARGET, cpu);
    const s = L.head[L_FREE]!;
    if (s === NONE) return NONE;
    L.remove(L_FREE, s);
    this.ref[s] = 0;
    L.pushHead(L_INACTIVE, s);
    return s;
  }

  /** Return an element to the free list (delete, or an unused fresh element). */
  private lruPushFree(s: number): void {
    this.dom = this.owner[s]!;
    const L = this.lruLists!;
    const w = L.where[s]!;
    if (w === L_ACTIVE || w === L_INACTIVE) {
      this.lruDetach(s);
    } else if (w === L_PENDING) {
      // a pending element goes back to its CPU's local free list
      for (let c = 0; c < this.pending.length; c++) {
        const i = this.pending[c]!.indexOf(s);
        if (i < 0) continue;
        this.pending[c]!.splice(i, 1);
        this.ref[s] = 0;
        L.where[s] = L_LOCAL_FREE;
        this.localFree[c]!.push(s);
        return;
      }
      return;
    } else {
      return;
    }
    this.ref[s] = 0;
    L.pushHead(L_FREE, s);
  }

  private cpu(): number {
    return this.env.currentCpu();
  }

  // ---- program side --------------------------------------------------------

  override lookupElem(keyOff: number): number {
    const s = this.find(keyOff, this.hashOf(keyOff));
    if (s === NONE) return 0;
    if (this.lru) this.ref[s] = 1;
    return this.valueAt(s, this.percpu ? this.cpu() : 0);
  }

  override lookupSys(keyOff: number, cpu: number): number {
    const s = this.find(keyOff, this.hashOf(keyOff));
    if (s === NONE) return 0;
    return this.valueAt(s, this.percpu ? cpu : 0);
  }

  override lookupPercpuElem(keyOff: number, cpu: number): number {
    if (!this.percpu || cpu < 0 || cpu >= this.env.nrCpus) return 0;
    const s = this.find(keyOff, this.hashOf(keyOff));
    if (s === NONE) return 0;
    if (this.lru) this.ref[s] = 1;
    return this.valueAt(s, cpu);
  }

  override updateElem(keyOff: number, valueOff: number, flags: bigint): number {
    return this.update1(keyOff, valueOff, flags, false);
  }

  override updateSys(keyOff: number, valueOff: number, flags: bigint): number {
    return this.update1(keyOff, valueOff, flags, this.percpu);
  }

  /** Write the value(s) of slot s: all CPUs from a syscall-layout buffer, or the current CPU only. */
  private writeValue(s: number, valueOff: number, allCpus: boolean, fresh: boolean): void {
    if (!this.percpu) {
      this.copyValue(this.valueAt(s, 0), valueOff);
      return;
    }
    if (allCpus) {
      for (let c = 0; c < this.env.nrCpus; c++) this.copyValue(this.valueAt(s, c), valueOff + c * this.valueStride);
      return;
    }
    const cur = this.cpu();
    if (fresh) this.mem.fill(this.elemOff[s]! + this.keyStride, this.elemSize - this.keyStride);
    this.copyValue(this.valueAt(s, cur), valueOff);
  }

  private update1(keyOff: number, valueOff: number, flags: bigint, allCpus: boolean): number {
    if (this.lru) return this.lruUpdate(keyOff, valueOff, flags, allCpus);
    const fr = this.checkUpdateFlags(flags);
    if (fr < 0) return fr;
    const mode = Number(flags & ~BigInt(BPF_F_LOCK));
    const h = this.hashOf(keyOff);
    const s = this.find(keyOff, h);
    if (s !== NONE) {
      if (mode === BPF_NOEXIST) return -EEXIST;
      this.writeValue(s, valueOff, allCpus, false);
      return 0;
    }
    if (mode === BPF_EXIST) return -ENOENT;
    if (this.count >= this.maxEntries) return -E2BIG;
    const ns = this.allocSlot();
    if (ns === NONE) return this.prealloc ? -E2BIG : -ENOMEM;
    this.insertNew(ns, keyOff, h);
    this.writeValue(ns, valueOff, allCpus, true);
    return 0;
  }

  private lruUpdate(keyOff: number, valueOff: number, flags: bigint, allCpus: boolean): number {
    if (flags > BigInt(BPF_EXIST) || flags < 0n) return -EINVAL;
    const mode = Number(flags);
    const cpu = this.cpu();
    const h = this.hashOf(keyOff);
    if (this.percpu) {
      let fresh = NONE;
      if (mode !== BPF_EXIST) {
        fresh = this.lruPop(cpu);
        if (fresh === NONE) return -ENOMEM;
      }
      const old = this.find(keyOff, h);
      if (old !== NONE) {
        if (mode === BPF_NOEXIST) {
          if (fresh !== NONE) this.lruPushFree(fresh);
          return -EEXIST;
        }
        this.ref[old] = 1;
        this.writeValue(old, valueOff, allCpus, false);
        if (fresh !== NONE) this.lruPushFree(fresh);
        return 0;
      }
      if (mode === BPF_EXIST) return -ENOENT;
      this.insertNew(fresh, keyOff, h);
      this.writeValue(fresh, valueOff, allCpus, true);
      return 0;
    }
    const fresh = this.lruPop(cpu);
    if (fresh === NONE) return -ENOMEM;
    const old = this.find(keyOff, h);
    if ((old !== NONE && mode === BPF_NOEXIST) || (old === NONE && mode === BPF_EXIST)) {
      this.lruPushFree(fresh);
      return old !== NONE ? -EEXIST : -ENOENT;
    }
    if (old === NONE) {
      this.insertNew(fresh, keyOff, h);
      this.writeValue(fresh, valueOff, allCpus, true);
      return 0;
    }
    // replace: the fresh element takes the old one's place in the iteration order
    this.mem.copy(this.elemOff[fresh]!, keyOff, this.keySize);
    this.mem.fill(this.elemOff[fresh]! + this.keyStride, this.elemSize - this.keyStride);
    this.writeValue(fresh, valueOff, allCpus, true);
    this.unlinkBucket(old);
    this.order.replace(0, old, fresh);
    this.live[old] = 0;
    this.live[fresh] = 1;
    this.serial[fresh] = this.nextSerial++;
    this.linkBucket(fresh, h);
    this.ref[fresh] = 1;
    this.lruPushFree(old);
    return 0;
  }

  override deleteElem(keyOff: number): number {
    const s = this.find(keyOff, this.hashOf(keyOff));
    if (s === NONE) return -ENOENT;
    this.removeLive(s);
    if (this.lru) this.lruPushFree(s);
    else this.freeStack.push(s);
    return 0;
  }

  override getNextKeyElem(keyOff: number, nextOff: number): number {
    let s = NONE;
    if (keyOff !== 0) s = this.find(keyOff, this.hashOf(keyOff));
    const n = s === NONE ? this.order.head[0]! : this.order.next[s]!;
    if (n === NONE) return -ENOENT;
    this.mem.copy(nextOff, this.elemOff[n]!, this.keySize);
    return 0;
  }

  override forEachElem(cb: ForEachCb): number {
    // snapshot, so callbacks may delete (or insert) elements safely
    const snap: number[] = [];
    const ser: number[] = [];
    for (let s = this.order.head[0]!; s !== NONE; s = this.order.next[s]!) {
      snap.push(s);
      ser.push(this.serial[s]!);
    }
    const cpu = this.percpu ? this.cpu() : 0;
    let n = 0;
    for (let i = 0; i < snap.length; i++) {
      const s = snap[i]!;
      if (!this.live[s] || this.serial[s] !== ser[i]) continue;
      n++;
      if (cb(this.elemOff[s]!, this.valueAt(s, cpu))) break;
    }
    return n;
  }

  /** Offsets of every live element's key, in iteration order (for iterators). */
  elementKeyOffsets(): number[] {
    const out: number[] = [];
    for (let s = this.order.head[0]!; s !== NONE; s = this.order.next[s]!) out.push(this.elemOff[s]!);
    return out;
  }

  /** Value offset of the element whose key is at keyOff inside the map (from elementKeyOffsets). */
  valueOfKeyOffset(keyOff: number, cpu = 0): number {
    return keyOff + this.keyStride + cpu * this.valueStride;
  }

  override entries(): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    for (let s = this.order.head[0]!; s !== NONE; s = this.order.next[s]!) {
      const k = this.mem.readBytes(this.elemOff[s]!, this.keySize);
      if (!this.percpu) {
        out.push([k, this.readValue(this.valueAt(s, 0))]);
      } else {
        const v = new Uint8Array(this.valueStride * this.env.nrCpus);
        for (let c = 0; c < this.env.nrCpus; c++) v.set(this.readValue(this.valueAt(s, c)), c * this.valueStride);
        out.push([k, v]);
      }
    }
    return out;
  }

  /** For tests and debugging: LRU list membership of a key ('active' | 'inactive' | 'pending' | undefined). */
  lruState(key: Uint8Array): { list: string; ref: boolean } | undefined {
    if (!this.lru) return undefined;
    const so = this.scratchOffs();
    this.mem.writeBytes(so.key, key);
    const s = this.find(so.key, this.hashOf(so.key));
    if (s === NONE) return undefined;
    const names = ['free', 'inactive', 'active', 'local_free', 'pending'];
    this.dom = this.owner[s]!;
    return { list: names[this.lruLists!.where[s]!]!, ref: this.ref[s] === 1 };
  }

  protected override releaseStorage(): void {
    if (this.pool !== 0) this.mem.free(this.pool);
    for (const c of this.chunks) this.mem.free(c);
  }
}
