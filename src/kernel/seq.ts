// The seq_file an iterator program writes to with bpf_seq_printf / bpf_seq_write /
// bpf_seq_printf_btf.
//
// Linux semantics (fs/seq_file.c, kernel/bpf/bpf_iter.c bpf_seq_read): the buffer is
// PAGE_SIZE << 3 bytes; a write that does not fit marks the file overflowed (count = size) and the
// helper returns -EOVERFLOW. bpf_seq_read then discards what the current object printed and
// retries it in the next read() with an empty buffer; if even an empty buffer cannot hold one
// object, read() fails with -E2BIG. The iterator driver uses beginObject()/endObject() for that.

/** Size of the buffer bpf_seq_read allocates (PAGE_SIZE << 3). */
export const SEQ_BUF_SIZE = 4096 << 3;

export type SeqObjectResult = 'ok' | 'retry' | 'e2big';

export class SeqFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeqFileError';
  }
}

export class SeqFile {
  readonly size: number;
  private buf: Uint8Array;
  /** bytes in the buffer; === size means overflowed */
  private count = 0;
  private objStart = 0;
  /** what earlier flushes produced (what a reader of the pinned iterator has received) */
  private readonly flushed: Uint8Array[] = [];

  constructor(size = SEQ_BUF_SIZE) {
    if (!Number.isInteger(size) || size <= 0) throw new SeqFileError(`seq_file size must be a positive integer, got ${size}`);
    this.size = size;
    this.buf = new Uint8Array(size);
  }

  /** seq_has_overflowed() */
  get overflowed(): boolean {
    return this.count === this.size;
  }

  /** Bytes currently buffered. */
  get length(): number {
    return this.overflowed ? this.objStart : this.count;
  }

  /**
   * seq_write(): append bytes; false (and the file marked overflowed) when they do not fit.
   * An overflowed file swallows every further write until the object is rolled back.
   */
  write(bytes: Uint8Array): boolean {
    if (this.overflowed) return false;
    // like seq_write(): the data must leave room for at least one more byte
    if (this.count + bytes.length >= this.size) {
      this.count = this.size;
      return false;
    }
    this.buf.set(bytes, this.count);
    this.count += bytes.length;
    return true;
  }

  /** Append text (UTF-8). */
  print(text: string): boolean {
    return this.write(new TextEncoder().encode(text));
  }

  /** Start of one object's show(): remember where to roll back to. */
  beginObject(): void {
    if (this.overflowed) this.count = this.objStart;
    this.objStart = this.count;
  }

  /**
   * End of one object's show(). 'ok': kept. 'retry': it overflowed a non-empty buffer; its output
   * was dropped and the caller should flush() and show the same object again. 'e2big': it
   * overflowed an empty buffer (read() fails with -E2BIG).
   */
  endObject(): SeqObjectResult {
    if (!this.overflowed) return 'ok';
    const empty = this.objStart === 0;
    this.count = this.objStart;
    return empty ? 'e2big' : 'retry';
  }

  /** Hand the buffered bytes to the reader (one read() call) and empty the buffer. */
  flush(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.flushed.push(out);
    this.count = 0;
    this.objStart = 0;
    return out;
  }

  /** Everything produced so far: flushed reads plus what is buffered. */
  bytes(): Uint8Array {
    const parts = [...this.flushed, this.buf.subarray(0, this.length)];
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Everything produced so far as text, like `cat` on the pinned iterator. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}
