// One open iterator file (what bpf_iter_create / open() of a pinned iterator gives) and its
// read(), with bpf_seq_read's semantics (kernel/bpf/bpf_iter.c):
// - each read() fills one seq_file buffer (PAGE_SIZE << 3): objects are shown until one does
//   not fit; that object's output is dropped and it is shown again first in the next read();
// - an object that does not fit an empty buffer fails the read with E2BIG;
// - the program runs once more with NULL objects at the end (the stop call); if that output
//   does not fit it is retried in the next read(), and once it ran the file is at EOF;
// - meta->seq_num counts distinct objects from 0; meta->session_id is per open file.
// The engine is abstracted as `run(ctxPtr, seq) → r0` so the kernel knows nothing of engines.

import { E2BIG, EAGAIN, EINVAL, EOPNOTSUPP, ErrnoError } from '../errno.js';
import type { Kernel } from '../kernel.js';
import { SEQ_BUF_SIZE, SeqFile } from '../seq.js';
import { ITER_CTX_SIZE, iterSource, type IterLinkInfo, type IterObject, type IterSource } from './targets.js';

export type IterRunFn = (ctxPtr: bigint, seq: SeqFile) => bigint;

/**
 * The seq_file one object's show() writes to: the room left in the read's buffer, reused for
 * every object (a fresh 32 KiB SeqFile per object would churn memory on big maps). A write
 * overflows exactly when the shared buffer would (seq_write's `count + len < size`), so an
 * object's output can be dropped without touching what earlier objects wrote.
 */
class ObjectSeq extends SeqFile {
  private readonly data: Uint8Array;
  private n = 0;
  private room = 0;
  private over = false;

  constructor(size: number) {
    super(1);
    this.data = new Uint8Array(size);
  }

  reset(room: number): void {
    this.n = 0;
    this.room = room;
    this.over = false;
  }

  override get overflowed(): boolean {
    return this.over;
  }

  override get length(): number {
    return this.n;
  }

  override write(bytes: Uint8Array): boolean {
    if (this.over) return false;
    if (this.n + bytes.length >= this.room) {
      this.over = true;
      return false;
    }
    this.data.set(bytes, this.n);
    this.n += bytes.length;
    return true;
  }

  override bytes(): Uint8Array {
    return this.data.slice(0, this.n);
  }
}

const sessionIds = new WeakMap<Kernel, bigint>();

/** A read() that failed: errno (positive) and what earlier reads returned. */
export class IterReadError extends ErrnoError {
  constructor(errno: number, readonly partial: Uint8Array) {
    super(errno, 'read of bpf iterator failed');
    this.name = 'IterReadError';
  }
}

export class IterSession {
  readonly sessionId: bigint;
  private readonly source: IterSource;
  private readonly metaOff: number;
  private readonly seqOff: number;
  private readonly ctxOff: number;
  private idx = 0;
  private seqNum = 0n;
  private terminated = false;
  private doneStop = false;
  /** a read() has started the walk / the stop call has run (cgroup_iter's *pos and visited_all) */
  private started = false;
  private visitedAll = false;
  private closed = false;
  private readonly readsOut: Uint8Array[] = [];
  private readonly seq: ObjectSeq;

  constructor(readonly kernel: Kernel, readonly target: string, info: IterLinkInfo, private readonly run: IterRunFn, readonly bufSize = SEQ_BUF_SIZE) {
    if (!Number.isInteger(bufSize) || bufSize < 2 || bufSize > 1 << 26) throw new ErrnoError(EINVAL, `seq_file buffer size ${String(bufSize)} out of range`);
    this.source = iterSource(kernel, target, info);
    const mem = kernel.mem;
    const id = (sessionIds.get(kernel) ?? 0n) + 1n;
    sessionIds.set(kernel, id);
    this.sessionId = id;
    this.seqOff = mem.alloc(kernel.types.hasStruct('seq_file') ? kernel.types.sizeof('seq_file') : 8);
    this.metaOff = mem.alloc(24);
    this.ctxOff = mem.alloc(ITER_CTX_SIZE);
    this.seq = new ObjectSeq(bufSize);
    mem.writeU64(this.metaOff, mem.toPtr(this.seqOff));
    mem.writeU64(this.metaOff + 8, id);
  }

  /** Show one object (null: the stop call) into a buffer that has `used` bytes already. */
  private show(obj: IterObject | null, used: number): { ret: bigint; out: Uint8Array | null } {
    const mem = this.kernel.mem;
    mem.writeBytes(this.ctxOff, new Uint8Array(ITER_CTX_SIZE));
    mem.writeU64(this.ctxOff, mem.toPtr(this.metaOff));
    mem.writeU64(this.metaOff + 16, this.seqNum);
    (obj ?? this.source.stop)(this.ctxOff);
    const seq = this.seq;
    seq.reset(this.bufSize - used);
    const ret = this.run(mem.toPtr(this.ctxOff), seq);
    return { ret, out: seq.overflowed ? null : seq.bytes() };
  }

  private current(): IterObject | null {
    return this.terminated || this.idx >= this.source.objects.length ? null : this.source.objects[this.idx]!;
  }

  /** One read() call: the bytes it returns (empty at EOF). Throws IterReadError. */
  read(): Uint8Array {
    if (this.closed) throw new ErrnoError(9, 'read of a closed bpf iterator');
    if (this.doneStop) {
      const eof = new Uint8Array(0);
      this.readsOut.push(eof);
      return eof;
    }
    const parts: Uint8Array[] = [];
    let used = 0;
    const fail = (errno: number): never => {
      throw new IterReadError(errno, concat(this.readsOut));
    };
    const keep = (b: Uint8Array): void => {
      parts.push(b);
      used += b.length;
    };
    if (!this.source.resumable && this.started && !this.visitedAll) fail(EOPNOTSUPP);
    this.started = true;
    let p = this.current();
    while (p) {
      const r = this.show(p, used);
      const err = r.ret !== 0n && this.source.onNonZero === 'retry';
      if (err || r.out === null) {
        if (used === 0) fail(err ? EAGAIN : E2BIG);
        break;
      }
      keep(r.out);
      if (r.ret !== 0n) this.terminated = true;
      this.idx++;
      p = this.current();
      // bpf_iter_inc_seq_num: a valid next object gets the next number
      if (p) this.seqNum++;
    }
    if (!p) {
      const r = this.show(null, used);
      this.visitedAll = true;
      if (r.out === null) {
        if (used === 0) fail(E2BIG);
      } else {
        keep(r.out);
        this.doneStop = true;
      }
    }
    const out = concat(parts);
    this.readsOut.push(out);
    return out;
  }

  /** Every read() until EOF, like `cat`; the text. */
  readAll(): Uint8Array {
    while (this.read().length > 0);
    return concat(this.readsOut);
  }

  /** What each read() returned so far. */
  get reads(): readonly Uint8Array[] {
    return this.readsOut;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const mem = this.kernel.mem;
    mem.free(this.ctxOff);
    mem.free(this.metaOff);
    mem.free(this.seqOff);
    this.source.release();
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
