import { describe, expect, it } from 'vitest';
import {
  standardizeAddressLine,
  standardizeCity,
  standardizePostcode,
  standardizeRegion,
} from '../../../src/transforms/standardize/index.js';

const line = (v: string, country?: string): string | undefined => {
  const r = standardizeAddressLine(v, { country });
  return r.ok ? r.value : undefined;
};
const codes = (r: { issues: Array<{ code: string }> }): string[] => r.issues.map((i) => i.code);

describe('standardizeAddressLine', () => {
  it('proper-cases and expands street types that end the street name', () => {
    expect(line('12 SMITH ST')).toBe('12 Smith Street');
    expect(line('45 st kilda rd')).toBe('45 St Kilda Road');
    expect(line('3/12 McDonald Cres')).toBe('3/12 McDonald Crescent');
    expect(line('7 Ocean Pde')).toBe('7 Ocean Parade');
    expect(line('1600 pennsylvania ave nw')).toBe('1600 Pennsylvania Avenue NW');
    expect(line('123 Main St., Apt 4B')).toBe('123 Main Street, Apt 4B');
    expect(line('12 Dr Martin Luther King Jr Blvd')).toBe('12 Dr Martin Luther King Jr Boulevard');
    expect(line('9 Wattle Cl')).toBe('9 Wattle Close');
  });

  it('writes units, ordinals and unit letters consistently', () => {
    expect(line('unit 5, 12 high st')).toBe('Unit 5, 12 High Street');
    expect(line('Level 3, 100 george st')).toBe('Level 3, 100 George Street');
    expect(line('12a smith st')).toBe('12A Smith Street');
    expect(line('221b baker street')).toBe('221B Baker Street');
    expect(line('350 5TH AVE')).toBe('350 5th Avenue');
    expect(line('suite 200, 1 MARKET ST')).toBe('Suite 200, 1 Market Street');
  });

  it('writes PO boxes one way', () => {
    expect(line('p.o. box 123')).toBe('PO Box 123');
    expect(line('P O BOX 99')).toBe('PO Box 99');
    expect(line('POBox 7')).toBe('PO Box 7');
    expect(line('GPO BOX 1234')).toBe('GPO Box 1234');
    expect(line('locked bag 5')).toBe('Locked Bag 5');
  });

  it('handles German and French street names', () => {
    expect(line('Hauptstr. 5')).toBe('Hauptstraße 5');
    expect(line('BERLINER STR 12', 'DE')).toBe('Berliner Straße 12');
    expect(line('bahnhofstrasse 1', 'CH')).toBe('Bahnhofstrasse 1');
    expect(line('rue de la paix 5')).toBe('Rue de la Paix 5');
  });

  it('keeps CJK addresses as written after normalization', () => {
    expect(line('北京市朝阳区建国路８８号')).toBe('北京市朝阳区建国路88号');
    expect(line('東京都千代田区丸の内１－１')).toBe('東京都千代田区丸の内1-1');
  });

  it('rejects placeholders', () => {
    expect(standardizeAddressLine('N/A').issues[0]).toMatchObject({ code: 'VALUE_PLACEHOLDER', path: ['address_line1'] });
  });
});

describe('standardizeCity', () => {
  it('proper-cases with lower-case joining words', () => {
    expect(standardizeCity('NEW YORK')).toMatchObject({ value: 'New York' });
    expect(standardizeCity('stoke-on-trent')).toMatchObject({ value: 'Stoke-on-Trent' });
    expect(standardizeCity('FRANKFURT AM MAIN')).toMatchObject({ value: 'Frankfurt am Main' });
    expect(standardizeCity('rio de janeiro')).toMatchObject({ value: 'Rio de Janeiro' });
    expect(standardizeCity('le mans')).toMatchObject({ value: 'Le Mans' });
    expect(standardizeCity('  st kilda ')).toMatchObject({ value: 'St Kilda' });
    expect(standardizeCity('北京市')).toMatchObject({ value: '北京市' });
    expect(standardizeCity('MÜNCHEN')).toMatchObject({ value: 'München' });
  });

  it('rejects placeholders', () => {
    expect(codes(standardizeCity('unknown'))).toEqual(['VALUE_PLACEHOLDER']);
  });
});

describe('standardizeRegion', () => {
  it('upper-cases codes and proper-cases names', () => {
    expect(standardizeRegion('nsw')).toMatchObject({ value: 'NSW' });
    expect(standardizeRegion('ca')).toMatchObject({ value: 'CA' });
    expect(standardizeRegion('new south wales')).toMatchObject({ value: 'New South Wales' });
    expect(standardizeRegion('NORDRHEIN-WESTFALEN')).toMatchObject({ value: 'Nordrhein-Westfalen' });
    expect(standardizeRegion('广东省')).toMatchObject({ value: '广东省' });
    expect(codes(standardizeRegion('-'))).toEqual(['VALUE_PLACEHOLDER']);
  });
});

describe('standardizePostcode', () => {
  const pc = (v: string, c?: string) => standardizePostcode(v, c);
  it('checks and formats the listed countries', () => {
    const ok: Array<[string, string, string]> = [
      ['2000', 'AU', '2000'],
      ['sw1a1aa', 'GB', 'SW1A 1AA'],
      ['EC1A 1BB', 'GB', 'EC1A 1BB'],
      ['m1 1ae', 'GB', 'M1 1AE'],
      ['10001', 'US', '10001'],
      ['100011234', 'US', '10001-1234'],
      ['10001-1234', 'US', '10001-1234'],
      ['100000', 'CN', '100000'],
      ['200 120', 'CN', '200120'],
      ['10115', 'DE', '10115'],
      ['D-10115', 'DE', '10115'],
      ['75001', 'FR', '75001'],
      ['F-75001', 'FR', '75001'],
      ['1000001', 'JP', '100-0001'],
      ['〒100-0001', 'JP', '100-0001'],
      ['k1a0b1', 'CA', 'K1A 0B1'],
      ['1012ab', 'NL', '1012 AB'],
      ['110001', 'IN', '110001'],
      ['110 001', 'IN', '110001'],
      ['10048', 'TW', '10048'],
      ['D02X285', 'IE', 'D02 X285'],
      ['01310100', 'BR', '01310-100'],
    ];
    for (const [v, c, out] of ok) expect(pc(v, c), `${v} ${c}`).toEqual({ ok: true, value: out, issues: [] });
  });

  it('restores leading zeros lost by spreadsheets', () => {
    for (const [v, c, out] of [['800', 'AU', '0800'], ['2134', 'US', '02134'], ['1067', 'DE', '01067'], ['1000', 'FR', '01000'], ['185', 'IT', '00185']] as const) {
      const r = pc(v, c);
      expect(r, `${v} ${c}`).toMatchObject({ ok: true, value: out });
      expect(codes(r)).toEqual(['POSTCODE_REPAIRED']);
    }
  });

  it('rejects codes that do not fit the country', () => {
    for (const [v, c] of [['ABCDE', 'US'], ['QQ1 1AA', 'GB'], ['20000', 'AU'], ['900000', 'CN'], ['00123', 'DE'], ['1234', 'NL'], ['1234SA', 'NL'], ['D1A 1A1', 'CA'], ['012345', 'IN'], ['10000', 'JP']] as const) {
      const r = pc(v, c);
      expect(codes(r), `${v} ${c}`).toEqual(['POSTCODE_INVALID']);
      expect(r.issues[0]).toMatchObject({ path: ['postal_code'], severity: 'reject' });
    }
  });

  it('only normalizes without a country or for unlisted countries', () => {
    expect(pc(' ab12  3cd ')).toMatchObject({ ok: true, value: 'AB12 3CD' });
    expect(pc('999077', 'HK')).toMatchObject({ ok: true, value: '999077' });
    expect(codes(pc('n/a', 'AU'))).toEqual(['VALUE_PLACEHOLDER']);
  });
});

describe('Chinese addresses', () => {
  it('brings traditional characters, spaces and 號 to one form', () => {
    expect(standardizeAddressLine('廣東省 廣州市 天河區 天河路 ３８５號')).toMatchObject({ ok: true, value: '广东省广州市天河区天河路385号' });
    expect(standardizeAddressLine('上海市浦东新区 世纪大道 100 号')).toMatchObject({ ok: true, value: '上海市浦东新区世纪大道100号' });
  });
});
