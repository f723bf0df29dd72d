// Bad input gives typed errors, never a raw TypeError/RangeError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assemble, AsmError, decode, disasm, IsaError } from '../../src/isa/index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

describe('robustness', () => {
  it('decode of random bytes returns instructions or throws IsaError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.boolean(), (bytes, strict) => {
        try {
          const insns = decode(bytes, { strict });
          // whatever decodes also prints in both flavours
          for (const i of insns) {
            expect(typeof disasm(i)).toBe('string');
            expect(typeof disasm(i, { flavor: 'llvm' })).toBe('string');
          }
        } catch (e) {
          expect(e).toBeInstanceOf(IsaError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  const TOKENS = [
    'r1', 'w2', 'r10', 'r11', '=', '+=', 's/=', '*(u32 *)', '(r10 -8)', '(r1 + 0x8)', 'if', 'goto', 'pc+1',
    '+0x3', 'call', 'exit', 'lock', '0x', '0xffffffffffffffffff', '-', '99999999999', 'll', 'skb[', ']', 'loop:',
    'loop', '#', ';', '(s8)', 'be16', 'atomic64_fetch_add((u64 *)(r1 +0), r2)', 'map_fd[1]', 'gotol', 'may_goto',
  ];
  it('assemble of token soup returns instructions or throws AsmError', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join(' ')), { maxLength: 6 }), (lines) => {
        try {
          assemble(lines.join('\n'));
        } catch (e) {
          expect(e).toBeInstanceOf(AsmError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('assemble of arbitrary strings returns instructions or throws AsmError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          assemble(s);
        } catch (e) {
          expect(e).toBeInstanceOf(AsmError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
