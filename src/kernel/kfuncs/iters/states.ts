// Iterator state structs the kernel BTF declares besides tables.ts's: the kernel selftests'
// bpf_testmod iterator (struct bpf_iter_testmod_seq, two u64 words), so an embedder can register
// that iterator type from TypeScript (test/iter/register.test.ts) as the test module does.

import type { StructSpec } from '../../btf/types.js';

export const ITER_EXTRA_STRUCTS: readonly StructSpec[] = [
  { name: 'bpf_iter_testmod_seq', kind: 'struct', fields: [['__opaque', '__u64[2]']] },
];
