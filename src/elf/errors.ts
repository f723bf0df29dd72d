/** Every malformed-ELF condition surfaces as this one type, naming the section and byte offset. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}
