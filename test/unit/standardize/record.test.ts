import { describe, expect, it } from 'vitest';
import { createStandardizeCache, standardizeRecord, type StandardizeContext } from '../../../src/transforms/standardize/index.js';

const ctx: StandardizeContext = { today: '2025-06-01', country: 'AU' };

describe('standardizeRecord', () => {
  it('standardizes an Australian record and splits the full name', () => {
    const r = standardizeRecord(
      {
        full_name: ' MR JOHN  A. SMITH JR ',
        email: ' John.Smith@Gmail.COM',
        phone: '0412 345 678',
        birth_date: '13/02/1980',
        gender: 'male',
        address_line1: '12 george st',
        address_line2: 'unit 5',
        city: 'SYDNEY',
        region: 'nsw',
        postal_code: '2000',
        country: 'Australia',
        company_name: 'ACME TRADING PTY. LTD.',
        national_id: ' ab123 ',
        tax_id: null,
        source_updated_at: '2024-03-05 14:22:01',
      },
      ctx,
    );
    expect(r).toEqual({
      values: {
        full_name: 'John A. Smith Jr',
        given_name: 'John A.',
        family_name: 'Smith',
        email: 'john.smith@gmail.com',
        phone: '+61412345678',
        birth_date: '1980-02-13',
        gender: 'M',
        address_line1: '12 George Street',
        address_line2: 'Unit 5',
        city: 'Sydney',
        region: 'NSW',
        postal_code: '2000',
        country: 'AU',
        company_name: 'Acme Trading Pty Ltd',
        national_id: 'AB123',
        tax_id: null,
        source_updated_at: '2024-03-05T14:22:01',
      },
      issues: [],
      rejected: {},
    });
  });

  it('composes a Chinese full name from its parts, family first, and uses the record country', () => {
    const r = standardizeRecord(
      { given_name: '小明', family_name: '王', phone: '138 0013 8000', country: '中国', postal_code: '100000', birth_date: '1990年1月2日' },
      ctx,
    );
    expect(r.values).toEqual({
      given_name: '小明',
      family_name: '王',
      full_name: '王小明',
      phone: '+8613800138000',
      country: 'CN',
      postal_code: '100000',
      birth_date: '1990-01-02',
    });
    expect(r.issues).toEqual([]);
  });

  it('composes a Latin full name and keeps given/family already present', () => {
    expect(standardizeRecord({ given_name: 'mary', family_name: "o'brien" }, ctx).values).toEqual({
      given_name: 'Mary',
      family_name: "O'Brien",
      full_name: "Mary O'Brien",
    });
    const both = standardizeRecord({ full_name: 'Smith, John', given_name: 'Johnny' }, ctx).values;
    expect(both).toEqual({ full_name: 'John Smith', given_name: 'Johnny' });
  });

  it('rejects bad values into `rejected` with their original text and keeps going', () => {
    const r = standardizeRecord(
      {
        full_name: 'Jane Doe',
        email: 'test@test.com',
        phone: ' 12345 ',
        birth_date: '2030-01-01',
        postal_code: 'ABCDE',
        country: 'USA',
        gender: '1',
      },
      ctx,
    );
    expect(r.values).toMatchObject({ email: null, phone: null, birth_date: null, postal_code: null, country: 'US', gender: null, full_name: 'Jane Doe' });
    expect(r.rejected).toEqual({ email: 'test@test.com', phone: ' 12345 ', birth_date: '2030-01-01', postal_code: 'ABCDE' });
    expect(r.issues.map((i) => [i.path[0], i.code, i.severity])).toEqual([
      ['email', 'EMAIL_PLACEHOLDER', 'reject'],
      ['phone', 'PHONE_INVALID', 'reject'],
      ['birth_date', 'DATE_FUTURE', 'reject'],
      ['gender', 'GENDER_UNKNOWN', 'warn'],
      ['postal_code', 'POSTCODE_INVALID', 'reject'],
    ]);
  });

  it('treats blanks as null without issues and leaves absent fields absent', () => {
    const r = standardizeRecord({ email: '   ', phone: '\u3000', city: null, full_name: '' }, ctx);
    expect(r).toEqual({ values: { email: null, phone: null, city: null, full_name: null }, issues: [], rejected: {} });
  });

  it('appends a phone extension and sets paths on every issue', () => {
    const r = standardizeRecord({ phone: '(02) 9876 5432 ext 12', address_line2: 'N/A', source_updated_at: '2099-01-01' }, ctx);
    expect(r.values.phone).toBe('+61298765432;ext=12');
    expect(r.issues.map((i) => i.path)).toEqual([['address_line2'], ['source_updated_at']]);
    expect(r.rejected).toEqual({ address_line2: 'N/A', source_updated_at: '2099-01-01' });
  });

  it('reads numeric dates in the configured order and the country default otherwise', () => {
    expect(standardizeRecord({ birth_date: '02/01/1990' }, { ...ctx, dateOrder: 'mdy' }).values.birth_date).toBe('1990-02-01');
    const us = standardizeRecord({ birth_date: '02/01/1990', country: 'US' }, ctx);
    expect(us.values.birth_date).toBe('1990-02-01');
    expect(us.issues.map((i) => i.code)).toEqual(['DATE_AMBIGUOUS']);
  });

  it('does not modify its input', () => {
    const input = { full_name: 'john smith', email: 'A@B.COM' };
    standardizeRecord(input, ctx);
    expect(input).toEqual({ full_name: 'john smith', email: 'A@B.COM' });
  });
});

describe('standardizeRecord with a cache', () => {
  const batch = [
    { given_name: 'JOHN', family_name: 'SMITH', gender: '1', city: 'SYDNEY', country: 'Australia', postal_code: '800' },
    { given_name: 'JOHN', family_name: 'smith2', gender: '1', city: 'SYDNEY', country: 'Australia', postal_code: '800' },
    { given_name: 'Mary', family_name: 'SMITH', gender: 'F', city: 'unknown', country: 'Atlantis', postal_code: '2000', company_name: 'ACME PTY LTD' },
    { given_name: 'Mary', family_name: 'SMITH', gender: 'F', city: 'unknown', country: 'Atlantis', postal_code: '2000', company_name: 'ACME PTY LTD' },
    { given_name: 'Wei', family_name: 'Zhang', country: 'CN', postal_code: '800', region: 'n/a' },
    { given_name: 'Wei', family_name: 'Zhang', country: 'CN', postal_code: '800', region: 'n/a' },
  ];

  it('gives the same values, issues and rejects as without one', () => {
    const cache = createStandardizeCache();
    for (const values of [...batch, ...batch]) {
      expect(standardizeRecord(values, ctx, cache)).toEqual(standardizeRecord(values, ctx));
    }
  });

  it('gives every record its own issue objects', () => {
    const cache = createStandardizeCache();
    const a = standardizeRecord(batch[0]!, ctx, cache);
    const b = standardizeRecord(batch[0]!, ctx, cache);
    expect(a.issues.length).toBeGreaterThan(0);
    expect(a.issues).toEqual(b.issues);
    expect(a.issues[0]).not.toBe(b.issues[0]);
  });

  it('keys postcodes by country', () => {
    const cache = createStandardizeCache();
    expect(standardizeRecord({ country: 'AU', postal_code: '800' }, ctx, cache).values.postal_code).toBe('0800');
    expect(standardizeRecord({ country: 'CN', postal_code: '800' }, ctx, cache).values.postal_code).toBeNull();
  });

  it('stays bounded', () => {
    const cache = createStandardizeCache({ maxEntriesPerField: 3 });
    for (let i = 0; i < 10; i++) standardizeRecord({ city: `town ${i}` }, ctx, cache);
    expect(standardizeRecord({ city: 'town 1' }, ctx, cache).values.city).toBe('Town 1');
  });
});
