// Prototypes as Linux declares them: the verifier reads these, so an extra argument here would
// make it demand registers the kernel leaves free.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';

describe('helper prototypes', () => {
  it('bpf_trace_printk takes fmt and fmt_size only (varargs r3-r5 are not declared)', () => {
    const p = new Kernel({ empty: true }).helpers.get(6)!.proto;
    expect(p.name).toBe('trace_printk');
    expect(p.args).toEqual(['ARG_PTR_TO_MEM', 'ARG_CONST_SIZE']);
  });
});
