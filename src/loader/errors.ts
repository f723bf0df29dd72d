// Every way an object can be malformed or unloadable surfaces as a BpfObjectError that names
// where (ELF section and byte offset, when known) so the user can find it with llvm-objdump.

export interface BpfObjectErrorInfo {
  section?: string;
  offset?: number;
  /** the ElfError / BtfError / IsaError this one wraps */
  cause?: unknown;
  /** set when the cause was an unexpected JS exception (a loader bug, not a bad object) */
  internal?: boolean;
}

export class BpfObjectError extends Error {
  readonly section: string | undefined;
  readonly offset: number | undefined;
  readonly internal: boolean;

  constructor(message: string, info: BpfObjectErrorInfo = {}) {
    const where =
      info.section !== undefined
        ? info.offset !== undefined
          ? `section '${info.section}' offset ${info.offset}: `
          : `section '${info.section}': `
        : '';
    super(where + message, info.cause !== undefined ? { cause: info.cause } : undefined);
    this.name = 'BpfObjectError';
    this.section = info.section;
    this.offset = info.offset;
    this.internal = info.internal ?? false;
  }
}

export function objErr(section: string | undefined, offset: number | undefined, message: string): BpfObjectError {
  return new BpfObjectError(message, { section, offset });
}
