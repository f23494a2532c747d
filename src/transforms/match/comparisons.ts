import type { EncodedField } from './encoded.js';
import type { MatchRecord } from './features.js';
import { STREET_TYPES } from '../standardize/standardize-address-line.js';
import { isNickname } from './nicknames.js';
import { isTransposition, jaroWinkler, jaroWinklerAtLeast, withinEdits, wordOverlap } from './similarity.js';
import { type WordCounts, weightedWordOverlap } from './word-weights.js';

/** Level returned when either side has no value: it carries no weight either way. */
export const MISSING = 255;

/** What a run knows of all its records that some comparisons weigh a pair's values by. */
export interface CompareContext {
  /** Records holding each company-name word (see {@link WordCounts}); without it every word weighs alike. */
  companyWords?: WordCounts;
}

/**
 * One field comparison: ordered levels, best first, the last always "different".
 * `tf` names the record field whose value's frequency adjusts the weight of level 0 (exact), so that
 * agreeing on a rare surname counts more than agreeing on a common one.
 */
export interface Comparison {
  name: string;
  levels: readonly string[];
  compare(a: MatchRecord, b: MatchRecord, ctx: CompareContext): number;
  tf?: EncodedField;
}

function nameLevel(a: string, b: string, pa: string, pb: string, nicknames = false): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const jw = jaroWinklerAtLeast(a, b, 0.8);
  if (jw >= 0.92 || (nicknames && isNickname(a, b))) return 1;
  if (jw >= 0.8 || (pa && pa === pb)) return 2;
  if ((a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b))) return 3;
  // A middle name used as the first ("John Paul" / "Paul"), or a double name cut short.
  if ((a.includes(' ') || b.includes(' ')) && sharesWord(a, b)) return 2;
  return 4;
}

function sharesWord(a: string, b: string): boolean {
  const wa = a.split(' ');
  for (const w of b.split(' ')) if (w.length > 1 && wa.includes(w)) return true;
  return false;
}

const NAME_LEVELS = ['exact', 'close (Jaro-Winkler >= 0.92)', 'similar (Jaro-Winkler >= 0.8), sounds alike or shares a name', 'initial', 'different'] as const;
const GIVEN_NAME_LEVELS = ['exact', 'close (Jaro-Winkler >= 0.92) or nickname (Bob/Robert)', ...NAME_LEVELS.slice(2)] as const;

/**
 * Given and family names may be swapped between sources ("WANG Fang" / "Fang Wang"): a pair is
 * compared in the orientation where its names agree best.
 */
export function namesSwapped(a: MatchRecord, b: MatchRecord): boolean {
  if (!a.given || !a.family || !b.given || !b.family) return false;
  if (a.given === b.given || a.family === b.family) return false;
  // Cheap filter first: a swap shows in the first letters.
  if (a.given[0] !== b.family[0] && a.family[0] !== b.given[0]) return false;
  const straight = jaroWinkler(a.given, b.given) + jaroWinkler(a.family, b.family);
  // crossed > straight + 0.2, each crossed similarity asked only as far as it can get there
  // (one of them at most 1): most pairs that pass the filter above are not swapped, and their
  // crossed names are far apart (scoring 1M candidate pairs, this was ~7 % of it with both
  // computed in full).
  const need = straight + 0.2;
  if (need - 1 > 1) return false;
  const c1 = jaroWinklerAtLeast(a.given, b.family, need - 1);
  if (c1 < need - 1) return false;
  const c2 = jaroWinklerAtLeast(a.family, b.given, need - c1);
  return c1 + c2 > need;
}

function textLevel(a: string, b: string, wa?: readonly string[], wb?: readonly string[]): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  return textLevelOf(jaroWinklerAtLeast(a, b, 0.8), wa, wb);
}

/** {@link textLevel} of two different values, from their Jaro-Winkler where it is at least 0.8 (else any value below). */
function textLevelOf(jw: number, wa?: readonly string[], wb?: readonly string[]): number {
  if (jw >= 0.92) return 1;
  if (jw >= 0.8) return 2;
  // Word order and extra words ("Unit 4 12 High St" / "12 High St"; "Jenner" / "Jenner Academy").
  if (wa && wb && (wa.length > 1 || wb.length > 1)) {
    if (wordOverlap(wa, wb) >= 0.75) return 2;
    if (wa.length === wb.length && jaroWinklerAtLeast(wa.join(' '), wb.join(' '), 0.92) >= 0.92) return 2;
  }
  return 3;
}

/** Street types (full and short forms, as standardization writes and reads them). */
const STREET_TYPE_WORDS: ReadonlySet<string> = new Set([...STREET_TYPES.keys(), ...[...STREET_TYPES.values()].map((t) => t.toLowerCase())]);
const DIRECTION_WORDS: ReadonlyMap<string, string> = new Map([
  ['north', 'n'],
  ['south', 's'],
  ['east', 'e'],
  ['west', 'w'],
  ['northeast', 'ne'],
  ['northwest', 'nw'],
  ['southeast', 'se'],
  ['southwest', 'sw'],
]);
const DIRECTION_SHORT: ReadonlySet<string> = new Set(DIRECTION_WORDS.values());
/**
 * The length of the house number that opens an address (its leading digits, followed by the end
 * or a character that is not a letter, digit or underscore: what `/^\d+\b/` matches), 0 if none.
 */
function houseNumberLength(s: string): number {
  let n = 0;
  while (n < s.length && isDigit(s.charCodeAt(n))) n++;
  if (n === 0 || n === s.length) return n;
  const c = s.charCodeAt(n);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 0 : n;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether two street addresses name the same house number on the same street, written apart:
 * directions spelled out or not ("1241 West 58th Street" / "1241 W 58th Street"), the street type
 * or a unit left out ("7 N Homan" / "7 N Homan Avenue"), a long street name cut short ("8128 S
 * Dr Martin Luther King Drive" / "8128 S King Drive"). The house number opens both; the street's
 * words in one (directions folded, street types aside) are all in the other, and name more than a
 * direction; two different street types ("High Street" / "High Road") are two streets. `wa`, `wb`:
 * the addresses' distinct words.
 */
export function sameStreet(a: string, b: string, wa: readonly string[], wb: readonly string[]): boolean {
  // Most pairs that get here differ in their house numbers: settled without a match array or a
  // substring (this runs on millions of candidate pairs at a million records).
  const n = houseNumberLength(a);
  if (n === 0 || n !== houseNumberLength(b) || !samePrefix(a, b, n)) return false;
  const number = a.slice(0, n);
  const ca = streetCore(wa, number);
  const cb = streetCore(wb, number);
  if (ca.types.size && cb.types.size && ![...ca.types].some((t) => cb.types.has(t))) return false;
  const [small, large] = ca.words.size <= cb.words.size ? [ca.words, cb.words] : [cb.words, ca.words];
  let named = false;
  for (const w of small) {
    if (!large.has(w)) return false;
    if (!DIRECTION_SHORT.has(w)) named = true;
  }
  return named;
}

/** An address's words but its house number: directions as letters, street types apart (full form). */
function streetCore(words: readonly string[], number: string): { words: Set<string>; types: Set<string> } {
  const out = new Set<string>();
  const types = new Set<string>();
  for (const w of words) {
    if (w === number) continue;
    const type = STREET_TYPES.get(w)?.toLowerCase() ?? (STREET_TYPE_WORDS.has(w) ? w : undefined);
    if (type) types.add(type);
    else out.add(DIRECTION_WORDS.get(w) ?? w);
  }
  return { words: out, types };
}

function addressLevel(a: string, b: string, wa: readonly string[], wb: readonly string[]): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  // One Jaro-Winkler for both questions (at least 0.92: close; at least 0.8: similar), instead of
  // one with each floor: computed twice for every pair between the two.
  const jw = jaroWinklerAtLeast(a, b, 0.8);
  if (jw >= 0.92) return 1;
  if (sameStreet(a, b, wa, wb)) return 2;
  return textLevelOf(jw, wa, wb) === 3 ? 4 : 3;
}

/**
 * Company names: exact, close spelling, then by the weight of the words they share
 * ({@link weightedWordOverlap}): sharing a rare word counts, sharing "Inc" or "Services" hardly.
 */
function companyLevel(a: MatchRecord, b: MatchRecord, ctx: CompareContext): number {
  if (!a.company || !b.company) return MISSING;
  if (a.company === b.company) return 0;
  const jw = jaroWinklerAtLeast(a.company, b.company, 0.8);
  if (jw >= 0.92) return 1;
  const shared = weightedWordOverlap(a.companyWords, b.companyWords, ctx.companyWords);
  if (shared >= 0.8) return 2;
  if (shared >= 0.5) return 3;
  // A spelling this close is kept from "different" whatever the words (a typo in one word of a
  // short name), in a level of its own: among organisations it is mostly names built alike.
  if (jw >= 0.8) return 4;
  return 5;
}

function codeLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  return withinEdits(a, b, 1) || isTransposition(a, b) ? 1 : 2;
}

function dateLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  if (a.length === 8 && b.length === 8) {
    if (withinEdits(a, b, 1) || isTransposition(a, b)) return 1;
    // Read as numbers, not slices: this runs on nearly every candidate pair.
    const ya = digits(a, 0, 4);
    const ma = digits(a, 4, 6);
    const da = digits(a, 6, 8);
    const yb = digits(b, 0, 4);
    const mb = digits(b, 4, 6);
    const db = digits(b, 6, 8);
    // day and month transposed (d/m versus m/d confusion)
    if (ya === yb && ma === db && da === mb) return 1;
    // one of year, month and day wrong, the other two right
    if ((ya === yb ? 1 : 0) + (ma === mb ? 1 : 0) + (da === db ? 1 : 0) === 2) return 2;
    if (withinEdits(a, b, 2) || Math.abs(dayNumber(ya, ma, da) - dayNumber(yb, mb, db)) <= 35) return 3;
  }
  return 4;
}

/** The number written by the decimal digits `s[from…to)` (dates here are validated yyyymmdd). */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

/** Days since 1 January of year 0 (proleptic, approximate months): only differences matter. */
function dayNumber(y: number, m: number, d: number): number {
  return y * 365.25 + (m - 1) * 30.44 + d;
}

function phoneLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  // The same subscriber number written with and without a country or trunk prefix.
  // Local numbers written without an area code (7 digits in North America) count too.
  const k = Math.min(8, a.length, b.length);
  if (k >= 7 && sameEnd(a, b, k)) return 1;
  if (a.length === b.length && withinEdits(a, b, 1)) return 2;
  return 3;
}

/** Whether the first `k` characters of `a` and `b` are the same (both have as many). */
function samePrefix(a: string, b: string, k: number): boolean {
  for (let i = 0; i < k; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** Whether the last `k` characters of `a` and `b` are the same. */
function sameEnd(a: string, b: string, k: number): boolean {
  for (let i = 1; i <= k; i++) if (a.charCodeAt(a.length - i) !== b.charCodeAt(b.length - i)) return false;
  return true;
}

/** Whether `a[from…)` and `b[fromB…)` are the same text. */
function sameFrom(a: string, from: number, b: string, fromB: number): boolean {
  if (a.length - from !== b.length - fromB) return false;
  for (let i = from, j = fromB; i < a.length; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}

/** Whether `a[0…la)` and `b[0…lb)` both hold a digit and are the same once their digits are left out. */
function sameButDigits(a: string, la: number, b: string, lb: number): boolean {
  let i = 0;
  let j = 0;
  let digitsA = false;
  let digitsB = false;
  for (;;) {
    while (i < la && isDigit(a.charCodeAt(i))) {
      digitsA = true;
      i++;
    }
    while (j < lb && isDigit(b.charCodeAt(j))) {
      digitsB = true;
      j++;
    }
    if (i === la || j === lb) break;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
    i++;
    j++;
  }
  return i === la && j === lb && digitsA && digitsB;
}

/**
 * Mailbox names (the part before `@`; without one, all but the last character, as `slice(0, -1)`
 * gives) compared in place: this runs on nearly every candidate pair, and the substrings, regular
 * expressions and replacements it was written with were most of its cost.
 */
function emailLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const at = a.indexOf('@');
  const bt = b.indexOf('@');
  const la = at >= 0 ? at : a.length - 1;
  const lb = bt >= 0 ? bt : b.length - 1;
  // Mailbox names alike: "jsmith" at two providers, or a typo at the same one. Comparing whole
  // addresses would count every pair at one big domain as close.
  if (la > 0 && la === lb && samePrefix(a, b, la)) return 1;
  // "johnsmith48" and "johnsmith66" are two namesakes telling themselves apart, not a typo.
  if (sameButDigits(a, la, b, lb)) return 2;
  if (la >= 4 && lb >= 4 && sameFrom(a, la, b, lb) && jaroWinklerAtLeast(a.slice(0, la), b.slice(0, lb), 0.92) >= 0.92) return 1;
  return 2;
}

/** The comparisons the model scores, in a fixed order. */
export const COMPARISONS: readonly Comparison[] = [
  {
    name: 'given_name',
    levels: GIVEN_NAME_LEVELS,
    compare: (a, b) => nameLevel(a.given, b.given, a.givenPh, b.givenPh, true),
    tf: 'given',
  },
  {
    name: 'family_name',
    levels: NAME_LEVELS,
    compare: (a, b) => nameLevel(a.family, b.family, a.familyPh, b.familyPh),
    tf: 'family',
  },
  {
    name: 'birth_date',
    levels: ['exact', 'one typo or day/month swapped', 'one of year, month and day off', 'two typos or within 35 days', 'different'],
    compare: (a, b) => dateLevel(a.dob, b.dob),
    tf: 'dob',
  },
  // Shared mailboxes and switchboards (info@, a placeholder number) are common values: weighed by frequency like names.
  { name: 'email', levels: ['exact', 'same mailbox name or close', 'different'], compare: (a, b) => emailLevel(a.email, b.email), tf: 'email' },
  {
    name: 'phone',
    levels: ['exact', 'same subscriber number (last 7-8 digits)', 'one digit off', 'different'],
    compare: (a, b) => phoneLevel(a.phone, b.phone),
    tf: 'phone',
  },
  {
    name: 'address',
    levels: ['exact', 'close (Jaro-Winkler >= 0.92)', 'same house number and street', 'similar or same words', 'different'],
    compare: (a, b) => addressLevel(a.address, b.address, a.addressWords, b.addressWords),
    tf: 'address',
  },
  {
    name: 'city',
    levels: ['exact', 'close (Jaro-Winkler >= 0.92)', 'similar', 'different'],
    compare: (a, b) => textLevel(a.city, b.city),
    tf: 'city',
  },
  {
    name: 'postal_code',
    levels: ['exact', 'one character off', 'different'],
    compare: (a, b) => codeLevel(a.postcode, b.postcode),
    tf: 'postcode',
  },
  {
    name: 'region',
    levels: ['exact', 'different'],
    compare: (a, b) => (!a.region || !b.region ? MISSING : a.region === b.region ? 0 : 1),
    tf: 'region',
  },
  { name: 'national_id', levels: ['exact', 'one character off', 'different'], compare: (a, b) => codeLevel(a.nid, b.nid), tf: 'nid' },
  { name: 'tax_id', levels: ['exact', 'one character off', 'different'], compare: (a, b) => codeLevel(a.tax, b.tax), tf: 'tax' },
  {
    name: 'company_name',
    levels: [
      'exact',
      'close (Jaro-Winkler >= 0.92)',
      'most of the shorter name by word rarity (>= 0.8)',
      'half of it by word rarity (>= 0.5)',
      'similar spelling (Jaro-Winkler >= 0.8)',
      'different',
    ],
    compare: companyLevel,
    tf: 'company',
  },
];

/** Swapped view of a record's names, used when {@link namesSwapped} says so. */
export function withSwappedNames(r: MatchRecord): MatchRecord {
  // Every field named: a record view (encoded.ts) has them as getters, which spreading skips.
  return {
    source: r.source,
    key: r.key,
    given: r.family,
    family: r.given,
    givenPh: r.familyPh,
    familyPh: r.givenPh,
    dob: r.dob,
    email: r.email,
    phone: r.phone,
    address: r.address,
    addressWords: r.addressWords,
    city: r.city,
    postcode: r.postcode,
    region: r.region,
    nid: r.nid,
    tax: r.tax,
    company: r.company,
    companyWords: r.companyWords,
  };
}

/** Comparison levels of a pair, one byte per comparison ({@link MISSING} where a side is empty). */
export function compareRecords(a: MatchRecord, b: MatchRecord, out: Uint8Array, offset = 0, ctx: CompareContext = {}): void {
  const bb = namesSwapped(a, b) ? withSwappedNames(b) : b;
  for (let f = 0; f < COMPARISONS.length; f++) out[offset + f] = COMPARISONS[f]!.compare(a, bb, ctx);
}
