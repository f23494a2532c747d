/**
 * Seeded randomness for the synthetic data generator: mulberry32 (32-bit state, one
 * multiply-xorshift round per draw). Not cryptographic; chosen because it is tiny, fast in V8 and
 * gives the same sequence on every platform, so a seed always yields the same bytes.
 */
export class Rng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    const a = (this.a = (this.a + 0x6d2b79f5) >>> 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** Mixes a seed with a salt into an independent 32-bit seed (murmur3's finaliser). */
export function deriveSeed(seed: number, salt: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(salt + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units: a 32-bit hash of a string (for salts and the e-mail set). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Draws items with fixed weights in O(log n): cumulative weights and a binary search. Built once
 * per pool at module load; drawing allocates nothing.
 */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cum: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error('WeightedTable needs at least one entry');
    this.items = entries.map((e) => e[0]);
    this.cum = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      sum += w;
      this.cum[i] = sum;
    });
    this.total = sum;
  }

  /**
   * Zipf–Mandelbrot weights over a ranked list: weight of rank k (1-based) is 1 / (k + q)^s. A
   * larger `q` flattens the head (so the top name is ~1–2 %, not 10 %), `s` sets the tail.
   */
  static zipf<T>(ranked: readonly T[], s = 1, q = 0): WeightedTable<T> {
    return new WeightedTable(ranked.map((item, i) => [item, 1 / Math.pow(i + 1 + q, s)] as const));
  }

  /** Share of the total weight held by `item` (first occurrence); for tests and reports. */
  share(item: T): number {
    const i = this.items.indexOf(item);
    if (i < 0) return 0;
    return ((this.cum[i] ?? 0) - (i > 0 ? (this.cum[i - 1] ?? 0) : 0)) / this.total;
  }

  sample(rng: Rng): T {
    const r = rng.next() * this.total;
    const cum = this.cum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cum[mid] as number) > r) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}
