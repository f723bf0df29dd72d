export * from './types.js';
export * from './bpf-map.js';
export * from './array.js';
export * from './hash.js';
export { createMap } from './create.js';
export * from './registry.js';
