// Shared by the iterator tests: load a test program object, poke global variables.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject } from '../../src/api/object.js';
import type { EngineName } from '../../src/api/engine.js';
import { Kernel } from '../../src/kernel/index.js';

const PROGS = join(dirname(fileURLToPath(import.meta.url)), '../progs');

export const ENGINES: EngineName[] = ['interp', 'jit'];

export async function loadProg(file: string, engine: EngineName, kernel = new Kernel()): Promise<BpfObject> {
  const obj = BpfObject.open(new Uint8Array(readFileSync(join(PROGS, file))), { kernel, name: file.split('.')[0] });
  await obj.load({ engine, unverified: true });
  return obj;
}

/** Offset and map of a global variable (from the object's DATASEC). */
function globalVar(obj: BpfObject, name: string): { map: ReturnType<BpfObject['map']>; offset: number; size: number } {
  const btf = obj.spec.btf;
  if (!btf) throw new Error('object has no BTF');
  for (let id = 1; id < btf.length; id++) {
    const ds = btf.get(id);
    if (ds.kind !== 'datasec') continue;
    for (const v of ds.vars) {
      const vt = btf.get(v.type);
      if (vt.kind === 'var' && vt.name === name) {
        const map = obj.maps.find((m) => m.name.endsWith(ds.name))!;
        return { map, offset: v.offset, size: v.size };
      }
    }
  }
  throw new Error(`no global '${name}'`);
}

const KEY0 = new Uint8Array(4);

export function setGlobal(obj: BpfObject, name: string, value: bigint | Uint8Array): void {
  const g = globalVar(obj, name);
  const data = g.map.lookup(KEY0) as Uint8Array;
  const bytes = value instanceof Uint8Array ? value : new Uint8Array(new BigUint64Array([BigInt.asUintN(64, value)]).buffer).subarray(0, g.size);
  data.set(bytes, g.offset);
  g.map.update(KEY0, data);
}

export function getGlobal(obj: BpfObject, name: string): bigint {
  const g = globalVar(obj, name);
  const data = g.map.lookup(KEY0) as Uint8Array;
  const b = new Uint8Array(8);
  b.set(data.subarray(g.offset, g.offset + Math.min(8, g.size)));
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** A syscall program's context: struct args { int pid; int flags; u64 cgid; u64 addr; }. */
export function args(a: { pid?: number; flags?: number; cgid?: bigint; addr?: bigint }): Uint8Array {
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, a.pid ?? 0, true);
  dv.setInt32(4, a.flags ?? 0, true);
  dv.setBigUint64(8, a.cgid ?? 0n, true);
  dv.setBigUint64(16, a.addr ?? 0n, true);
  return b;
}
