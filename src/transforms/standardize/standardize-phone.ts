import {
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
  type PhoneNumberType,
} from 'libphonenumber-js/max';
import { ok, type Issue, type TransformResult } from '../../core/issue.js';
import { rejectValue, warnValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isPhoneRegion, parsePhoneFast } from './phone-fast-path.js';
import { isNullToken } from './placeholders.js';

const FIELD = 'phone';

/** Line type of a number, from libphonenumber's `max` metadata. */
export type PhoneLineType =
  | 'mobile'
  | 'fixed'
  | 'fixed_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'voip'
  | 'personal'
  | 'pager'
  | 'uan'
  | 'voicemail';

/** A standardized phone number. */
export interface StandardizedPhone {
  /** E.164: "+61412345678". */
  e164: string;
  /** Extension digits, when the value had one ("x123", "ext. 123", "转123"). */
  extension?: string;
  type?: PhoneLineType;
  /** ISO2 region the number belongs to, when libphonenumber can tell. */
  country?: string;
}

/** Options: the default region for numbers written without a country calling code. */
export interface PhoneOptions {
  country?: string | undefined;
}

const LINE_TYPES: Record<PhoneNumberType, PhoneLineType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed',
  FIXED_LINE_OR_MOBILE: 'fixed_or_mobile',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

// Separators people type inside numbers; after NFKC the full-width ones are ASCII already. A
// slash is left out: it may separate two numbers, which the slow path sorts out.
const SEPARATORS = /[\s\-.()[\]~\u2010-\u2015\u2212\u30fc]/g;
const DIGITS_ONLY = /^\+?\d+$/;
const NON_DIGIT = /\D/g;
// "Tel:", "Mob.", "Ph:", "电话：", "手机:" labels before the number.
const LABEL = /^(?:tel|telephone|phone|ph|mob|mobile|cell|fax|m|t|p|h|w|电话|電話|手机|手機|座机|座機|联系电话|聯絡電話)\s*[.:]?\s*(?=[+\d(])/i;
// Chinese/Japanese extension words become "ext" so libphonenumber reads them.
const CJK_EXTENSION = /\s*(?:转|轉|分机|分機|内线|內線|内線)\s*/g;
// Value separators between two numbers; "/" only counts when both sides look like whole numbers.
const LIST_SEPARATOR = /\s*(?:[;,|]|\s(?:or|oder|ou|或)\s|\s\/\s)\s*/i;
const EXTENSION_TAIL = /(?:\s*(?:ext|x|#|extension|e)\.?\s*\d+)$/i;

/**
 * Parses a phone number to E.164 with libphonenumber-js (`max` metadata: full validity and line
 * type). A number without a country calling code is read against `options.country` (an ISO2
 * code; an unsupported one counts as absent). Full-width digits, labels ("Tel:", "手机："),
 * extensions (x123, ext. 123, #123, 转123), "00" international prefixes and a "(0)" trunk digit
 * after the country code are understood. Several numbers in one value: the first is kept
 * (PHONE_MULTIPLE).
 *
 * Rejects: PHONE_PLACEHOLDER (N/A, none, 0000000000, 1234567890, one digit repeated),
 * PHONE_NO_REGION (national format and no default country), PHONE_INVALID with the reason
 * (too short, too long, wrong length for the region, unknown country calling code, not a number
 * in use for the region).
 *
 * Common shapes take a compiled fast path that gives the library's exact answer (see
 * phone-fast-path.ts); everything else goes through libphonenumber-js.
 */
export function standardizePhone(value: string, options: PhoneOptions = {}): TransformResult<StandardizedPhone> {
  let s = normalizeText(value);
  if (s === '') return rejectValue(FIELD, 'VALUE_EMPTY', 'The phone number is empty.');
  const country = regionOf(options.country);

  // The fast path: nothing but digits and separators.
  const simple = compactDigits(s);
  const compact = simple ?? s.replace(SEPARATORS, '');
  if (simple !== null ? simple !== '' && simple !== '+' : DIGITS_ONLY.test(compact)) {
    if (isPlaceholderDigits(compact)) return placeholder();
    const fast = parsePhoneFast(compact, country);
    if (fast === undefined) return parseSlow(s, country, []);
    if (!fast.valid) return invalidReason(compact.charCodeAt(0) === 43, country, fast.parsed ? fast.country : undefined, fast.parsed, fast.length);
    return ok(fast.country === undefined
      ? { e164: fast.e164, type: LINE_TYPES[fast.type] }
      : { e164: fast.e164, type: LINE_TYPES[fast.type], country: fast.country });
  }

  if (isNullToken(s)) return placeholder();
  if (!/\d/.test(s)) {
    return rejectValue(FIELD, 'PHONE_INVALID', 'The value has no digits.');
  }
  const issues: Issue[] = [];
  s = s.replace(LABEL, '');
  const parts = s.split(LIST_SEPARATOR).filter((p) => /\d/.test(p));
  if (parts.length > 1) {
    issues.push(warnValue(FIELD, 'PHONE_MULTIPLE', 'The value held several numbers; the first was kept.'));
    s = parts[0] ?? s;
  } else {
    const slash = splitOnSlash(s);
    if (slash !== undefined) {
      issues.push(warnValue(FIELD, 'PHONE_MULTIPLE', 'The value held several numbers; the first was kept.'));
      s = slash;
    }
  }
  s = s.replace(CJK_EXTENSION, ' ext. ');
  const main = s.replace(EXTENSION_TAIL, '').replace(NON_DIGIT, '');
  if (isPlaceholderDigits(main)) return placeholder();
  return parseSlow(s, country, issues);
}

/**
 * The digits of a number written with ASCII separators (space - . ( ) [ ] ~) and an optional
 * leading "+"; null when anything else appears (the regex path then decides).
 */
function compactDigits(s: string): string | null {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c === 43 && i === 0)) continue;
    if (c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 91 || c === 93 || c === 126) {
      out += s.slice(start, i);
      start = i + 1;
      continue;
    }
    return null;
  }
  return start === 0 ? s : out + s.slice(start);
}

/** The default region as libphonenumber's CountryCode, or undefined when absent or unsupported. */
function regionOf(country: string | undefined): CountryCode | undefined {
  if (country === undefined) return undefined;
  const upper = isUpperAscii(country) ? country : country.toUpperCase();
  // Same `max` metadata as isSupportedCountry, without the call overhead on every number.
  return isPhoneRegion(upper) ? (upper as CountryCode) : undefined;
}

function isUpperAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

/** "0412 345 678/02 9876 5432": a slash between two whole numbers (not DE "030/1234567"). */
function splitOnSlash(s: string): string | undefined {
  const i = s.indexOf('/');
  if (i < 0) return undefined;
  const left = s.slice(0, i).replace(NON_DIGIT, '');
  const right = s.slice(i + 1).replace(NON_DIGIT, '');
  return left.length >= 8 && right.length >= 8 ? s.slice(0, i).trim() : undefined;
}

function placeholder(): TransformResult<never> {
  return rejectValue(FIELD, 'PHONE_PLACEHOLDER', 'The value is a placeholder, not a phone number.');
}

const SEQUENCES = ['0123456789', '1234567890', '9876543210', '0987654321'];

function allSame(d: string, from: number): boolean {
  for (let i = from + 1; i < d.length; i++) if (d.charCodeAt(i) !== d.charCodeAt(from)) return false;
  return true;
}

/**
 * Not numbers anyone has: one digit repeated (0000000, 1111111111), eight zeros after a real
 * prefix (+61 000 000 000, 02 0000 0000), a counting run (1234567890). Repeated lucky digits after
 * a prefix are real numbers (+86 138 8888 8888) and pass.
 */
function isPlaceholderDigits(s: string): boolean {
  const d = s.charCodeAt(0) === 43 ? s.slice(1) : s;
  if (d.length < 5) return false;
  if (allSame(d, 0)) return true;
  if (d.length >= 10 && d.charCodeAt(d.length - 8) === 48 && allSame(d, d.length - 8)) return true;
  const c0 = d.charCodeAt(0);
  if (d.length < 7 || (c0 !== 48 && c0 !== 49 && c0 !== 57)) return false;
  for (const q of SEQUENCES) if (q.startsWith(d)) return true;
  return false;
}

function parseSlow(s: string, country: CountryCode | undefined, issues: Issue[]): TransformResult<StandardizedPhone> {
  let phone = tryParse(s, country);
  // "0049 30 1234567" read in a country whose international prefix is not 00 (AU: 0011).
  if ((phone === undefined || !phone.isValid()) && /^\s*00[1-9]/.test(s)) {
    const retry = tryParse('+' + s.trim().slice(2), country);
    if (retry?.isValid() === true) phone = retry;
  }
  if (phone === undefined || !phone.isValid()) return invalid(s, country, phone);
  const type = phone.getType();
  const out: StandardizedPhone = { e164: phone.number };
  if (phone.ext !== undefined && phone.ext !== '') out.extension = phone.ext;
  if (type !== undefined) out.type = LINE_TYPES[type];
  if (phone.country !== undefined) out.country = phone.country;
  return ok(out, issues);
}

function tryParse(s: string, country: CountryCode | undefined): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(s, country === undefined ? { extract: false } : { defaultCountry: country, extract: false });
  } catch (e: unknown) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

function invalid(s: string, country: CountryCode | undefined, phone: PhoneNumber | undefined): TransformResult<never> {
  const international = /^\s*\+/.test(s);
  const verdict = country === undefined ? validatePhoneNumberLength(s) : validatePhoneNumberLength(s, country);
  return invalidReason(international, country, phone?.country, phone !== undefined, verdict);
}

/** The rejection for an invalid number, from the parse outcome and the length verdict. */
function invalidReason(
  international: boolean,
  country: string | undefined,
  phoneCountry: string | undefined,
  parsed: boolean,
  verdict: string | undefined,
): TransformResult<never> {
  if (!international && country === undefined && !parsed) {
    return rejectValue(FIELD, 'PHONE_NO_REGION', 'The number has no country calling code and the source has no default country.');
  }
  const region = parsed ? phoneCountry : international ? undefined : country;
  const where = region !== undefined ? ` for ${region}` : '';
  let reason: string;
  switch (verdict) {
    case 'TOO_SHORT':
      reason = `The number is too short${where}.`;
      break;
    case 'TOO_LONG':
      reason = `The number is too long${where}.`;
      break;
    case 'INVALID_LENGTH':
      reason = `The number has the wrong number of digits${where}.`;
      break;
    case 'INVALID_COUNTRY':
      reason = 'The country calling code is unknown.';
      break;
    case 'NOT_A_NUMBER':
      reason = 'The value is not a phone number.';
      break;
    default:
      reason = `The number is not a valid number${where} (no such number range).`;
  }
  return rejectValue(FIELD, 'PHONE_INVALID', reason);
}

/** The record form of a phone: E.164 with the extension as ";ext=123" (RFC 3966 style). */
export function formatPhoneValue(phone: StandardizedPhone): string {
  return phone.extension === undefined ? phone.e164 : phone.e164 + ';ext=' + phone.extension;
}
