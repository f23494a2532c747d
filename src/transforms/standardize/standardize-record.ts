import type { CanonicalField, CanonicalValues } from '../../core/fields.js';
import type { Issue, TransformResult } from '../../core/issue.js';
import type { StandardizeContext } from './context.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { standardizeAddressLine } from './standardize-address-line.js';
import { standardizeCity } from './standardize-city.js';
import { standardizeCompanyName } from './standardize-company-name.js';
import { standardizeCountry } from './standardize-country.js';
import { standardizeBirthDate, standardizeDateTime } from './standardize-date.js';
import { standardizeEmail } from './standardize-email.js';
import { standardizeGender } from './standardize-gender.js';
import {
  composeFullName,
  standardizeFamilyName,
  standardizeGivenName,
  standardizePersonName,
} from './standardize-person-name.js';
import { formatPhoneValue, standardizePhone } from './standardize-phone.js';
import { standardizePostcode } from './standardize-postcode.js';
import { standardizeRegion } from './standardize-region.js';
import { rejectValue } from './issue-codes.js';

/** The outcome of standardizing one record. */
export interface StandardizedRecord {
  /** Clean values; a rejected or blank field is null, an absent field stays absent. */
  values: CanonicalValues;
  /** Every issue found, with `path` set to the canonical field. */
  issues: Issue[];
  /** Original text of every rejected field, for the rejects table. */
  rejected: Record<string, string>;
}

class RecordBuilder {
  readonly values: CanonicalValues = {};
  readonly issues: Issue[] = [];
  readonly rejected: Record<string, string> = {};

  take<T>(field: CanonicalField, raw: string, r: TransformResult<T>, toValue: (v: T) => string | null): void {
    for (const issue of r.issues) {
      if (issue.path.length !== 1 || issue.path[0] !== field) issue.path = [field];
      this.issues.push(issue);
    }
    if (r.ok) {
      this.values[field] = toValue(r.value);
    } else {
      this.values[field] = null;
      this.rejected[field] = raw;
    }
  }
}

const same = <T>(v: T): T => v;

/** Normalized text of a field, or null when absent or blank; undefined keeps "absent" apart. */
function read(values: CanonicalValues, field: CanonicalField): string | null | undefined {
  const v = values[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  const s = normalizeText(v);
  return s === '' ? null : s;
}

function idRule(field: 'national_id' | 'tax_id', s: string): TransformResult<string> {
  if (isNullToken(s)) return rejectValue(field, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not an identifier.');
  return { ok: true, value: s.toUpperCase(), issues: [] };
}

/**
 * Standardizes every canonical field of a record: normalizeText first, then the field's rule.
 * A rejected value leaves the field null and its original text in `rejected`; a blank value is
 * null without an issue; an absent field stays absent.
 *
 * - The record's own country (when it resolves) is the region for its phone, postcode, address
 *   and date order; otherwise `ctx.country`.
 * - full_name without given_name and family_name is split into them; given/family without
 *   full_name compose it (CJK: family + given without a space). Honorifics are dropped from the
 *   values (there is no canonical field for them); suffixes stay in full_name.
 * - phone is E.164, with ";ext=123" when there is an extension; email is the cleaned address;
 *   birth_date is yyyy-mm-dd; source_updated_at is an ISO date-time or date; gender is M/F/X or
 *   null; national_id and tax_id are upper-cased, otherwise as written.
 */
export function standardizeRecord(values: CanonicalValues, ctx: StandardizeContext): StandardizedRecord {
  const b = new RecordBuilder();
  const raw = (f: CanonicalField): string => values[f] ?? '';

  let country = ctx.country?.toUpperCase();
  const countryText = read(values, 'country');
  if (countryText !== undefined) {
    if (countryText === null) {
      b.values.country = null;
    } else {
      const r = standardizeCountry(countryText);
      b.take('country', raw('country'), r, same);
      if (r.ok) country = r.value;
    }
  }

  // Names.
  const full = read(values, 'full_name');
  const given = read(values, 'given_name');
  const family = read(values, 'family_name');
  const splitFull = full != null && given == null && family == null;
  if (full !== undefined) {
    if (full === null) {
      b.values.full_name = null;
    } else {
      const r = standardizePersonName(full, { country });
      b.take('full_name', raw('full_name'), r, (n) => n.full);
      if (splitFull && r.ok) {
        b.values.given_name = r.value.given;
        b.values.family_name = r.value.family;
      }
    }
  }
  if (!splitFull) {
    if (given !== undefined) {
      if (given === null) b.values.given_name = null;
      else b.take('given_name', raw('given_name'), standardizeGivenName(given), same);
    }
    if (family !== undefined) {
      if (family === null) b.values.family_name = null;
      else b.take('family_name', raw('family_name'), standardizeFamilyName(family), same);
    }
    if (full == null) {
      const composed = composeFullName(b.values.given_name, b.values.family_name);
      if (composed !== null || full === null) b.values.full_name = composed;
    }
  }

  const company = read(values, 'company_name');
  if (company !== undefined) {
    if (company === null) b.values.company_name = null;
    else b.take('company_name', raw('company_name'), standardizeCompanyName(company), same);
  }

  const email = read(values, 'email');
  if (email !== undefined) {
    if (email === null) b.values.email = null;
    else b.take('email', raw('email'), standardizeEmail(email), same);
  }

  const phone = read(values, 'phone');
  if (phone !== undefined) {
    if (phone === null) b.values.phone = null;
    else b.take('phone', raw('phone'), standardizePhone(phone, { country }), formatPhoneValue);
  }

  const dateCtx = { today: ctx.today, country, dateOrder: ctx.dateOrder };
  const birth = read(values, 'birth_date');
  if (birth !== undefined) {
    if (birth === null) b.values.birth_date = null;
    else b.take('birth_date', raw('birth_date'), standardizeBirthDate(birth, dateCtx), same);
  }

  const gender = read(values, 'gender');
  if (gender !== undefined) {
    if (gender === null) b.values.gender = null;
    else b.take('gender', raw('gender'), standardizeGender(gender), same);
  }

  for (const field of ['national_id', 'tax_id'] as const) {
    const v = read(values, field);
    if (v === undefined) continue;
    if (v === null) b.values[field] = null;
    else b.take(field, raw(field), idRule(field, v), same);
  }

  for (const field of ['address_line1', 'address_line2'] as const) {
    const v = read(values, field);
    if (v === undefined) continue;
    if (v === null) b.values[field] = null;
    else b.take(field, raw(field), standardizeAddressLine(v, { country }), same);
  }

  const city = read(values, 'city');
  if (city !== undefined) {
    if (city === null) b.values.city = null;
    else b.take('city', raw('city'), standardizeCity(city), same);
  }

  const region = read(values, 'region');
  if (region !== undefined) {
    if (region === null) b.values.region = null;
    else b.take('region', raw('region'), standardizeRegion(region), same);
  }

  const postcode = read(values, 'postal_code');
  if (postcode !== undefined) {
    if (postcode === null) b.values.postal_code = null;
    else b.take('postal_code', raw('postal_code'), standardizePostcode(postcode, country), same);
  }

  const updated = read(values, 'source_updated_at');
  if (updated !== undefined) {
    if (updated === null) b.values.source_updated_at = null;
    else b.take('source_updated_at', raw('source_updated_at'), standardizeDateTime(updated, dateCtx), same);
  }

  return { values: b.values, issues: b.issues, rejected: b.rejected };
}
