import { describe, expect, it } from 'vitest';
import { companyMatchKey, standardizeCompanyName } from '../../../src/transforms/standardize/index.js';

const display = (v: string): string | undefined => {
  const r = standardizeCompanyName(v);
  return r.ok ? r.value : undefined;
};

describe('standardizeCompanyName', () => {
  it('writes legal forms one way', () => {
    const cases: Array<[string, string]> = [
      ['Acme Pty Limited', 'Acme Pty Ltd'],
      ['Acme Pty. Ltd.', 'Acme Pty Ltd'],
      ['Acme Proprietary Limited', 'Acme Pty Ltd'],
      ['Widgets Limited', 'Widgets Ltd'],
      ['Acme, Inc.', 'Acme Inc'],
      ['Acme Incorporated', 'Acme Inc'],
      ['Foo Co., Ltd.', 'Foo Co Ltd'],
      ['Foo Co.,Ltd.', 'Foo Co Ltd'],
      ['Foo Company Limited', 'Foo Co Ltd'],
      ['Globex Corporation', 'Globex Corp'],
      ['Initech L.L.C.', 'Initech LLC'],
      ['Müller G.m.b.H.', 'Müller GmbH'],
      ['Müller Gesellschaft mit beschränkter Haftung', 'Müller GmbH'],
      ['Foo GmbH & Co. KG', 'Foo GmbH & Co KG'],
      ['Siemens Aktiengesellschaft', 'Siemens AG'],
      ['Tata Consultancy Services Private Limited', 'Tata Consultancy Services Pvt Ltd'],
      ['Sea Pte. Ltd.', 'Sea Pte Ltd'],
      ['Petronas Sdn. Bhd.', 'Petronas Sdn Bhd'],
      ['Barclays plc', 'Barclays PLC'],
      ['Smith & Co.', 'Smith & Co'],
    ];
    for (const [v, out] of cases) expect(display(v), v).toBe(out);
  });

  it('proper-cases all-caps and all-lower names, keeping acronyms and deliberate casing', () => {
    expect(display('ACME TRADING PTY. LTD.')).toBe('Acme Trading Pty Ltd');
    expect(display('IBM AUSTRALIA LIMITED')).toBe('IBM Australia Ltd');
    expect(display('BHP GROUP LIMITED')).toBe('BHP Group Ltd');
    expect(display('BANK OF CHINA LIMITED')).toBe('Bank of China Ltd');
    expect(display('acme corporation')).toBe('Acme Corp');
    expect(display('eBay Inc')).toBe('eBay Inc');
    expect(display('McKinsey & Company')).toBe('McKinsey & Co');
  });

  it('keeps CJK names as written without inner spaces', () => {
    expect(display('华为技术有限公司')).toBe('华为技术有限公司');
    expect(display('北京 字节跳动 科技有限公司')).toBe('北京字节跳动科技有限公司');
    expect(display('ソニー株式会社')).toBe('ソニー株式会社');
    expect(display('台灣積體電路製造股份有限公司')).toBe('台灣積體電路製造股份有限公司');
  });

  it('rejects placeholders', () => {
    expect(standardizeCompanyName('N/A').issues[0]).toMatchObject({ code: 'VALUE_PLACEHOLDER', path: ['company_name'] });
  });
});

describe('companyMatchKey', () => {
  it('gives spellings of one company the same key', () => {
    const same = (a: string, b: string): void => expect(companyMatchKey(a), `${a} / ${b}`).toBe(companyMatchKey(b));
    same('ACME TRADING PTY. LTD.', 'Acme Trading Pty Limited');
    same('Acme, Inc.', 'ACME INCORPORATED');
    same('The Coca-Cola Company', 'Coca Cola Co');
    same('Smith & Sons Ltd', 'Smith and Sons Limited');
    same('Müller GmbH', 'Muller G.m.b.H.');
    same('Foo Co., Ltd.', 'FOO COMPANY LIMITED');
    same('ABC Holdings Pty Ltd', 'ABC Holdings');
  });

  it('produces readable keys', () => {
    expect(companyMatchKey('The Coca-Cola Company')).toBe('coca cola');
    expect(companyMatchKey('AT&T Inc.')).toBe('at and t');
    expect(companyMatchKey('Smith & Co.')).toBe('smith');
    expect(companyMatchKey('华为技术(深圳)有限公司')).toBe('华为技术深圳');
    expect(companyMatchKey('台灣積體電路製造股份有限公司')).toBe('台灣積體電路製造');
    expect(companyMatchKey('ソニー株式会社')).toBe('ソニー');
    expect(companyMatchKey('株式会社 日立製作所')).toBe('日立製作所');
  });

  it('keeps a name that is only a legal form word', () => {
    expect(companyMatchKey('The Company')).toBe('company');
  });
});

describe('Korean company names', () => {
  it('keep their spaces and lose the legal form in the key', () => {
    expect(display('삼성전자 주식회사')).toBe('삼성전자 주식회사');
    expect(companyMatchKey('삼성전자 주식회사')).toBe('삼성전자');
    expect(companyMatchKey('(주)카카오')).toBe('카카오');
  });
});
