// The interpreter against the real simulated Kernel and its helpers (maps, bpf_loop, printk).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { registerAllHelpers } from '../../src/kernel/helpers/index.js';
import { Interpreter, runProgram, trustInsns } from '../../src/interp/index.js';

function kernel(): Kernel {
  const k = new Kernel({ empty: true });
  registerAllHelpers(k);
  return k;
}

const u32le = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);

describe('interpreter with the simulated kernel', () => {
  it('updates an array map value through bpf_map_lookup_elem', () => {
    const k = kernel();
    const { map } = k.maps.createMap({ type: 2, keySize: 4, valueSize: 8, maxEntries: 4, name: 'counts' });
    const prog = trustInsns(
      assemble(`*(u32 *)(r10 -4) = 1
r1 = ${map.ptr} ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 +0) += r1
r0 = 1
out:
exit`),
    );
    const it = new Interpreter(prog, k);
    for (let n = 0; n < 5; n++) expect(it.run().retval).toBe(1n);
    expect(new DataView(map.lookup(u32le(1))!.buffer).getBigUint64(0, true)).toBe(5n);
    it.dispose();
  });

  it('runs bpf_loop callbacks', () => {
    const k = kernel();
    // slot 12 is the callback: ld_imm64 at slot 2 -> imm 12 - 2 - 1
    const prog = trustInsns(
      assemble(`*(u64 *)(r10 -8) = 0
r1 = 100
r2 = func[9]
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r1 = *(u64 *)(r10 -8)
r0 <<= 32
r0 |= r1
exit
r3 = *(u64 *)(r2 +0)
r3 += r1
*(u64 *)(r2 +0) = r3
r0 = 0
exit`),
    );
    expect(runProgram(prog, k).retval).toBe((100n << 32n) | 4950n);
  });

  it('prints through bpf_trace_printk', () => {
    const k = kernel();
    // "hi %d\n" on the stack
    const prog = trustInsns(
      assemble(`r1 = 0xa6425206968 ll
*(u64 *)(r10 -8) = r1
r1 = r10
r1 += -8
r2 = 7
r3 = 42
call bpf_trace_printk
r0 = 0
exit`),
    );
    runProgram(prog, k);
    expect(k.trace.join('')).toContain('hi 42');
  });
});
