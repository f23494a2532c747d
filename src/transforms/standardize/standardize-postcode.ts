import { ok, type TransformResult } from '../../core/issue.js';
import { rejectValue, warnValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';

const FIELD = 'postal_code';

interface PostcodeRule {
  /** Tested against the code with spaces and hyphens removed. */
  pattern: RegExp;
  /** Display form from the compact code; default: the compact code. */
  format?: (compact: string) => string;
  /** All-digit codes: restore leading zeros a spreadsheet dropped, from this many digits up. */
  padFrom?: number;
  /** Example for messages. */
  example: string;
}

const split = (at: number, sep = ' ') => (c: string): string => c.slice(0, at) + sep + c.slice(at);
const d = (n: number): RegExp => new RegExp('^\\d{' + n + '}$');

/**
 * Postcode formats by ISO2 country. Countries not listed are normalized (upper case, single
 * spaces) but not checked. Hong Kong, Ireland before Eircode and the UAE have no postcodes.
 */
const RULES: Readonly<Record<string, PostcodeRule>> = {
  AU: { pattern: d(4), padFrom: 3, example: '2000' },
  US: { pattern: /^\d{5}(?:\d{4})?$/, format: (c) => (c.length === 9 ? c.slice(0, 5) + '-' + c.slice(5) : c), padFrom: 4, example: '10001 or 10001-1234' },
  GB: {
    pattern: /^(?:GIR0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?)\d[ABD-HJLNP-UW-Z]{2})$/,
    format: (c) => c.slice(0, -3) + ' ' + c.slice(-3),
    example: 'SW1A 1AA',
  },
  CN: { pattern: /^[0-8]\d{5}$/, example: '100000' },
  DE: { pattern: /^(?!00)\d{5}$/, padFrom: 4, example: '10115' },
  FR: { pattern: /^(?!00)\d{5}$/, padFrom: 4, example: '75001' },
  JP: { pattern: d(7), format: split(3, '-'), example: '100-0001' },
  CA: { pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/, format: split(3), example: 'K1A 0B1' },
  NL: { pattern: /^[1-9]\d{3}(?!SA|SD|SS)[A-Z]{2}$/, format: split(4), example: '1012 AB' },
  IN: { pattern: /^[1-9]\d{5}$/, example: '110001' },
  NZ: { pattern: d(4), padFrom: 3, example: '6011' },
  SG: { pattern: d(6), padFrom: 5, example: '018956' },
  TW: { pattern: /^\d{3}(?:\d{2,3})?$/, example: '100 or 10048' },
  KR: { pattern: d(5), padFrom: 4, example: '03187' },
  IT: { pattern: d(5), padFrom: 3, example: '00185' },
  ES: { pattern: /^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$/, padFrom: 4, example: '28001' },
  PT: { pattern: d(7), format: split(4, '-'), example: '1000-001' },
  BR: { pattern: d(8), format: split(5, '-'), padFrom: 7, example: '01310-100' },
  MX: { pattern: d(5), padFrom: 4, example: '06000' },
  SE: { pattern: /^[1-9]\d{4}$/, format: split(3), example: '111 22' },
  NO: { pattern: d(4), padFrom: 3, example: '0150' },
  DK: { pattern: /^[1-9]\d{3}$/, example: '1050' },
  FI: { pattern: d(5), padFrom: 3, example: '00100' },
  CH: { pattern: /^[1-9]\d{3}$/, example: '8001' },
  AT: { pattern: /^[1-9]\d{3}$/, example: '1010' },
  BE: { pattern: /^[1-9]\d{3}$/, example: '1000' },
  LU: { pattern: d(4), example: '1111' },
  PL: { pattern: d(5), format: split(2, '-'), example: '00-950' },
  CZ: { pattern: /^[1-7]\d{4}$/, format: split(3), example: '110 00' },
  SK: { pattern: /^[089]\d{4}$/, format: split(3), example: '811 01' },
  GR: { pattern: /^[1-8]\d{4}$/, format: split(3), example: '105 57' },
  HU: { pattern: /^[1-9]\d{3}$/, example: '1051' },
  IE: { pattern: /^(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[0-9AC-FHKNPRTV-Y]{4}$/, format: split(3), example: 'D02 X285' },
  RU: { pattern: /^[1-9]\d{5}$/, example: '101000' },
  ZA: { pattern: d(4), padFrom: 3, example: '0001' },
  MY: { pattern: d(5), padFrom: 4, example: '50000' },
  TH: { pattern: /^[1-9]\d{4}$/, example: '10200' },
  PH: { pattern: d(4), example: '1000' },
  ID: { pattern: /^[1-9]\d{4}$/, example: '10110' },
  VN: { pattern: d(6), example: '100000' },
  IL: { pattern: d(7), example: '9614303' },
  TR: { pattern: /^(?:0[1-9]|[1-7]\d|8[01])\d{3}$/, padFrom: 4, example: '06100' },
};

const RULE_MAP: ReadonlyMap<string, PostcodeRule> = new Map(Object.entries(RULES));
const COMPACT_NOISE = /[\s-]/g;
// "D-10115", "F-75001", "CH-8001": a country letter prefix on an all-digit code.
const LETTER_PREFIX = /^[A-Z]{1,3}\s*-\s*(?=\d)/;
const POSTAL_MARK = /^[〒〶]\s*/;

/**
 * Standardizes a postcode for `country` (ISO2): upper case, the country's spacing (SW1A 1AA,
 * K1A 0B1, 1012 AB, 100-0001, 10001-1234), a "D-"/"F-"… prefix and the Japanese 〒 mark dropped,
 * leading zeros lost to a spreadsheet restored for all-digit formats (AU 800 → 0800, US 2134 →
 * 02134, DE 1067 → 01067: POSTCODE_REPAIRED). Checked formats: AU, US, GB, CN, DE, FR, JP, CA,
 * NL, IN and 30 more (see RULES); POSTCODE_INVALID when a value does not fit. Without a country,
 * or for other countries, the value is only normalized. Issues use the path `postal_code`.
 */
export function standardizePostcode(value: string, country?: string | null): TransformResult<string> {
  let s = normalizeText(value).toUpperCase();
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The postcode is empty.');
  if (isNullToken(s)) return rejectValue(FIELD, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not a postcode.');
  if (s.charCodeAt(0) > 127) s = s.replace(POSTAL_MARK, '');
  const rule = country ? RULE_MAP.get(country) ?? RULE_MAP.get(country.toUpperCase()) : undefined;
  if (rule === undefined) return ok(s);
  let compact = s.indexOf(' ') < 0 && s.indexOf('-') < 0 ? s : s.replace(COMPACT_NOISE, '');
  if (rule.pattern.test(compact)) return ok(rule.format ? rule.format(compact) : compact);
  const unprefixed = s.replace(LETTER_PREFIX, '').replace(COMPACT_NOISE, '');
  if (unprefixed !== compact && rule.pattern.test(unprefixed)) {
    compact = unprefixed;
    return ok(rule.format ? rule.format(compact) : compact);
  }
  if (rule.padFrom !== undefined && /^\d+$/.test(compact) && compact.length >= rule.padFrom) {
    for (let padded = '0' + compact; padded.length <= rule.padFrom + 3; padded = '0' + padded) {
      if (rule.pattern.test(padded)) {
        return ok(rule.format ? rule.format(padded) : padded, [
          warnValue(FIELD, 'POSTCODE_REPAIRED', 'Leading zeros lost by a spreadsheet were restored.'),
        ]);
      }
    }
  }
  return rejectValue(FIELD, 'POSTCODE_INVALID', `The postcode does not match the ${country?.toUpperCase() ?? ''} format (for example ${rule.example}).`);
}

/** ISO2 codes of the countries whose postcode format is checked. */
export const POSTCODE_COUNTRIES: readonly string[] = Object.keys(RULES);
