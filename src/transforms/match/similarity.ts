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

/** Levenshtein edit distance (fast-levenshtein). */
export function editDistance(a: string, b: string): number {
  return levenshtein.get(a, b);
}

/** Damerau-style check: `a` and `b` differ by one adjacent transposition. */
export function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 2) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i >= a.length - 1) return false;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
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
