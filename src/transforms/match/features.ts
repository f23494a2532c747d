import { doubleMetaphone } from 'double-metaphone';
import type { CanonicalField, CanonicalValues } from '../../core/fields.js';
import { hasHan, romanizeHan } from './romanize.js';

/** A record reduced to the comparable keys matching works on: folded, no punctuation. */
export interface MatchRecord {
  source: string;
  key: string;
  given: string;
  family: string;
  givenPh: string;
  familyPh: string;
  dob: string;
  email: string;
  phone: string;
  address: string;
  /** The address's distinct words, sorted (for word-order-free comparison). */
  addressWords: string[];
  city: string;
  postcode: string;
  region: string;
  nid: string;
  tax: string;
  company: string;
  companyWords: string[];
}

/** Distinct words of a folded text, sorted. */
export function wordsOf(s: string): string[] {
  if (!s) return [];
  return [...new Set(s.split(' '))].sort();
}

const COMBINING = /[\u0300-\u036f]/g;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** Lower case, accents removed, punctuation to single spaces. */
export function fold(s: string | null | undefined): string {
  if (!s) return '';
  if (plainWords(s)) return s.toLowerCase();
  return s.normalize('NFD').replace(COMBINING, '').toLowerCase().replace(NON_WORD, ' ').trim();
}

/**
 * Whether `s` is ASCII letters and digits in words with one space between them: folded, such a
 * value is only lower-cased. Most values are (a million records fold several million), and the
 * check costs less than the normalization and the two replacements it spares.
 */
function plainWords(s: string): boolean {
  let space = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) {
      if (space) return false;
      space = true;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) space = false;
    else return false;
  }
  return !space;
}

const phCache = new Map<string, string>();
/** Primary Double Metaphone code of a folded name (cached: names repeat a lot). */
export function phonetic(name: string): string {
  if (!name) return '';
  let v = phCache.get(name);
  if (v === undefined) {
    // Latin only: the algorithm knows nothing of CJK; other scripts key on themselves.
    v = /^[a-z ]+$/.test(name) ? doubleMetaphone(name.replace(/ /g, ''))[0] || name : name;
    if (phCache.size > 200_000) phCache.clear();
    phCache.set(name, v);
  }
  return v;
}

function digits(s: string | null | undefined): string {
  return s ? s.replace(/\D+/g, '') : '';
}

/**
 * E-mail match key: lower case, and for the big providers that ignore them, dots in the local
 * part (Gmail) and +tags. The standardize stage may already have produced this.
 */
export function emailKey(email: string | null | undefined): string {
  if (!email) return '';
  const e = email.toLowerCase().trim();
  const at = e.lastIndexOf('@');
  if (at < 1) return e;
  let local = e.slice(0, at);
  let domain = e.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

const LEGAL_FORMS =
  /\b(pty|ltd|limited|inc|incorporated|llc|l l c|corp|corporation|co|company|gmbh|ag|sa|sarl|bv|nv|plc|kk|kabushiki kaisha|the)\b/g;

/** Company match key: folded, legal forms and "the" removed, "&" read as "and". */
export function companyKey(name: string | null | undefined): string {
  if (!name) return '';
  const f = fold(name.replace(/&/g, ' and ').replace(/(股份)?有限(责任)?公司|有限公司|公司$/u, ' '));
  return f.replace(LEGAL_FORMS, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Memo of a key function for values that repeat across records (names, cities, companies): a
 * million records hold a few tens of thousands of distinct names. Bounded, so that a column of
 * distinct values cannot grow it without end.
 */
function memo(fn: (v: string) => string): (v: string | null | undefined) => string {
  const cache = new Map<string, string>();
  return (v) => {
    if (!v) return '';
    let k = cache.get(v);
    if (k === undefined) {
      k = fn(v);
      if (cache.size >= 100_000) cache.clear();
      cache.set(v, k);
    }
    return k;
  };
}

const givenKey = memo((name) => (hasHan(name) ? romanizeHan(name, false) : fold(name)));
const familyKey = memo((name) => (hasHan(name) ? romanizeHan(name, true) : fold(name)));
const placeKey = memo(fold);
const companyKeyMemo = memo(companyKey);

/** The canonical fields {@link toMatchRecord} reads (what a thread computing match records is sent). */
export const MATCH_INPUT_FIELDS = [
  'given_name',
  'family_name',
  'full_name',
  'birth_date',
  'email',
  'phone',
  'address_line1',
  'address_line2',
  'city',
  'postal_code',
  'region',
  'national_id',
  'tax_id',
  'company_name',
] as const satisfies readonly CanonicalField[];

/** A {@link MatchRecord} without its word lists: what the match stage's threads make and send. */
export type MatchStrings = Omit<MatchRecord, 'addressWords' | 'companyWords'>;

/** Builds the match features of a standardized record. */
export function toMatchRecord(source: string, key: string, v: CanonicalValues): MatchRecord {
  const m = toMatchStrings(source, key, v);
  return { ...m, addressWords: wordsOf(m.address), companyWords: wordsOf(m.company) };
}

/**
 * {@link toMatchRecord} without the word lists. The match stage encodes a million records and
 * needs the words only of each distinct address and company name (see RecordEncoder): made per
 * record, they were a tenth of the features threads' time.
 */
export function toMatchStrings(source: string, key: string, v: CanonicalValues): MatchStrings {
  // Chinese names compare by pinyin, so that 张伟, 張偉, Zhang Wei and WEI ZHANG can meet.
  // Pinyin written with spaces ("Xiu Ying") folds to one word like the characters do.
  let given = givenKey(v.given_name);
  let family = familyKey(v.family_name);
  if (!given && !family && v.full_name) {
    const parts = fold(v.full_name).split(' ');
    family = parts.length > 1 ? parts.pop()! : parts[0] ?? '';
    given = parts.join(' ');
  }
  const address = fold([v.address_line1, v.address_line2].filter(Boolean).join(' '));
  const company = companyKeyMemo(v.company_name);
  return {
    source,
    key,
    given,
    family,
    givenPh: phonetic(given),
    familyPh: phonetic(family),
    dob: digits(v.birth_date),
    email: emailKey(v.email),
    // The number without its extension (";ext=123").
    phone: digits(v.phone?.split(';')[0]),
    address,
    city: placeKey(v.city),
    postcode: fold(v.postal_code).replace(/ /g, ''),
    region: placeKey(v.region),
    nid: fold(v.national_id).replace(/ /g, ''),
    tax: fold(v.tax_id).replace(/ /g, ''),
    company,
  };
}
