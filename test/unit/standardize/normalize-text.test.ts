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
