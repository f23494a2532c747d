import { createHmac } from 'node:crypto';

/**
 * How the match index hashes blocking keys and values: keyed (HMAC-SHA256 under the store key's
 * `blocking index` sub-key) or not ({@link hash64Into}). Plain data, so that the matching engine's
 * worker threads hash keys exactly as the store does (src/master/match-index.ts, `indexHash`).
 */
export interface KeyHashing {
  hmacKey?: Uint8Array;
}

/** Bytes of a hash the index keeps: 16 hex characters. 64 bits: a collision only adds a candidate that scoring rejects. */
export const KEY_HASH_BYTES = 8;

/** Writes the {@link KEY_HASH_BYTES} bytes of `s`'s hash at `out[at…]`. */
export type KeyHasher = (s: string, out: Uint8Array, at: number) => void;

/** The match index's hash under `h`: its first {@link KEY_HASH_BYTES} bytes, written where they go. */
export function keyHasher(h: KeyHashing): KeyHasher {
  const key = h.hmacKey;
  if (!key) return hash64Into;
  return (s, out, at) => {
    const d = createHmac('sha256', key).update(s).digest();
    for (let k = 0; k < KEY_HASH_BYTES; k++) out[at + k] = d[k]!;
  };
}

/**
 * A 64-bit hash of a string for the match index without a key: two 32-bit lanes of MurmurHash3's
 * mixing (each its own constants and seed) over the string's UTF-16 code units, two a block, each
 * lane finished by MurmurHash3's avalanche and the lanes then mixed into each other; big-endian at
 * `out[at…]`. Not a cryptographic hash, nor does it need one: the index hashes keys to find equal
 * ones (a collision only adds a candidate that scoring rejects), and without a key any hash of a
 * phone number or birth date can be checked against a dictionary (docs/security.md). SHA-1 through
 * node:crypto took 1.06–1.66 µs a key, this ~0.2 µs: a full run hashes some ten million distinct
 * keys at a million records (BENCHMARKS.md, issue #10).
 */
export function hash64Into(s: string, out: Uint8Array, at: number): void {
  let h1 = 0x9747b28c;
  let h2 = 0x5bd1e995;
  const len = s.length;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const block = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    h1 ^= lane1(block);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= lane2(block);
    h2 = (h2 << 11) | (h2 >>> 21);
    h2 = (Math.imul(h2, 9) + 0x38b34ae5) | 0;
  }
  // An odd last code unit is mixed in alone, as MurmurHash3 mixes its tail.
  if (i < len) {
    h1 ^= lane1(s.charCodeAt(i));
    h2 ^= lane2(s.charCodeAt(i));
  }
  h1 = fmix32(h1 ^ len);
  h2 = fmix32(h2 ^ len);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[at] = h1 >>> 24;
  out[at + 1] = h1 >>> 16;
  out[at + 2] = h1 >>> 8;
  out[at + 3] = h1;
  out[at + 4] = h2 >>> 24;
  out[at + 5] = h2 >>> 16;
  out[at + 6] = h2 >>> 8;
  out[at + 7] = h2;
}

/** A block as the first lane takes it in (MurmurHash3's constants). */
function lane1(block: number): number {
  const k = Math.imul(block, 0xcc9e2d51);
  return Math.imul((k << 15) | (k >>> 17), 0x1b873593);
}

/** A block as the second lane takes it in (constants and rotation of its own). */
function lane2(block: number): number {
  const k = Math.imul(block, 0x85ebca77);
  return Math.imul((k << 17) | (k >>> 15), 0xc2b2ae3d);
}

/** MurmurHash3's finalizer: every bit of `h` reaches every bit of the result. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** What is hashed for a record's key under a blocking rule: the rule's name and the key (the same key under two rules is two keys). */
export function blockingKeyInput(rule: string, key: string): string {
  return `${rule}\u0000${key}`;
}
