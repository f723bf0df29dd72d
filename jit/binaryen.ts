// Binaryen is loaded lazily (its import costs ~0.4 s): `loadBinaryen()` once, then the
// synchronous compiler can run (tail-call targets are compiled on demand during a run).
import type BinaryenNs from 'binaryen';

export type Binaryen = typeof BinaryenNs;
export type BModule = BinaryenNs.Module;
export type Expr = number;

let loaded: Binaryen | undefined;
let loading: Promise<Binaryen> | undefined;

export async function loadBinaryen(): Promise<Binaryen> {
  if (loaded !== undefined) return loaded;
  loading ??= import('binaryen').then((m) => {
    loaded = (m as unknown as { default: Binaryen }).default;
    return loaded;
  });
  return loading;
}

/** The already loaded Binaryen, or undefined before the first `loadBinaryen()` resolved. */
export function binaryenIfLoaded(): Binaryen | undefined {
  return loaded;
}
