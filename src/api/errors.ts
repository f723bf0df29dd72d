/** A program or map the caller named does not exist, or an API call came in the wrong order. */
export class BpfApiError extends Error {
  override name = 'UsageError';
}

/** A program could not be loaded (rejected by the verifier, or not runnable here). */
export class BpfLoadError extends Error {
  override name = 'VerifierError';
  constructor(message: string, readonly log: string = '') {
    super(message);
  }
}
