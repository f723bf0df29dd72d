export { BtfError } from './errors.js';
export * from './constants.js';
export * from './types.js';
export { BtfStrings } from './strings.js';
export { Btf, parseBtf } from './btf.js';
export type { MemberAt, FoundMember, EnumValue, ParseBtfOptions } from './btf.js';
export type { BtfHeader } from './parse.js';
export { dumpRaw, dumpRawType } from './dump-raw.js';
