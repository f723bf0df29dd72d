// Property tests: the hash family against a plain JS Map model.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KernelMemory } from '../../src/kernel/memory.js';
import {
  BPF_ANY, BPF_EXIST, BPF_F_NO_PREALLOC, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_NOEXIST, createMap, MapError,
} from '../../src/kernel/maps/index.js';
import { E2BIG, EEXIST, ENOENT } from '../../src/kernel/errno.js';

type Op = { op: 'update'; k: number; v: number; flags: number } | { op: 'delete'; k: number } | { op: 'lookup'; k: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('update' as const), k: fc.integer({ min: 0, max: 20 }), v: fc.nat(), flags: fc.constantFrom(BPF_ANY, BPF_NOEXIST, BPF_EXIST) }),
  fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ op: fc.constant('lookup' as const), k: fc.integer({ min: 0, max: 20 }) }),
);

const key = (k: number) => new Uint8Array([k, k ^ 0x5a, 7]);
const val = (v: number) => new Uint8Array(new Uint32Array([v, ~v]).buffer);

describe('hash maps vs a Map model', () => {
  for (const [name, type, flags] of [
    ['hash', BPF_MAP_TYPE_HASH, 0],
    ['hash NO_PREALLOC', BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC],
    ['percpu hash', BPF_MAP_TYPE_PERCPU_HASH, 0],
  ] as const) {
    it(`${name}: errnos, contents and insertion order agree`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 80 }), fc.integer({ min: 1, max: 12 }), (ops, maxEntries) => {
          const mem = new KernelMemory({ initialBytes: 256 * 1024 });
          const m = createMap({ type, keySize: 3, valueSize: 8, maxEntries, flags }, { mem, nrCpus: 2, currentCpu: () => 1 });
          const model = new Map<number, number>();
          for (const o of ops) {
            let got = 0;
            try {
              if (o.op === 'update') m.update(key(o.k), val(o.v), o.flags);
              else if (o.op === 'delete') m.delete(key(o.k));
              else {
                const v = m.lookup(key(o.k));
                const want = model.get(o.k);
                expect(v === undefined ? undefined : new Uint32Array(v.slice().buffer)[0]).toBe(want === undefined ? undefined : want >>> 0);
              }
            } catch (e) {
              got = (e as MapError).errno;
            }
            let want = 0;
            if (o.op === 'update') {
              const has = model.has(o.k);
              if (o.flags === BPF_NOEXIST && has) want = EEXIST;
              else if (o.flags === BPF_EXIST && !has) want = ENOENT;
              else if (!has && model.size >= maxEntries) want = E2BIG;
              else model.set(o.k, o.v);
            } else if (o.op === 'delete') {
              want = model.delete(o.k) ? 0 : ENOENT;
            }
            expect(got).toBe(want);
          }
          expect(m.keys().map((k) => k[0])).toEqual([...model.keys()]);
        }),
        { numRuns: 200 },
      );
    });
  }
});
