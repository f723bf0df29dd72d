// Kernel-flavour agreement with the real kernel: fixtures/kernel-log.bin (every form the
// kernel's pre-verification passes accept, several random field values each) was loaded into
// Linux 6.18 with log_level 2 (fixtures/build-kernel-log.sh); the verifier log lists each
// instruction as kernel/bpf/disasm.c prints it. Ours must print the same, and assembling the
// log must give back the same bytes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assemble, decode, disasm, encode } from '../../src/isa/index.js';

const dir = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const bin = new Uint8Array(readFileSync(dir('kernel-log.bin')));
const log = readFileSync(dir('kernel-log.txt'), 'utf8');

// "  1  30: 0123456789 (d4) r6 = le16 r6" (loop depth, slot, live registers, insn)
const LINE = /^\s*(?:\d+\s+)?(\d+): [.0-9]{10} (\([0-9a-f]{2}\) .*)$/;
const entries = log
  .slice(log.indexOf('Live regs before insn:'))
  .split('\n')
  .map((l) => LINE.exec(l))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ slot: Number(m[1]), text: m[2] }));

describe('kernel verifier log agreement (Linux 6.18)', () => {
  const insns = decode(bin);

  it('the log lists every instruction', () => {
    const slots = insns.filter((i, k) => k === 0 || insns[k - 1].code !== 0x18 || i.code !== 0).length;
    expect(entries.length).toBe(slots);
    expect(entries.length).toBeGreaterThan(400);
  });

  it('each instruction prints exactly as the kernel printed it', () => {
    const bad: string[] = [];
    for (const e of entries) {
      const ours = disasm(insns[e.slot], { opcode: true });
      if (ours !== e.text) bad.push(`${e.slot}: kernel '${e.text}' ours '${ours}'`);
    }
    expect(bad).toEqual([]);
  });

  it('the kernel log assembles back to the same bytes', () => {
    const text = entries.map((e) => `${e.slot}: ${e.text}`).join('\n');
    expect(Buffer.from(encode(assemble(text))).equals(Buffer.from(bin))).toBe(true);
  });
});
