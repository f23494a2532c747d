import { jaroWinklerAtLeast } from './similarity.js';

/**
 * How many records of a run hold each word of their company name (plurals folded): what tells a
 * distinctive word ("Garfield", "Bontemps") from one that half the names share ("Center",
 * "Services", "Community"). Estimated from the run's own records, so that it fits whatever the
 * data holds (child-care sites, restaurants, law firms) instead of a fixed list of common words.
 * Plain data: it crosses to worker threads as a structured clone.
 */
export interface WordCounts {
  /** Records with a company name. */
  documents: number;
  /** Per word, the records whose name holds it. */
  counts: ReadonlyMap<string, number>;
}

/** A word's key: a trailing plural "s" folded ("Clubs" / "Club"). */
export function wordStem(w: string): string {
  return w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w;
}

/** Word counts of the given company keys (one per record; '' for none), see {@link WordCounts}. */
export function countWords(values: Iterable<string>): WordCounts {
  return countWordsOf(values, () => 1);
}

/** {@link countWords} of names, the `i`-th standing for `records(i)` records (0: none). */
export function countWordsOf(names: Iterable<string>, records: (i: number) => number): WordCounts {
  const counts = new Map<string, number>();
  let documents = 0;
  let i = 0;
  for (const v of names) {
    const k = records(i++);
    if (!v || !k) continue;
    documents += k;
    for (const w of new Set(v.split(' ').map(wordStem))) counts.set(w, (counts.get(w) ?? 0) + k);
  }
  return { documents, counts };
}

/**
 * Inverse document frequency of a word (natural log): ln((documents + 1) / records holding it).
 * A word the counts do not know counts as held by one record; without counts every word weighs 1.
 */
export function wordWeight(words: WordCounts | undefined, w: string): number {
  if (!words) return 1;
  return Math.log((words.documents + 1) / (words.counts.get(w) ?? 1));
}

/** Words of at least this length may match a word spelled a little differently. */
const SOFT_MIN_LENGTH = 4;
/** Jaro–Winkler at which two such words count as the same ("Crane" / "Craine"). */
const SOFT_SIMILARITY = 0.9;

/**
 * Share of the shorter name's weight that the two names have in common, each word weighted by its
 * rarity ({@link wordWeight}), in [0, 1]: "YMCA Garfield" / "YMCA of Metropolitan Chicago Garfield
 * Head Start" share all of the shorter name, "Keeper's Institute Infant Child Care" / "Easter Seals
 * … Keeper's Inst" its rare word, while two names sharing only "Child Care Center" share little.
 * A word not found in the other name counts as shared with a close spelling of it (soft TF-IDF),
 * at the lesser of the two words' weights. `a` and `b` are word lists (distinct).
 */
export function weightedWordOverlap(a: readonly string[], b: readonly string[], words: WordCounts | undefined): number {
  if (!a.length || !b.length) return 0;
  // Names hold a handful of words: arrays scanned beat sets built per pair (this runs on every
  // candidate pair of organisations whose names differ).
  const sa = distinctStems(a);
  const sb = distinctStems(b);
  let wa = 0;
  let wb = 0;
  let common = 0;
  for (const w of sb) wb += wordWeight(words, w);
  for (const w of sa) {
    const x = wordWeight(words, w);
    wa += x;
    if (sb.includes(w)) {
      common += x;
      continue;
    }
    if (w.length < SOFT_MIN_LENGTH) continue;
    for (const v of sb) {
      if (v.length >= SOFT_MIN_LENGTH && !sa.includes(v) && jaroWinklerAtLeast(w, v, SOFT_SIMILARITY) >= SOFT_SIMILARITY) {
        common += Math.min(x, wordWeight(words, v));
        break;
      }
    }
  }
  if (wa <= 0 || wb <= 0) return 0;
  return Math.min(1, common / Math.min(wa, wb));
}

/** The stems of distinct words, each once ("club" and "clubs" are one). */
function distinctStems(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const s = wordStem(w);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}
