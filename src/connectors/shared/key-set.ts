/**
 * An exact set of strings kept in typed arrays: the keys a connector has seen, to quarantine a
 * repeated key.
 *
 * Why not `Set<string>`: a million keys in a Set are a million heap strings plus the table,
 * about 80 MB of old space the garbage collector walks on every major collection; a key that
 * is a slice of a decoded chunk can also keep the whole chunk alive. Here a key costs its
 * characters (one byte each while every key is Latin-1, two once one is not) plus 12 bytes,
 * none of it on the JS heap, and nothing points back into the input: about 30 MB for a million
 * 10-character keys.
 */
import { grow } from '../../core/grow.js';

/** FNV-1a over UTF-16 code units, then a final mix so that close keys spread over the table. */
function hashKey(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
}

export class KeySet {
  /** Code units of every key, back to back: bytes until a key holds a character above U+00FF. */
  private chars: Uint8Array | Uint16Array = new Uint8Array(1 << 16);
  private used = 0;
  /** Where entry i starts in `chars`; entry i ends where entry i + 1 starts. */
  private starts = new Uint32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private count = 0;
  /** Open addressing: entry index + 1, 0 for empty. Kept at most half full. */
  private table = new Int32Array(1 << 13);

  get size(): number {
    return this.count;
  }

  /** Adds `key`; returns false when it was already there. */
  add(key: string): boolean {
    const h = hashKey(key);
    const table = this.table;
    const mask = table.length - 1;
    let slot = h & mask;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if (this.hashes[e - 1] === h && this.equals(e - 1, key)) return false;
      slot = (slot + 1) & mask;
    }
    this.store(key, h);
    table[slot] = this.count;
    if (this.count * 2 > table.length) this.rehash();
    return true;
  }

  has(key: string): boolean {
    const h = hashKey(key);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e === 0) return false;
      if (this.hashes[e - 1] === h && this.equals(e - 1, key)) return true;
    }
  }

  private equals(entry: number, key: string): boolean {
    const start = this.starts[entry]!;
    const end = entry + 1 < this.count ? this.starts[entry + 1]! : this.used;
    if (end - start !== key.length) return false;
    const chars = this.chars;
    for (let i = 0; i < key.length; i++) if (chars[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private store(key: string, h: number): void {
    const len = key.length;
    if (this.chars instanceof Uint8Array) {
      for (let i = 0; i < len; i++) {
        if (key.charCodeAt(i) > 0xff) {
          const wide = new Uint16Array(this.chars.length);
          wide.set(this.chars);
          this.chars = wide;
          break;
        }
      }
    }
    if (this.used + len > this.chars.length) {
      this.chars = grow(this.chars, this.used + len);
    }
    const chars = this.chars;
    const start = this.used;
    for (let i = 0; i < len; i++) chars[start + i] = key.charCodeAt(i);
    this.used += len;
    if (this.count === this.starts.length) {
      this.starts = grow(this.starts, this.count + 1);
      this.hashes = grow(this.hashes, this.count + 1);
    }
    this.starts[this.count] = start;
    this.hashes[this.count] = h;
    this.count++;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = this.hashes[e]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }
}
