import { describe, expect, it } from 'vitest';
import { compareRecords, COMPARISONS, fold, toMatchRecord } from '../../../src/transforms/match/index.js';

const level = (a: Parameters<typeof toMatchRecord>[2], b: Parameters<typeof toMatchRecord>[2], field: string): string => {
  const out = new Uint8Array(COMPARISONS.length);
  compareRecords(toMatchRecord('s', '1', a), toMatchRecord('s', '2', b), out);
  const f = COMPARISONS.findIndex((c) => c.name === field);
  return COMPARISONS[f]!.levels[out[f]!] ?? 'missing';
};

describe('match features', () => {
  it('lets simplified, traditional and pinyin spellings of a Chinese name meet', () => {
    const simplified = toMatchRecord('a', '1', { family_name: '张', given_name: '伟' });
    const traditional = toMatchRecord('b', '1', { family_name: '張', given_name: '偉' });
    const pinyin = toMatchRecord('c', '1', { family_name: 'Zhang', given_name: 'Wei' });
    expect([simplified.family, simplified.given]).toEqual(['zhang', 'wei']);
    expect([traditional.family, traditional.given]).toEqual(['zhang', 'wei']);
    expect([pinyin.family, pinyin.given]).toEqual(['zhang', 'wei']);
    // "WEI ZHANG" written given-first against 张伟: exact both ways, no swap needed.
    expect(level({ family_name: '张', given_name: '伟' }, { given_name: 'WEI', family_name: 'ZHANG' }, 'family_name')).toBe('exact');
    // Family name first in the given field: compared crosswise.
    expect(level({ family_name: '王', given_name: '芳' }, { given_name: 'Wang', family_name: 'Fang' }, 'given_name')).toBe('exact');
  });

  it('reads surnames with their surname pronunciation', () => {
    expect(toMatchRecord('a', '1', { family_name: '单' }).family).toBe('shan');
  });

  it('treats a nickname as a close given name', () => {
    expect(level({ given_name: 'Bob', family_name: 'Smith' }, { given_name: 'Robert', family_name: 'Smith' }, 'given_name')).toMatch(/nickname/);
    expect(level({ given_name: 'Bob', family_name: 'Smith' }, { given_name: 'Richard', family_name: 'Smith' }, 'given_name')).toBe('different');
  });

  it('folds plain and marked-up values alike: lower case, no accents, single spaces', () => {
    // The reference: what fold did before it had a path for plain ASCII words.
    const reference = (v: string): string => v.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    const values = ['Smith', 'SMITH', 'van der Berg', '12 Main St', 'ab1 2cd', ' Smith', 'Smith ', 'van  Berg', 'O\'Brien', 'Müller', 'Zoë', 'São Paulo', 'a\tb', 'x-y', '张伟', 'A', '1', 'Straße', 'İstanbul', 'ﬁne'];
    for (const v of values) expect(fold(v), v).toBe(reference(v));
    expect(fold('van  Berg')).toBe('van berg');
    expect(fold(' 12 Main St ')).toBe('12 main st');
  });
});
