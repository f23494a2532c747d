import { describe, expect, it } from 'vitest';
import { standardizeCountry } from '../../../src/transforms/standardize/index.js';
import { COUNTRY_CODES } from '../../../src/transforms/standardize/country-codes.js';

const code = (v: string): string | undefined => {
  const r = standardizeCountry(v);
  return r.ok ? r.value : undefined;
};

describe('standardizeCountry', () => {
  it('resolves every alpha-2 and alpha-3 code', () => {
    expect(COUNTRY_CODES.length).toBe(250);
    for (const [a2, a3] of COUNTRY_CODES) {
      if (a2 !== 'NA') expect(code(a2), a2).toBe(a2);
      expect(code(a3), a3).toBe(a2);
      expect(code(a3.toLowerCase()), a3).toBe(a2);
    }
  });

  it('resolves the English name of every country', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const [a2] of COUNTRY_CODES) {
      const n = names.of(a2);
      if (n !== undefined) expect(code(n), n).toBe(a2);
    }
  });

  it('resolves names and forms in several languages', () => {
    const cases: Array<[string, string]> = [
      ['China', 'CN'], ['PRC', 'CN'], ['CHN', 'CN'], ['中国', 'CN'], ['中华人民共和国', 'CN'], ['中國', 'CN'], ['Chine', 'CN'],
      ['Deutschland', 'DE'], ['Germany', 'DE'], ['DEU', 'DE'], ['Allemagne', 'DE'], ['德国', 'DE'], ['ドイツ', 'DE'],
      ['Australia', 'AU'], ['AUS', 'AU'], ['australia ', 'AU'], ['澳大利亚', 'AU'],
      ['United Kingdom', 'GB'], ['UK', 'GB'], ['U.K.', 'GB'], ['Great Britain', 'GB'], ['England', 'GB'], ['英国', 'GB'],
      ['USA', 'US'], ['U.S.A.', 'US'], ['United States', 'US'], ['United States of America', 'US'], ['America', 'US'], ['美国', 'US'], ['美國', 'US'], ['アメリカ合衆国', 'US'], ['Estados Unidos', 'US'],
      ['日本', 'JP'], ['Japan', 'JP'], ['Japon', 'JP'],
      ['台湾', 'TW'], ['台灣', 'TW'], ['Taiwan', 'TW'], ['Republic of China', 'TW'],
      ['香港', 'HK'], ['Hong Kong', 'HK'], ['Hong Kong SAR China', 'HK'], ['澳門', 'MO'], ['Macau', 'MO'],
      ['South Korea', 'KR'], ['Korea', 'KR'], ['대한민국', 'KR'], ['韩国', 'KR'], ['Südkorea', 'KR'], ['Corée du Sud', 'KR'],
      ['the Netherlands', 'NL'], ['Holland', 'NL'], ['Nederland', 'NL'],
      ['Österreich', 'AT'], ['Schweiz', 'CH'], ['Suisse', 'CH'], ['España', 'ES'], ['Россия', 'RU'], ['Russian Federation', 'RU'],
      ['Côte d’Ivoire', 'CI'], ["Cote d'Ivoire", 'CI'], ['Ivory Coast', 'CI'], ['St. Kitts & Nevis', 'KN'], ['Saint Kitts and Nevis', 'KN'],
      ['Myanmar', 'MM'], ['Burma', 'MM'], ['Czech Republic', 'CZ'], ['Türkiye', 'TR'], ['Turkey', 'TR'], ['Viet Nam', 'VN'],
      ['UAE', 'AE'], ['New Zealand', 'NZ'], ['Singapore', 'SG'], ['新加坡', 'SG'], ['Namibia', 'NA'], ['NAM', 'NA'], ['no', 'NO'],
      ['DR Congo', 'CD'], ['Congo - Brazzaville', 'CG'], ['Kosovo', 'XK'],
    ];
    for (const [v, c] of cases) expect(code(v), v).toBe(c);
  });

  it('rejects unknown, ambiguous and placeholder values', () => {
    for (const v of ['Atlantis', 'xyz', 'Congo', 'NA', '刚果']) {
      expect(standardizeCountry(v).issues.map((i) => i.code), v).toEqual(['COUNTRY_UNKNOWN']);
    }
    expect(standardizeCountry('N/A').issues[0]).toMatchObject({ code: 'VALUE_PLACEHOLDER', path: ['country'] });
  });
});
