// Public surface of the simulated kernel.
export { Kernel, type KernelOptions } from './kernel.js';
export * from './world/index.js';
export { kernelTypes, buildKernelBtf, dumpKernelHeader, TypeTable, KernelTypeError, type FuncSpec, type StructSpec, type TypeExpr } from './btf/index.js';
export { KernelMemory, KERNEL_BASE } from './memory.js';
export { UserAddressSpace } from './user-memory.js';
export { HelperRegistry, KfuncRegistry, type HelperEntry, type KfuncEntry } from './registry.js';
