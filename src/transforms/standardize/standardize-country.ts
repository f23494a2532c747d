import { ok, type TransformResult } from '../../core/issue.js';
import { AMBIGUOUS_COUNTRY_NAMES, COUNTRY_ALIASES, COUNTRY_CODES } from './country-codes.js';
import { rejectValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';

const FIELD = 'country';

/** Languages whose country names are recognized (from the runtime's ICU data). */
export const COUNTRY_NAME_LOCALES: readonly string[] = ['en', 'zh-Hans', 'zh-Hant', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'ja', 'ko', 'ru'];

const SIMPLE = /^[A-Za-z]+$/;
const LATIN_MARKS = /[\u0300-\u036f]/g;
const DROPPED = /['’`.]/g;
const OTHER = /[^\p{L}\p{N}]+/gu;
const AMPERSAND = /&/g;

/** Folds a country name or code to its lookup key: lower case, no accents or punctuation. */
function fold(s: string): string {
  if (SIMPLE.test(s)) return s.toLowerCase();
  let t = s.toLowerCase().normalize('NFD').replace(LATIN_MARKS, '').normalize('NFC');
  t = t.replace(DROPPED, '').replace(AMPERSAND, ' and ').replace(OTHER, ' ').trim();
  return t.startsWith('the ') ? t.slice(4) : t;
}

// Built once at module load. Strong keys (codes, aliases, full display names, English short
// names and English bracketed names such as "Myanmar (Burma)") go first and the first writer
// wins. Weak keys (a display name without its bracketed or "SAR" part: "Hong Kong" from "Hong
// Kong SAR China") fill gaps only, and are dropped when two countries produce the same one
// (刚果 from 刚果（金） and 刚果（布）).
const LOOKUP: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  const weak = new Map<string, string | null>();
  const add = (name: string, code: string): void => {
    const key = fold(name);
    if (key !== '' && !map.has(key) && !AMBIGUOUS_COUNTRY_NAMES.has(key)) map.set(key, code);
  };
  const addWeak = (name: string, code: string): void => {
    const key = fold(name);
    if (key === '' || AMBIGUOUS_COUNTRY_NAMES.has(key)) return;
    const prior = weak.get(key);
    weak.set(key, prior === undefined || prior === code ? code : null);
  };
  for (const [a2, a3] of COUNTRY_CODES) {
    // "NA" is Namibia's code and "not available" far more often: only NAM and names resolve.
    if (a2 !== 'NA') add(a2, a2);
    add(a3, a2);
  }
  for (const [code, names] of Object.entries(COUNTRY_ALIASES)) for (const n of names) add(n, code);
  for (const locale of COUNTRY_NAME_LOCALES) {
    const styles: Array<'long' | 'short'> = locale === 'en' ? ['long', 'short'] : ['long'];
    for (const style of styles) {
      let names: Intl.DisplayNames;
      try {
        names = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
      } catch {
        continue; // a runtime built without this locale's data
      }
      for (const [a2] of COUNTRY_CODES) {
        const name = names.of(a2);
        if (name === undefined || name === a2) continue;
        add(name, a2);
        if (locale === 'en' && /^St\.? /.test(name)) add(name.replace(/^St\.? /, 'Saint '), a2);
        const bracket = /^(.*?)\s*[(（](.*?)[)）]\s*$/.exec(name);
        if (bracket !== null) {
          addWeak(bracket[1] ?? '', a2);
          if (locale === 'en') add(bracket[2] ?? '', a2);
        }
        const sar = /^(.*?)\s+SAR(?: China)?$/.exec(name);
        if (sar !== null) addWeak(sar[1] ?? '', a2);
      }
    }
  }
  for (const [key, code] of weak) if (code !== null && !map.has(key)) map.set(key, code);
  return map;
})();

/**
 * Resolves a country name or code to ISO 3166-1 alpha-2: every alpha-2 and alpha-3 code (plus
 * XK, Kosovo), the names of every country in English, Chinese (simplified and traditional),
 * German, French, Spanish, Italian, Portuguese, Dutch, Japanese, Korean and Russian (generated
 * from the runtime's ICU data with Intl.DisplayNames), and common other forms: PRC, 中华人民共和国,
 * UK, Great Britain, England, USA, America, Holland, 台湾, 香港, Deutschland, DEU, …
 *
 * Rejects COUNTRY_UNKNOWN for anything else, and for "NA" (Namibia's code, but far more often
 * "not available": write NAM or Namibia) and names of two countries ("Congo"). Issues use the
 * path `country`.
 */
export function standardizeCountry(value: string): TransformResult<string> {
  const s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The country is empty.');
  const key = fold(s);
  const code = LOOKUP.get(key);
  if (code !== undefined) return ok(code);
  if (key === 'na') {
    return rejectValue(FIELD, 'COUNTRY_UNKNOWN', '"NA" is ambiguous (Namibia or "not available"); write NAM or Namibia for Namibia.');
  }
  if (isNullToken(s)) return rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not a country.');
  if (AMBIGUOUS_COUNTRY_NAMES.has(key)) {
    return rejectValue(FIELD, 'COUNTRY_UNKNOWN', 'The name fits more than one country; use the ISO code.');
  }
  return rejectValue(FIELD, 'COUNTRY_UNKNOWN', 'Not a known country name or ISO 3166-1 code.');
}
