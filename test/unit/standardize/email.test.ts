import { describe, expect, it } from 'vitest';
import { emailMatchKey, standardizeEmail } from '../../../src/transforms/standardize/index.js';

const codes = (r: { issues: Array<{ code: string }> }): string[] => r.issues.map((i) => i.code);

describe('standardizeEmail', () => {
  it('trims and lower-cases valid addresses', () => {
    expect(standardizeEmail(' John.Smith@Gmail.COM ')).toEqual({ ok: true, value: 'john.smith@gmail.com', issues: [] });
    expect(standardizeEmail('wang.xiaoming@163.com')).toMatchObject({ ok: true, value: 'wang.xiaoming@163.com' });
    expect(standardizeEmail('123456789@qq.com')).toMatchObject({ ok: true, value: '123456789@qq.com' });
    expect(standardizeEmail("o'brien+crm@bigpond.net.au")).toMatchObject({ ok: true, value: "o'brien+crm@bigpond.net.au" });
    expect(standardizeEmail('taro@example.co.jp'.replace('example', 'docomo.ne'))).toMatchObject({ ok: true });
    expect(standardizeEmail('ｊｏｈｎ＠ｘｙｚ．ｃｏｍ')).toMatchObject({ ok: true, value: 'john@xyz.com' });
  });

  it('accepts internationalized addresses and punycode TLDs', () => {
    expect(standardizeEmail('用户@例子.中国')).toMatchObject({ ok: true, value: '用户@例子.中国' });
    expect(standardizeEmail('info@xn--fiqs8s.xn--fiqz9s')).toMatchObject({ ok: true });
    expect(standardizeEmail('müller@müller.de')).toMatchObject({ ok: true });
  });

  it('extracts addresses from decoration with EMAIL_CLEANED', () => {
    for (const [raw, clean] of [
      ['John Smith <John@X.com>', 'john@x.com'],
      ['mailto:jo@x.com', 'jo@x.com'],
      ['"jo@x.com"', 'jo@x.com'],
      ['<jo@x.com>', 'jo@x.com'],
      ['jo@x.com.', 'jo@x.com'],
      ['john . smith @ gmail . com', 'john.smith@gmail.com'],
    ] as const) {
      const r = standardizeEmail(raw);
      expect(r, raw).toMatchObject({ ok: true, value: clean });
      expect(codes(r), raw).toEqual(['EMAIL_CLEANED']);
    }
  });

  it('keeps the first of several addresses with EMAIL_MULTIPLE', () => {
    const r = standardizeEmail('a@x.com; b@y.com');
    expect(r).toMatchObject({ ok: true, value: 'a@x.com' });
    expect(codes(r)).toEqual(['EMAIL_MULTIPLE']);
    expect(standardizeEmail('a@x.com, b@y.com')).toMatchObject({ ok: true, value: 'a@x.com' });
  });

  it('rejects placeholders and junk with EMAIL_PLACEHOLDER', () => {
    for (const v of [
      'test@test.com', 'none@none', 'n/a', 'N/A', 'noemail@company.com', 'no@email.com', 'NoReply@shop.com.au',
      'someone@example.com', 'a@example.org', 'x@foo.test', '-', 'null', 'unknown', 'none', 'a@a.com', 'xxx@xxx.com',
      'no email', '@', 'donotreply@bank.com', 'user@domain.com', '无',
    ]) {
      const r = standardizeEmail(v);
      expect(codes(r), v).toEqual(['EMAIL_PLACEHOLDER']);
      expect(r.issues[0]).toMatchObject({ path: ['email'], severity: 'reject' });
    }
  });

  it('rejects invalid syntax with the reason', () => {
    const reason = (v: string): string => {
      const r = standardizeEmail(v);
      expect(codes(r), v).toEqual(['EMAIL_INVALID']);
      return r.issues[0]?.message ?? '';
    };
    expect(reason('john.smith.gmail.com')).toMatch(/no @/);
    expect(reason('john@@x.com')).toMatch(/more than one @/);
    expect(reason('@x.com')).toMatch(/nothing before/);
    expect(reason('john@x')).toMatch(/top-level domain/);
    expect(reason('john smith@x.com')).toMatch(/spaces/);
    expect(reason('john..smith@x.com')).toMatch(/two dots/);
    expect(reason('john@-x.com')).toMatch(/hyphen/);
    expect(reason('john@x.c0m')).toMatch(/top-level domain/);
  });

  it('warns about likely provider typos without changing them', () => {
    const r = standardizeEmail('wei@gmial.com');
    expect(r).toMatchObject({ ok: true, value: 'wei@gmial.com' });
    expect(r.issues[0]).toMatchObject({ code: 'EMAIL_DOMAIN_TYPO', severity: 'warn' });
    expect(r.issues[0]?.message).toContain('gmail.com');
  });

  it('rejects blank input', () => {
    expect(codes(standardizeEmail('   '))).toEqual(['VALUE_EMPTY']);
  });
});

describe('emailMatchKey', () => {
  it('folds Gmail dots, +tags and googlemail', () => {
    expect(emailMatchKey('J.O.H.N+crm@googlemail.com')).toBe('john@gmail.com');
    expect(emailMatchKey('john.smith@gmail.com')).toBe(emailMatchKey('JohnSmith+news@Gmail.com'));
  });

  it('strips +tags at Microsoft, Apple and other sub-addressing providers, keeping dots', () => {
    expect(emailMatchKey('john.smith+x@outlook.com')).toBe('john.smith@outlook.com');
    expect(emailMatchKey('a.b+c@hotmail.co.uk')).toBe('a.b@hotmail.co.uk');
    expect(emailMatchKey('mei+shop@live.com.au')).toBe('mei@live.com.au');
    expect(emailMatchKey('x+y@icloud.com')).toBe('x@icloud.com');
    expect(emailMatchKey('Foo@Yandex.com')).toBe('foo@yandex.ru');
  });

  it('leaves other domains alone apart from case', () => {
    expect(emailMatchKey('John.Smith+x@Company.com.au')).toBe('john.smith+x@company.com.au');
    expect(emailMatchKey('a.b+c@qq.com')).toBe('a.b+c@qq.com');
    expect(emailMatchKey('not an email')).toBe('not an email');
  });
});
