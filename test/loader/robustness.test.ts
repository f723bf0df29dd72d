import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { BpfObjectError, openObject } from '../../src/loader/index.js';
import { progBytes, targetBtf } from './helpers.js';

// Damaged objects must be rejected with a BpfObjectError (never another exception type,
// never an "internal" wrap of a JS error, never a hang). Mutations are aimed at the parts the
// loader interprets: section headers, symbols, relocations, code, BTF, BTF.ext and .maps.

const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);
const NAMES = ['arith', 'kconfig', 'asm_style', 'strings', 'maps', 'globals', 'calls', 'bpf_loop', 'externs', 'map_in_map', 'core_reloc', 'iter_num', 'legacy_maps', 'tracing'];
const OBJECTS = NAMES.map((n) => {
  const bytes = progBytes(n);
  const elf = parseElf(bytes);
  const regions = elf.sections
    .filter((s) => s.size > 0 && s.type !== 8 && !s.name.startsWith('.debug') && !s.name.startsWith('.rel.debug'))
    .map((s) => ({ start: s.offset, end: s.offset + s.size }));
  // the section header table itself
  regions.push({ start: elf.header.shoff, end: elf.header.shoff + elf.sections.length * 64 });
  return { name: n, bytes, regions };
});
const TARGET = targetBtf();
const KCONFIG = { CONFIG_BPF_SYSCALL: 'y' } as const;

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'byte'; region: number; pos: number; value: number }
  | { kind: 'u32'; region: number; pos: number; value: number }
  | { kind: 'zero'; region: number; pos: number; len: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x) }) as fc.Arbitrary<Mutation> },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('byte' as const), region: fc.nat(), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('u32' as const),
      region: fc.nat(),
      pos: fc.nat(),
      value: fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 8, 16, 0xeb9f), fc.nat()),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('zero' as const), region: fc.nat(), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
);

function mutate(src: (typeof OBJECTS)[number], muts: Mutation[]): Uint8Array {
  let b = src.bytes.slice();
  for (const m of muts) {
    if (m.kind === 'truncate') {
      b = b.slice(0, Math.floor(m.at * b.length));
      continue;
    }
    const r = src.regions[m.region % src.regions.length]!;
    const span = Math.max(1, r.end - r.start);
    const p = r.start + (m.pos % span);
    if (p >= b.length) continue;
    if (m.kind === 'byte') b[p] = m.value;
    else if (m.kind === 'u32') {
      for (let i = 0; i < 4 && p + i < b.length; i++) b[p + i] = (m.value >>> (8 * i)) & 0xff;
    } else b.fill(0, p, Math.min(b.length, p + m.len));
  }
  return b;
}

function check(bytes: Uint8Array, withTarget: boolean): void {
  try {
    openObject(bytes, withTarget ? { targetBtf: TARGET, kconfig: KCONFIG } : { kconfig: KCONFIG });
  } catch (e) {
    if (!(e instanceof BpfObjectError)) throw new Error(`not a BpfObjectError: ${String(e)}`, { cause: e });
    if (e.internal) throw new Error(`internal error escaped: ${e.message}`, { cause: e });
  }
}

describe('robustness: truncated and mutated objects', () => {
  it('every pristine object opens', () => {
    for (const o of OBJECTS) expect(() => openObject(o.bytes, { targetBtf: TARGET, kconfig: KCONFIG })).not.toThrow();
  });

  it('every truncation is rejected cleanly', () => {
    for (const o of OBJECTS) {
      const step = Math.max(1, Math.floor(o.bytes.length / 300));
      for (let n = 0; n < o.bytes.length; n += step) {
        const b = o.bytes.slice(0, n);
        expect(() => openObject(b)).toThrow(BpfObjectError);
      }
    }
  });

  it(`only BpfObjectError for ${RUNS} random mutations`, () => {
    let rejected = 0;
    const started = Date.now();
    fc.assert(
      fc.property(fc.nat({ max: OBJECTS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (oi, muts, withTarget) => {
        const t0 = Date.now();
        const b = mutate(OBJECTS[oi]!, muts);
        try {
          check(b, withTarget);
        } finally {
          // a hang would show up as a single case taking far too long
          expect(Date.now() - t0).toBeLessThan(5000);
        }
        try {
          openObject(b);
        } catch {
          rejected++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(rejected).toBeGreaterThan(RUNS / 10);
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 180_000);
});

describe('robustness: hostile sizes', () => {
  it('a .bss claiming 2^40 bytes is rejected, not allocated', () => {
    const bytes = progBytes('globals');
    const elf = parseElf(bytes);
    const bss = elf.sectionByName('.bss')!;
    const shdr = elf.header.shoff + bss.index * 64;
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(shdr + 32, 1n << 40n, true);
    expect(() => openObject(bytes)).toThrow(/section '.bss' offset 0: global data section of 1099511627776 bytes is too large/);
  });
});
