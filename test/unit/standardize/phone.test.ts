import { describe, expect, it } from 'vitest';
import { formatPhoneValue, standardizePhone } from '../../../src/transforms/standardize/index.js';

const codes = (r: { issues: Array<{ code: string }> }): string[] => r.issues.map((i) => i.code);
const phone = (v: string, country?: string) => standardizePhone(v, { country });

describe('standardizePhone', () => {
  it('reads national numbers against the default country', () => {
    expect(phone('0412 345 678', 'AU')).toEqual({ ok: true, value: { e164: '+61412345678', type: 'mobile', country: 'AU' }, issues: [] });
    expect(phone('(02) 9876 5432', 'AU')).toMatchObject({ ok: true, value: { e164: '+61298765432', type: 'fixed' } });
    expect(phone('1800 123 456', 'AU')).toMatchObject({ ok: true, value: { type: 'toll_free' } });
    expect(phone('+86 138 8888 8888', 'AU')).toMatchObject({ ok: true, value: { e164: '+8613888888888' } });
    expect(phone('138 0013 8000', 'CN')).toMatchObject({ ok: true, value: { e164: '+8613800138000', type: 'mobile', country: 'CN' } });
    expect(phone('010-12345678', 'CN')).toMatchObject({ ok: true, value: { e164: '+861012345678', type: 'fixed' } });
    expect(phone('(415) 555-2671', 'US')).toMatchObject({ ok: true, value: { e164: '+14155552671', type: 'fixed_or_mobile' } });
    expect(phone('020 7946 0958', 'GB')).toMatchObject({ ok: true, value: { e164: '+442079460958', type: 'fixed', country: 'GB' } });
    expect(phone('07400 123456', 'GB')).toMatchObject({ ok: true, value: { e164: '+447400123456', type: 'mobile' } });
    expect(phone('030/12345678', 'DE')).toMatchObject({ ok: true, value: { e164: '+493012345678', type: 'fixed' } });
    expect(phone('0151 23456789', 'DE')).toMatchObject({ ok: true, value: { type: 'mobile' } });
    expect(phone('03-1234-5678', 'JP')).toMatchObject({ ok: true, value: { e164: '+81312345678' } });
    expect(phone('090-1234-5678', 'JP')).toMatchObject({ ok: true, value: { e164: '+819012345678', type: 'mobile' } });
    expect(phone('0912 345 678', 'TW')).toMatchObject({ ok: true, value: { e164: '+886912345678', type: 'mobile' } });
    expect(phone('02-2345-6789', 'TW')).toMatchObject({ ok: true, value: { e164: '+886223456789', type: 'fixed' } });
  });

  it('reads international numbers whatever the default country', () => {
    expect(phone('+86 138 0013 8000', 'AU')).toMatchObject({ ok: true, value: { e164: '+8613800138000', country: 'CN' } });
    expect(phone('+44 20 7946 0958')).toMatchObject({ ok: true, value: { e164: '+442079460958' } });
    expect(phone('+61 (0) 2 9876 5432', 'AU')).toMatchObject({ ok: true, value: { e164: '+61298765432' } });
    expect(phone('0061 2 9876 5432', 'AU')).toMatchObject({ ok: true, value: { e164: '+61298765432' } });
    expect(phone('0049 30 12345678', 'DE')).toMatchObject({ ok: true, value: { e164: '+493012345678' } });
    expect(phone('tel:+61-2-9876-5432')).toMatchObject({ ok: true, value: { e164: '+61298765432' } });
  });

  it('accepts full-width digits and labels', () => {
    expect(phone('０４１２　３４５　６７８', 'AU')).toMatchObject({ ok: true, value: { e164: '+61412345678' } });
    expect(phone('Tel: 0412 345 678', 'AU')).toMatchObject({ ok: true, value: { e164: '+61412345678' } });
    expect(phone('手机：13800138000', 'CN')).toMatchObject({ ok: true, value: { e164: '+8613800138000' } });
  });

  it('keeps extensions', () => {
    expect(phone('+1 (415) 555-2671 ext. 123', 'US')).toMatchObject({ ok: true, value: { e164: '+14155552671', extension: '123' } });
    expect(phone('(02) 9876 5432 x12', 'AU')).toMatchObject({ ok: true, value: { e164: '+61298765432', extension: '12' } });
    expect(phone('021-12345678转123', 'CN')).toMatchObject({ ok: true, value: { e164: '+862112345678', extension: '123' } });
  });

  it('keeps the first of several numbers with PHONE_MULTIPLE', () => {
    for (const v of ['0412 345 678 / 02 9876 5432', '0412345678; 0298765432', '0412345678, 0298765432', '0412345678/0298765432']) {
      const r = phone(v, 'AU');
      expect(r, v).toMatchObject({ ok: true, value: { e164: '+61412345678' } });
      expect(codes(r), v).toEqual(['PHONE_MULTIPLE']);
    }
  });

  it('rejects placeholders', () => {
    for (const v of ['0000000000', '1234567890', '9999999', '+61 000 000 000', 'N/A', 'none', '-', '0123456789']) {
      expect(codes(phone(v, 'AU')), v).toEqual(['PHONE_PLACEHOLDER']);
    }
  });

  it('rejects invalid numbers with the reason', () => {
    const message = (v: string, country?: string): string => {
      const r = phone(v, country);
      expect(codes(r), v).toEqual(['PHONE_INVALID']);
      expect(r.issues[0]).toMatchObject({ path: ['phone'], severity: 'reject' });
      return r.issues[0]?.message ?? '';
    };
    expect(message('123', 'AU')).toMatch(/too short for AU/);
    expect(message('41555526710', 'US')).toMatch(/too long for US/);
    expect(message('0412 345 67', 'AU')).toMatch(/not a valid number for AU/);
    expect(message('+999 1234567')).toMatch(/country calling code is unknown/);
    expect(message('call me', 'AU')).toMatch(/no digits/);
  });

  it('needs a default country for national numbers', () => {
    expect(codes(phone('0412 345 678'))).toEqual(['PHONE_NO_REGION']);
    expect(codes(phone('0412 345 678', 'XX'))).toEqual(['PHONE_NO_REGION']);
  });
});

describe('formatPhoneValue', () => {
  it('appends the extension RFC 3966 style', () => {
    expect(formatPhoneValue({ e164: '+61298765432' })).toBe('+61298765432');
    expect(formatPhoneValue({ e164: '+61298765432', extension: '12' })).toBe('+61298765432;ext=12');
  });
});
