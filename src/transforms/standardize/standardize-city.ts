import { ok, type TransformResult } from '../../core/issue.js';
import { rejectValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { splitWords } from './split-words.js';
import { capitalizeWord, PARTICLES } from './proper-case.js';

const FIELD = 'city';

// Small words kept lower case inside place names: Stoke-on-Trent, Frankfurt am Main,
// Aix-en-Provence, Newcastle upon Tyne, Rio de Janeiro, Dar es Salaam.
const SMALL_WORDS = new Set([...PARTICLES, 'on', 'upon', 'am', 'im', 'an', 'sur', 'sous', 'en', 'lès', 'les', 'lez', 'aux', 'au', 'es', 'of', 'and', 'under', 'by', 'ob', 'bei']);
const LATIN_LETTER = /[A-Za-z\u00c0-\u024f]/;

function casePlaceWord(word: string, first: boolean): string {
  if (word.indexOf('-') > 0) {
    return word
      .split('-')
      .map((p, i) => (i > 0 && SMALL_WORDS.has(p.toLowerCase()) ? p.toLowerCase() : capitalizeWord(p)))
      .join('-');
  }
  return !first && SMALL_WORDS.has(word.toLowerCase()) ? word.toLowerCase() : capitalizeWord(word);
}

/**
 * Standardizes a city or locality name: normalized, proper case with lower-case joining words
 * inside the name (Stoke-on-Trent, Frankfurt am Main, Rio de Janeiro); CJK names as written
 * (北京市 keeps its 市). Rejects VALUE_PLACEHOLDER. Issues use the path `city`.
 */
export function standardizeCity(value: string): TransformResult<string> {
  const s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The city is empty.');
  if (isNullToken(s)) return rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not a city.');
  if (!LATIN_LETTER.test(s)) return ok(s);
  const words = splitWords(s);
  let out = casePlaceWord(words[0] ?? '', true);
  for (let i = 1; i < words.length; i++) out += ' ' + casePlaceWord(words[i] ?? '', false);
  return ok(out);
}
