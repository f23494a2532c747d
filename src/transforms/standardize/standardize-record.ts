import type { CanonicalField, CanonicalValues } from '../../core/fields.js';
import type { Issue, TransformResult } from '../../core/issue.js';
import type { StandardizeContext } from './context.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';
import { standardizeNationalId, standardizeTaxId } from './standardize-identifier.js';
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
import type { MemoTable, StandardizeCache } from './standardize-cache.js';

/** The outcome of standardizing one record. */
export interface StandardizedRecord {
  /** Clean values; a rejected or blank field is null, an absent field stays absent. */
  values: CanonicalValues;
  /** Every issue found, with `path` set to the canonical field. */
  issues: Issue[];
  /** Original text of every rejected field, for the rejects table. */
  rejected: Record<string, string>;
}

/** Adds a field rule's issues to the record's, with the path set to the canonical field. */
function collect(into: Issue[], from: readonly Issue[], field: CanonicalField): void {
  for (let i = 0; i < from.length; i++) {
    const issue = from[i] as Issue;
    if (issue.path.length !== 1 || issue.path[0] !== field) issue.path = [field];
    into.push(issue);
  }
}

/** Like {@link collect} for a memoized result: each record gets its own copies of the issues. */
function collectCopies(into: Issue[], from: readonly Issue[], field: CanonicalField): void {
  for (let i = 0; i < from.length; i++) {
    const issue = from[i] as Issue;
    into.push({ code: issue.code, path: [field], message: issue.message, severity: issue.severity });
  }
}

/** The memoized result for `key`, or undefined (no cache, or not seen yet). */
function recall<T>(table: MemoTable<T> | undefined, key: string): TransformResult<T> | undefined {
  return table === undefined ? undefined : table.get(key);
}

/**
 * True when a present value is blank. Only text that starts and ends with a space, control or
 * non-ASCII character can be blank; the rules normalize their input themselves, so the text is
 * not normalized here (doing it twice costs throughput).
 */
function isBlank(v: string | null): boolean {
  if (v === null || v === '') return true;
  const c0 = v.charCodeAt(0);
  const cn = v.charCodeAt(v.length - 1);
  if ((c0 > 32 && c0 < 127) || (cn > 32 && cn < 127)) return false;
  return normalizeText(v) === '';
}

/** Two ASCII capitals: an ISO2 code that needs no upper-casing. */
function isUpperCode(s: string): boolean {
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  return s.length === 2 && a >= 65 && a <= 90 && b >= 65 && b <= 90;
}

function idRule(field: 'national_id' | 'tax_id', value: string): TransformResult<string> {
  const s = normalizeText(value);
  if (isNullToken(s)) return rejectValue(field, 'VALUE_PLACEHOLDER', 'The value is a placeholder, not an identifier.');
  return field === 'national_id' ? standardizeNationalId(s) : standardizeTaxId(s);
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
 *   null; national_id and tax_id are upper-cased without spaces or dashes, and checked where the
 *   format has a check character (Chinese resident identity number, unified social credit code).
 *
 * `cache` (optional, from {@link createStandardizeCache}, one per source run) memoizes the
 * repetitive fields; the output is identical with or without it.
 */
export function standardizeRecord(values: CanonicalValues, ctx: StandardizeContext, cache?: StandardizeCache): StandardizedRecord {
  // Named property access throughout (no field-name variables): records of one source share a
  // shape and V8 keeps such accesses fast, while a keyed access through a variable is not.
  const out: CanonicalValues = {};
  const issues: Issue[] = [];
  const rejected: Record<string, string> = {};
  let v: string | null | undefined;

  let country = ctx.country === undefined || isUpperCode(ctx.country) ? ctx.country : ctx.country.toUpperCase();
  v = values.country;
  if (v !== undefined) {
    if (isBlank(v)) out.country = null;
    else {
      const key = v as string;
      let r = recall(cache?.country, key);
      if (r === undefined) {
        r = standardizeCountry(key);
        cache?.country.put(key, r);
        collect(issues, r.issues, 'country');
      } else collectCopies(issues, r.issues, 'country');
      if (r.ok) out.country = country = r.value;
      else {
        out.country = null;
        rejected.country = key;
      }
    }
  }

  // Names.
  const full = values.full_name;
  const given = values.given_name;
  const family = values.family_name;
  const fullBlank = full === undefined || isBlank(full);
  const givenBlank = given === undefined || isBlank(given);
  const familyBlank = family === undefined || isBlank(family);
  const splitFull = !fullBlank && givenBlank && familyBlank;
  if (full !== undefined) {
    if (fullBlank) out.full_name = null;
    else {
      const r = standardizePersonName(full as string, { country });
      if (r.ok) {
        out.full_name = r.value.full;
        if (splitFull) {
          out.given_name = r.value.given;
          out.family_name = r.value.family;
        }
      } else {
        out.full_name = null;
        rejected.full_name = full as string;
      }
      collect(issues, r.issues, 'full_name');
    }
  }
  if (!splitFull) {
    if (given !== undefined) {
      if (givenBlank) out.given_name = null;
      else {
        let r = recall(cache?.givenName, given as string);
        if (r === undefined) {
          r = standardizeGivenName(given as string);
          cache?.givenName.put(given as string, r);
          collect(issues, r.issues, 'given_name');
        } else collectCopies(issues, r.issues, 'given_name');
        if (r.ok) out.given_name = r.value;
        else {
          out.given_name = null;
          rejected.given_name = given as string;
        }
      }
    }
    if (family !== undefined) {
      if (familyBlank) out.family_name = null;
      else {
        let r = recall(cache?.familyName, family as string);
        if (r === undefined) {
          r = standardizeFamilyName(family as string);
          cache?.familyName.put(family as string, r);
          collect(issues, r.issues, 'family_name');
        } else collectCopies(issues, r.issues, 'family_name');
        if (r.ok) out.family_name = r.value;
        else {
          out.family_name = null;
          rejected.family_name = family as string;
        }
      }
    }
    if (fullBlank) {
      const composed = composeFullName(out.given_name, out.family_name);
      if (composed !== null || full !== undefined) out.full_name = composed;
    }
  }

  v = values.company_name;
  if (v !== undefined) {
    if (isBlank(v)) out.company_name = null;
    else {
      const key = v as string;
      let r = recall(cache?.companyName, key);
      if (r === undefined) {
        r = standardizeCompanyName(v as string);
        cache?.companyName.put(key, r);
        collect(issues, r.issues, 'company_name');
      } else collectCopies(issues, r.issues, 'company_name');
      if (r.ok) out.company_name = r.value;
      else {
        out.company_name = null;
        rejected.company_name = v as string;
      }
    }
  }

  v = values.email;
  if (v !== undefined) {
    if (isBlank(v)) out.email = null;
    else {
      const r = standardizeEmail(v as string);
      if (r.ok) out.email = r.value;
      else {
        out.email = null;
        rejected.email = v as string;
      }
      collect(issues, r.issues, 'email');
    }
  }

  v = values.phone;
  if (v !== undefined) {
    if (isBlank(v)) out.phone = null;
    else {
      const r = standardizePhone(v as string, { country });
      if (r.ok) out.phone = formatPhoneValue(r.value);
      else {
        out.phone = null;
        rejected.phone = v as string;
      }
      collect(issues, r.issues, 'phone');
    }
  }

  const dateCtx = { today: ctx.today, country, dateOrder: ctx.dateOrder };
  v = values.birth_date;
  if (v !== undefined) {
    if (isBlank(v)) out.birth_date = null;
    else {
      const r = standardizeBirthDate(v as string, dateCtx);
      if (r.ok) out.birth_date = r.value;
      else {
        out.birth_date = null;
        rejected.birth_date = v as string;
      }
      collect(issues, r.issues, 'birth_date');
    }
  }

  v = values.gender;
  if (v !== undefined) {
    if (isBlank(v)) out.gender = null;
    else {
      const key = v as string;
      let r = recall(cache?.gender, key);
      if (r === undefined) {
        r = standardizeGender(v as string);
        cache?.gender.put(key, r);
        collect(issues, r.issues, 'gender');
      } else collectCopies(issues, r.issues, 'gender');
      if (r.ok) out.gender = r.value;
      else {
        out.gender = null;
        rejected.gender = v as string;
      }
    }
  }

  v = values.national_id;
  if (v !== undefined) {
    if (isBlank(v)) out.national_id = null;
    else {
      const r = idRule('national_id', v as string);
      if (r.ok) out.national_id = r.value;
      else {
        out.national_id = null;
        rejected.national_id = v as string;
      }
      collect(issues, r.issues, 'national_id');
    }
  }

  v = values.tax_id;
  if (v !== undefined) {
    if (isBlank(v)) out.tax_id = null;
    else {
      const r = idRule('tax_id', v as string);
      if (r.ok) out.tax_id = r.value;
      else {
        out.tax_id = null;
        rejected.tax_id = v as string;
      }
      collect(issues, r.issues, 'tax_id');
    }
  }

  const addressOptions = { country };
  v = values.address_line1;
  if (v !== undefined) {
    if (isBlank(v)) out.address_line1 = null;
    else {
      const r = standardizeAddressLine(v as string, addressOptions);
      if (r.ok) out.address_line1 = r.value;
      else {
        out.address_line1 = null;
        rejected.address_line1 = v as string;
      }
      collect(issues, r.issues, 'address_line1');
    }
  }

  v = values.address_line2;
  if (v !== undefined) {
    if (isBlank(v)) out.address_line2 = null;
    else {
      const r = standardizeAddressLine(v as string, addressOptions);
      if (r.ok) out.address_line2 = r.value;
      else {
        out.address_line2 = null;
        rejected.address_line2 = v as string;
      }
      collect(issues, r.issues, 'address_line2');
    }
  }

  v = values.city;
  if (v !== undefined) {
    if (isBlank(v)) out.city = null;
    else {
      const key = v as string;
      let r = recall(cache?.city, key);
      if (r === undefined) {
        r = standardizeCity(v as string);
        cache?.city.put(key, r);
        collect(issues, r.issues, 'city');
      } else collectCopies(issues, r.issues, 'city');
      if (r.ok) out.city = r.value;
      else {
        out.city = null;
        rejected.city = v as string;
      }
    }
  }

  v = values.region;
  if (v !== undefined) {
    if (isBlank(v)) out.region = null;
    else {
      const key = v as string;
      let r = recall(cache?.region, key);
      if (r === undefined) {
        r = standardizeRegion(v as string);
        cache?.region.put(key, r);
        collect(issues, r.issues, 'region');
      } else collectCopies(issues, r.issues, 'region');
      if (r.ok) out.region = r.value;
      else {
        out.region = null;
        rejected.region = v as string;
      }
    }
  }

  v = values.postal_code;
  if (v !== undefined) {
    if (isBlank(v)) out.postal_code = null;
    else {
      const key = (country ?? '') + '\u0000' + (v as string);
      let r = recall(cache?.postcode, key);
      if (r === undefined) {
        r = standardizePostcode(v as string, country);
        cache?.postcode.put(key, r);
        collect(issues, r.issues, 'postal_code');
      } else collectCopies(issues, r.issues, 'postal_code');
      if (r.ok) out.postal_code = r.value;
      else {
        out.postal_code = null;
        rejected.postal_code = v as string;
      }
    }
  }

  v = values.source_updated_at;
  if (v !== undefined) {
    if (isBlank(v)) out.source_updated_at = null;
    else {
      const r = standardizeDateTime(v as string, dateCtx);
      if (r.ok) out.source_updated_at = r.value;
      else {
        out.source_updated_at = null;
        rejected.source_updated_at = v as string;
      }
      collect(issues, r.issues, 'source_updated_at');
    }
  }

  return { values: out, issues, rejected };
}
