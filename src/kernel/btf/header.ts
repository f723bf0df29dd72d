// `bpfwasm btf dump --kernel --format c`: the simulated kernel's vmlinux.h.

import { dumpC, type Btf } from '../../btf/index.js';

/** A compilable C header of every kernel type (like `bpftool btf dump file vmlinux format c`). */
export function dumpKernelHeader(kernel: { btf: Btf }): string {
  return dumpC(kernel.btf);
}
