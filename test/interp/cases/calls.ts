// bpf-to-bpf calls (own stack frame per call, r6-r9 preserved for the caller, r1-r5 arguments),
// may_goto and legacy packet loads.
import type { InterpCase } from './types.js';

export const callCases: InterpCase[] = [
  { name: 'call returns r0', asm: 'r1 = 5\ncall f\nexit\nf:\nr0 = r1\nr0 *= 2\nexit', expect: 10n },
  {
    name: 'call passes r1-r5',
    asm: 'r1 = 1\nr2 = 2\nr3 = 4\nr4 = 8\nr5 = 16\ncall f\nexit\nf:\nr0 = r1\nr0 += r2\nr0 += r3\nr0 += r4\nr0 += r5\nexit',
    expect: 31n,
  },
  { name: 'callee r6-r9 do not leak into the caller', asm: 'r6 = 7\nr7 = 8\nr8 = 9\nr9 = 10\ncall f\nr0 += r6\nr0 += r7\nr0 += r8\nr0 += r9\nexit\nf:\nr6 = 100\nr7 = 100\nr8 = 100\nr9 = 100\nr0 = 1\nexit', expect: 35n },
  {
    name: 'callee has its own stack frame',
    asm: '*(u64 *)(r10 -8) = 1\ncall f\nr1 = *(u64 *)(r10 -8)\nr0 <<= 4\nr0 |= r1\nexit\nf:\n*(u64 *)(r10 -8) = 2\nr0 = *(u64 *)(r10 -8)\nexit',
    expect: 0x21n,
  },
  {
    name: 'callee writes through a pointer to the caller stack',
    asm: '*(u64 *)(r10 -8) = 0\nr1 = r10\nr1 += -8\ncall f\nr0 = *(u64 *)(r10 -8)\nexit\nf:\n*(u64 *)(r1 +0) = 42\nr0 = 0\nexit',
    expect: 42n,
  },
  {
    name: 'caller r10 is restored after the call',
    asm: '*(u64 *)(r10 -8) = 3\ncall f\nr0 = *(u64 *)(r10 -8)\nexit\nf:\n*(u64 *)(r10 -8) = 4\nr0 = 0\nexit',
    expect: 3n,
  },
  {
    name: 'nested calls three deep',
    asm: 'r1 = 1\ncall a\nexit\na:\nr1 += 10\ncall b\nr0 += 1000\nexit\nb:\nr1 += 100\ncall c\nexit\nc:\nr0 = r1\nexit',
    expect: 1111n,
  },
  {
    name: 'eight frames (the kernel maximum)',
    asm: [
      'r1 = 0', 'call f1', 'exit',
      'f1:', 'r1 += 1', 'call f2', 'exit',
      'f2:', 'r1 += 1', 'call f3', 'exit',
      'f3:', 'r1 += 1', 'call f4', 'exit',
      'f4:', 'r1 += 1', 'call f5', 'exit',
      'f5:', 'r1 += 1', 'call f6', 'exit',
      'f6:', 'r1 += 1', 'call f7', 'exit',
      'f7:', 'r0 = r1', 'r0 += 1', 'exit',
    ].join('\n'),
    expect: 7n,
    kernel: 'low32', // wrapping would make it nine frames
  },
  {
    name: 'same subprogram called twice',
    asm: 'r1 = 3\ncall sq\nr6 = r0\nr1 = 4\ncall sq\nr0 += r6\nexit\nsq:\nr0 = r1\nr0 *= r1\nexit',
    expect: 25n,
  },
  {
    name: 'callee loop with its own counter',
    asm: 'r6 = 0\nr1 = 10\ncall sum\nr6 += r0\nr1 = 20\ncall sum\nr0 += r6\nexit\nsum:\nr0 = 0\nloop:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto loop\nexit',
    expect: 55n + 210n,
  },
  {
    name: 'call returns a 64-bit value',
    asm: 'call f\nexit\nf:\nr0 = 0xfedcba9876543210 ll\nexit',
    expect: 0xfedcba9876543210n,
  },
];

export const mayGotoCases: InterpCase[] = [
  { name: 'may_goto falls through while budget remains', asm: 'r0 = 1\nmay_goto +1\nr0 = 2\nexit', expect: 2n },
  { name: 'may_goto +0 is a no-op', asm: 'r0 = 5\nmay_goto +0\nexit', expect: 5n },
  {
    name: 'may_goto bounded loop finishes before the budget',
    asm: 'r0 = 0\nloop:\nmay_goto out\nr0 += 1\nif r0 < 1000 goto loop\nout:\nexit',
    expect: 1000n,
  },
  {
    name: 'may_goto infinite loop stops after BPF_MAX_LOOPS',
    asm: 'r0 = 0\nloop:\nmay_goto out\nr0 += 1\ngoto loop\nout:\nexit',
    expect: 8388608n,
    kernel: { skip: 'x86-64 JIT uses timed may_goto (stops after ~250 ms, not after 8M iterations)' },
  },
  {
    name: 'may_goto budget is per frame',
    asm: 'call f\nr6 = r0\ncall f\nr0 += r6\nexit\nf:\nr0 = 0\nloop:\nmay_goto out\nr0 += 1\ngoto loop\nout:\nexit',
    expect: 2n * 8388608n,
    kernel: { skip: 'x86-64 JIT uses timed may_goto' },
  },
];

// socket filter packets: what the program sees at skb->data (after the Ethernet header)
const PKT = '0102030405060708090a0b0c0d0e0f10';
export const ldAbsCases: InterpCase[] = [
  { name: 'ld_abs u8', asm: 'r6 = r1\nr0 = *(u8 *)skb[3]\nexit', expect: 0x04n, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs u16 is big-endian', asm: 'r6 = r1\nr0 = *(u16 *)skb[2]\nexit', expect: 0x0304n, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs u32 is big-endian', asm: 'r6 = r1\nr0 = *(u32 *)skb[4]\nexit', expect: 0x05060708n, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs last byte', asm: 'r6 = r1\nr0 = *(u8 *)skb[15]\nexit', expect: 0x10n, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs u32 zero-extends a high-bit word', asm: 'r6 = r1\nr0 = *(u32 *)skb[0]\nexit', expect: 0xf1f2f3f4n, mem: 'f1f2f3f4', kernel: 'low32' },
  { name: 'ld_ind adds the register', asm: 'r6 = r1\nr7 = 2\nr0 = *(u16 *)skb[r7 + 1]\nexit', expect: 0x0405n, mem: PKT, kernel: 'low32' },
  { name: 'ld_ind u32', asm: 'r6 = r1\nr7 = 8\nr0 = *(u32 *)skb[r7 + 0]\nexit', expect: 0x090a0b0cn, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs out of bounds exits with 0', asm: 'r6 = r1\nr0 = *(u32 *)skb[100]\nr0 = 7\nexit', expect: 0n, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs straddling the end exits with 0', asm: 'r6 = r1\nr0 = *(u32 *)skb[14]\nr0 = 7\nexit', expect: 0n, mem: PKT, kernel: 'low32' },
  { name: 'ld_ind negative sum exits with 0', asm: 'r6 = r1\nr7 = -20\nr0 = *(u8 *)skb[r7 + 4]\nr0 = 7\nexit', expect: 0n, mem: PKT, kernel: 'low32' },
  { name: 'ld_abs in a loop', asm: 'r6 = r1\nr8 = 0\nr9 = 0\nloop:\nr0 = *(u8 *)skb[r9 + 0]\nr8 += r0\nr9 += 1\nif r9 < 16 goto loop\nr0 = r8\nexit', expect: 136n, mem: PKT, kernel: 'low32' },
];

// bpf_conformance-style input memory at r1 (length in r2); Linux gives a socket filter the skb
// there instead, so these are checked by the interpreter and the JIT only
const NOT_SKB = { skip: 'r1 is the input buffer (bpf_conformance style), not an sk_buff' };
export const memInputCases: InterpCase[] = [
  { name: 'mem: r2 holds the input length', asm: 'r0 = r2\nexit', expect: 8n, mem: '0011223344556677', kernel: NOT_SKB },
  { name: 'mem: ldx u32 at an unaligned offset', asm: 'r0 = *(u32 *)(r1 +1)\nexit', expect: 0x44332211n, mem: '0011223344556677', kernel: NOT_SKB },
  { name: 'mem: ldx u64 at an unaligned offset', asm: 'r0 = *(u64 *)(r1 +1)\nexit', expect: 0x8877665544332211n, mem: '001122334455667788', kernel: NOT_SKB },
  { name: 'mem: ldx u16 is little-endian', asm: 'r0 = *(u16 *)(r1 +0)\nexit', expect: 0x1100n, mem: '0011', kernel: NOT_SKB },
  { name: 'mem: stx then ldx through r1', asm: 'r2 = 0xbeef\n*(u16 *)(r1 +3) = r2\nr0 = *(u32 *)(r1 +2)\nexit', expect: 0x00beef00n, mem: '0000000000000000', kernel: NOT_SKB },
  { name: 'mem: sign-extending load through r1', asm: 'r0 = *(s16 *)(r1 +1)\nexit', expect: 0xffffffffffff80ffn, mem: '00ff800000', kernel: NOT_SKB },
  { name: 'mem: atomic add through r1', asm: 'r2 = 2\nlock *(u64 *)(r1 +0) += r2\nr0 = *(u64 *)(r1 +0)\nexit', expect: 0x0100000000000003n, mem: '0100000000000001', kernel: NOT_SKB },
];
