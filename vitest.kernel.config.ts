import { defineConfig } from 'vitest/config';

// The kernel comparison suite: runs our programs through the host Linux kernel (via a small
// libbpf runner) and through bpfwasm, and compares. Skips itself where bpf() is unusable.
export default defineConfig({
  test: {
    include: ['test/hostkernel/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    passWithNoTests: true,
    fileParallelism: false,
  },
});
