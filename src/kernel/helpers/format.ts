// The printf engine behind bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf and bpf_seq_printf.
//
// Linux splits the work in two (kernel/bpf/helpers.c): bpf_bprintf_prepare() checks the format
// against a small whitelist and snapshots the arguments into a 512-byte per-CPU buffer (strings
// are copied with the *_nofault readers at that point, so a faulting %s prints as ""), then
// bstr_printf() renders it with vsnprintf's rules. We do the same two steps: `parseFormat` is
// the whitelist (the verifier also runs it on constant formats), `renderFormat` the rendering.

/** MAX_BPRINTF_BUF: the per-call scratch buffer that holds the snapshot of all arguments. */
export const MAX_BPRINTF_BUF = 512;
/** MAX_BPRINTF_VARARGS: bpf_snprintf / bpf_trace_vprintk / bpf_seq_printf argument limit. */
export const MAX_BPRINTF_VARARGS = 12;
/** MAX_TRACE_PRINTK_VARARGS: bpf_trace_printk's limit. */
export const MAX_TRACE_PRINTK_VARARGS = 3;

export type ConvKind =
  | 'int' // %d %i %u %x %X with optional l / ll
  | 'char' // %c
  | 'str' // %s (kernel), %pks, %pus
  | 'ptr' // %p (hashed), %pK, %px, %ps, %pS, %pB
  | 'ip4' // %pI4 %pi4
  | 'ip6'; // %pI6 %pi6

export interface FormatSpec {
  kind: ConvKind;
  /** the conversion character: d i u x X c s p */
  conv: string;
  /** 'p' sub-format: '' K x s S B k u I i */
  ptrFmt?: string;
  /** integer argument size in bytes (4 for plain, 8 for l / ll) */
  size: number;
  left: boolean;
  zero: boolean;
  plus: boolean;
  space: boolean;
  width: number;
  /** %pks / %pus: which address space the string lives in ('k' for plain %s) */
  strSpace?: 'k' | 'u';
}

export type FormatPiece = string | FormatSpec;

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

// The kernel's ctype table is Latin-1: 0xa0 is a space and 0xa1..0xff are printable, so a UTF-8
// format passes while C0/C1 control characters and DEL are refused (checked against 6.18).
const isPrint = (c: number): boolean => (c >= 0x20 && c < 0x7f) || c >= 0xa0;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
const isPunct = (c: number): boolean =>
  (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
/** The kernel's test for "the pointer/string conversion ends here". */
const endsConv = (c: number | undefined): boolean => c === undefined || c === 0 || isSpace(c) || isPunct(c);

/**
 * Validate a format (bytes up to, not including, its NUL) the way bpf_bprintf_prepare does and
 * split it into literal text and conversions. Throws FormatError (the helpers turn it into
 * -EINVAL) for: non-printable characters, more conversions than `maxArgs`, or any conversion
 * outside the whitelist (e.g. %o, %f, %hd, precision like %.2d, %n).
 */
export function parseFormat(fmt: Uint8Array, maxArgs: number): FormatPiece[] {
  const pieces: FormatPiece[] = [];
  let lit = '';
  let nSpec = 0;
  const at = (i: number): number | undefined => (i < fmt.length ? fmt[i] : undefined);
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (!isPrint(c) && !isSpace(c)) throw new FormatError(`non-printable character 0x${c.toString(16)} at ${i}`);
    if (c !== 0x25 /* % */) {
      lit += String.fromCharCode(c);
      continue;
    }
    if (at(i + 1) === 0x25) {
      lit += '%';
      i++;
      continue;
    }
    if (nSpec >= maxArgs) throw new FormatError(`more than ${maxArgs} conversions`);
    const start = i;
    const spec: FormatSpec = { kind: 'int', conv: '', size: 4, left: false, zero: false, plus: false, space: false, width: 0 };
    i++;
    // optional "[0 +-]" flags and a width; no precision and no '#'
    for (;;) {
      const f = at(i);
      if (f === 0x30) spec.zero = true;
      else if (f === 0x2b) spec.plus = true;
      else if (f === 0x2d) spec.left = true;
      else if (f === 0x20) spec.space = true;
      else break;
      i++;
    }
    let w = at(i);
    if (w !== undefined && w >= 0x31 && w <= 0x39) {
      let width = 0;
      while (w !== undefined && w >= 0x30 && w <= 0x39) {
        width = width * 10 + (w - 0x30);
        i++;
        w = at(i);
      }
      spec.width = width;
    }
    const ch = at(i);
    const next = at(i + 1);
    const bad = (): never => {
      throw new FormatError(`unsupported conversion '${decodeAscii(fmt.subarray(start, Math.min(fmt.length, i + 2)))}'`);
    };
    if (ch === 0x70 /* p */) {
      spec.conv = 'p';
      spec.size = 8;
      if (endsConv(next)) {
        spec.kind = 'ptr';
        spec.ptrFmt = '';
      } else if ((next === 0x6b || next === 0x75) && at(i + 2) === 0x73) {
        // %pks / %pus: a string from kernel or user memory
        spec.kind = 'str';
        spec.strSpace = next === 0x6b ? 'k' : 'u';
        spec.ptrFmt = String.fromCharCode(next);
        i += 2;
        if (!endsConv(at(i + 1))) bad();
      } else if (next === 0x4b || next === 0x78 || next === 0x73 || next === 0x53 || next === 0x42) {
        spec.kind = 'ptr';
        spec.ptrFmt = String.fromCharCode(next);
        i++;
      } else if ((next === 0x69 || next === 0x49) && (at(i + 2) === 0x34 || at(i + 2) === 0x36)) {
        spec.kind = at(i + 2) === 0x34 ? 'ip4' : 'ip6';
        spec.ptrFmt = String.fromCharCode(next);
        i += 2;
        // bstr_printf takes "%pI6c" as one conversion; 6.18 prints it uncompressed (observed)
        if (spec.kind === 'ip6' && at(i + 1) === 0x63) i++;
      } else {
        bad();
      }
    } else if (ch === 0x73 /* s */) {
      if (!endsConv(next)) bad();
      spec.kind = 'str';
      spec.conv = 's';
      spec.strSpace = 'k';
      spec.size = 8;
    } else if (ch === 0x63 /* c */) {
      spec.kind = 'char';
      spec.conv = 'c';
      spec.size = 1;
    } else {
      if (at(i) === 0x6c) {
        spec.size = 8;
        i++;
      }
      if (at(i) === 0x6c) i++;
      const conv = at(i);
      if (conv !== 0x69 && conv !== 0x64 && conv !== 0x75 && conv !== 0x78 && conv !== 0x58) bad();
      spec.conv = String.fromCharCode(conv!);
    }
    if (lit) pieces.push(lit);
    lit = '';
    pieces.push(spec);
    nSpec++;
  }
  if (lit) pieces.push(lit);
  return pieces;
}

/** Number of conversions (= arguments consumed) in parsed pieces. */
export function countSpecs(pieces: readonly FormatPiece[]): number {
  let n = 0;
  for (const p of pieces) if (typeof p !== 'string') n++;
  return n;
}

/** Where %s / %pks / %pus / %pI4 read their bytes; null = the read faulted. */
export interface FormatMemory {
  /** bytes of a NUL-terminated kernel string (without NUL), at most max-1 bytes; null on fault */
  kernelString(ptr: bigint, max: number): Uint8Array | null;
  userString(ptr: bigint, max: number): Uint8Array | null;
  /** exactly len bytes of kernel memory, or null */
  kernelBytes(ptr: bigint, len: number): Uint8Array | null;
  /** %p hashing (the kernel uses siphash with a boot-time key) */
  hashPointer(ptr: bigint): bigint;
}

export class FormatNoSpaceError extends FormatError {}

/**
 * Render parsed pieces with arguments. Strings are snapshotted under the MAX_BPRINTF_BUF budget
 * shared with the binary arguments, exactly one buffer per call like the kernel's. Returns the
 * full output; callers truncate to their buffer (the helpers return the untruncated length as
 * bstr_printf does).
 */
export function renderFormat(pieces: readonly FormatPiece[], args: readonly bigint[], mem: FormatMemory): Uint8Array {
  const out: number[] = [];
  let budget = MAX_BPRINTF_BUF;
  let argi = 0;
  for (const p of pieces) {
    if (typeof p === 'string') {
      for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
      continue;
    }
    const raw = BigInt.asUintN(64, args[argi++] ?? 0n);
    let body: number[];
    switch (p.kind) {
      case 'int': {
        budget = take(budget, p.size, p.size);
        body = ascii(formatInt(raw, p));
        break;
      }
      case 'char':
        budget = take(budget, 1, 1);
        body = pad([Number(raw & 0xffn)], p);
        break;
      case 'str': {
        if (budget <= 0) throw new FormatNoSpaceError('bprintf buffer exhausted');
        const s = p.strSpace === 'u' ? mem.userString(raw, budget) : mem.kernelString(raw, budget);
        // a faulting string prints as "" (the kernel stores an empty string and goes on)
        const bytes = s === null ? new Uint8Array(0) : s.subarray(0, budget - 1);
        budget -= bytes.length + 1;
        body = pad(Array.from(bytes), p);
        break;
      }
      case 'ptr':
        budget = take(budget, 8, 8);
        body = ascii(formatPtr(raw, p, mem));
        break;
      case 'ip4':
      case 'ip6': {
        const n = p.kind === 'ip4' ? 4 : 16;
        budget = take(budget, n, 1);
        const b = mem.kernelBytes(raw, n) ?? new Uint8Array(n);
        body = pad(ascii(p.kind === 'ip4' ? formatIp4(b, p.ptrFmt === 'i') : formatIp6(b, p.ptrFmt === 'I')), p);
        break;
      }
    }
    for (const c of body) out.push(c);
  }
  return Uint8Array.from(out);
}

function take(budget: number, size: number, align: number): number {
  const used = MAX_BPRINTF_BUF - budget;
  const aligned = Math.ceil(used / align) * align;
  const left = MAX_BPRINTF_BUF - aligned - size;
  if (left < 0) throw new FormatNoSpaceError('bprintf buffer exhausted');
  return left;
}

function ascii(s: string): number[] {
  const a = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i) & 0xff;
  return a;
}

function decodeAscii(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

function pad(body: number[], p: FormatSpec): number[] {
  if (body.length >= p.width) return body;
  const fill = new Array<number>(p.width - body.length).fill(0x20);
  return p.left ? body.concat(fill) : fill.concat(body);
}

/** vsnprintf's number(): sign, zero padding after the sign, left/right justification. */
function formatInt(raw: bigint, p: FormatSpec): string {
  const bits = p.size * 8;
  let sign = '';
  let digits: string;
  if (p.conv === 'd' || p.conv === 'i') {
    const v = BigInt.asIntN(bits, raw);
    if (v < 0n) sign = '-';
    else if (p.plus) sign = '+';
    else if (p.space) sign = ' ';
    digits = (v < 0n ? -v : v).toString(10);
  } else {
    const v = BigInt.asUintN(bits, raw);
    digits = p.conv === 'u' ? v.toString(10) : p.conv === 'X' ? v.toString(16).toUpperCase() : v.toString(16);
  }
  const len = sign.length + digits.length;
  if (len >= p.width) return sign + digits;
  const n = p.width - len;
  if (p.left) return sign + digits + ' '.repeat(n);
  if (p.zero) return sign + '0'.repeat(n) + digits;
  return ' '.repeat(n) + sign + digits;
}

function hex16(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

function formatPtr(raw: bigint, p: FormatSpec, mem: FormatMemory): string {
  let v: bigint;
  switch (p.ptrFmt) {
    case 's':
    case 'S':
    case 'B': {
      // no kallsyms in the simulated kernel: the kernel's fallback for an unknown address
      const s = '0x' + raw.toString(16);
      const n = p.width - s.length;
      return n <= 0 ? s : p.left ? s + ' '.repeat(n) : ' '.repeat(n) + s;
    }
    case 'x':
      v = raw;
      break;
    default:
      // %p and %pK (kptr_restrict = 0): a 32-bit hash, never the raw address; NULL stays 0
      v = raw === 0n ? 0n : mem.hashPointer(raw) & 0xffffffffn;
  }
  // pointer_string(): without a width, 16 zero-padded digits; with one, the digits padded to it
  if (p.width === 0) return hex16(v);
  const s = v.toString(16);
  const n = p.width - s.length;
  if (n <= 0) return s;
  return p.left ? s + ' '.repeat(n) : (p.zero ? '0' : ' ').repeat(n) + s;
}

function formatIp4(b: Uint8Array, leadingZeros: boolean): string {
  return Array.from(b, (x) => (leadingZeros ? x.toString().padStart(3, '0') : x.toString())).join('.');
}

function formatIp6(b: Uint8Array, colons: boolean): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0'));
  return colons ? groups.join(':') : groups.join('');
}

/** A 64-bit mixing hash standing in for the kernel's keyed siphash of %p. */
export function defaultPointerHash(key: bigint): (ptr: bigint) => bigint {
  return (ptr: bigint): bigint => {
    let x = BigInt.asUintN(64, ptr ^ key);
    x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
    x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
    return x ^ (x >> 31n);
  };
}
