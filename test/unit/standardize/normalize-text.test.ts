import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../../src/transforms/standardize/index.js';

describe('normalizeText', () => {
  it('returns clean ASCII unchanged', () => {
    expect(normalizeText('John Smith')).toBe('John Smith');
  });

  it('folds full-width forms to ASCII (NFKC)', () => {
    expect(normalizeText('ＡＢＣ　１２３')).toBe('ABC 123');
    expect(normalizeText('ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('john@example.com');
    expect(normalizeText('（０２）９８７６－５４３２')).toBe('(02)9876-5432');
  });

  it('collapses whitespace, tabs and line breaks and trims', () => {
    expect(normalizeText('  12   Smith\tSt\r\nSydney  ')).toBe('12 Smith St Sydney');
    expect(normalizeText('\u00a0王\u3000小明\u00a0')).toBe('王 小明');
  });

  it('removes invisible format characters but keeps joiners', () => {
    expect(normalizeText('Jo\u200bhn\ufeff')).toBe('John');
    expect(normalizeText('\u200eMüller\u200f')).toBe('Müller');
    expect(normalizeText('co\u00adoperate')).toBe('cooperate');
    expect(normalizeText('می\u200cخواهم')).toBe('می\u200cخواهم');
  });

  it('composes decomposed accents', () => {
    expect(normalizeText('Mu\u0308ller')).toBe('Müller');
  });

  it('is idempotent and maps blank input to the empty string', () => {
    const once = normalizeText(' ＡＢ  c ');
    expect(normalizeText(once)).toBe(once);
    expect(normalizeText(' \t\u3000 ')).toBe('');
  });
});

describe('normalizeText fast path', () => {
  // The reference: always normalize, then remove invisibles, collapse whitespace and trim.
  const reference = (s: string): string =>
    s
      .normalize('NFKC')
      .replace(/[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
      .replace(/[\s\x00-\x1f\x7f-\x9f]+/g, ' ')
      .trim();
  const pool = [
    'a', 'Z', '0', ' ', ' ', '  ', '\t', '\n', '-', '.', "'", '@', 'é', 'ü', 'ß', 'Ĳ', 'ſ', 'ŀ', '\u0308', '\u0301',
    '王', '小', '明', '陳', '々', '〇', '김', '민', 'や', 'ま', 'ダ', 'ー', '・', '゛', 'ヿ', '·', '\u00a0', '\u3000',
    '\u200b', '\ufeff', '\u00ad', 'Ａ', '１', '（', '＠', 'ﬁ', '①', '㈱', '\u0085', '\u2019', 'Ω', 'Д', '中', '\ud842\udfb7',
  ];
  it('matches full normalization on random mixtures', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const len = Math.floor(random() * 12);
      for (let i = 0; i < len; i++) s += pool[Math.floor(random() * pool.length)];
      expect(normalizeText(s), JSON.stringify(s)).toBe(reference(s));
    }
  });

  it('returns the very same string when nothing changes', () => {
    for (const s of ['王小明', 'Müller', '김민수', 'やまだ', 'John Smith', '1990年1月2日']) expect(normalizeText(s)).toBe(s);
  });
});
