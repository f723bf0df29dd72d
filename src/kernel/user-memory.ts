// A simulated process's user address space: sparse 4 KiB pages, reached only
// through bpf_probe_read_user / bpf_copy_from_user and friends. Unmapped pages
// fault (read returns null, write returns false) instead of throwing, because
// faulting is an expected outcome for those helpers.

export const USER_PAGE_SIZE = 4096;
const PAGE_SHIFT = 12n;
/** Highest user address + 1 on x86-64 (47-bit user space). */
export const USER_ADDR_LIMIT = 0x0000800000000000n;

export const PROT_READ = 1;
export const PROT_WRITE = 2;

export class UserMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserMemoryError';
  }
}

interface Page {
  data: Uint8Array;
  prot: number;
}

export class UserAddressSpace {
  /** Page number (address >> 12, exact as a number below 2^47) → page. */
  private readonly pages = new Map<number, Page>();

  /**
   * Map the pages covering [addr, addr+len) (len = data.length or the number),
   * zero-filled unless already mapped, and copy `data` in. Returns addr.
   */
  map(addr: bigint, data: Uint8Array | number, prot = PROT_READ | PROT_WRITE): bigint {
    const len = typeof data === 'number' ? data : data.length;
    if (!Number.isInteger(len) || len < 0) throw new UserMemoryError(`user memory: bad length ${len}`);
    if (addr < 0n || addr + BigInt(len) > USER_ADDR_LIMIT) {
      throw new UserMemoryError(`user memory: range 0x${addr.toString(16)}+${len} outside user space`);
    }
    if (len === 0) return addr;
    const first = Number(addr >> PAGE_SHIFT);
    const last = Number((addr + BigInt(len) - 1n) >> PAGE_SHIFT);
    for (let p = first; p <= last; p++) {
      const page = this.pages.get(p);
      if (page === undefined) this.pages.set(p, { data: new Uint8Array(USER_PAGE_SIZE), prot });
      else page.prot = prot;
    }
    if (typeof data !== 'number') this.copyIn(addr, data);
    return addr;
  }

  /** Unmap every page touching [addr, addr+len). */
  unmap(addr: bigint, len: number): void {
    if (len <= 0) return;
    const first = Number(addr >> PAGE_SHIFT);
    const last = Number((addr + BigInt(len) - 1n) >> PAGE_SHIFT);
    for (let p = first; p <= last; p++) this.pages.delete(p);
  }

  /** Whether every byte of [addr, addr+len) is mapped with `prot`. */
  isMapped(addr: bigint, len: number, prot = PROT_READ): boolean {
    if (addr < 0n || len < 0 || addr + BigInt(len) > USER_ADDR_LIMIT) return false;
    if (len === 0) return true;
    const first = Number(addr >> PAGE_SHIFT);
    const last = Number((addr + BigInt(len) - 1n) >> PAGE_SHIFT);
    for (let p = first; p <= last; p++) {
      const page = this.pages.get(p);
      if (page === undefined || (page.prot & prot) !== prot) return false;
    }
    return true;
  }

  /** Copy of [addr, addr+len), or null if any byte faults. */
  read(addr: bigint, len: number): Uint8Array | null {
    if (!this.isMapped(addr, len, PROT_READ)) return null;
    const out = new Uint8Array(len);
    let done = 0;
    let a = addr;
    while (done < len) {
      const page = this.pages.get(Number(a >> PAGE_SHIFT))!;
      const po = Number(a & 4095n);
      const n = Math.min(len - done, USER_PAGE_SIZE - po);
      out.set(page.data.subarray(po, po + n), done);
      done += n;
      a += BigInt(n);
    }
    return out;
  }

  /** Write data at addr; false (and nothing written) if any byte is unmapped or read-only. */
  write(addr: bigint, data: Uint8Array): boolean {
    if (!this.isMapped(addr, data.length, PROT_WRITE)) return false;
    this.copyIn(addr, data);
    return true;
  }

  /**
   * The bytes of a NUL-terminated string (without the NUL), reading at most
   * `max` bytes; null if a fault happens before the NUL or the limit.
   */
  readString(addr: bigint, max: number): Uint8Array | null {
    const out: number[] = [];
    let a = addr;
    while (out.length < max) {
      if (a < 0n || a >= USER_ADDR_LIMIT) return null;
      const page = this.pages.get(Number(a >> PAGE_SHIFT));
      if (page === undefined || (page.prot & PROT_READ) === 0) return null;
      const b = page.data[Number(a & 4095n)]!;
      if (b === 0) break;
      out.push(b);
      a += 1n;
    }
    return Uint8Array.from(out);
  }

  /** readString decoded as UTF-8 (invalid bytes replaced); null on a fault. */
  readCString(addr: bigint, max: number): string | null {
    const b = this.readString(addr, max);
    return b === null ? null : new TextDecoder().decode(b);
  }

  /** Number of mapped pages. */
  get pageCount(): number {
    return this.pages.size;
  }

  private copyIn(addr: bigint, data: Uint8Array): void {
    let done = 0;
    let a = addr;
    while (done < data.length) {
      const page = this.pages.get(Number(a >> PAGE_SHIFT))!;
      const po = Number(a & 4095n);
      const n = Math.min(data.length - done, USER_PAGE_SIZE - po);
      page.data.set(data.subarray(done, done + n), po);
      done += n;
      a += BigInt(n);
    }
  }
}
