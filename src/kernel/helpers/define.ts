// A compact way to write a helper's prototype next to its implementation.

import { helperAllowed } from './allowlist.js';
import { helperId } from './ids.js';
import type { ArgType, HelperFn, HelperImpl, HelperProto, RetType } from './types.js';
import { MEM_UNINIT, MEM_WRITE } from './types.js';

export interface ArgDef {
  type: ArgType;
  flags?: number;
  /** ARG_PTR_TO_BTF_ID*: pointed-to kernel type */
  btf?: string;
  /** ARG_PTR_TO_FIXED_SIZE_MEM: size */
  size?: number;
}

export type ArgSpec = ArgType | ArgDef;

export interface HelperOpts {
  gplOnly?: boolean;
  mightSleep?: boolean;
  changesPktData?: boolean;
  retFlags?: number;
  retBtfType?: string;
  retSize?: number;
}

export class HelperDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperDefinitionError';
  }
}

/** ARG_PTR_TO_UNINIT_MEM is the kernel's alias for ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE. */
export const UNINIT_MEM: ArgDef = { type: 'ARG_PTR_TO_UNINIT_MEM', flags: MEM_UNINIT | MEM_WRITE };

export function defineHelper(name: string, ret: RetType, args: readonly ArgSpec[], fn: HelperFn, opts: HelperOpts = {}): HelperImpl {
  const id = helperId(name);
  if (id <= 0) throw new HelperDefinitionError(`no helper named '${name}' in Linux 6.18`);
  if (args.length > 5) throw new HelperDefinitionError(`helper ${name}: at most 5 arguments`);
  const defs = args.map((a): ArgDef => (typeof a === 'string' ? { type: a } : a));
  const proto: HelperProto = {
    id,
    name,
    ret,
    args: defs.map((d) => d.type),
    argFlags: defs.map((d) => d.flags ?? 0),
  };
  if (defs.some((d) => d.btf)) proto.argBtfTypes = defs.map((d) => d.btf);
  if (defs.some((d) => d.size !== undefined)) proto.argSizes = defs.map((d) => d.size);
  if (opts.gplOnly) proto.gplOnly = true;
  if (opts.mightSleep) proto.mightSleep = true;
  if (opts.changesPktData) proto.changesPktData = true;
  if (opts.retFlags) proto.retFlags = opts.retFlags;
  if (opts.retBtfType) proto.retBtfType = opts.retBtfType;
  if (opts.retSize !== undefined) proto.retSize = opts.retSize;
  return { proto, fn, allowedIn: (progType, attachType) => helperAllowed(id, progType, attachType) };
}
