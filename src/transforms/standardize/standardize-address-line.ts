import { normalizeChineseAddress } from './chinese-address.js';
import { ok, type TransformResult } from '../../core/issue.js';
import { rejectValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { splitWords } from './split-words.js';
import { capitalizeWord, PARTICLES } from './proper-case.js';

const FIELD = 'address_line1';

/**
 * Street-type abbreviations and the full form they become. The full form is the canonical one
 * ("12 Smith St" → "12 Smith Street"): it reads the same in every country, while the short forms
 * differ (AU "Cres", US "Cir", UK "Cl").
 */
export const STREET_TYPES: ReadonlyMap<string, string> = new Map([
  ['st', 'Street'], ['str', 'Street'], ['rd', 'Road'], ['ave', 'Avenue'], ['av', 'Avenue'],
  ['avn', 'Avenue'], ['blvd', 'Boulevard'], ['bvd', 'Boulevard'], ['boul', 'Boulevard'],
  ['dr', 'Drive'], ['drv', 'Drive'], ['ln', 'Lane'], ['ct', 'Court'], ['crt', 'Court'],
  ['pl', 'Place'], ['cres', 'Crescent'], ['cr', 'Crescent'], ['crs', 'Crescent'],
  ['hwy', 'Highway'], ['pde', 'Parade'], ['tce', 'Terrace'], ['terr', 'Terrace'], ['ter', 'Terrace'],
  ['cl', 'Close'], ['cct', 'Circuit'], ['esp', 'Esplanade'], ['gr', 'Grove'], ['gve', 'Grove'],
  ['sq', 'Square'], ['pkwy', 'Parkway'], ['pky', 'Parkway'], ['pwy', 'Parkway'], ['cir', 'Circle'],
  ['wy', 'Way'], ['hts', 'Heights'], ['gdns', 'Gardens'], ['gdn', 'Garden'], ['prom', 'Promenade'],
  ['rdg', 'Ridge'], ['trl', 'Trail'], ['tpke', 'Turnpike'], ['expy', 'Expressway'],
  ['fwy', 'Freeway'], ['plz', 'Plaza'], ['cnr', 'Corner'], ['grn', 'Green'], ['rte', 'Route'],
  ['aly', 'Alley'], ['arc', 'Arcade'], ['lp', 'Loop'], ['mw', 'Mews'], ['wk', 'Walk'],
]);

// Unit and building designators in their display form.
const DESIGNATORS = new Map([
  ['unit', 'Unit'], ['apt', 'Apt'], ['apartment', 'Apt'], ['suite', 'Suite'], ['ste', 'Suite'],
  ['level', 'Level'], ['lvl', 'Level'], ['flat', 'Flat'], ['floor', 'Floor'], ['fl', 'Floor'],
  ['shop', 'Shop'], ['bldg', 'Building'], ['building', 'Building'], ['room', 'Room'], ['rm', 'Room'],
]);
const DIRECTIONS = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw']);

// One lookup per word: which of the lists a lower-case word is on.
const STREET = 1;
const DIRECTION = 2;
const DESIGNATOR = 4;
const UPPER = 8;
const PARTICLE = 16;
const OTHER = 32;
// Rural and postal abbreviations; "RD" only opens a line (NZ rural delivery), else it is Road.
const UPPER_WORDS = new Set(['po', 'gpo', 'rmb', 'rsd', 'cpo']);
const PO_BOX = /^(?:p\.?\s*o\.?\s*box|post\s*office\s*box|pobox|p\/o\s*box|postfach)\b\.?\s*/i;
const GPO_BOX = /^g\.?\s*p\.?\s*o\.?\s*box\b\.?\s*/i;
const LOCKED_BAG = /^locked\s*bag\b\.?\s*/i;
const KEYWORDS = new Map<string, number>();
const mark = (words: Iterable<string>, kind: number): void => {
  for (const w of words) KEYWORDS.set(w, (KEYWORDS.get(w) ?? 0) | kind);
};
mark(STREET_TYPES.keys(), STREET);
mark(DIRECTIONS, DIRECTION);
mark(DESIGNATORS.keys(), DESIGNATOR);
mark(UPPER_WORDS, UPPER);
mark(PARTICLES, PARTICLE);
mark(['c/o'], OTHER);
const ORDINAL = /^(\d+)(st|nd|rd|th)$/i;
const LATIN_LETTER = /[A-Za-z\u00c0-\u024f]/;
const GERMAN_STREET = /^(\p{L}+)(?:str\.|strasse|straße)$/iu;
const GERMAN_STREET_BARE = /^(\p{L}{3,})str$/iu;
const GERMAN_SPEAKING = new Set(['DE', 'AT', 'CH', 'LI']);

/** Options: the country sets German street-name handling (DE, AT, CH, LI). */
export interface AddressOptions {
  country?: string | undefined;
}

/**
 * Standardizes one street line: proper case (McDonald Street; unit letters and ordinals as
 * 12A, 3rd), street-type abbreviations expanded to the full form ({@link STREET_TYPES}) where
 * they end the street name (last word, or before a direction, a comma, a unit designator or a
 * house number, so "45 St Kilda Rd" keeps its Saint: "45 St Kilda Road"), directions upper case (NW),
 * PO Box / GPO Box / Locked Bag written one way, German "-str." as "-straße" ("-strasse" in
 * CH/LI). Text in CJK scripts is returned normalized but otherwise as written. Rejects
 * VALUE_PLACEHOLDER. Issues use the path `address_line1`.
 */
export function standardizeAddressLine(value: string, options: AddressOptions = {}): TransformResult<string> {
  let s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The address line is empty.');
  if (isNullToken(s)) return rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not an address.');
  if (!LATIN_LETTER.test(s)) return ok(normalizeChineseAddress(s, options.country?.toUpperCase()));
  let prefix = '';
  const c0 = s.charCodeAt(0) | 0x20;
  if (c0 === 0x67 /* g */ || c0 === 0x70 /* p */ || c0 === 0x6c /* l */) {
    let m = GPO_BOX.exec(s);
    if (m !== null) prefix = 'GPO Box ';
    else if ((m = PO_BOX.exec(s)) !== null) prefix = m[0].toLowerCase().startsWith('postfach') ? 'Postfach ' : 'PO Box ';
    else if ((m = LOCKED_BAG.exec(s)) !== null) prefix = 'Locked Bag ';
    if (m !== null) s = s.slice(m[0].length);
  }
  const country = options.country?.toUpperCase();
  const german = country !== undefined && GERMAN_SPEAKING.has(country);
  const strasse = country === 'CH' || country === 'LI' ? 'strasse' : 'straße';

  const tokens = splitWords(s);
  let out = prefix;
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i] ?? '';
    // Keep a trailing comma outside the word.
    const comma = raw.length > 1 && raw.charCodeAt(raw.length - 1) === 44 /* , */;
    const word = comma ? raw.slice(0, -1) : raw;
    let w: string;
    const digits = digitKind(word);
    if (digits === ALL_DIGITS) {
      w = word;
    } else if (digits === SOME_DIGITS) {
      const ord = ORDINAL.exec(word);
      w = ord !== null ? (ord[1] ?? '') + (ord[2] ?? '').toLowerCase() : word.toUpperCase();
    } else {
      const lower = word.toLowerCase();
      const key = lower.charCodeAt(lower.length - 1) === 46 /* . */ ? lower.slice(0, -1) : lower;
      const kind = KEYWORDS.get(key) ?? 0;
      if (kind === 0) {
        const g = mayBeGermanStreet(key) ? GERMAN_STREET.exec(word) ?? (german ? GERMAN_STREET_BARE.exec(word) : null) : null;
        w = g !== null ? capitalizeWord(g[1] ?? '') + strasse : capitalizeWord(word);
      } else if (kind & STREET && i > 0 && endsStreetName(tokens, i, comma)) {
        w = key === 'str' && german ? 'Straße' : STREET_TYPES.get(key) ?? word;
      } else if (kind & DIRECTION && i > 0) {
        w = key.toUpperCase();
      } else if (kind & DESIGNATOR) {
        w = DESIGNATORS.get(key) ?? word;
      } else if (kind & UPPER || (key === 'rd' && i === 0)) {
        w = key.toUpperCase();
      } else if (key === 'c/o') {
        w = 'c/o';
      } else if (kind & PARTICLE && i > 0 && i < tokens.length - 1) {
        w = key;
      } else {
        w = capitalizeWord(word);
      }
    }
    out += i === 0 ? w : ' ' + w;
    if (comma) out += ',';
  }
  return ok(out);
}

const NO_DIGITS = 0;
const SOME_DIGITS = 1;
const ALL_DIGITS = 2;

/** Whether a word has no digits, some, or only digits. */
function digitKind(s: string): number {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits === 0 ? NO_DIGITS : digits === s.length ? ALL_DIGITS : SOME_DIGITS;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function mayBeGermanStreet(key: string): boolean {
  return key.length > 4 && (key.endsWith('str') || key.endsWith('strasse') || key.endsWith('straße'));
}

/**
 * A street type ends the name when it is last or followed by a direction, a comma, a unit or a
 * house number (the European order: "Berliner Str 12").
 */
function endsStreetName(tokens: readonly string[], i: number, comma: boolean): boolean {
  if (comma || i === tokens.length - 1) return true;
  const next = (tokens[i + 1] ?? '').toLowerCase().replace(/[.,]$/, '');
  return DIRECTIONS.has(next) || DESIGNATORS.has(next) || next === '#' || hasDigit(next);
}
