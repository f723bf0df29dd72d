// The slice of the WebAssembly JS API the JIT uses (tsconfig's lib has no WebAssembly types).
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export interface WasmGlobal {
  value: bigint;
}
interface WasmApi {
  Global: new (desc: { value: 'i64'; mutable: boolean }, v: bigint) => WasmGlobal;
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
