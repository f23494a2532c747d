import { describe, expect, it } from 'vitest';
import {
  composeFullName,
  standardizeFamilyName,
  standardizeGivenName,
  standardizePersonName,
  type PersonName,
} from '../../../src/transforms/standardize/index.js';

function name(value: string, country?: string): PersonName {
  const r = standardizePersonName(value, { country });
  if (!r.ok) throw new Error(`rejected ${value}: ${r.issues.map((i) => i.code).join()}`);
  return r.value;
}
const codes = (r: { issues: Array<{ code: string }> }): string[] => r.issues.map((i) => i.code);

describe('standardizePersonName: alphabetic names', () => {
  it('splits "Given Family" and proper-cases', () => {
    expect(name('john smith')).toMatchObject({ full: 'John Smith', given: 'John', family: 'Smith', honorific: null, suffix: null });
    expect(name('Olivia Grace Wilson')).toMatchObject({ given: 'Olivia Grace', family: 'Wilson' });
  });

  it('reads "Family, Given" as family first', () => {
    expect(name('Smith, John A.')).toMatchObject({ full: 'John A. Smith', given: 'John A.', family: 'Smith' });
    expect(name('SMITH, JOHN')).toMatchObject({ given: 'John', family: 'Smith' });
    expect(name('Nguyen, Thi Mai')).toMatchObject({ given: 'Thi Mai', family: 'Nguyen' });
  });

  it('keeps honorifics and suffixes apart', () => {
    expect(name('Mr. John A. Smith Jr.')).toEqual({
      full: 'John A. Smith Jr',
      given: 'John A.',
      family: 'Smith',
      honorific: 'Mr',
      suffix: 'Jr',
      script: 'alphabetic',
    });
    expect(name('Prof. Dr. Hans Müller')).toMatchObject({ honorific: 'Prof Dr', given: 'Hans', family: 'Müller' });
    expect(name('Dr Martin Luther King Jr')).toMatchObject({ honorific: 'Dr', given: 'Martin Luther', family: 'King', suffix: 'Jr' });
    expect(name('Smith, John, Jr., PhD')).toMatchObject({ given: 'John', family: 'Smith', suffix: 'Jr PhD' });
    expect(name('john smith iii')).toMatchObject({ full: 'John Smith III', suffix: 'III' });
    expect(name('Mrs Mary Brown')).toMatchObject({ honorific: 'Mrs', given: 'Mary', family: 'Brown' });
  });

  it('does not take a lone initial for a suffix', () => {
    expect(name('Anna V')).toMatchObject({ given: 'Anna', family: 'V' });
  });

  it('treats legacy all-caps without a comma as given-family', () => {
    // The order cannot be known without the comma: documented behaviour.
    expect(name('SMITH JOHN')).toMatchObject({ given: 'Smith', family: 'John' });
  });

  it('uses a capitalized family name among mixed-case words', () => {
    expect(name('ZHANG Wei')).toMatchObject({ full: 'Wei Zhang', given: 'Wei', family: 'Zhang' });
    expect(name('Jean DUPONT')).toMatchObject({ given: 'Jean', family: 'Dupont' });
    expect(name('Marie-Claire VAN DER BERG')).toMatchObject({ given: 'Marie-Claire', family: 'van der Berg' });
  });

  it('proper-cases Mc, Mac, O\', particles and hyphenated names', () => {
    expect(name('mary-jane mcdonald')).toMatchObject({ full: 'Mary-Jane McDonald' });
    expect(name('PATRICK O\'BRIEN')).toMatchObject({ family: "O'Brien" });
    expect(name('Patrick O’Brien')).toMatchObject({ family: "O'Brien" });
    expect(name('ANGUS MACLEOD')).toMatchObject({ family: 'MacLeod' });
    expect(name('Tom Mack')).toMatchObject({ family: 'Mack' });
    expect(name('Ludwig van Beethoven')).toMatchObject({ given: 'Ludwig', family: 'van Beethoven' });
    expect(name('maria de la cruz')).toMatchObject({ given: 'Maria', family: 'de la Cruz' });
    expect(name('Sarah Smith-Jones')).toMatchObject({ family: 'Smith-Jones' });
    expect(name('Ian DeVries')).toMatchObject({ family: 'DeVries' });
    expect(name('RENÉ LEFÈVRE')).toMatchObject({ full: 'René Lefèvre' });
  });

  it('splits runs of initials', () => {
    expect(name('J.R.R. Tolkien')).toMatchObject({ full: 'J. R. R. Tolkien', given: 'J. R. R.', family: 'Tolkien' });
    expect(name('j smith')).toMatchObject({ given: 'J.', family: 'Smith' });
  });

  it('keeps a one-word name as the family name with a warning', () => {
    const r = standardizePersonName('Madonna');
    expect(r.ok && r.value).toMatchObject({ full: 'Madonna', given: null, family: 'Madonna' });
    expect(codes(r)).toEqual(['NAME_MONONYM']);
  });

  it('removes digits, asides and stray symbols with a warning', () => {
    const r = standardizePersonName('John Smith (deceased) #2');
    expect(r.ok && r.value.full).toBe('John Smith');
    expect(codes(r)).toEqual(['NAME_CLEANED']);
    expect(codes(standardizePersonName('John "Jack" Smith'))).toEqual(['NAME_CLEANED']);
  });

  it('rejects placeholders and names without letters', () => {
    for (const v of ['test', 'TEST TEST', 'N/A', 'unknown', 'Customer', 'xxx', '-', '不详', '测试']) {
      expect(codes(standardizePersonName(v)), v).toEqual(['NAME_PLACEHOLDER']);
    }
    expect(codes(standardizePersonName('12345'))).toEqual(['NAME_INVALID']);
    expect(codes(standardizePersonName('  '))).toEqual(['VALUE_EMPTY']);
  });

  it('puts issues on the full_name path', () => {
    expect(standardizePersonName('test').issues[0]?.path).toEqual(['full_name']);
  });
});

describe('standardizePersonName: CJK names', () => {
  it('splits Chinese names after the surname, simplified and traditional', () => {
    expect(name('王小明')).toEqual({ full: '王小明', given: '小明', family: '王', honorific: null, suffix: null, script: 'han' });
    expect(name('陳大文')).toMatchObject({ given: '大文', family: '陳' });
    expect(name('張偉')).toMatchObject({ given: '偉', family: '張' });
    expect(name('李娜')).toMatchObject({ given: '娜', family: '李' });
  });

  it('recognizes compound surnames', () => {
    expect(name('欧阳娜娜')).toMatchObject({ family: '欧阳', given: '娜娜' });
    expect(name('歐陽震華')).toMatchObject({ family: '歐陽', given: '震華' });
    expect(name('司马光')).toMatchObject({ family: '司马', given: '光' });
    expect(name('诸葛亮')).toMatchObject({ family: '诸葛', given: '亮' });
    expect(name('上官婉儿')).toMatchObject({ family: '上官', given: '婉儿' });
    expect(name('慕容复')).toMatchObject({ family: '慕容', given: '复' });
  });

  it('warns when the first character is not a known surname', () => {
    const r = standardizePersonName('阿凡提');
    expect(r.ok && r.value).toMatchObject({ family: '阿' });
    const r2 = standardizePersonName('甲乙丙');
    expect(r2.ok && r2.value).toMatchObject({ family: '甲', given: '乙丙' });
    expect(codes(r2)).toEqual(['NAME_SURNAME_UNKNOWN']);
  });

  it('uses an explicit space and full-width spaces, family first', () => {
    expect(name('王 小明')).toMatchObject({ full: '王小明', family: '王', given: '小明' });
    expect(name('　王　小明　')).toMatchObject({ family: '王', given: '小明' });
  });

  it('reads transliterated names with a middle dot as given·family', () => {
    expect(name('约翰·史密斯')).toMatchObject({ full: '约翰·史密斯', given: '约翰', family: '史密斯' });
  });

  it('keeps trailing honorifics apart', () => {
    expect(name('王先生')).toMatchObject({ full: '王', family: '王', given: null, honorific: '先生' });
    expect(name('李小姐')).toMatchObject({ family: '李', honorific: '小姐' });
  });

  it('splits Korean names', () => {
    expect(name('김민수')).toMatchObject({ family: '김', given: '민수', script: 'hangul' });
    expect(name('남궁민')).toMatchObject({ family: '남궁', given: '민' });
  });

  it('splits Japanese names by family name or keeps them whole', () => {
    expect(name('山田 太郎')).toMatchObject({ family: '山田', given: '太郎' });
    expect(name('山田太郎')).toMatchObject({ family: '山田', given: '太郎' });
    expect(name('佐々木希', 'JP')).toMatchObject({ family: '佐々木', given: '希' });
    expect(name('田中花子', 'JP')).toMatchObject({ family: '田中', given: '花子' });
    const r = standardizePersonName('金城武', { country: 'JP' });
    expect(r.ok && r.value).toMatchObject({ full: '金城武', given: null, family: null });
    expect(codes(r)).toEqual(['NAME_NOT_SPLIT']);
    expect(codes(standardizePersonName('やまだはなこ'))).toEqual(['NAME_NOT_SPLIT']);
  });

  it('reads a three-character name as Chinese even when it starts like a Japanese one', () => {
    expect(name('田中华')).toMatchObject({ family: '田', given: '中华' });
    expect(name('林小文', 'TW')).toMatchObject({ family: '林', given: '小文' });
  });
});

describe('standardizeGivenName / standardizeFamilyName', () => {
  it('proper-cases and cleans already split names', () => {
    expect(standardizeGivenName('  JOHN ')).toMatchObject({ ok: true, value: 'John' });
    expect(standardizeGivenName('mary-jane')).toMatchObject({ ok: true, value: 'Mary-Jane' });
    // Na (娜) is a real given name, not "n/a"; "N/A" is still a placeholder.
    expect(standardizeGivenName('Na')).toMatchObject({ ok: true, value: 'Na' });
    expect(standardizeGivenName('N/A')).toMatchObject({ ok: false });
    expect(standardizeGivenName('j')).toMatchObject({ ok: true, value: 'J.' });
    expect(standardizeFamilyName('VAN DER BERG')).toMatchObject({ ok: true, value: 'van der Berg' });
    expect(standardizeFamilyName('mcdonald')).toMatchObject({ ok: true, value: 'McDonald' });
    expect(standardizeFamilyName('欧阳')).toMatchObject({ ok: true, value: '欧阳' });
    expect(standardizeGivenName('小 明')).toMatchObject({ ok: true, value: '小明' });
  });

  it('strips stray punctuation and digits with a warning', () => {
    const r = standardizeFamilyName('o’neill2');
    expect(r).toMatchObject({ ok: true, value: "O'Neill" });
    expect(r.issues.map((i) => [i.code, i.path, i.severity])).toEqual([['NAME_CLEANED', ['family_name'], 'warn']]);
    expect(standardizeGivenName('*John*').issues.map((i) => i.code)).toEqual(['NAME_CLEANED']);
  });

  it('drops an honorific from a given name', () => {
    const r = standardizeGivenName('Mr John');
    expect(r).toMatchObject({ ok: true, value: 'John' });
    expect(codes(r)).toEqual(['NAME_CLEANED']);
  });

  it('rejects placeholders', () => {
    expect(codes(standardizeGivenName('N/A'))).toEqual(['NAME_PLACEHOLDER']);
    expect(standardizeFamilyName('unknown').issues[0]).toMatchObject({ code: 'NAME_PLACEHOLDER', path: ['family_name'], severity: 'reject' });
  });
});

describe('composeFullName', () => {
  it('joins CJK parts without a space and others with one', () => {
    expect(composeFullName('小明', '王')).toBe('王小明');
    expect(composeFullName('민수', '김')).toBe('김민수');
    expect(composeFullName('John', 'Smith')).toBe('John Smith');
    expect(composeFullName(null, 'Smith')).toBe('Smith');
    expect(composeFullName(undefined, null)).toBeNull();
  });
});
