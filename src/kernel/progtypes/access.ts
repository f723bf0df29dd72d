// Context access checking from a field table, the data-driven form of the kernel's per-type
// is_valid_access + convert_ctx_access pairs. The tables were checked against Linux 6.18 by
// loading one-instruction loads/stores at every offset and size (see the progtypes tests).

import type { CtxAccess, CtxField } from './types.js';

const POW2 = new Set([1, 2, 4, 8]);

export class FieldTable {
  /** offset → field covering it */
  private readonly byByte: (CtxField | undefined)[];

  constructor(
    readonly size: number,
    readonly fields: readonly CtxField[],
  ) {
    this.byByte = new Array<CtxField | undefined>(size);
    for (const f of fields) {
      for (let i = f.off; i < f.off + f.size && i < size; i++) this.byByte[i] = f;
    }
  }

  field(off: number): CtxField | undefined {
    return off >= 0 && off < this.size ? this.byByte[off] : undefined;
  }

  convert(off: number, size: number, isWrite: boolean): CtxAccess | null {
    if (!Number.isInteger(off) || !POW2.has(size) || off < 0 || off % size !== 0) return null;
    const f = this.field(off);
    if (f === undefined || off + size > f.off + f.size) return null;
    const whole = off === f.off && size === f.size;
    const mode = isWrite ? f.write : f.read;
    if (mode === undefined) return null;
    if (mode === 'exact' && !whole) return null;
    const kind = f.kind ?? 'plain';
    // packet/BTF pointers can only be loaded whole; their real home may differ from the UAPI slot
    if (kind !== 'plain' && !whole) return null;
    const real = whole && f.real ? f.real : { off, size };
    const acc: CtxAccess = { kind, realOff: real.off, realSize: real.size, field: f.name };
    if (f.btfType) acc.btfType = f.btfType;
    return acc;
  }
}

/** Shorthand for a run of same-shaped fields, e.g. u32 fields read narrowly. */
export function u32s(names: readonly string[], start: number, read: 'narrow' | 'exact' = 'narrow'): CtxField[] {
  return names.map((name, i) => ({ name, off: start + 4 * i, size: 4, read }));
}
