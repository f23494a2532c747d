import { ok, type Issue, type TransformResult } from '../../core/issue.js';
import {
  CHINESE_COMPOUND_SURNAMES,
  CHINESE_SINGLE_SURNAMES,
  JAPANESE_SURNAMES,
  KOREAN_COMPOUND_SURNAMES,
  KOREAN_SINGLE_SURNAMES,
} from './cjk-surnames.js';
import { rejectValue, warnValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { capitalizeWord, PARTICLES } from './proper-case.js';
import { splitWords } from './split-words.js';
import { CJK as CJK_MASK, HANGUL as HANGUL_MASK, KANA as KANA_MASK, LATIN as LATIN_MASK, scriptMask } from './script-mask.js';

/** Writing system of a name: CJK names are written family name first, without a space. */
export type NameScript = 'alphabetic' | 'han' | 'hangul' | 'kana';

/** A personal name split into its parts. */
export interface PersonName {
  /**
   * Display form: given + family (+ suffix) for alphabetic names ("John A. Smith Jr"), family +
   * given without a space for CJK names ("王小明"). Never includes the honorific.
   */
  full: string;
  /** Given names including middle names and initials ("John A."); null when unknown. */
  given: string | null;
  family: string | null;
  /** Canonical honorific(s) without dots: "Mr", "Dr", "Prof Dr", "先生". */
  honorific: string | null;
  /** Canonical suffix(es): "Jr", "Sr", "III", "PhD". */
  suffix: string | null;
  script: NameScript;
}

/** Options for the name standardizers. */
export interface NameOptions {
  /** ISO2 country of the source; `JP` keeps unspaced kanji names whole (see NAME_NOT_SPLIT). */
  country?: string | undefined;
}

// Canonical honorifics by lower-case key without dots.
const HONORIFICS = new Map<string, string>([
  ['mr', 'Mr'], ['mister', 'Mr'], ['mrs', 'Mrs'], ['ms', 'Ms'], ['miss', 'Miss'], ['mx', 'Mx'],
  ['master', 'Master'], ['dr', 'Dr'], ['doctor', 'Dr'], ['prof', 'Prof'], ['professor', 'Prof'],
  ['sir', 'Sir'], ['dame', 'Dame'], ['lady', 'Lady'], ['lord', 'Lord'], ['rev', 'Rev'],
  ['revd', 'Rev'], ['reverend', 'Rev'], ['fr', 'Fr'], ['father', 'Fr'], ['hon', 'Hon'],
  ['capt', 'Capt'], ['captain', 'Capt'], ['col', 'Col'], ['maj', 'Maj'], ['gen', 'Gen'],
  ['lt', 'Lt'], ['sgt', 'Sgt'], ['herr', 'Herr'], ['frau', 'Frau'], ['fräulein', 'Frl'],
  ['frl', 'Frl'], ['mme', 'Mme'], ['madame', 'Mme'], ['mlle', 'Mlle'], ['mademoiselle', 'Mlle'],
  ['sra', 'Sra'], ['srta', 'Srta'], ['dott', 'Dott'], ['dottssa', 'Dott.ssa'], ['ing', 'Ing'],
]);

// Canonical suffixes by lower-case key without dots.
const SUFFIXES = new Map<string, string>([
  ['jr', 'Jr'], ['jnr', 'Jr'], ['junior', 'Jr'], ['sr', 'Sr'], ['snr', 'Sr'], ['senior', 'Sr'],
  ['ii', 'II'], ['iii', 'III'], ['iv', 'IV'], ['v', 'V'], ['vi', 'VI'],
  ['phd', 'PhD'], ['md', 'MD'], ['dds', 'DDS'], ['dmd', 'DMD'], ['esq', 'Esq'], ['cpa', 'CPA'],
  ['mba', 'MBA'], ['rn', 'RN'], ['obe', 'OBE'], ['mbe', 'MBE'], ['cbe', 'CBE'], ['kc', 'KC'],
  ['qc', 'QC'], ['jp', 'JP'],
]);
// Suffixes that are also common initials or words: only taken after two or more name words.
const WEAK_SUFFIXES = new Set(['v', 'vi', 'jp', 'md', 'rn']);

// Honorifics written after CJK names (Chinese, Japanese, Korean).
const CJK_HONORIFICS = ['先生', '女士', '小姐', '太太', '夫人', '老师', '老師', '博士', '様', 'さま', 'さん', '殿', '님', '씨'];

// Whole-name stand-ins, lower-cased.
const NAME_PLACEHOLDERS = new Set([
  'test', 'testing', 'tester', 'test test', 'test user', 'testuser', 'unknown unknown', 'customer',
  'cash customer', 'cash sale', 'cash', 'client', 'guest', 'anonymous', 'anon', 'no name', 'noname',
  'name', 'first last', 'firstname lastname', 'first name', 'last name', 'asdf', 'qwerty', 'dummy',
  'sample', 'mr', 'mrs', 'ms', 'dr', 'deceased', 'do not use', 'donotuse', 'delete',
  '先生', '女士', '小姐', '测试', '測試', '客户', '客戶', '顾客', '顧客', '无名', '無名', '匿名', '某某',
  '散客', 'テスト', '테스트',
]);

const TYPOGRAPHIC_APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4\u2032]/g;
// Anything but letters, marks, spaces and the punctuation names use.
const DISALLOWED = /[^\p{L}\p{M} '\-.,\u00b7\u30fb]/gu;
const NEEDS_CLEANING = /[^\p{L}\p{M} '\-.,\u00b7\u30fb]/u;
const BRACKETED = /\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|"[^"]*"/g;
const EDGE_PUNCTUATION = /^[\s'\-.,\u00b7\u30fb]+|[\s'\-,\u00b7\u30fb]+$/g;
const HAS_LETTER = /\p{L}/u;
const SURROGATE = /[\ud800-\udfff]/;
const CJK_HONORIFIC_ENDINGS = new Set(CJK_HONORIFICS.map((h) => h.charCodeAt(h.length - 1)));
const ONE_CASE_UPPER = /^[^\p{Ll}]*$/u;
const INITIALS_RUN = /^(?:\p{L}\.){2,}$/u;
const SINGLE_LETTER = /^\p{L}\.?$/u;

interface Cleaned {
  text: string;
  issues: Issue[];
}

// A plain ASCII name needs none of the cleaning below: letters, spaces, . , ' and - only,
// starting with a letter and not ending in punctuation other than a dot.
const PLAIN_ASCII_NAME = /^[A-Za-z](?:[A-Za-z .,'-]*[A-Za-z.])?$/;
// Names made only of stand-in words: "Test Test", "XXX XXX", "Unknown N/A".
// "na" alone is a given name (娜); only repeated ("NA NA") or beside another stand-in is it one.
const PLACEHOLDER_WORDS_ONLY = /^(?!na$)(?:(?:test|unknown|xxx|xx|x|n\/a|na|none|dummy|null|tbd)(?: |$))+$/i;

const PLACEHOLDER_INITIALS = new Set<number>();
for (const p of NAME_PLACEHOLDERS) PLACEHOLDER_INITIALS.add(p.charCodeAt(0));

function isNamePlaceholder(s: string): boolean {
  if (s.length > 20) return false;
  const c = s.charCodeAt(0);
  if (!PLACEHOLDER_INITIALS.has(c >= 65 && c <= 90 ? c | 0x20 : c)) return false;
  return NAME_PLACEHOLDERS.has(s.toLowerCase());
}

/** Only Han, kana or Hangul letters, spaces and middle dots: nothing to clean. */
function isCleanCjk(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0x3040 && c <= 0x30ff) ||
      (c >= 0x3400 && c <= 0x4dbf) || c === 0x3005 || c === 0xb7 || (c === 32 && i > 0 && i < s.length - 1);
    if (!ok) return false;
  }
  return true;
}

/** Applies the shared cleaning of every name field: junk characters out, with a warning. */
function cleanName(s: string, field: string): Cleaned | TransformResult<never> {
  // "Na" (娜, 나) is a given name, not "n/a": the shared null token does not apply to names.
  if ((isNullToken(s) && s.toLowerCase() !== 'na') || isNamePlaceholder(s)) {
    return rejectValue(field, 'NAME_PLACEHOLDER', 'The name is a placeholder, not a name.');
  }
  let text = s;
  const issues: Issue[] = [];
  if (!PLAIN_ASCII_NAME.test(s) && !isCleanCjk(s)) {
    if (TYPOGRAPHIC_APOSTROPHES.test(text)) text = text.replace(TYPOGRAPHIC_APOSTROPHES, "'");
    if (NEEDS_CLEANING.test(text)) {
      text = text.replace(BRACKETED, ' ').replace(DISALLOWED, ' ').replace(/ {2,}/g, ' ').trim();
      issues.push(warnValue(field, 'NAME_CLEANED', 'Digits, bracketed or quoted text or stray symbols were removed from the name.'));
    }
    text = text.replace(EDGE_PUNCTUATION, '');
    if (!HAS_LETTER.test(text)) return rejectValue(field, 'NAME_INVALID', 'The name has no letters.');
  }
  if (PLACEHOLDER_WORDS_ONLY.test(text)) {
    return rejectValue(field, 'NAME_PLACEHOLDER', 'The name is a placeholder, not a name.');
  }
  return { text, issues };
}

function isCleaned(r: Cleaned | TransformResult<never>): r is Cleaned {
  return (r as Cleaned).text !== undefined;
}

const keyOf = (token: string): string =>
  token.indexOf('.') < 0 ? token.toLowerCase() : token.toLowerCase().replace(/\./g, '');

/** Comma-separated parts, trimmed, empty ones dropped. */
function splitCommas(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = s.indexOf(',', start);
    const part = s.slice(start, i < 0 ? s.length : i).trim();
    if (part !== '') out.push(part);
    if (i < 0) return out;
    start = i + 1;
  }
}

/** Splits "J.A." into "J." "A." and drops empty tokens. */
function tokenize(s: string): string[] {
  // Common case: words separated by single spaces, no dots, no lone hyphens.
  if (s.indexOf('.') < 0 && s.indexOf('  ') < 0 && s.indexOf(' -') < 0 && s.indexOf('- ') < 0 && s !== '-') {
    return splitWords(s);
  }
  const out: string[] = [];
  for (const t of splitWords(s)) {
    if (t === '.' || t === '-') continue;
    if (t.indexOf('.') >= 0 && t.indexOf('.') < t.length - 1 && INITIALS_RUN.test(t)) {
      for (const part of t.split('.')) if (part !== '') out.push(part + '.');
    } else {
      out.push(t);
    }
  }
  return out;
}

/** Takes leading honorifics off `tokens` (keeping at least `keep` tokens). */
function takeHonorifics(tokens: string[], into: string[], keep: number): void {
  while (tokens.length > keep && (tokens[0] ?? '').length <= 13) {
    const h = HONORIFICS.get(keyOf(tokens[0] ?? ''));
    if (h === undefined) return;
    into.push(h);
    tokens.shift();
  }
}

/** Takes trailing suffixes off `tokens` (keeping at least `keep` tokens). */
function takeSuffixes(tokens: string[], into: string[], keep: number): void {
  while (tokens.length > keep && (tokens[tokens.length - 1] ?? '').length <= 7) {
    const key = keyOf(tokens[tokens.length - 1] ?? '');
    const s = SUFFIXES.get(key);
    if (s === undefined) return;
    if (WEAK_SUFFIXES.has(key) && tokens.length < 3) return;
    into.unshift(s);
    tokens.pop();
  }
}

function caseGivenToken(t: string): string {
  if (SINGLE_LETTER.test(t)) return t.charAt(0).toUpperCase() + '.';
  return capitalizeWord(t);
}

function caseGiven(tokens: readonly string[], from = 0, to = tokens.length): string {
  let out = '';
  for (let i = from; i < to; i++) out += (i === from ? '' : ' ') + caseGivenToken(tokens[i] ?? '');
  return out;
}

function caseFamily(tokens: readonly string[], from = 0, to = tokens.length): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const t = tokens[i] ?? '';
    const lower = i < to - 1 ? t.toLowerCase() : '';
    out += (i === from ? '' : ' ') + (i < to - 1 && PARTICLES.has(lower) ? lower : capitalizeWord(t));
  }
  return out;
}

const LETTERS = /\p{L}/gu;

/** True when the token is written in capitals and is more than an initial. */
function isCapsWord(t: string): boolean {
  return ONE_CASE_UPPER.test(t) && (t.match(LETTERS)?.length ?? 0) > 1;
}

/** True when the text has both upper- and lower-case letters. */
function mixedCase(s: string): boolean {
  let upper = false;
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (c > 127) return s.toLowerCase() !== s && s.toUpperCase() !== s;
  }
  return upper && lower;
}

// Regions where an unspaced Han name is Chinese even when it starts like a Japanese surname.
const CHINESE_REGIONS = new Set(['CN', 'TW', 'HK', 'MO', 'SG', 'MY']);

/** Length of a known Japanese family name at the start of a name (3, 2 or 1), or 0. */
function japaneseSurnameLength(prefix: (n: number) => string, length: number): number {
  for (let n = Math.min(3, length - 1); n >= 1; n--) if (JAPANESE_SURNAMES.has(prefix(n))) return n;
  return 0;
}

/** Splits a CJK (Han/Hangul/kana) name; `text` is cleaned. */
function splitCjkName(text: string, field: string, issues: Issue[], country: string | undefined): TransformResult<PersonName> {
  let s = text;
  let honorific: string | null = null;
  if (CJK_HONORIFIC_ENDINGS.has(s.charCodeAt(s.length - 1))) {
    for (const h of CJK_HONORIFICS) {
      if (s.length > h.length && s.endsWith(h)) {
        honorific = h;
        s = s.slice(0, -h.length).trim();
        break;
      }
    }
  }
  const mask = scriptMask(s);
  const script: NameScript = mask & KANA_MASK ? 'kana' : mask & HANGUL_MASK ? 'hangul' : 'han';
  if (s.indexOf('\u00b7') >= 0 || s.indexOf('\u30fb') >= 0) {
    // A transliterated foreign name, written given·family: 约翰·史密斯.
    const dot = script === 'kana' ? '\u30fb' : '\u00b7';
    const parts = s.split(/\s*[\u00b7\u30fb]\s*/).filter((p) => p !== '');
    const family = parts.pop() ?? null;
    const given = parts.length > 0 ? parts.join(dot) : null;
    return ok({ full: [...parts, family].join(dot), given, family, honorific, suffix: null, script }, issues);
  }
  const spaced = s.indexOf(' ') >= 0 ? splitWords(s) : [s];
  if (spaced.length > 1) {
    // East Asian order: the first word is the family name.
    const family = spaced[0] ?? '';
    const given = spaced.slice(1).join('');
    return ok({ full: family + given, given, family, honorific, suffix: null, script }, issues);
  }
  if (s.length === 1) {
    return ok({ full: s, given: null, family: s, honorific, suffix: null, script }, issues);
  }
  // Han and Hangul names are in the Basic Multilingual Plane unless they use rare extension-B
  // characters; only then is the slower code-point split needed.
  const chars: readonly string[] | null = SURROGATE.test(s) ? Array.from(s) : null;
  const length = chars === null ? s.length : chars.length;
  const prefix = (n: number): string => (chars === null ? s.slice(0, n) : chars.slice(0, n).join(''));
  const suffixFrom = (n: number): string => (chars === null ? s.slice(n) : chars.slice(n).join(''));
  const head2 = prefix(2);
  if (script === 'han' && length >= 3 && !CHINESE_REGIONS.has(country ?? '')) {
    // Japanese: by a known family name when the source is Japanese, or when the name has four or
    // more characters and starts with a two- or three-character Japanese family name (山田太郎);
    // Chinese names of that length are rare outside compound surnames, which are checked first.
    const jp = japaneseSurnameLength(prefix, length);
    if (jp > 0 && (country === 'JP' || (jp >= 2 && length >= 4 && !CHINESE_COMPOUND_SURNAMES.has(head2)))) {
      return ok({ full: s, given: suffixFrom(jp), family: prefix(jp), honorific, suffix: null, script }, issues);
    }
  }
  if (script === 'kana' || (script === 'han' && country === 'JP')) {
    issues.push(warnValue(field, 'NAME_NOT_SPLIT', 'A Japanese name without a space between family and given name is kept whole.'));
    return ok({ full: s, given: null, family: null, honorific, suffix: null, script }, issues);
  }
  const compound = script === 'hangul' ? KOREAN_COMPOUND_SURNAMES : CHINESE_COMPOUND_SURNAMES;
  const single = script === 'hangul' ? KOREAN_SINGLE_SURNAMES : CHINESE_SINGLE_SURNAMES;
  let familyLength = 1;
  if (length >= 3 && compound.has(head2)) {
    familyLength = 2;
  } else if (!single.has(prefix(1))) {
    issues.push(warnValue(field, 'NAME_SURNAME_UNKNOWN', 'The first character is not a known surname; it was taken as the family name.'));
  }
  const family = prefix(familyLength);
  const given = suffixFrom(familyLength);
  return ok({ full: s, given, family, honorific, suffix: null, script }, issues);
}

/**
 * Splits and proper-cases a full personal name.
 *
 * Alphabetic names: "Given Family" by default; "Family, Given" (a comma) is family-first; a
 * family name written in capitals among mixed-case words marks itself ("ZHANG Wei", "Jean
 * DUPONT"). Legacy all-caps "SMITH JOHN" without a comma is read as given-family: without the
 * comma the order cannot be known. Lower-case particles join the family name ("Ludwig van
 * Beethoven" → family "van Beethoven"). Honorifics (Mr, Dr, Prof, Herr…) and suffixes (Jr, III,
 * PhD…) are kept apart; `full` keeps the suffix but not the honorific. One-word names become the
 * family name (NAME_MONONYM).
 *
 * CJK names: the family name comes first. Unspaced Chinese names split on a compound surname
 * (欧阳, 司马, 诸葛…) or else after the first character (NAME_SURNAME_UNKNOWN when that character
 * is not a known surname); Korean Hangul likewise. Unspaced kanji names split on a common
 * Japanese family name when `options.country` is JP, or when the name has four or more characters
 * and starts with a two- or three-character Japanese family name (山田太郎) outside Chinese regions;
 * other unspaced Japanese names (JP without a known family name, or with kana) are not split
 * (NAME_NOT_SPLIT). A space splits explicitly; a middle dot marks a transliterated given·family
 * name (约翰·史密斯). Trailing 先生/女士/小姐/様/씨… become the honorific.
 *
 * Issues use the path `full_name`.
 */
export function standardizePersonName(value: string, options: NameOptions = {}): TransformResult<PersonName> {
  const field = 'full_name';
  const s = normalizeText(value);
  if (s === '') return rejectValue(field, 'VALUE_EMPTY', 'The name is empty.');
  const cleaned = cleanName(s, field);
  if (!isCleaned(cleaned)) return cleaned;
  const { text, issues } = cleaned;

  if (!PLAIN_ASCII_NAME.test(text) && isCjkName(text)) return splitCjkName(text, field, issues, options.country);

  const honorifics: string[] = [];
  const suffixes: string[] = [];
  let givenTokens: string[];
  let familyTokens: string[];

  const parts = text.indexOf(',') < 0 ? [text] : splitCommas(text);
  // "John Smith, Jr., PhD": trailing comma parts made only of suffixes.
  while (parts.length > 1) {
    const lastTokens = tokenize(parts[parts.length - 1] ?? '');
    if (lastTokens.length === 0 || !lastTokens.every((t) => SUFFIXES.has(keyOf(t)))) break;
    suffixes.unshift(...lastTokens.map((t) => SUFFIXES.get(keyOf(t)) ?? t));
    parts.pop();
  }

  if (parts.length === 2) {
    // "Smith, John A." (also "Mr Smith, John", "Smith Jr, John", "Smith, Dr John").
    familyTokens = tokenize(parts[0] ?? '');
    givenTokens = tokenize(parts[1] ?? '');
    takeHonorifics(familyTokens, honorifics, 1);
    takeHonorifics(givenTokens, honorifics, 1);
    takeSuffixes(familyTokens, suffixes, 1);
    takeSuffixes(givenTokens, suffixes, 1);
  } else {
    const tokens = tokenize(parts.length === 1 ? (parts[0] ?? '') : parts.join(' '));
    takeHonorifics(tokens, honorifics, 1);
    takeSuffixes(tokens, suffixes, 1);
    if (tokens.length === 1) {
      issues.push(warnValue(field, 'NAME_MONONYM', 'A one-word name was kept as the family name.'));
      return ok(alphabeticName('', caseFamily(tokens), honorifics, suffixes), issues);
    }
    let familyStart = tokens.length - 1;
    let familyEnd = tokens.length;
    if (mixedCase(text)) {
      // A capitalized family name among mixed-case words: "ZHANG Wei", "Jean DUPONT".
      let capsCount = 0;
      for (const t of tokens) if (isCapsWord(t)) capsCount++;
      if (capsCount > 0 && capsCount < tokens.length) {
        let lead = 0;
        while (lead < tokens.length && isCapsWord(tokens[lead] ?? '')) lead++;
        let trail = 0;
        while (trail < tokens.length && isCapsWord(tokens[tokens.length - 1 - trail] ?? '')) trail++;
        if (lead === capsCount) {
          familyStart = 0;
          familyEnd = lead;
        } else if (trail === capsCount) {
          familyStart = tokens.length - trail;
        }
      }
    }
    if (familyEnd === tokens.length) {
      // Particles before the family name belong to it: "van der Berg", "de la Cruz".
      while (familyStart > 1 && PARTICLES.has((tokens[familyStart - 1] ?? '').toLowerCase())) familyStart--;
      const given = caseGiven(tokens, 0, familyStart);
      const family = caseFamily(tokens, familyStart);
      return ok(alphabeticName(given, family, honorifics, suffixes), issues);
    }
    familyTokens = tokens.slice(familyStart, familyEnd);
    givenTokens = tokens.slice(familyEnd);
  }

  return ok(alphabeticName(caseGiven(givenTokens), caseFamily(familyTokens), honorifics, suffixes), issues);
}

/** Builds the result for an alphabetic name from its cased parts ('' for a missing part). */
function alphabeticName(given: string, family: string, honorifics: readonly string[], suffixes: readonly string[]): PersonName {
  const suffix = suffixes.length > 0 ? suffixes.join(' ') : null;
  let full = given;
  if (family !== '') full = full === '' ? family : full + ' ' + family;
  if (suffix !== null) full = full === '' ? suffix : full + ' ' + suffix;
  return {
    full,
    given: given === '' ? null : given,
    family: family === '' ? null : family,
    honorific: honorifics.length > 0 ? honorifics.join(' ') : null,
    suffix,
    script: 'alphabetic',
  };
}

/**
 * Standardizes an already split given name: cleaned like {@link standardizePersonName} (digits and
 * stray punctuation removed with NAME_CLEANED), leading honorifics dropped (NAME_CLEANED),
 * proper-cased, initials as "A."; CJK given names lose inner spaces. Issues use `given_name`.
 */
export function standardizeGivenName(value: string): TransformResult<string> {
  const field = 'given_name';
  const s = normalizeText(value);
  if (s === '') return rejectValue(field, 'VALUE_EMPTY', 'The given name is empty.');
  const cleaned = cleanName(s, field);
  if (!isCleaned(cleaned)) return cleaned;
  const { text, issues } = cleaned;
  if (isCjkName(text)) return ok(text.replace(/ /g, ''), issues);
  const tokens = tokenize(text.indexOf(',') < 0 ? text : text.replace(/,/g, ' '));
  const honorifics: string[] = [];
  takeHonorifics(tokens, honorifics, 1);
  if (honorifics.length > 0 && issues.length === 0) {
    issues.push(warnValue(field, 'NAME_CLEANED', 'An honorific was removed from the given name.'));
  }
  return ok(caseGiven(tokens), issues);
}

/**
 * Standardizes an already split family name: cleaned like {@link standardizePersonName},
 * proper-cased (McDonald, O'Brien, Smith-Jones), particles lower-case before the last word
 * ("van der Berg", "de la Cruz"); CJK family names lose inner spaces. Issues use `family_name`.
 */
export function standardizeFamilyName(value: string): TransformResult<string> {
  const field = 'family_name';
  const s = normalizeText(value);
  if (s === '') return rejectValue(field, 'VALUE_EMPTY', 'The family name is empty.');
  const cleaned = cleanName(s, field);
  if (!isCleaned(cleaned)) return cleaned;
  const { text, issues } = cleaned;
  if (isCjkName(text)) return ok(text.replace(/ /g, ''), issues);
  return ok(caseFamily(tokenize(text.indexOf(',') < 0 ? text : text.replace(/,/g, ' '))), issues);
}

/** CJK letters and no Latin ones. */
function isCjkName(s: string): boolean {
  const mask = scriptMask(s);
  return (mask & CJK_MASK) !== 0 && (mask & LATIN_MASK) === 0;
}

/**
 * Composes a display full name from standardized parts: CJK names family + given without a space
 * (王 + 小明 → 王小明), others "Given Family". Either part may be missing.
 */
export function composeFullName(given: string | null | undefined, family: string | null | undefined): string | null {
  const g = given ?? '';
  const f = family ?? '';
  if (g === '') return f === '' ? null : f;
  if (f === '') return g;
  if (isCjkName(f) && isCjkName(g)) return f + g;
  return g + ' ' + f;
}
