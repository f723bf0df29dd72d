// .BTF.ext: per-ELF-section func_info, line_info and CO-RE relocation records. In an object
// file the instruction offsets are bytes from the start of the section; we hand out 8-byte
// slot indices, the unit every other stage uses.

import { BTF_MAGIC } from './constants.js';
import type { Btf } from './btf.js';
import { BtfError } from './errors.js';

export const BPF_CORE_FIELD_BYTE_OFFSET = 0;
export const BPF_CORE_FIELD_BYTE_SIZE = 1;
export const BPF_CORE_FIELD_EXISTS = 2;
export const BPF_CORE_FIELD_SIGNED = 3;
export const BPF_CORE_FIELD_LSHIFT_U64 = 4;
export const BPF_CORE_FIELD_RSHIFT_U64 = 5;
export const BPF_CORE_TYPE_ID_LOCAL = 6;
export const BPF_CORE_TYPE_ID_TARGET = 7;
export const BPF_CORE_TYPE_EXISTS = 8;
export const BPF_CORE_TYPE_SIZE = 9;
export const BPF_CORE_ENUMVAL_EXISTS = 10;
export const BPF_CORE_ENUMVAL_VALUE = 11;
export const BPF_CORE_TYPE_MATCHES = 12;

// The one table of relocation kinds, indexed by BPF_CORE_* number: the kernel's enum name
// and the short name libbpf prints in its "failed to resolve CO-RE relocation <byte_off>" logs.
const CORE_RELO_KIND_TABLE = [
  ['BPF_CORE_FIELD_BYTE_OFFSET', 'byte_off'],
  ['BPF_CORE_FIELD_BYTE_SIZE', 'byte_sz'],
  ['BPF_CORE_FIELD_EXISTS', 'field_exists'],
  ['BPF_CORE_FIELD_SIGNED', 'signed'],
  ['BPF_CORE_FIELD_LSHIFT_U64', 'lshift_u64'],
  ['BPF_CORE_FIELD_RSHIFT_U64', 'rshift_u64'],
  ['BPF_CORE_TYPE_ID_LOCAL', 'local_type_id'],
  ['BPF_CORE_TYPE_ID_TARGET', 'target_type_id'],
  ['BPF_CORE_TYPE_EXISTS', 'type_exists'],
  ['BPF_CORE_TYPE_SIZE', 'type_size'],
  ['BPF_CORE_ENUMVAL_EXISTS', 'enumval_exists'],
  ['BPF_CORE_ENUMVAL_VALUE', 'enumval_value'],
  ['BPF_CORE_TYPE_MATCHES', 'type_matches'],
] as const;

type KindRow = (typeof CORE_RELO_KIND_TABLE)[number];

/** kernel enum names (`BPF_CORE_FIELD_BYTE_OFFSET`), indexed by kind number */
export const BPF_CORE_RELO_KIND_NAMES: readonly KindRow[0][] = CORE_RELO_KIND_TABLE.map((r) => r[0]);
/** libbpf's short names (`byte_off`), indexed by kind number */
export const BPF_CORE_RELO_KIND_SHORT_NAMES: readonly KindRow[1][] = CORE_RELO_KIND_TABLE.map((r) => r[1]);

export type BpfCoreReloKind = KindRow[0];

export interface BtfFuncInfo {
  /** instruction slot within the section */
  insnOff: number;
  /** the FUNC type */
  typeId: number;
}

export interface BtfLineInfo {
  insnOff: number;
  fileNameOff: number;
  lineOff: number;
  fileName: string;
  /** the source line's text */
  line: string;
  lineNum: number;
  lineCol: number;
}

export interface BtfCoreRelo {
  insnOff: number;
  /** the root type (local BTF) */
  typeId: number;
  accessStrOff: number;
  /** e.g. "0:1:3" */
  accessStr: string;
  kind: BpfCoreReloKind;
  /** BPF_CORE_* number */
  kindNum: number;
}

export interface BtfExt {
  funcInfo: Map<string, BtfFuncInfo[]>;
  lineInfo: Map<string, BtfLineInfo[]>;
  coreRelos: Map<string, BtfCoreRelo[]>;
  funcInfoRecSize: number;
  lineInfoRecSize: number;
  coreReloRecSize: number;
}

const MIN_HDR = 24;

interface SubSection {
  name: string;
  /** offsets of each record within the blob */
  records: number[];
}

function readInfoSection(
  bytes: Uint8Array,
  dv: DataView,
  btf: Btf,
  what: string,
  start: number,
  len: number,
  minRec: number,
): { recSize: number; subs: SubSection[] } {
  if (len === 0) return { recSize: minRec, subs: [] };
  const end = start + len;
  if (start % 4 !== 0) throw new BtfError(`.BTF.ext ${what} at offset ${start} is not 4-byte aligned`);
  if (end > bytes.length) throw new BtfError(`.BTF.ext ${what} (offset ${start} len ${len}) exceeds the section (${bytes.length} bytes)`);
  if (len < 4) throw new BtfError(`.BTF.ext ${what} at offset ${start} is too short for its record size`);
  const recSize = dv.getUint32(start, true);
  if (recSize < minRec || recSize % 4 !== 0) {
    throw new BtfError(`.BTF.ext ${what} at offset ${start}: record size ${recSize} invalid (minimum ${minRec})`);
  }
  const subs: SubSection[] = [];
  let off = start + 4;
  while (off < end) {
    if (off + 8 > end) throw new BtfError(`.BTF.ext ${what}: section header at offset ${off} is truncated`);
    const nameOff = dv.getUint32(off, true);
    const num = dv.getUint32(off + 4, true);
    if (!btf.strings.has(nameOff)) {
      throw new BtfError(`.BTF.ext ${what}: section name offset ${nameOff} at offset ${off} out of range`);
    }
    const name = btf.strings.get(nameOff);
    off += 8;
    if (num === 0) throw new BtfError(`.BTF.ext ${what}: section '${name}' at offset ${off - 8} has no records`);
    if (off + num * recSize > end) {
      throw new BtfError(`.BTF.ext ${what}: section '${name}' at offset ${off - 8}: ${num} records of ${recSize} bytes exceed the ${what}`);
    }
    const records: number[] = [];
    for (let i = 0; i < num; i++, off += recSize) records.push(off);
    subs.push({ name, records });
  }
  return { recSize, subs };
}

function slot(byteOff: number, what: string, at: number): number {
  if (byteOff % 8 !== 0) throw new BtfError(`.BTF.ext ${what} record at offset ${at}: insn_off ${byteOff} is not a multiple of 8`);
  return byteOff / 8;
}

function str(btf: Btf, off: number, what: string, at: number): string {
  if (!btf.strings.has(off)) throw new BtfError(`.BTF.ext ${what} record at offset ${at}: string offset ${off} out of range`);
  return btf.strings.get(off);
}

function typeId(btf: Btf, id: number, what: string, at: number): number {
  if (!(id >= 0 && id < btf.length)) throw new BtfError(`.BTF.ext ${what} record at offset ${at}: type id ${id} out of range`);
  return id;
}

/** Parse .BTF.ext; strings and type ids are checked against the object's .BTF. */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  if (bytes.length < MIN_HDR) throw new BtfError(`.BTF.ext header truncated: ${bytes.length} bytes, need ${MIN_HDR}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    if (magic === 0x9feb) throw new BtfError('big-endian .BTF.ext is not supported');
    throw new BtfError(`bad .BTF.ext magic 0x${magic.toString(16)} at offset 0`);
  }
  if (dv.getUint8(2) !== 1) throw new BtfError(`unsupported .BTF.ext version ${dv.getUint8(2)} at offset 2`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < MIN_HDR || hdrLen > bytes.length) throw new BtfError(`.BTF.ext hdr_len ${hdrLen} at offset 4 invalid`);
  const at = (rel: number): number => hdrLen + rel;
  const fi = readInfoSection(bytes, dv, btf, 'func_info', at(dv.getUint32(8, true)), dv.getUint32(12, true), 8);
  const li = readInfoSection(bytes, dv, btf, 'line_info', at(dv.getUint32(16, true)), dv.getUint32(20, true), 16);
  const cr =
    hdrLen >= 32
      ? readInfoSection(bytes, dv, btf, 'core_relo', at(dv.getUint32(24, true)), dv.getUint32(28, true), 16)
      : { recSize: 16, subs: [] };

  const funcInfo = new Map<string, BtfFuncInfo[]>();
  for (const s of fi.subs) {
    funcInfo.set(
      s.name,
      s.records.map((o) => {
        const t = typeId(btf, dv.getUint32(o + 4, true), 'func_info', o);
        if (btf.kindName(t) !== 'func') throw new BtfError(`.BTF.ext func_info record at offset ${o}: type ${t} is not a FUNC`);
        return { insnOff: slot(dv.getUint32(o, true), 'func_info', o), typeId: t };
      }),
    );
  }
  const lineInfo = new Map<string, BtfLineInfo[]>();
  for (const s of li.subs) {
    lineInfo.set(
      s.name,
      s.records.map((o) => {
        const fileNameOff = dv.getUint32(o + 4, true);
        const lineOff = dv.getUint32(o + 8, true);
        const lineCol = dv.getUint32(o + 12, true);
        return {
          insnOff: slot(dv.getUint32(o, true), 'line_info', o),
          fileNameOff,
          lineOff,
          fileName: str(btf, fileNameOff, 'line_info', o),
          line: str(btf, lineOff, 'line_info', o),
          lineNum: lineCol >>> 10,
          lineCol: lineCol & 0x3ff,
        };
      }),
    );
  }
  const coreRelos = new Map<string, BtfCoreRelo[]>();
  for (const s of cr.subs) {
    coreRelos.set(
      s.name,
      s.records.map((o) => {
        const kindNum = dv.getUint32(o + 12, true);
        const kind = BPF_CORE_RELO_KIND_NAMES[kindNum];
        if (kind === undefined) throw new BtfError(`.BTF.ext core_relo record at offset ${o}: unknown relocation kind ${kindNum}`);
        const accessStrOff = dv.getUint32(o + 8, true);
        return {
          insnOff: slot(dv.getUint32(o, true), 'core_relo', o),
          typeId: typeId(btf, dv.getUint32(o + 4, true), 'core_relo', o),
          accessStrOff,
          accessStr: str(btf, accessStrOff, 'core_relo', o),
          kind,
          kindNum,
        };
      }),
    );
  }
  return { funcInfo, lineInfo, coreRelos, funcInfoRecSize: fi.recSize, lineInfoRecSize: li.recSize, coreReloRecSize: cr.recSize };
}
