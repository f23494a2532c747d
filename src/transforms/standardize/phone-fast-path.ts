// A fast path for the common phone number shapes (internal module).
//
// libphonenumber-js builds a new RegExp from metadata strings on every match it makes
// (helpers/matchesEntirely.js), which caps parse + isValid + getType at about 40–50k numbers/s.
// This module follows the same algorithm over the same `max` metadata with the regular
// expressions compiled once per country, for input that is only digits (with an optional
// leading "+") and needs no special rule: it says valid (with E.164, region and line type) or
// invalid (with the length verdict) exactly as the library would. Anything else (IDD and "00"
// prefixes, national-prefix transform rules, non-geographic codes, extensions) returns undefined
// and the caller asks libphonenumber-js itself. A differential test over every country checks
// that the answers never differ from the library's.
import metadata from 'libphonenumber-js/max/metadata';
import type { PhoneNumberType } from 'libphonenumber-js/max';

interface TypeRule {
  type: PhoneNumberType;
  pattern: RegExp;
  lengths: readonly number[] | undefined;
}

interface Plan {
  country: string;
  callingCode: string;
  national: RegExp;
  possibleLengths: readonly number[] | undefined;
  prefixForParsing: RegExp | null;
  /** The same pattern, sticky: a test() leaves the match length in lastIndex, without an array. */
  prefixForParsingSticky: RegExp | null;
  hasTransformRule: boolean;
  idd: RegExp | null;
  leadingDigits: RegExp | null;
  hasTypes: boolean;
  fixedLine: TypeRule | undefined;
  mobile: TypeRule | undefined;
  /** The MOBILE entry exists with an empty pattern: it equals the fixed-line one. */
  mobileSameAsFixed: boolean;
  mobileMissing: boolean;
  /** Non-fixed-line types in the library's order of checking (after MOBILE). */
  others: TypeRule[];
}

// Index of each type in the minified metadata's type list, and the order the library checks them.
const TYPE_INDEX: Record<PhoneNumberType, number> = {
  FIXED_LINE: 0, MOBILE: 1, TOLL_FREE: 2, PREMIUM_RATE: 3, PERSONAL_NUMBER: 4, VOICEMAIL: 5,
  UAN: 6, PAGER: 7, VOIP: 8, SHARED_COST: 9, FIXED_LINE_OR_MOBILE: -1,
};
const OTHER_TYPES: PhoneNumberType[] = ['PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

type Minified = unknown[];
const countries = metadata.countries as Record<string, Minified | undefined>;
const callingCodes = metadata.country_calling_codes as Record<string, string[] | undefined>;
/** The fast path is only valid for the metadata layout it was written against. */
const ENABLED = metadata.version === 4;

const plans = new Map<string, Plan | null>();

/** True when the metadata has a numbering plan for the ISO2 code (upper case). */
export function isPhoneRegion(country: string): boolean {
  return countries[country] !== undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const nums = (v: unknown): readonly number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);

function compilePlan(country: string): Plan | null {
  const m = countries[country];
  if (m === undefined) return null;
  const callingCode = str(m[0]) ?? '';
  const possibleLengths = nums(m[3]);
  const nationalPrefix = str(m[5]);
  const npfp = str(m[7]) ?? nationalPrefix;
  const leading = str(m[10]);
  const types = Array.isArray(m[11]) ? (m[11] as unknown[]) : undefined;
  const idd = str(m[1]);
  const rule = (type: PhoneNumberType): TypeRule | undefined => {
    const t = types?.[TYPE_INDEX[type]];
    if (!Array.isArray(t)) return undefined;
    const pattern = str(t[0]);
    if (pattern === undefined) return undefined;
    return { type, pattern: new RegExp('^(?:' + pattern + ')$'), lengths: nums(t[1]) ?? possibleLengths };
  };
  const mobileEntry = types?.[TYPE_INDEX.MOBILE];
  return {
    country,
    callingCode,
    national: new RegExp('^(?:' + (str(m[2]) ?? '') + ')$'),
    possibleLengths,
    prefixForParsing: npfp === undefined ? null : new RegExp('^(?:' + npfp + ')'),
    prefixForParsingSticky: npfp === undefined ? null : new RegExp('(?:' + npfp + ')', 'y'),
    hasTransformRule: str(m[8]) !== undefined,
    idd: idd === undefined ? null : new RegExp('^(?:' + idd + ')'),
    leadingDigits: leading === undefined ? null : new RegExp('^(?:' + leading + ')'),
    hasTypes: types !== undefined && types.length > 0,
    fixedLine: rule('FIXED_LINE'),
    mobile: rule('MOBILE'),
    mobileSameAsFixed: Array.isArray(mobileEntry) && str(mobileEntry[0]) === undefined,
    mobileMissing: !Array.isArray(mobileEntry),
    others: OTHER_TYPES.map(rule).filter((r): r is TypeRule => r !== undefined),
  };
}

function planOf(country: string): Plan | null {
  let p = plans.get(country);
  if (p === undefined) {
    p = compilePlan(country);
    plans.set(country, p);
  }
  return p;
}

function isType(nn: string, rule: TypeRule | undefined): boolean {
  if (rule === undefined) return false;
  if (rule.lengths !== undefined && rule.lengths.indexOf(nn.length) < 0) return false;
  return rule.pattern.test(nn);
}

/** The library's getNumberType over a compiled plan. */
function numberType(nn: string, plan: Plan): PhoneNumberType | undefined {
  if (!plan.national.test(nn)) return undefined;
  if (isType(nn, plan.fixedLine)) {
    if (plan.mobileSameAsFixed || plan.mobileMissing || isType(nn, plan.mobile)) return 'FIXED_LINE_OR_MOBILE';
    return 'FIXED_LINE';
  }
  if (isType(nn, plan.mobile)) return 'MOBILE';
  for (const r of plan.others) if (isType(nn, r)) return r.type;
  return undefined;
}

/** A region for a national number, with its line type when finding the region computed it. */
interface Resolved {
  country: string | undefined;
  type: PhoneNumberType | undefined;
}

const NONE: Resolved = { country: undefined, type: undefined };

/**
 * The library's getCountryByCallingCode. When a region is chosen because the number is valid
 * there, its line type comes along, so it is not worked out twice.
 */
function resolveCountry(callingCode: string, nn: string): Resolved {
  const list = callingCodes[callingCode];
  if (list === undefined) return NONE;
  if (list.length === 1) return { country: list[0], type: undefined };
  for (const c of list) {
    const plan = planOf(c);
    if (plan === null) continue;
    if (plan.leadingDigits !== null) {
      if (plan.leadingDigits.test(nn)) return { country: c, type: undefined };
    } else {
      const type = numberType(nn, plan);
      if (type !== undefined) return { country: c, type };
    }
  }
  return NONE;
}

/** The library's isPossibleIncompleteNationalNumber test, negated. */
function lengthRejects(nn: string, lengths: readonly number[] | undefined): boolean {
  const v = lengthVerdict(nn, lengths);
  return v === 'TOO_SHORT' || v === 'INVALID_LENGTH';
}

/**
 * The library's extractNationalNumber: the national number, with its region when the check of
 * the stripped number already resolved it; undefined where a transform rule would apply.
 */
function nationalNumber(number: string, plan: Plan): { nn: string; resolved: Resolved | undefined } | undefined {
  if (plan.prefixForParsing === null || plan.prefixForParsingSticky === null) return { nn: number, resolved: undefined };
  let prefixLength: number;
  if (plan.hasTransformRule) {
    const m = plan.prefixForParsing.exec(number);
    if (m === null) return { nn: number, resolved: undefined };
    const groups = m.length - 1;
    if (groups > 0 && m[groups]) return undefined;
    prefixLength = m[0].length;
  } else {
    const sticky = plan.prefixForParsingSticky;
    sticky.lastIndex = 0;
    if (!sticky.test(number)) return { nn: number, resolved: undefined };
    prefixLength = sticky.lastIndex;
  }
  const nn = number.slice(prefixLength);
  if (nn === number) return { nn: number, resolved: undefined };
  if (plan.national.test(number) && !plan.national.test(nn)) return { nn: number, resolved: undefined };
  if (plan.possibleLengths !== undefined) {
    const resolved = resolveCountry(plan.callingCode, nn);
    const lengths = resolved.country === undefined ? plan.possibleLengths : planOf(resolved.country)?.possibleLengths;
    if (lengthRejects(nn, lengths)) return { nn: number, resolved: undefined };
    return { nn, resolved };
  }
  return { nn, resolved: undefined };
}

/** Why a number has the wrong length, as libphonenumber-js's validatePhoneNumberLength says it. */
export type LengthVerdict = 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';

/** The fast path's answer; undefined from {@link parsePhoneFast} means "ask libphonenumber-js". */
export type FastPhone =
  | { valid: true; e164: string; country: string | undefined; type: PhoneNumberType }
  | {
      valid: false;
      /** False when the library's parse itself fails (national number under 2 or over 17 digits). */
      parsed: boolean;
      country: string | undefined;
      /** The length verdict; undefined when the length is possible but no number range matches. */
      length: LengthVerdict | undefined;
    };

/** The library's checkNumberLength. */
function lengthVerdict(nn: string, lengths: readonly number[] | undefined): LengthVerdict | undefined {
  if (lengths === undefined) return undefined;
  const min = lengths[0] ?? 0;
  if (nn.length === min) return undefined;
  if (nn.length < min) return 'TOO_SHORT';
  if ((lengths[lengths.length - 1] ?? 0) < nn.length) return 'TOO_LONG';
  return lengths.indexOf(nn.length, 1) >= 0 ? undefined : 'INVALID_LENGTH';
}

/**
 * Parses `digits` (only ASCII digits, optionally one leading "+") against `defaultCountry`,
 * exactly as libphonenumber-js would: a valid number with its line type, or an invalid one with
 * the length verdict. Undefined for the shapes it leaves to the library.
 */
export function parsePhoneFast(digits: string, defaultCountry: string | undefined): FastPhone | undefined {
  if (!ENABLED || digits.startsWith('00')) return undefined;
  let callingCode: string;
  let plan: Plan | null;
  let rest: string;
  let initialCountry: string | undefined;
  if (digits.charCodeAt(0) === 43 /* + */) {
    if (digits.charCodeAt(1) === 48 /* 0 */) return undefined;
    let cc: string | undefined;
    for (let i = 2; i <= 4 && i <= digits.length; i++) {
      const candidate = digits.slice(1, i);
      if (callingCodes[candidate] !== undefined) {
        cc = candidate;
        break;
      }
      if (candidate.length === 3) return undefined; // non-geographic or unknown: library decides
    }
    if (cc === undefined) return undefined;
    const main = callingCodes[cc]?.[0];
    if (main === undefined || main.length !== 2) return undefined;
    callingCode = cc;
    plan = planOf(main);
    rest = digits.slice(1 + cc.length);
  } else {
    if (defaultCountry === undefined) return undefined;
    plan = planOf(defaultCountry);
    if (plan === null) return undefined;
    if (plan.idd !== null && plan.idd.test(digits)) return undefined;
    if (digits.startsWith(plan.callingCode)) return undefined;
    callingCode = plan.callingCode;
    rest = digits;
    initialCountry = defaultCountry;
  }
  if (plan === null || rest === '' || !plan.hasTypes) return undefined;
  const national = nationalNumber(rest, plan);
  if (national === undefined) return undefined;
  const nn = national.nn;
  if (nn.length < 2 || nn.length > 17) {
    return { valid: false, parsed: false, country: undefined, length: nn.length < 2 ? 'TOO_SHORT' : 'TOO_LONG' };
  }
  // The stripped number was resolved with the same calling code; reuse that answer.
  const resolved = national.resolved ?? resolveCountry(callingCode, nn);
  const country = resolved.country ?? initialCountry;
  const typePlan = country !== undefined ? planOf(country) : plan;
  if (typePlan === null || !typePlan.hasTypes) return undefined;
  const type = resolved.type !== undefined && resolved.country === country ? resolved.type : numberType(nn, typePlan);
  if (type === undefined) {
    return { valid: false, parsed: true, country, length: lengthVerdict(nn, typePlan.possibleLengths) };
  }
  return { valid: true, e164: '+' + callingCode + nn, country, type };
}
