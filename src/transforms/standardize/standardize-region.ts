import { ok, type TransformResult } from '../../core/issue.js';
import { rejectValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { standardizeCity } from './standardize-city.js';

const FIELD = 'region';
const SHORT_CODE = /^[A-Za-z]{2,3}$/;

/**
 * Standardizes a state, province or region: two- or three-letter codes upper case (nsw → NSW,
 * ca → CA, by → BY), names proper-cased like cities (new south wales → New South Wales,
 * NORDRHEIN-WESTFALEN → Nordrhein-Westfalen), CJK names as written. Not checked against a list
 * of regions. Rejects VALUE_PLACEHOLDER. Issues use the path `region`.
 */
export function standardizeRegion(value: string): TransformResult<string> {
  const s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The region is empty.');
  if (isNullToken(s)) return rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not a region.');
  if (SHORT_CODE.test(s)) return ok(s.toUpperCase());
  const r = standardizeCity(s);
  return r.ok ? r : rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not a region.');
}
