import { fail, warning, type Issue, type TransformResult } from '../../core/issue.js';

/**
 * The closed set of issue codes the standardizers emit, each with its fixed severity and a one-line
 * description. `reject`: the value was unusable, the field is empty in the clean record and the
 * original text goes to the rejects table. `warn`: the value was kept (possibly repaired).
 *
 * A code always has the same severity, so quality reports can count by code alone.
 */
export const STANDARDIZE_ISSUE_CODES = {
  VALUE_EMPTY: { severity: 'reject', description: 'Nothing left after normalizing the text (standalone calls only: standardizeRecord treats a blank as absent, not as an issue).' },
  VALUE_PLACEHOLDER: { severity: 'reject', description: 'A stand-in for "no value" (N/A, -, null, unknown, 不详, …) in a field without a more specific placeholder code.' },

  NAME_PLACEHOLDER: { severity: 'reject', description: 'A name that is a stand-in (N/A, unknown, test, customer, xxx, …).' },
  NAME_INVALID: { severity: 'reject', description: 'A name without a single letter.' },
  NAME_CLEANED: { severity: 'warn', description: 'Digits, bracketed or quoted asides, or stray punctuation were removed from a name.' },
  NAME_MONONYM: { severity: 'warn', description: 'A one-word Latin-script name: kept as the family name (ICAO convention), given name empty.' },
  NAME_SURNAME_UNKNOWN: { severity: 'warn', description: 'A Chinese/Korean name whose first character is not a known surname: the first character was taken as the family name.' },
  NAME_NOT_SPLIT: { severity: 'warn', description: 'A name that cannot be split reliably (Japanese kanji without a space): kept whole, given and family empty.' },

  EMAIL_INVALID: { severity: 'reject', description: 'Not a syntactically valid address (the message says why).' },
  EMAIL_PLACEHOLDER: { severity: 'reject', description: 'A junk or stand-in address (test@test.com, noemail@…, …@example.com, n/a, -, null).' },
  EMAIL_CLEANED: { severity: 'warn', description: 'The address was extracted from decoration (mailto:, a display name, brackets, quotes, inner spaces, a trailing dot).' },
  EMAIL_MULTIPLE: { severity: 'warn', description: 'Several addresses in one value: the first valid one was kept.' },
  EMAIL_DOMAIN_TYPO: { severity: 'warn', description: 'The domain looks like a typo of a major provider (gmial.com); kept as written, the message names the likely domain.' },

  PHONE_INVALID: { severity: 'reject', description: 'Not a valid phone number (the message gives the reason: too short, too long, not valid for the region, …).' },
  PHONE_PLACEHOLDER: { severity: 'reject', description: 'A stand-in number (0000000000, 1234567890, N/A, none).' },
  PHONE_NO_REGION: { severity: 'reject', description: 'A national-format number with no default country to read it against.' },
  PHONE_MULTIPLE: { severity: 'warn', description: 'Several numbers in one value: the first was kept.' },

  DATE_INVALID: { severity: 'reject', description: 'Not a date, or an impossible one (31 April, month 13, year out of 1800–2199).' },
  DATE_INCOMPLETE: { severity: 'reject', description: 'A partial date (a year, or a month and year) where a full date is needed.' },
  DATE_PLACEHOLDER: { severity: 'reject', description: 'A system default date (1900-01-01, 9999-12-31, 0000-00-00, 1899-12-30, …) or a stand-in text.' },
  DATE_AMBIGUOUS: { severity: 'warn', description: 'Day and month could be swapped and no date order was configured: the country default was assumed.' },
  DATE_CENTURY_ASSUMED: { severity: 'warn', description: 'A two-digit year: placed in the latest century that does not put it after today.' },
  DATE_FUTURE: { severity: 'reject', description: 'A birth date after today, or an update time more than a day after today.' },
  DATE_TOO_OLD: { severity: 'reject', description: 'A birth date more than 130 years before today.' },

  GENDER_UNKNOWN: { severity: 'warn', description: 'A gender value that is not a recognized code or word (numeric codes are never guessed): set to null.' },

  POSTCODE_INVALID: { severity: 'reject', description: "Does not match the country's postcode format." },
  POSTCODE_REPAIRED: { severity: 'warn', description: 'Leading zeros lost by a spreadsheet were restored (AU 800 → 0800, US 2134 → 02134).' },

  ID_CHECKSUM: { severity: 'reject', description: 'An identifier in a known format whose check character is wrong (a mistyped digit).' },
  ID_INVALID: { severity: 'reject', description: 'An identifier in a known format whose content cannot be (e.g. a birth date that does not exist).' },
  COUNTRY_UNKNOWN: { severity: 'reject', description: 'Not a known country name or ISO 3166-1 code (or an ambiguous one such as "NA", "Congo").' },
} as const satisfies Record<string, { severity: Issue['severity']; description: string }>;

/** One of {@link STANDARDIZE_ISSUE_CODES}. */
export type StandardizeIssueCode = keyof typeof STANDARDIZE_ISSUE_CODES;

type RejectCode = {
  [K in StandardizeIssueCode]: (typeof STANDARDIZE_ISSUE_CODES)[K]['severity'] extends 'reject' ? K : never;
}[StandardizeIssueCode];
type WarnCode = Exclude<StandardizeIssueCode, RejectCode>;

/** A rejecting result; the type only admits codes whose severity is `reject`. */
export function rejectValue<T = never>(field: string, code: RejectCode, message: string): TransformResult<T> {
  return fail<T>(field, code, message);
}

/** A warning issue; the type only admits codes whose severity is `warn`. */
export function warnValue(field: string, code: WarnCode, message: string): Issue {
  return warning(field, code, message);
}
