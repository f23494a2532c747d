import { describe, expect, it } from 'vitest';
import type { TransformResult } from '../../../src/core/issue.js';
import {
  STANDARDIZE_ISSUE_CODES,
  standardizeAddressLine,
  standardizeBirthDate,
  standardizeCountry,
  standardizeDate,
  standardizeDateTime,
  standardizeEmail,
  standardizeGender,
  standardizePersonName,
  standardizePhone,
  standardizePostcode,
  standardizeNationalId,
  type StandardizeIssueCode,
} from '../../../src/transforms/standardize/index.js';

const today = '2025-06-01';

// One real-world example per code: every code in the closed set must be reachable.
const EXAMPLES: Record<StandardizeIssueCode, () => TransformResult<unknown>> = {
  VALUE_EMPTY: () => standardizeEmail(' \u3000 '),
  VALUE_PLACEHOLDER: () => standardizeAddressLine('N/A'),
  NAME_PLACEHOLDER: () => standardizePersonName('Test User'),
  NAME_INVALID: () => standardizePersonName('1234'),
  NAME_CLEANED: () => standardizePersonName('John Smith 2'),
  NAME_MONONYM: () => standardizePersonName('Sukarno'),
  NAME_SURNAME_UNKNOWN: () => standardizePersonName('甲乙丙'),
  NAME_NOT_SPLIT: () => standardizePersonName('金城武', { country: 'JP' }),
  EMAIL_INVALID: () => standardizeEmail('john.smith.gmail.com'),
  EMAIL_PLACEHOLDER: () => standardizeEmail('noemail@noemail.com'),
  EMAIL_CLEANED: () => standardizeEmail('Wang Wei <wang.wei@163.com>'),
  EMAIL_MULTIPLE: () => standardizeEmail('a@x.com; b@y.com'),
  EMAIL_DOMAIN_TYPO: () => standardizeEmail('mei@hotmial.com'),
  PHONE_INVALID: () => standardizePhone('0412 345', { country: 'AU' }),
  PHONE_PLACEHOLDER: () => standardizePhone('0000000000', { country: 'AU' }),
  PHONE_NO_REGION: () => standardizePhone('0412 345 678'),
  PHONE_MULTIPLE: () => standardizePhone('0412 345 678 / 02 9876 5432', { country: 'AU' }),
  DATE_INVALID: () => standardizeDate('31/04/1990', { today }),
  DATE_INCOMPLETE: () => standardizeDate('May 1990', { today }),
  DATE_PLACEHOLDER: () => standardizeDate('1900-01-01', { today }),
  DATE_AMBIGUOUS: () => standardizeDate('03/04/1990', { today, country: 'GB' }),
  DATE_CENTURY_ASSUMED: () => standardizeDate('02-JAN-90', { today }),
  DATE_FUTURE: () => standardizeDateTime('2031-01-01T00:00:00Z', { today }),
  DATE_TOO_OLD: () => standardizeBirthDate('1880-01-01', { today }),
  GENDER_UNKNOWN: () => standardizeGender('2'),
  POSTCODE_INVALID: () => standardizePostcode('ABC123', 'AU'),
  POSTCODE_REPAIRED: () => standardizePostcode('800', 'AU'),
  COUNTRY_UNKNOWN: () => standardizeCountry('Atlantis'),
  // 11010519491231002X is the standard's published example; one digit changed breaks the check.
  ID_CHECKSUM: () => standardizeNationalId('110105194912310021'),
  ID_INVALID: () => standardizeNationalId('110105194902300020'), // 30 February, valid check character
};

describe('STANDARDIZE_ISSUE_CODES', () => {
  it('documents every code with a severity and a description', () => {
    for (const [code, def] of Object.entries(STANDARDIZE_ISSUE_CODES)) {
      expect(code).toMatch(/^[A-Z]+(?:_[A-Z]+)+$/);
      expect(['reject', 'warn']).toContain(def.severity);
      expect(def.description.length).toBeGreaterThan(20);
    }
  });

  it.each(Object.keys(STANDARDIZE_ISSUE_CODES) as StandardizeIssueCode[])('%s is produced with its declared severity', (code) => {
    const r = EXAMPLES[code]();
    const issue = r.issues.find((i) => i.code === code);
    expect(issue, JSON.stringify(r.issues)).toBeDefined();
    expect(issue?.severity).toBe(STANDARDIZE_ISSUE_CODES[code].severity);
    expect(r.ok).toBe(STANDARDIZE_ISSUE_CODES[code].severity === 'warn');
    expect(issue?.path.length).toBe(1);
    expect(issue?.message.length).toBeGreaterThan(10);
  });
});
