// Decoding of the .BTF blob (header, type section, string section) into BtfType records, with
// the structural checks the kernel's BTF verifier makes so that later graph walks can trust ids.

import {
  BTF_HEADER_SIZE,
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_DATASEC,
  BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION,
  BTF_KIND_VAR,
  BTF_KIND_VOLATILE,
  BTF_INT_SIGNED,
  BTF_MAGIC,
  BTF_VERSION,
} from './constants.js';
import { BtfError } from './errors.js';
import { BtfStrings } from './strings.js';
import type { BtfMember, BtfParam, BtfType, BtfVarSecInfo } from './types.js';

export interface BtfHeader {
  version: number;
  flags: number;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
}

/**
 * A validated type section, decoded lazily: one scan checks every record and remembers where
 * each starts; objects are built only for the ids somebody asks for (vmlinux has >10^5 types
 * and most users touch a few hundred).
 */
export interface BtfLayout {
  header: BtfHeader;
  strings: BtfStrings;
  /** view of the type section */
  dv: DataView;
  /** first id of this layer */
  startId: number;
  /** number of types in this layer */
  count: number;
  /** record offset in the type section, by (id - startId) */
  offsets: Uint32Array;
  /** BTF_KIND_* by (id - startId) */
  kinds: Uint8Array;
}

/** what a split layer needs from its base */
export interface BaseLike {
  strings: BtfStrings;
  /** total number of ids in the base (including void) */
  readonly length: number;
  kindOf(id: number): number;
}

// Local copies: under tsx/vitest, imported bindings become getter calls, which the hot loop
// below would pay ~10^5 times for vmlinux.
const K_INT = BTF_KIND_INT;
const K_PTR = BTF_KIND_PTR;
const K_ARRAY = BTF_KIND_ARRAY;
const K_STRUCT = BTF_KIND_STRUCT;
const K_UNION = BTF_KIND_UNION;
const K_ENUM = BTF_KIND_ENUM;
const K_FWD = BTF_KIND_FWD;
const K_TYPEDEF = BTF_KIND_TYPEDEF;
const K_VOLATILE = BTF_KIND_VOLATILE;
const K_CONST = BTF_KIND_CONST;
const K_RESTRICT = BTF_KIND_RESTRICT;
const K_FUNC = BTF_KIND_FUNC;
const K_FUNC_PROTO = BTF_KIND_FUNC_PROTO;
const K_VAR = BTF_KIND_VAR;
const K_DATASEC = BTF_KIND_DATASEC;
const K_FLOAT = BTF_KIND_FLOAT;
const K_DECL_TAG = BTF_KIND_DECL_TAG;
const K_TYPE_TAG = BTF_KIND_TYPE_TAG;
const K_ENUM64 = BTF_KIND_ENUM64;
const INT_SIGNED = BTF_INT_SIGNED;

function need(off: number, n: number, end: number, id: number, at: number): void {
  if (off + n > end) {
    throw new BtfError(`type [${id}] at type-section offset ${at}: record needs ${n} more bytes, section ends at ${end}`);
  }
}

const REF_KINDS: Record<number, 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag'> = {
  [BTF_KIND_PTR]: 'ptr',
  [BTF_KIND_TYPEDEF]: 'typedef',
  [BTF_KIND_VOLATILE]: 'volatile',
  [BTF_KIND_CONST]: 'const',
  [BTF_KIND_RESTRICT]: 'restrict',
  [BTF_KIND_TYPE_TAG]: 'type_tag',
};

export function parseBtfHeader(bytes: Uint8Array): BtfHeader {
  if (bytes.length < BTF_HEADER_SIZE) {
    throw new BtfError(`BTF header truncated: ${bytes.length} bytes, need ${BTF_HEADER_SIZE}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    if (magic === 0x9feb) throw new BtfError('big-endian BTF is not supported');
    throw new BtfError(`bad BTF magic 0x${magic.toString(16)} at offset 0 (expected 0xeb9f)`);
  }
  const version = dv.getUint8(2);
  if (version !== BTF_VERSION) throw new BtfError(`unsupported BTF version ${version} at offset 2`);
  const flags = dv.getUint8(3);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < BTF_HEADER_SIZE) throw new BtfError(`BTF hdr_len ${hdrLen} at offset 4 is smaller than ${BTF_HEADER_SIZE}`);
  if (hdrLen > bytes.length) throw new BtfError(`BTF hdr_len ${hdrLen} exceeds the blob (${bytes.length} bytes)`);
  // A longer header from a newer kernel is fine as long as the unknown tail is zero.
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) {
    if (bytes[i] !== 0) throw new BtfError(`BTF header has non-zero unknown byte at offset ${i}`);
  }
  const typeOff = dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strOff = dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  const avail = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) throw new BtfError(`BTF type_off ${typeOff} is not 4-byte aligned`);
  if (typeOff + typeLen > avail) {
    throw new BtfError(`BTF type section (off ${typeOff} len ${typeLen}) exceeds the blob (${avail} bytes after header)`);
  }
  if (strOff + strLen > avail) {
    throw new BtfError(`BTF string section (off ${strOff} len ${strLen}) exceeds the blob (${avail} bytes after header)`);
  }
  if (typeOff < strOff ? typeOff + typeLen > strOff : strOff + strLen > typeOff) {
    throw new BtfError('BTF type and string sections overlap');
  }
  return { version, flags, hdrLen, typeOff, typeLen, strOff, strLen };
}


export function scanBtf(bytes: Uint8Array, base?: BaseLike): BtfLayout {
  const header = parseBtfHeader(bytes);
  const strBytes = bytes.subarray(header.hdrLen + header.strOff, header.hdrLen + header.strOff + header.strLen);
  if (!base && (strBytes.length === 0 || strBytes[0] !== 0)) {
    throw new BtfError('BTF string section must start with an empty string (NUL at offset 0)');
  }
  if (strBytes.length > 0 && strBytes[strBytes.length - 1] !== 0) {
    throw new BtfError(`BTF string section is not NUL-terminated (last byte at offset ${strBytes.length - 1})`);
  }
  const strings = new BtfStrings(strBytes, base?.strings);
  const strLen = strings.length;
  const startId = base ? base.length : 1;
  const typeStart = header.hdrLen + header.typeOff;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + typeStart, header.typeLen);
  const end = header.typeLen;
  // Every record is at least 12 bytes, which bounds the count.
  let offsets = new Uint32Array(Math.max(16, Math.ceil(end / 12)));
  let kinds = new Uint8Array(offsets.length);
  let count = 0;
  let off = 0;
  while (off < end) {
    const id = startId + count;
    const at = off;
    if (off + 12 > end) throw new BtfError(`type [${id}] at type-section offset ${at} is truncated`);
    const nameOff = dv.getUint32(off, true);
    const info = dv.getUint32(off + 4, true);
    const sizeOrType = dv.getUint32(off + 8, true);
    off += 12;
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    if (nameOff >= strLen) badName(id, at, nameOff, strLen);
    if ((info & 0x60ff0000) !== 0) throw new BtfError(`type [${id}] at type-section offset ${at}: reserved info bits set`);
    let stride = 0;
    switch (kind) {
      case K_INT: {
        need(off, 4, end, id, at);
        const v = dv.getUint32(off, true);
        const bitsOffset = (v >>> 16) & 0xff;
        const bits = v & 0xff;
        if (
          bits > 128 ||
          bits === 0 ||
          bitsOffset + bits > sizeOrType * 8 ||
          !(sizeOrType === 1 || sizeOrType === 2 || sizeOrType === 4 || sizeOrType === 8 || sizeOrType === 16)
        ) {
          throw new BtfError(`type [${id}] INT at type-section offset ${at} has invalid size ${sizeOrType} / bits ${bits} / offset ${bitsOffset}`);
        }
        off += 4;
        break;
      }
      case K_PTR:
      case K_TYPEDEF:
      case K_VOLATILE:
      case K_CONST:
      case K_RESTRICT:
      case K_TYPE_TAG:
      case K_FWD:
        break;
      case K_FUNC:
        if (vlen > 2) throw new BtfError(`type [${id}] FUNC at type-section offset ${at} has invalid linkage ${vlen}`);
        break;
      case K_FLOAT:
        if (!(sizeOrType === 2 || sizeOrType === 4 || sizeOrType === 8 || sizeOrType === 12 || sizeOrType === 16)) {
          throw new BtfError(`type [${id}] FLOAT at type-section offset ${at} has invalid size ${sizeOrType}`);
        }
        break;
      case K_ARRAY:
        need(off, 12, end, id, at);
        off += 12;
        break;
      case K_VAR:
      case K_DECL_TAG:
        need(off, 4, end, id, at);
        if (kind === K_DECL_TAG && dv.getInt32(off, true) < -1) {
          throw new BtfError(`type [${id}] DECL_TAG at type-section offset ${at}: component_idx ${dv.getInt32(off, true)} invalid`);
        }
        off += 4;
        break;
      case K_STRUCT:
      case K_UNION:
      case K_ENUM64:
        stride = 12;
        break;
      case K_ENUM:
      case K_FUNC_PROTO:
        stride = 8;
        break;
      case K_DATASEC:
        need(off, vlen * 12, end, id, at);
        off += vlen * 12;
        break;
      default:
        throw new BtfError(`type [${id}] at type-section offset ${at}: unknown BTF kind ${kind}`);
    }
    if (stride !== 0) {
      // struct/union/enum/enum64/func_proto entries all start with a name offset
      need(off, vlen * stride, end, id, at);
      for (let i = 0; i < vlen; i++, off += stride) {
        const n = dv.getUint32(off, true);
        if (n >= strLen) badName(id, at, n, strLen);
      }
    }
    if (count === offsets.length) {
      const o2 = new Uint32Array(count * 2);
      o2.set(offsets);
      offsets = o2;
      const k2 = new Uint8Array(count * 2);
      k2.set(kinds);
      kinds = k2;
    }
    offsets[count] = at;
    kinds[count] = kind;
    count++;
  }
  const layout: BtfLayout = { header, strings, dv, startId, count, offsets, kinds };
  checkReferences(layout, base);
  return layout;
}

function badName(id: number, at: number, nameOff: number, strLen: number): never {
  throw new BtfError(`type [${id}] at type-section offset ${at}: name offset ${nameOff} out of range (${strLen})`);
}

/** Every type id a record mentions must exist; FUNC must point at a FUNC_PROTO. */
function checkReferences(l: BtfLayout, base: BaseLike | undefined): void {
  const { dv, startId, count, offsets, kinds } = l;
  const total = startId + count;
  const kindOf = (id: number): number => (id === 0 ? 0 : id < startId ? base!.kindOf(id) : kinds[id - startId]!);
  const bad = (id: number, what: string, ref: number): never => {
    throw new BtfError(`type [${id}] at type-section offset ${offsets[id - startId]}: ${what} type id ${ref} out of range (${total} types)`);
  };
  for (let i = 0; i < count; i++) {
    const id = startId + i;
    const off = offsets[i]!;
    const kind = kinds[i]!;
    const vlen = dv.getUint32(off + 4, true) & 0xffff;
    const t = dv.getUint32(off + 8, true);
    switch (kind) {
      case K_PTR:
      case K_TYPEDEF:
      case K_VOLATILE:
      case K_CONST:
      case K_RESTRICT:
      case K_TYPE_TAG:
      case K_VAR:
      case K_DECL_TAG:
        if (t >= total) bad(id, 'referenced', t);
        if (t === id) throw new BtfError(`type [${id}] at type-section offset ${off} refers to itself`);
        break;
      case K_FUNC:
        if (t >= total) bad(id, 'prototype', t);
        if (kindOf(t) !== K_FUNC_PROTO) throw new BtfError(`type [${id}] FUNC: type ${t} is not a FUNC_PROTO`);
        break;
      case K_FUNC_PROTO:
        if (t >= total) bad(id, 'return', t);
        for (let j = 0; j < vlen; j++) {
          const p = dv.getUint32(off + 12 + j * 8 + 4, true);
          if (p >= total) bad(id, `parameter ${j}`, p);
        }
        break;
      case K_ARRAY: {
        const e = dv.getUint32(off + 12, true);
        const ix = dv.getUint32(off + 16, true);
        if (e >= total) bad(id, 'element', e);
        if (ix >= total) bad(id, 'index', ix);
        break;
      }
      case K_STRUCT:
      case K_UNION:
        for (let j = 0; j < vlen; j++) {
          const m = dv.getUint32(off + 12 + j * 12 + 4, true);
          if (m >= total) bad(id, `member ${j}`, m);
        }
        break;
      case K_DATASEC:
        for (let j = 0; j < vlen; j++) {
          const v = dv.getUint32(off + 12 + j * 12, true);
          if (v >= total) bad(id, `variable ${j}`, v);
        }
        break;
      default:
        break;
    }
  }
}

/** Build the record object of one type (id must belong to this layer). */
export function decodeType(l: BtfLayout, id: number): BtfType {
  const { dv, strings } = l;
  const str = (o: number): string => (o === 0 ? '' : strings.get(o));
  let off = l.offsets[id - l.startId]!;
  const nameOff = dv.getUint32(off, true);
  const info = dv.getUint32(off + 4, true);
  const sizeOrType = dv.getUint32(off + 8, true);
  off += 12;
  const vlen = info & 0xffff;
  const kind = (info >>> 24) & 0x1f;
  const kflag = info >>> 31 === 1;
  const name = str(nameOff);
  switch (kind) {
    case K_INT: {
      const v = dv.getUint32(off, true);
      const encoding = (v >>> 24) & 0x0f;
      return {
        kind: 'int',
        id,
        name,
        size: sizeOrType,
        encoding,
        signed: (encoding & INT_SIGNED) !== 0,
        bitsOffset: (v >>> 16) & 0xff,
        bits: v & 0xff,
      };
    }
    case K_PTR:
    case K_TYPEDEF:
    case K_VOLATILE:
    case K_CONST:
    case K_RESTRICT:
    case K_TYPE_TAG:
      return { kind: REF_KINDS[kind]!, id, name, type: sizeOrType };
    case K_ARRAY:
      return {
        kind: 'array',
        id,
        name,
        type: dv.getUint32(off, true),
        indexType: dv.getUint32(off + 4, true),
        nelems: dv.getUint32(off + 8, true),
      };
    case K_STRUCT:
    case K_UNION: {
      const members: BtfMember[] = [];
      for (let i = 0; i < vlen; i++, off += 12) {
        const mOff = dv.getUint32(off + 8, true);
        members.push({
          name: str(dv.getUint32(off, true)),
          type: dv.getUint32(off + 4, true),
          bitOffset: kflag ? mOff & 0xffffff : mOff,
          bitfieldSize: kflag ? mOff >>> 24 : 0,
        });
      }
      return { kind: kind === K_STRUCT ? 'struct' : 'union', id, name, size: sizeOrType, kflag, members };
    }
    case K_ENUM: {
      const values: { name: string; value: number }[] = [];
      for (let i = 0; i < vlen; i++, off += 8) {
        values.push({ name: str(dv.getUint32(off, true)), value: kflag ? dv.getInt32(off + 4, true) : dv.getUint32(off + 4, true) });
      }
      return { kind: 'enum', id, name, size: sizeOrType, signed: kflag, values };
    }
    case K_ENUM64: {
      const values: { name: string; value: bigint }[] = [];
      for (let i = 0; i < vlen; i++, off += 12) {
        const u = (BigInt(dv.getUint32(off + 8, true)) << 32n) | BigInt(dv.getUint32(off + 4, true));
        values.push({ name: str(dv.getUint32(off, true)), value: kflag ? BigInt.asIntN(64, u) : u });
      }
      return { kind: 'enum64', id, name, size: sizeOrType, signed: kflag, values };
    }
    case K_FWD:
      return { kind: 'fwd', id, name, fwdKind: kflag ? 'union' : 'struct' };
    case K_FUNC:
      return { kind: 'func', id, name, type: sizeOrType, linkage: vlen };
    case K_FUNC_PROTO: {
      const params: BtfParam[] = [];
      let variadic = false;
      for (let i = 0; i < vlen; i++, off += 8) {
        const pNameOff = dv.getUint32(off, true);
        const pType = dv.getUint32(off + 4, true);
        if (i === vlen - 1 && pNameOff === 0 && pType === 0) variadic = true;
        else params.push({ name: str(pNameOff), type: pType });
      }
      return { kind: 'func_proto', id, name, ret: sizeOrType, params, variadic };
    }
    case K_VAR:
      return { kind: 'var', id, name, type: sizeOrType, linkage: dv.getUint32(off, true) };
    case K_DATASEC: {
      const vars: BtfVarSecInfo[] = [];
      for (let i = 0; i < vlen; i++, off += 12) {
        vars.push({ type: dv.getUint32(off, true), offset: dv.getUint32(off + 4, true), size: dv.getUint32(off + 8, true) });
      }
      return { kind: 'datasec', id, name, size: sizeOrType, vars };
    }
    case K_FLOAT:
      return { kind: 'float', id, name, size: sizeOrType };
    case K_DECL_TAG:
      return { kind: 'decl_tag', id, name, type: sizeOrType, componentIdx: dv.getInt32(off, true) };
    default:
      throw new BtfError(`type [${id}]: unknown BTF kind ${kind}`);
  }
}

/** name offset of a type without decoding it */
export function nameOffOf(l: BtfLayout, id: number): number {
  return l.dv.getUint32(l.offsets[id - l.startId]!, true);
}
