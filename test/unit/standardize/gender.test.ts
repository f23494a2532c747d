import { describe, expect, it } from 'vitest';
import { standardizeGender } from '../../../src/transforms/standardize/index.js';

describe('standardizeGender', () => {
  it('maps words and letters in several languages', () => {
    const cases: Array<[string, 'M' | 'F' | 'X']> = [
      ['M', 'M'], ['male', 'M'], ['Man', 'M'], ['男', 'M'], ['男性', 'M'], ['männlich', 'M'], ['Homme', 'M'], ['남', 'M'],
      ['f', 'F'], ['FEMALE', 'F'], ['woman', 'F'], ['女', 'F'], ['女性', 'F'], ['w', 'F'], ['weiblich', 'F'], ['F.', 'F'], ['여', 'F'],
      ['x', 'X'], ['non-binary', 'X'], ['Divers', 'X'], ['d', 'X'], ['other', 'X'],
    ];
    for (const [v, g] of cases) expect(standardizeGender(v), v).toEqual({ ok: true, value: g, issues: [] });
  });

  it('never guesses numeric codes', () => {
    for (const v of ['1', '2', '0', '9']) {
      const r = standardizeGender(v);
      expect(r, v).toMatchObject({ ok: true, value: null });
      expect(r.issues[0]).toMatchObject({ code: 'GENDER_UNKNOWN', severity: 'warn', path: ['gender'] });
      expect(r.issues[0]?.message).toMatch(/Numeric/);
    }
  });

  it('turns unknown values into null with a warning', () => {
    for (const v of ['U', 'unknown', 'n/a', '?', 'abc', '未知']) {
      const r = standardizeGender(v);
      expect(r, v).toMatchObject({ ok: true, value: null });
      expect(r.issues.map((i) => i.code)).toEqual(['GENDER_UNKNOWN']);
    }
  });
});
