// Property: random valid instruction -> encode -> decode -> disasm -> assemble -> encode gives
// the same bytes, for every form of the opcode table.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assemble, decode, disasm, disasmProgram, encode, INSN_FORMS, type Insn } from '../../src/isa/index.js';
import { arbInsn, arbInsnOfForm } from './gen.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

function kernelText(insns: Insn[]): string {
  const lines: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    lines.push(disasm(insns[i], { exact: true }));
    if (insns[i].code === 0x18) i++;
  }
  return lines.join('\n');
}

describe('round trip through the kernel flavour', () => {
  it(`random instruction of any form (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(arbInsn, (insns) => {
        const bytes = encode(insns);
        const decoded = decode(bytes);
        const text = kernelText(decoded);
        const again = encode(assemble(text));
        expect(hex(again), text).toBe(hex(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('every form at least a few times', () => {
    for (const f of INSN_FORMS) {
      fc.assert(
        fc.property(arbInsnOfForm(f), (insns) => {
          const bytes = encode(insns);
          const text = kernelText(decode(bytes));
          expect(hex(encode(assemble(text))), `${f.name}: ${text}`).toBe(hex(bytes));
        }),
        { numRuns: 20 },
      );
    }
  });

  it('whole programs, through the verifier-log listing with slot numbers and opcodes', () => {
    fc.assert(
      fc.property(fc.array(arbInsn, { minLength: 1, maxLength: 40 }), (parts) => {
        const bytes = encode(parts.flat());
        const listing = disasmProgram(decode(bytes), { exact: true }).join('\n');
        expect(hex(encode(assemble(listing))), listing).toBe(hex(bytes));
      }),
      { numRuns: 300 },
    );
  });
});

// The llvm syntax loses a few fields: call's src (all calls print as `call imm`), ld_imm64
// pseudo imm2, ld_ind imm, and 32-bit sub-register width of loads/stores without alu32.
const LLVM_LOSSY = (f: (typeof INSN_FORMS)[number]): boolean =>
  (f.kind === 'call' && f.name !== 'call') || (f.kind === 'ld_imm64' && f.name !== 'ld_imm64') || f.kind === 'ld_ind';

describe('round trip through the llvm flavour', () => {
  const forms = INSN_FORMS.filter((f) => !LLVM_LOSSY(f));
  it(`random instruction of the lossless forms (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...forms).chain(arbInsnOfForm), fc.boolean(), (insns, alu32) => {
        const bytes = encode(insns);
        const [first] = decode(bytes);
        const text = disasm(first, { flavor: 'llvm', alu32 });
        expect(hex(encode(assemble(text, { flavor: 'llvm' }))), text).toBe(hex(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('the objdump listing (slot, bytes, text, <sym+off>) assembles back', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...forms).chain(arbInsnOfForm), { minLength: 1, maxLength: 30 }), (parts) => {
        const bytes = encode(parts.flat());
        const listing = disasmProgram(decode(bytes), {
          flavor: 'llvm',
          jumpLabel: (t) => `f+0x${(t * 8).toString(16)}`,
        }).join('\n');
        expect(hex(encode(assemble(listing, { flavor: 'llvm' }))), listing).toBe(hex(bytes));
      }),
      { numRuns: 200 },
    );
  });
});
