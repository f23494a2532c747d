import { ok, type TransformResult } from '../../core/issue.js';
import { rejectValue, warnValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';

/** Standardized gender: male, female, or X (non-binary, diverse, other). */
export type Gender = 'M' | 'F' | 'X';

const FIELD = 'gender';

// Keys are lower case with dots and spaces removed.
const GENDERS = new Map<string, Gender>();
for (const [words, g] of [
  ['m male man boy mr masculine masculino masculin männlich maennlich mannlich mann herr homme hombre uomo maschio 男 男性 男士 男生 先生 남 남자 남성', 'M'],
  ['f female woman girl mrs ms miss feminine femenino féminin feminin weiblich w frau femme mujer donna femmina 女 女性 女士 女生 小姐 여 여자 여성', 'F'],
  ['x nonbinary non-binary nb enby diverse divers d other andere autre otro intersex 其他 非二元 その他 기타', 'X'],
] as const) {
  for (const w of words.split(' ')) GENDERS.set(w, g);
}
// Values that say the gender is not known; reported the same way as unreadable ones.
const UNKNOWN_WORDS = new Set(['u', 'unknown', 'unk', 'na', 'n/a', 'notknown', 'notstated', 'unspecified', 'prefernottosay', '?', '-', '未知', '不详', '不詳']);
const KEY_NOISE = /[.\s_]/g;
const KEY_NOISE_TEST = /[.\s_]/;
const NUMERIC = /^\d+$/;

/**
 * Maps a gender value to M, F or X: English, German, French, Spanish, Italian, Chinese,
 * Japanese and Korean words and the usual letters (m, f, w for weiblich, d for divers). Numeric
 * codes (1/2, 0/1) differ by source and are never guessed: map them in the source mapping.
 * Anything else becomes null with GENDER_UNKNOWN (warn): a missing gender is not a bad record.
 */
export function standardizeGender(value: string): TransformResult<Gender | null> {
  const s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The gender is empty.');
  const lower = s.toLowerCase();
  const key = lower.length > 1 && KEY_NOISE_TEST.test(lower) ? lower.replace(KEY_NOISE, '') : lower;
  const g = GENDERS.get(key);
  if (g !== undefined) return ok(g);
  let message: string;
  if (NUMERIC.test(key)) message = 'Numeric gender codes are source-specific and are not guessed; map them in the source configuration.';
  else if (UNKNOWN_WORDS.has(key)) message = 'The gender is recorded as unknown.';
  else message = 'The gender value is not recognized.';
  return ok(null, [warnValue(FIELD, 'GENDER_UNKNOWN', message)]);
}
