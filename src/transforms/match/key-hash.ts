import { createHmac, hash } from 'node:crypto';

/**
 * How the match index hashes blocking keys and values: keyed (HMAC-SHA256 under the store key's
 * `blocking index` sub-key) or not (SHA-1). Plain data, so that the matching engine's worker
 * threads hash keys exactly as the store does (src/master/match-index.ts, `indexHash`).
 */
export interface KeyHashing {
  hmacKey?: Uint8Array;
}

/** Bytes of a hash the index keeps: 16 hex characters. 64 bits: a collision only adds a candidate that scoring rejects. */
export const KEY_HASH_BYTES = 8;

/** The full digest of `s` under `h` (the index keeps its first {@link KEY_HASH_BYTES}). */
export function keyHasher(h: KeyHashing): (s: string) => Buffer {
  const key = h.hmacKey;
  // The one-shot crypto.hash: half the time of createHash().update().digest() per call.
  if (!key) return (s) => hash('sha1', s, 'buffer') as unknown as Buffer;
  return (s) => createHmac('sha256', key).update(s).digest();
}

/** What is hashed for a record's key under a blocking rule: the rule's name and the key (the same key under two rules is two keys). */
export function blockingKeyInput(rule: string, key: string): string {
  return `${rule}\u0000${key}`;
}
