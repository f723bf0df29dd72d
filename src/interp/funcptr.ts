// Run-time representation of a BPF function address (ld_imm64 with src = BPF_PSEUDO_FUNC, the
// value a program passes to bpf_loop / bpf_for_each_map_elem / bpf_timer_set_callback).
//
// The kernel hands the program the address of the JITed subprogram. We hand it a tagged constant
// in the module-text range where Linux places BPF JIT images: FUNC_PTR_BASE + slot * 8, i.e. the
// byte offset of the subprogram's first instruction inside the program image. It is non-zero (so
// NULL checks behave), never a linear-memory address (so loads through it fault cleanly), and both
// engines decode it the same way. It names a slot of the program that is running the helper;
// callbacks are always invoked synchronously from that program.

/** Base of function addresses: x86-64 MODULES_VADDR, where the kernel puts BPF JIT images. */
export const FUNC_PTR_BASE = 0xffffffffa0000000n;

/** The function address of the subprogram starting at `slot`. */
export function funcPtrOf(slot: number): bigint {
  return FUNC_PTR_BASE + BigInt(slot) * 8n;
}

/** The slot a function address names, or -1 if `ptr` is not one. */
export function slotOfFuncPtr(ptr: bigint): number {
  const d = BigInt.asUintN(64, ptr) - FUNC_PTR_BASE;
  if (d < 0n || d >= 0x10000000n || (d & 7n) !== 0n) return -1;
  return Number(d >> 3n);
}
