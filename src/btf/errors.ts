/** Malformed BTF / BTF.ext, or a type-graph query that makes no sense for the given type. */
export class BtfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BtfError';
  }
}
