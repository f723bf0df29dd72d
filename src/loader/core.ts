// CO-RE: rewrite field offsets, sizes, existence bits, type ids and enum values that clang
// recorded in .BTF.ext against the target (kernel) BTF, the way libbpf does it:
//  - the local access string "0:2:1" is turned into a spec (root array index, then member /
//    array indices), keeping named accessors;
//  - candidates are target types of the same kind whose "essential" name (name minus a
//    ___flavor suffix) equals the local one;
//  - each candidate is matched accessor by accessor (members by name, through anonymous
//    members), all matches must agree, and the result patches the instruction;
//  - relocations that cannot be satisfied poison the instruction (call 0xbad2310) so that the
//    verifier rejects it only if it is reachable.
// Every graph walk is depth-limited, so hostile BTF cannot hang us.

import {
  BtfError, type Btf, type BtfType, type BtfComposite, type BtfMember,
  BPF_CORE_RELO_KIND_SHORT_NAMES, BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_FIELD_BYTE_SIZE, BPF_CORE_FIELD_EXISTS,
  BPF_CORE_FIELD_SIGNED, BPF_CORE_FIELD_LSHIFT_U64, BPF_CORE_FIELD_RSHIFT_U64, BPF_CORE_TYPE_ID_LOCAL,
  BPF_CORE_TYPE_ID_TARGET, BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_SIZE, BPF_CORE_ENUMVAL_EXISTS,
  BPF_CORE_ENUMVAL_VALUE, BPF_CORE_TYPE_MATCHES,
} from '../btf/index.js';
import type { Insn } from '../isa/insn.js';
import { essentialName, isAnyEnum, kindCompat, typesCompatible } from './compat.js';
import { objErr } from './errors.js';

export { essentialName };

/** libbpf's short kind names, indexed by BPF_CORE_* number (the table lives in src/btf) */
export const CORE_RELO_KINDS = BPF_CORE_RELO_KIND_SHORT_NAMES;

/** libbpf's poison helper id: `call 0xbad2310` */
export const CORE_POISON_IMM = 0xbad2310;
const MAX_SPEC_LEN = 64;
const MAX_DEPTH = 32;

const isFieldKind = (k: number): boolean => k <= BPF_CORE_FIELD_RSHIFT_U64;
const isTypeKind = (k: number): boolean =>
  (k >= BPF_CORE_TYPE_ID_LOCAL && k <= BPF_CORE_TYPE_SIZE) || k === BPF_CORE_TYPE_MATCHES;
const isEnumvalKind = (k: number): boolean => k === BPF_CORE_ENUMVAL_EXISTS || k === BPF_CORE_ENUMVAL_VALUE;

interface Accessor {
  /** composite id for members; element (or root) id for array accesses */
  typeId: number;
  idx: number;
  name: string | undefined;
}

interface Spec {
  btf: Btf;
  rootTypeId: number;
  raw: number[];
  acc: Accessor[];
  bitOffset: number;
}

interface Result {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  failMemszAdjust: boolean;
  origSz: number;
  newSz: number;
}

/** Raised for relocations libbpf treats as fatal (not poison): bad specs, ambiguity, wrong insn. */
class CoreFatal extends Error {}

function skip(btf: Btf, id: number): BtfType {
  return btf.resolve(id);
}

const isComposite = (t: BtfType): t is BtfComposite => t.kind === 'struct' || t.kind === 'union';

function sizeOf(btf: Btf, id: number): number {
  return btf.sizeof(id);
}

function parseAccessString(s: string): number[] {
  if (s === '') throw new CoreFatal('empty access string');
  const parts = s.split(':');
  if (parts.length > MAX_SPEC_LEN) throw new CoreFatal(`access string '${s}' too long`);
  return parts.map((p) => {
    if (!/^\d{1,9}$/.test(p)) throw new CoreFatal(`bad access string '${s}'`);
    return Number(p);
  });
}

function parseSpec(btf: Btf, typeId: number, accessStr: string, kind: number): Spec {
  const raw = parseAccessString(accessStr);
  const spec: Spec = { btf, rootTypeId: typeId, raw, acc: [], bitOffset: 0 };
  if (isTypeKind(kind)) {
    if (raw.length !== 1 || raw[0] !== 0) throw new CoreFatal(`type relocation with access string '${accessStr}'`);
    return spec;
  }
  const rootId = btf.resolveId(typeId);
  const root = btf.get(rootId);
  if (isEnumvalKind(kind)) {
    if (!isAnyEnum(root) || raw.length !== 1) throw new CoreFatal('enum value relocation against a non-enum');
    const vals = btf.enumValues(rootId);
    const v = vals[raw[0]!];
    if (!v) throw new CoreFatal(`enumerator index ${raw[0]} out of range`);
    spec.acc.push({ typeId: rootId, idx: raw[0]!, name: v.name });
    return spec;
  }
  if (!isFieldKind(kind)) throw new CoreFatal(`unknown CO-RE relocation kind ${kind}`);
  spec.acc.push({ typeId: rootId, idx: raw[0]!, name: undefined });
  spec.bitOffset = raw[0]! * sizeOf(btf, rootId) * 8;
  let id = typeId;
  for (let i = 1; i < raw.length; i++) {
    const idx = raw[i]!;
    const tid = btf.resolveId(id);
    const t = btf.get(tid);
    if (isComposite(t)) {
      const m = t.members[idx];
      if (!m) throw new CoreFatal(`member index ${idx} out of range for [${tid}] ${t.name}`);
      spec.bitOffset += m.bitOffset;
      if (m.name !== '') spec.acc.push({ typeId: tid, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elemId = btf.resolveId(t.type);
      const prev = spec.acc[spec.acc.length - 1];
      const flex = isFlexArray(btf, prev, t.nelems);
      if (!flex && idx >= t.nelems) throw new CoreFatal(`array index ${idx} out of bounds (${t.nelems})`);
      spec.acc.push({ typeId: elemId, idx, name: undefined });
      spec.bitOffset += idx * sizeOf(btf, elemId) * 8;
      id = elemId;
    } else {
      throw new CoreFatal(`access string '${accessStr}' steps into [${tid}] ${t.kind}`);
    }
  }
  return spec;
}

/** a zero-length array that is the last member of its struct */
function isFlexArray(btf: Btf, prev: Accessor | undefined, nelems: number): boolean {
  if (nelems !== 0 || !prev || prev.name === undefined) return false;
  const t = btf.get(prev.typeId);
  return isComposite(t) && prev.idx === t.members.length - 1;
}

function fieldsAreCompat(lb: Btf, lid: number, tb: Btf, tid: number, depth = 0): boolean {
  if (depth > MAX_DEPTH) throw new CoreFatal('field compatibility check too deep');
  const lt = skip(lb, lid);
  const tt = skip(tb, tid);
  if (isComposite(lt) && isComposite(tt)) return true;
  if (!kindCompat(lt, tt)) return false;
  switch (lt.kind) {
    case 'ptr':
    case 'float':
      return true;
    case 'fwd':
    case 'enum':
    case 'enum64':
      return essentialName(lt.name) === essentialName(tt.name);
    case 'int':
      return lt.bitsOffset === 0 && tt.kind === 'int' && tt.bitsOffset === 0;
    case 'array':
      return fieldsAreCompat(lb, lt.type, tb, (tt as typeof lt).type, depth + 1);
    default:
      return false;
  }
}

function namesMatch(a: string, b: string): boolean {
  return essentialName(a) === essentialName(b);
}

function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, behindPtr: boolean, depth = 0): boolean {
  if (depth > MAX_DEPTH) throw new CoreFatal('type match check too deep');
  const lt = skip(lb, lid);
  const tt = skip(tb, tid);
  if (!namesMatch(lt.name, tt.name)) return false;
  switch (lt.kind) {
    case 'void':
      return tt.kind === 'void';
    case 'fwd':
      if (behindPtr) {
        if (tt.kind === 'fwd') return lt.fwdKind === tt.fwdKind;
        return (tt.kind === 'struct' && lt.fwdKind === 'struct') || (tt.kind === 'union' && lt.fwdKind === 'union');
      }
      return tt.kind === 'fwd' && lt.fwdKind === tt.fwdKind;
    case 'enum':
    case 'enum64': {
      if (!isAnyEnum(tt)) return false;
      const targNames = new Set(tb.enumValues(tt.id).map((v) => essentialName(v.name)));
      return lb.enumValues(lt.id).every((v) => targNames.has(essentialName(v.name)));
    }
    case 'struct':
    case 'union': {
      if (behindPtr) {
        if (lt.kind === tt.kind) return true;
        return tt.kind === 'fwd' && (lt.kind === 'union') === (tt.fwdKind === 'union');
      }
      if (lt.kind !== tt.kind || !isComposite(tt)) return false;
      if (lt.members.length > tt.members.length) return false;
      for (const lm of lt.members) {
        const tm = tt.members.find((m) => m.name === lm.name);
        if (!tm) return false;
        if (lm.bitfieldSize !== tm.bitfieldSize) return false;
        if (!typesMatch(lb, lm.type, tb, tm.type, behindPtr, depth + 1)) return false;
      }
      return true;
    }
    case 'int':
      return tt.kind === 'int' && lt.size === tt.size && lt.signed === tt.signed;
    case 'float':
      return tt.kind === 'float' && lt.size === tt.size;
    case 'ptr':
      return tt.kind === 'ptr' && typesMatch(lb, lt.type, tb, tt.type, true, depth + 1);
    case 'array':
      return tt.kind === 'array' && lt.nelems === tt.nelems && typesMatch(lb, lt.type, tb, tt.type, behindPtr, depth + 1);
    case 'func_proto': {
      if (tt.kind !== 'func_proto' || lt.params.length !== tt.params.length) return false;
      for (let i = 0; i < lt.params.length; i++) {
        if (!typesMatch(lb, lt.params[i]!.type, tb, tt.params[i]!.type, behindPtr, depth + 1)) return false;
      }
      return typesMatch(lb, lt.ret, tb, tt.ret, behindPtr, depth + 1);
    }
    default:
      return false;
  }
}

/** Find local member `lm` (by name) in target composite `tid`, through anonymous members. */
function matchMember(
  lb: Btf,
  lm: BtfMember,
  tb: Btf,
  tid: number,
  spec: Spec,
  depth: number,
): number | undefined {
  if (depth > MAX_DEPTH) throw new CoreFatal('member match too deep');
  const t = skip(tb, tid);
  if (!isComposite(t)) return undefined;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (m.name === '') {
      const inner = skip(tb, m.type);
      if (!isComposite(inner)) continue;
      const save = { bit: spec.bitOffset, len: spec.acc.length, raw: spec.raw.length };
      spec.bitOffset += m.bitOffset;
      spec.raw.push(i);
      const found = matchMember(lb, lm, tb, inner.id, spec, depth + 1);
      if (found !== undefined) return found;
      spec.bitOffset = save.bit;
      spec.acc.length = save.len;
      spec.raw.length = save.raw;
    } else if (m.name === lm.name) {
      if (!fieldsAreCompat(lb, lm.type, tb, m.type)) return undefined;
      spec.bitOffset += m.bitOffset;
      spec.raw.push(i);
      spec.acc.push({ typeId: t.id, idx: i, name: m.name });
      return m.type;
    }
  }
  return undefined;
}

function matchSpec(local: Spec, kind: number, tb: Btf, targId: number): Spec | undefined {
  const targ: Spec = { btf: tb, rootTypeId: targId, raw: [], acc: [], bitOffset: 0 };
  if (isTypeKind(kind)) {
    const ok =
      kind === BPF_CORE_TYPE_MATCHES
        ? typesMatch(local.btf, local.rootTypeId, tb, targId, false)
        : typesCompatible(local.btf, local.rootTypeId, tb, targId);
    return ok ? targ : undefined;
  }
  if (isEnumvalKind(kind)) {
    const la = local.acc[0]!;
    const tid = tb.resolveId(targId);
    if (!isAnyEnum(tb.get(tid))) return undefined;
    const want = essentialName(la.name ?? '');
    const vals = tb.enumValues(tid);
    for (let i = 0; i < vals.length; i++) {
      if (essentialName(vals[i]!.name) === want) {
        targ.acc.push({ typeId: tid, idx: i, name: vals[i]!.name });
        targ.raw.push(i);
        return targ;
      }
    }
    return undefined;
  }
  let tid = targId;
  for (let i = 0; i < local.acc.length; i++) {
    const la = local.acc[i]!;
    tid = tb.resolveId(tid);
    const tt = tb.get(tid);
    if (la.name !== undefined) {
      const lt = local.btf.get(la.typeId) as BtfComposite;
      const lm = lt.members[la.idx]!;
      const next = matchMember(local.btf, lm, tb, tid, targ, 0);
      if (next === undefined) return undefined;
      tid = next;
    } else {
      if (i > 0) {
        if (tt.kind !== 'array') return undefined;
        const flex = isFlexArray(tb, targ.acc[targ.acc.length - 1], tt.nelems);
        if (!flex && la.idx >= tt.nelems) return undefined;
        tid = tb.resolveId(tt.type);
      }
      if (targ.raw.length >= MAX_SPEC_LEN) throw new CoreFatal('spec too long');
      targ.acc.push({ typeId: tid, idx: la.idx, name: undefined });
      targ.raw.push(la.idx);
      targ.bitOffset += la.idx * sizeOf(tb, tid) * 8;
    }
  }
  return targ;
}

interface FieldVal {
  val: bigint;
  sz: number;
  typeId: number;
  validate: boolean;
}

/** undefined = the relocation needs poisoning */
function calcField(spec: Spec | undefined, kind: number): FieldVal | undefined {
  if (kind === BPF_CORE_FIELD_EXISTS) return { val: spec ? 1n : 0n, sz: 0, typeId: 0, validate: true };
  if (!spec) return undefined;
  const btf = spec.btf;
  const acc = spec.acc[spec.acc.length - 1]!;
  if (acc.name === undefined) {
    const sz = sizeOf(btf, acc.typeId);
    if (kind === BPF_CORE_FIELD_BYTE_OFFSET) return { val: BigInt(spec.bitOffset / 8), sz, typeId: acc.typeId, validate: true };
    if (kind === BPF_CORE_FIELD_BYTE_SIZE) return { val: BigInt(sz), sz: 0, typeId: 0, validate: true };
    throw new CoreFatal('relocation kind cannot be applied to an array access');
  }
  const t = btf.get(acc.typeId) as BtfComposite;
  const m = t.members[acc.idx]!;
  const fieldTypeId = btf.resolveId(m.type);
  const mt = btf.get(fieldTypeId);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = sizeOf(btf, fieldTypeId);
    if (byteSz <= 0) throw new CoreFatal('bitfield of zero-size type');
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreFatal('bitfield cannot be read with a 64-bit load');
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = sizeOf(btf, fieldTypeId);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  let validate = !bitfield;
  let val: number;
  let sz = 0;
  let typeId = 0;
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET:
      val = byteOff;
      if (!bitfield) {
        sz = byteSz;
        typeId = fieldTypeId;
      }
      break;
    case BPF_CORE_FIELD_BYTE_SIZE:
      val = byteSz;
      break;
    case BPF_CORE_FIELD_SIGNED:
      val = (isAnyEnum(mt) && (mt as { signed: boolean }).signed) || (mt.kind === 'int' && mt.signed) ? 1 : 0;
      validate = true;
      break;
    case BPF_CORE_FIELD_LSHIFT_U64:
      val = 64 - (bitOff + bitSz - byteOff * 8);
      break;
    case BPF_CORE_FIELD_RSHIFT_U64:
      val = 64 - bitSz;
      validate = true;
      break;
    default:
      throw new CoreFatal(`unsupported field relocation kind ${kind}`);
  }
  return { val: BigInt(val), sz, typeId, validate };
}

function calcRelo(kind: number, local: Spec, targ: Spec | undefined): Result {
  const res: Result = { origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0 };
  if (isFieldKind(kind)) {
    const o = calcField(local, kind)!;
    const n = calcField(targ, kind);
    res.origVal = o.val;
    res.validate = o.validate;
    res.origSz = o.sz;
    if (!n) {
      res.poison = true;
      return res;
    }
    res.newVal = n.val;
    res.newSz = n.sz;
    if (res.origSz !== res.newSz) {
      const ot = local.btf.resolve(o.typeId);
      const nt = targ!.btf.resolve(n.typeId);
      const unsignedInt = (t: BtfType): boolean => t.kind === 'int' && !t.signed;
      if (!((ot.kind === 'ptr' && nt.kind === 'ptr') || (unsignedInt(ot) && unsignedInt(nt)))) res.failMemszAdjust = true;
    }
  } else if (isTypeKind(kind)) {
    const typeVal = (s: Spec | undefined): bigint => {
      if (!s) return 0n;
      switch (kind) {
        case BPF_CORE_TYPE_ID_TARGET:
          return BigInt(s.rootTypeId);
        case BPF_CORE_TYPE_EXISTS:
        case BPF_CORE_TYPE_MATCHES:
          return 1n;
        case BPF_CORE_TYPE_SIZE:
          return BigInt(sizeOf(s.btf, s.rootTypeId));
        default:
          throw new CoreFatal(`unsupported type relocation kind ${kind}`);
      }
    };
    res.origVal = typeVal(local);
    res.newVal = typeVal(targ);
    if (kind === BPF_CORE_TYPE_ID_TARGET) res.validate = false;
  } else {
    const enumVal = (s: Spec | undefined): bigint | undefined => {
      if (kind === BPF_CORE_ENUMVAL_EXISTS) return s ? 1n : 0n;
      if (!s) return undefined;
      const a = s.acc[0]!;
      return s.btf.enumValues(a.typeId)[a.idx]!.value;
    };
    res.origVal = enumVal(local)!;
    const n = enumVal(targ);
    if (n === undefined) res.poison = true;
    else res.newVal = n;
  }
  return res;
}

function specToString(spec: Spec, kind: number): string {
  const btf = spec.btf;
  const root = btf.get(spec.rootTypeId);
  const kindName = root.kind === 'enum64' ? 'enum' : root.kind;
  let s = `[${spec.rootTypeId}] ${kindName} ${root.name}`;
  if (isEnumvalKind(kind)) {
    const a = spec.acc[0];
    if (a) s += `::${a.name} = ${btf.enumValues(a.typeId)[a.idx]?.value ?? '?'}`;
    return s;
  }
  if (isTypeKind(kind)) return s;
  for (const a of spec.acc.slice(1)) s += a.name !== undefined ? `.${a.name}` : `[${a.idx}]`;
  const bit = spec.bitOffset;
  s += ` (${spec.raw.join(':')} @ offset ${Math.floor(bit / 8)}${bit % 8 ? `.${bit % 8}` : ''})`;
  return s;
}

export interface CoreReloInput {
  insn: number;
  typeId: number;
  accessStr: string;
  kind: number;
}

export interface CorePoison {
  insn: number;
  reason: string;
}

/** Candidate target types for a local type, by kind and essential name (cached per object). */
/** The name index is built once per target Btf (vmlinux has ~10^5 types) and shared. */
const INDEX_BY_TARGET = new WeakMap<Btf, Map<string, number[]>>();

class CandidateCache {
  private byKey = new Map<string, number[]>();
  private index: Map<string, number[]> | undefined;
  constructor(private readonly target: Btf) {
    this.index = INDEX_BY_TARGET.get(target);
  }

  get(kind: string, essName: string): number[] {
    const key = `${kind}:${essName}`;
    const hit = this.byKey.get(key);
    if (hit) return hit;
    if (!this.index) {
      this.index = new Map();
      // nameOf/kindName read the raw records: no need to decode all of vmlinux' types
      const target = this.target;
      for (let id = 1; id < target.length; id++) {
        const name = target.nameOf(id);
        if (name === '') continue;
        const kind = target.kindName(id);
        const k = `${kind === 'enum64' ? 'enum' : kind}:${essentialName(name)}`;
        const l = this.index.get(k);
        if (l) l.push(id);
        else this.index.set(k, [id]);
      }
      INDEX_BY_TARGET.set(target, this.index);
    }
    const out = this.index.get(`${kind === 'enum64' ? 'enum' : kind}:${essName}`) ?? [];
    this.byKey.set(key, out);
    return out;
  }
}

export class CoreRelocator {
  private readonly cands: CandidateCache;
  constructor(
    private readonly local: Btf,
    private readonly target: Btf,
  ) {
    this.cands = new CandidateCache(target);
  }

  /**
   * Apply relocations to the instructions of one code section in place. Returns poisoned
   * slots with the reason. Throws BpfObjectError for relocations libbpf would refuse outright.
   */
  apply(section: string, insns: Insn[], relos: CoreReloInput[]): CorePoison[] {
    const poisons: CorePoison[] = [];
    for (const r of relos) {
      try {
        const p = this.applyOne(insns, r);
        if (p) poisons.push(p);
      } catch (e) {
        if (e instanceof CoreFatal || e instanceof BtfError || (e instanceof Error && e.message.includes('too deep'))) {
          throw objErr(section, r.insn * 8, `CO-RE relocation #${relos.indexOf(r)} (${CORE_RELO_KINDS[r.kind] ?? r.kind}): ${e.message}`);
        }
        throw e;
      }
    }
    return poisons;
  }

  private applyOne(insns: Insn[], r: CoreReloInput): CorePoison | undefined {
    const insn = insns[r.insn];
    if (!insn) throw new CoreFatal(`instruction #${r.insn} out of range (${insns.length} slots)`);
    const local = this.local;
    if (r.typeId <= 0 || r.typeId >= local.length) throw new CoreFatal(`bad type id ${r.typeId}`);
    const kindName = CORE_RELO_KINDS[r.kind];
    if (kindName === undefined) throw new CoreFatal(`unknown kind ${r.kind}`);
    const localSpec = parseSpec(local, r.typeId, r.accessStr, r.kind);
    let res: Result;
    if (r.kind === BPF_CORE_TYPE_ID_LOCAL) {
      res = { origVal: BigInt(r.typeId), newVal: BigInt(r.typeId), poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0 };
    } else {
      const lt = local.get(r.typeId);
      if (lt.name === '') throw new CoreFatal('relocation against an anonymous type is not supported');
      let found: { spec: Spec; res: Result } | undefined;
      for (const cid of this.cands.get(lt.kind, essentialName(lt.name))) {
        const ts = matchSpec(localSpec, r.kind, this.target, cid);
        if (!ts) continue;
        const cr = calcRelo(r.kind, localSpec, ts);
        if (!found) found = { spec: ts, res: cr };
        else if (isFieldKind(r.kind) && ts.bitOffset !== found.spec.bitOffset) {
          throw new CoreFatal(`field offset ambiguity: ${found.spec.bitOffset} != ${ts.bitOffset}`);
        } else if (cr.poison !== found.res.poison || cr.newVal !== found.res.newVal) {
          throw new CoreFatal(`relocation decision ambiguity: ${found.res.newVal} != ${cr.newVal}`);
        }
      }
      res = found ? found.res : calcRelo(r.kind, localSpec, undefined);
    }
    const reason = (): string =>
      `failed to resolve CO-RE relocation <${kindName}> ${specToString(localSpec, r.kind)}`;
    if (res.poison) return this.poison(insns, r.insn, reason());
    return this.patch(insns, r.insn, res, reason);
  }

  private poison(insns: Insn[], at: number, reason: string): CorePoison {
    const insn = insns[at]!;
    if (insn.code === 0x18 && insns[at + 1]) {
      insns[at + 1] = { code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
    }
    insns[at] = { code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
    return { insn: at, reason };
  }

  private patch(insns: Insn[], at: number, res: Result, reason: () => string): CorePoison | undefined {
    const insn = insns[at]!;
    const cls = insn.code & 7;
    const newVal = res.newVal;
    const mismatch = (got: bigint): CoreFatal =>
      new CoreFatal(`unexpected insn #${at} value: got ${got}, expected ${res.origVal} -> ${newVal}`);
    switch (cls) {
      case 0x04:
      case 0x07: {
        if ((insn.code & 0x08) !== 0) throw new CoreFatal(`insn #${at} (ALU) uses a register source`);
        if (res.validate && BigInt(insn.imm) !== res.origVal) throw mismatch(BigInt(insn.imm));
        if (newVal > 0xffffffffn) throw new CoreFatal(`insn #${at} (ALU) value ${newVal} too big`);
        insns[at] = { ...insn, imm: Number(BigInt.asIntN(32, newVal)) };
        return undefined;
      }
      case 0x01:
      case 0x02:
      case 0x03: {
        if (res.validate && BigInt(insn.off) !== res.origVal) throw mismatch(BigInt(insn.off));
        if (newVal > 0x7fffn) throw new CoreFatal(`insn #${at} (LDX/ST/STX) value ${newVal} too big`);
        if (res.failMemszAdjust) {
          return this.poison(insns, at, `${reason()}: cannot adjust the memory access size from ${res.origSz} to ${res.newSz}`);
        }
        let code = insn.code;
        if (res.newSz !== res.origSz) {
          const sizeBytes = [4, 2, 1, 8][(insn.code >> 3) & 3]!;
          if (sizeBytes !== res.origSz) throw new CoreFatal(`insn #${at} unexpected mem size ${sizeBytes}, expected ${res.origSz}`);
          const sizeBits = ({ 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 } as Record<number, number>)[res.newSz];
          if (sizeBits === undefined) throw new CoreFatal(`insn #${at} invalid new mem size ${res.newSz}`);
          code = (insn.code & ~0x18) | sizeBits;
        }
        insns[at] = { ...insn, code, off: Number(newVal) };
        return undefined;
      }
      case 0x00: {
        const hi = insns[at + 1];
        if (insn.code !== 0x18 || insn.src !== 0 || insn.off !== 0 || !hi) {
          throw new CoreFatal(`insn #${at} (LDIMM64) has unexpected form`);
        }
        const imm = (BigInt.asUintN(32, BigInt(insn.imm2 ?? hi.imm)) << 32n) | BigInt.asUintN(32, BigInt(insn.imm));
        if (res.validate && imm !== BigInt.asUintN(64, res.origVal)) throw mismatch(imm);
        const v = BigInt.asUintN(64, newVal);
        const lo = Number(BigInt.asIntN(32, v & 0xffffffffn));
        const h = Number(BigInt.asIntN(32, v >> 32n));
        insns[at] = { ...insn, imm: lo, imm2: h };
        insns[at + 1] = { ...hi, imm: h };
        return undefined;
      }
      default:
        throw new CoreFatal(`insn #${at} (code 0x${insn.code.toString(16)}) cannot be relocated`);
    }
  }
}
