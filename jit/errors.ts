// Compile-time failures of the JIT (run-time failures are the interpreter's BpfRuntimeError, so
// both engines fail the same way).
export class JitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JitError';
  }
}
