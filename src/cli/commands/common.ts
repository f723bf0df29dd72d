import { basename } from 'node:path';
import { BpfObject } from '../../api/object.js';
import { Kernel } from '../../kernel/index.js';
import { readInput } from '../io.js';

/** Open FILE against a fresh default simulated kernel, naming the object after the file as libbpf does. */
export function openFileObject(path: string, kernel: Kernel = new Kernel()): BpfObject {
  return BpfObject.open(readInput(path), { kernel, name: basename(path).split('.')[0] });
}

export const printJson = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
};
