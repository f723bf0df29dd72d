// Hashing and comparing keys that live in linear memory (murmur3-style mixing
// over 4-byte chunks; Linux uses jhash with a random seed, so no program can
// depend on the exact bucket a key lands in).

export function hashKey(u8: Uint8Array, off: number, len: number, seed: number): number {
  let h = seed | 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    let k = u8[off + i]! | (u8[off + i + 1]! << 8) | (u8[off + i + 2]! << 16) | (u8[off + i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let s = 0; i < len; i++, s += 8) k |= u8[off + i]! << s;
  if (k !== 0 || (len & 3) !== 0) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function keysEqual(u8: Uint8Array, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (u8[a + i] !== u8[b + i]) return false;
  return true;
}
