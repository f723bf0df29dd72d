// .BTF.ext: per-section func_info, line_info and CO-RE relocation records. Offsets in the file
// are bytes within the code section; we turn them into slot indices. Every length and offset is
// checked so a damaged .BTF.ext yields a BpfObjectError naming the byte that is wrong.

import type { Btf } from '../btf/index.js';
import { objErr } from './errors.js';

export interface ExtFuncInfo {
  insn: number;
  typeId: number;
}
export interface ExtLineInfo {
  insn: number;
  fileNameOff: number;
  lineOff: number;
  line: number;
  col: number;
}
export interface ExtCoreRelo {
  insn: number;
  typeId: number;
  accessStr: string;
  kind: number;
}

export interface BtfExt {
  funcInfo: Map<string, ExtFuncInfo[]>;
  lineInfo: Map<string, ExtLineInfo[]>;
  coreRelos: Map<string, ExtCoreRelo[]>;
}

const SEC = '.BTF.ext';

export function parseBtfExtSection(bytes: Uint8Array, btf: Btf): BtfExt {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: BtfExt = { funcInfo: new Map(), lineInfo: new Map(), coreRelos: new Map() };
  if (bytes.length < 8) throw objErr(SEC, 0, `header truncated (${bytes.length} bytes)`);
  const magic = dv.getUint16(0, true);
  if (magic !== 0xeb9f) throw objErr(SEC, 0, `bad magic 0x${magic.toString(16)}`);
  const version = dv.getUint8(2);
  if (version !== 1) throw objErr(SEC, 2, `unsupported version ${version}`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < 24 || hdrLen > bytes.length) throw objErr(SEC, 4, `bad header length ${hdrLen}`);
  const str = (off: number, at: number): string => {
    if (!btf.strings.has(off)) throw objErr(SEC, at, `string offset ${off} out of range`);
    return btf.strings.get(off);
  };

  interface Sub { off: number; len: number; hdrAt: number }
  const subs: Sub[] = [
    { off: dv.getUint32(8, true), len: dv.getUint32(12, true), hdrAt: 8 },
    { off: dv.getUint32(16, true), len: dv.getUint32(20, true), hdrAt: 16 },
  ];
  if (hdrLen >= 32) subs.push({ off: dv.getUint32(24, true), len: dv.getUint32(28, true), hdrAt: 24 });

  const walk = (sub: Sub, minRec: number, rec: (secName: string, at: number, insn: number) => void): void => {
    if (sub.len === 0) return;
    const start = hdrLen + sub.off;
    const end = start + sub.len;
    if (start > bytes.length || end > bytes.length || sub.len < 4) {
      throw objErr(SEC, sub.hdrAt, `info block at ${start} length ${sub.len} exceeds the section (${bytes.length} bytes)`);
    }
    const recSize = dv.getUint32(start, true);
    if (recSize < minRec || recSize % 4 !== 0 || recSize > 1024) throw objErr(SEC, start, `bad record size ${recSize}`);
    let p = start + 4;
    while (p < end) {
      if (p + 8 > end) throw objErr(SEC, p, 'truncated section info header');
      const secName = str(dv.getUint32(p, true), p);
      const n = dv.getUint32(p + 4, true);
      p += 8;
      if (n === 0) throw objErr(SEC, p - 4, `zero records for section '${secName}'`);
      if (p + n * recSize > end) throw objErr(SEC, p, `${n} records of ${recSize} bytes for '${secName}' exceed the block`);
      for (let i = 0; i < n; i++, p += recSize) {
        const byteOff = dv.getUint32(p, true);
        if (byteOff % 8 !== 0) throw objErr(SEC, p, `instruction offset ${byteOff} is not a multiple of 8`);
        rec(secName, p, byteOff / 8);
      }
    }
  };
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };

  walk(subs[0]!, 8, (s, at, insn) => push(out.funcInfo, s, { insn, typeId: dv.getUint32(at + 4, true) }));
  walk(subs[1]!, 16, (s, at, insn) => {
    const lc = dv.getUint32(at + 12, true);
    push(out.lineInfo, s, {
      insn,
      fileNameOff: dv.getUint32(at + 4, true),
      lineOff: dv.getUint32(at + 8, true),
      line: lc >>> 10,
      col: lc & 0x3ff,
    });
  });
  if (subs[2]) {
    walk(subs[2], 16, (s, at, insn) =>
      push(out.coreRelos, s, {
        insn,
        typeId: dv.getUint32(at + 4, true),
        accessStr: str(dv.getUint32(at + 8, true), at + 8),
        kind: dv.getUint32(at + 12, true),
      }),
    );
  }
  return out;
}

export function btfString(btf: Btf, off: number): string {
  return btf.strings.has(off) ? btf.strings.get(off) : '';
}
