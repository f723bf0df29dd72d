// How the command line turns failures into exit codes (0 ok, 1 the operation failed,
// 2 bad usage or unreadable input) and one clear line on stderr.

/** Bad usage or unreadable input: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The operation ran and failed (a rejected program, a failed run): exit code 1. */
export class OperationError extends Error {
  override name = 'OperationError';
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

// Errors thrown by earlier stages for input they cannot read. Matched by name so the CLI does
// not need to import every stage just to classify its errors.
const INPUT_ERRORS = new Set(['UsageError', 'BpfObjectError', 'ElfError', 'BtfError', 'IsaError', 'AsmError', 'CommanderError']);

export interface Reported {
  code: 1 | 2;
  lines: string[];
}

export function classify(err: unknown): Reported {
  if (err instanceof Error) {
    if (INPUT_ERRORS.has(err.name)) return { code: 2, lines: [`bpfwasm: ${err.message}`] };
    const detail = (err as { log?: unknown; detail?: unknown }).log ?? (err as { detail?: unknown }).detail;
    const lines = [`bpfwasm: ${err.message}`];
    if (typeof detail === 'string' && detail.length > 0) lines.unshift(detail.trimEnd());
    if (err.name === 'OperationError' || err.name === 'VerifierError' || err.name === 'BpfRuntimeError' || err.name === 'MapError') {
      return { code: 1, lines };
    }
    // Anything else is our bug; say so plainly, and keep the stack for those who ask for it.
    const internal = [`bpfwasm: internal error: ${err.name}: ${err.message}`];
    if (process.env.BPFWASM_DEBUG) internal.push(err.stack ?? '');
    return { code: 1, lines: internal };
  }
  return { code: 1, lines: [`bpfwasm: internal error: ${String(err)}`] };
}
