// Decoded BTF type records. `id` is the type id; `name` is '' for anonymous types.

export interface BtfVoid {
  kind: 'void';
  id: 0;
  name: '';
}

export interface BtfInt {
  kind: 'int';
  id: number;
  name: string;
  size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL bits */
  encoding: number;
  signed: boolean;
  /** BTF_INT_OFFSET (legacy bitfield offset, always 0 from modern compilers) */
  bitsOffset: number;
  bits: number;
}

/** ptr, typedef, volatile, const, restrict, type_tag: just point at another type */
export interface BtfRef {
  kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  id: number;
  name: string;
  type: number;
}

export interface BtfArray {
  kind: 'array';
  id: number;
  name: string;
  type: number;
  indexType: number;
  nelems: number;
}

export interface BtfMember {
  name: string;
  type: number;
  /** offset of the member from the start of the struct, in bits */
  bitOffset: number;
  /** 0 unless the member is a bitfield */
  bitfieldSize: number;
}

export interface BtfComposite {
  kind: 'struct' | 'union';
  id: number;
  name: string;
  size: number;
  /** kind_flag: member offsets carry bitfield sizes */
  kflag: boolean;
  members: BtfMember[];
}

export interface BtfEnumValue {
  name: string;
  value: number;
}

export interface BtfEnum {
  kind: 'enum';
  id: number;
  name: string;
  size: number;
  signed: boolean;
  /** values already interpreted as signed or unsigned per `signed` */
  values: BtfEnumValue[];
}

export interface BtfEnum64Value {
  name: string;
  value: bigint;
}

export interface BtfEnum64 {
  kind: 'enum64';
  id: number;
  name: string;
  size: number;
  signed: boolean;
  values: BtfEnum64Value[];
}

export interface BtfFwd {
  kind: 'fwd';
  id: number;
  name: string;
  fwdKind: 'struct' | 'union';
}

export interface BtfFunc {
  kind: 'func';
  id: number;
  name: string;
  /** the FUNC_PROTO */
  type: number;
  /** BTF_FUNC_STATIC / GLOBAL / EXTERN */
  linkage: number;
}

export interface BtfParam {
  name: string;
  type: number;
}

export interface BtfFuncProto {
  kind: 'func_proto';
  id: number;
  name: string;
  /** return type (0 = void) */
  ret: number;
  /** the trailing `...` entry (name '', type 0) is removed and reported as `variadic` */
  params: BtfParam[];
  variadic: boolean;
}

export interface BtfVar {
  kind: 'var';
  id: number;
  name: string;
  type: number;
  /** BTF_VAR_STATIC / GLOBAL_ALLOCATED / GLOBAL_EXTERN */
  linkage: number;
}

export interface BtfVarSecInfo {
  /** the VAR (or FUNC for .ksyms) */
  type: number;
  offset: number;
  size: number;
}

export interface BtfDatasec {
  kind: 'datasec';
  id: number;
  name: string;
  size: number;
  vars: BtfVarSecInfo[];
}

export interface BtfFloat {
  kind: 'float';
  id: number;
  name: string;
  size: number;
}

export interface BtfDeclTag {
  kind: 'decl_tag';
  id: number;
  /** the tag text */
  name: string;
  type: number;
  /** -1: the type itself; otherwise member / parameter index */
  componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** the record type for a kind name (struct and union share BtfComposite, etc.) */
export type BtfTypeOfKind<K extends BtfType['kind']> = BtfType extends infer T
  ? T extends BtfType
    ? K extends T['kind']
      ? T
      : never
    : never
  : never;

export const VOID_TYPE: BtfVoid = Object.freeze({ kind: 'void', id: 0, name: '' }) as BtfVoid;

/** kinds that only qualify/alias another type and are skipped by resolve() */
export const isModifierOrTypedef = (t: BtfType): t is BtfRef =>
  t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag';

/** the referenced type id for kinds that have one, else undefined */
export function referencedType(t: BtfType): number | undefined {
  switch (t.kind) {
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
    case 'array':
    case 'func':
    case 'var':
    case 'decl_tag':
      return t.type;
    case 'func_proto':
      return t.ret;
    default:
      return undefined;
  }
}
