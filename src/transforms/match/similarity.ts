import levenshtein from 'fast-levenshtein';

/**
 * Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4).
 * Hand-written: it runs on every candidate pair and name field, and a small loop over char codes
 * with reused buffers avoids the per-call allocations of the general-purpose packages.
 */
let flagsA = new Int32Array(64);
let flagsB = new Int32Array(64);
/** Generation stamp: a flag is set when it equals the current call's stamp (no clearing). */
let stamp = 0;

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  if (flagsA.length < la) flagsA = new Int32Array(la * 2);
  if (flagsB.length < lb) flagsB = new Int32Array(lb * 2);
  if (++stamp === 0x7fffffff) {
    flagsA.fill(0);
    flagsB.fill(0);
    stamp = 1;
  }
  const st = stamp;
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > range ? i - range : 0;
    const hi = Math.min(i + range + 1, lb);
    const c = a.charCodeAt(i);
    for (let j = lo; j < hi; j++) {
      if (flagsB[j] !== st && b.charCodeAt(j) === c) {
        flagsA[i] = st;
        flagsB[j] = st;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] !== st) continue;
    while (flagsB[k] !== st) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Per UTF-16 code unit, a count (zeroed again after each use). */
const charCounts = new Int32Array(65536);

/**
 * Jaro–Winkler of `a` and `b` where it may reach `floor`; otherwise some value below `floor`
 * (0). Most pairs a comparison sees are far apart, and an upper bound from their lengths and
 * from the characters they share (Jaro's matches are a subset of those) settles them in a linear
 * pass instead of Jaro's quadratic one: on street addresses this was most of comparing's time.
 */
export function jaroWinklerAtLeast(a: string, b: string, floor: number): number {
  if (a === b) return a.length ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  // Jaro <= (m/la + m/lb + 1) / 3 for m matching characters, and Winkler's boost grows with Jaro.
  // (A function, not a closure made per call: under tsx every closure made costs a defineProperty,
  // which was a fifth of the matching workers' time at a million records.)
  if (jaroBound(Math.min(la, lb), la, lb, prefix) < floor - 1e-12) return 0;
  for (let i = 0; i < la; i++) charCounts[a.charCodeAt(i)]!++;
  let common = 0;
  for (let j = 0; j < lb; j++) {
    const c = b.charCodeAt(j);
    if (charCounts[c]! > 0) {
      common++;
      charCounts[c]!--;
    }
  }
  for (let i = 0; i < la; i++) charCounts[a.charCodeAt(i)] = 0;
  if (jaroBound(common, la, lb, prefix) < floor - 1e-12) return 0;
  return jaroWinkler(a, b);
}

/** The most Jaro–Winkler can be with `m` matching characters of strings `la` and `lb` long sharing a `prefix`. */
function jaroBound(m: number, la: number, lb: number, prefix: number): number {
  const j = (m / la + m / lb + 1) / 3;
  return j + prefix * 0.1 * (1 - j);
}

/** Levenshtein edit distance (fast-levenshtein). */
export function editDistance(a: string, b: string): number {
  return levenshtein.get(a, b);
}

/**
 * Whether `a` and `b` are at most `k` insertions, deletions or substitutions apart.
 * Comparisons only ever ask "one or two edits?", and fast-levenshtein's full table (allocated per
 * call) was the largest cost of comparing dates, phones and codes of a non-matching pair: this
 * skips the common prefix and suffix, then tries the three edits at the first difference, which
 * costs O(3^k · length) and allocates nothing.
 */
export function withinEdits(a: string, b: string, k: number): boolean {
  return within(a, 0, a.length, b, 0, b.length, k);
}

function within(a: string, i: number, ea: number, b: string, j: number, eb: number, k: number): boolean {
  while (i < ea && j < eb && a.charCodeAt(i) === b.charCodeAt(j)) {
    i++;
    j++;
  }
  while (ea > i && eb > j && a.charCodeAt(ea - 1) === b.charCodeAt(eb - 1)) {
    ea--;
    eb--;
  }
  const la = ea - i;
  const lb = eb - j;
  if (la === 0 || lb === 0) return la + lb <= k;
  if (k === 0 || Math.abs(la - lb) > k) return false;
  return (
    within(a, i + 1, ea, b, j + 1, eb, k - 1) || // substitution
    within(a, i, ea, b, j + 1, eb, k - 1) || // insertion into a
    within(a, i + 1, ea, b, j, eb, k - 1) // deletion from a
  );
}

/** Damerau-style check: `a` and `b` differ by one adjacent transposition. */
export function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 2) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i >= a.length - 1) return false;
  if (a.charCodeAt(i) !== b.charCodeAt(i + 1) || a.charCodeAt(i + 1) !== b.charCodeAt(i)) return false;
  for (let j = i + 2; j < a.length; j++) if (a.charCodeAt(j) !== b.charCodeAt(j)) return false;
  return true;
}

/** Share of the words of the shorter list found in the other; both lists sorted and distinct. */
export function wordOverlap(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return common / Math.min(a.length, b.length);
}
