import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? String(e)}`);
  }
}

/** A byte argument: hex digits (spaces allowed) or `@file` for raw bytes. */
export function parseBytesArg(value: string, what: string): Uint8Array {
  if (value.startsWith('@')) return readInput(value.slice(1));
  const hex = value.replace(/\s+/g, '').replace(/^0x/i, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new UsageError(`${what}: expected hex bytes or @file, got '${value}'`);
  }
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function parseIntArg(value: string, what: string, min = 0): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${what}: expected an integer >= ${min}, got '${value}'`);
  return n;
}
