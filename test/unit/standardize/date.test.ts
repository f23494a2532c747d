import { describe, expect, it } from 'vitest';
import {
  detectDateOrder,
  standardizeBirthDate,
  standardizeDate,
  standardizeDateTime,
  type DateContext,
} from '../../../src/transforms/standardize/index.js';

const today = '2025-06-01';
const codes = (r: { issues: Array<{ code: string }> }): string[] => r.issues.map((i) => i.code);
const date = (v: string, ctx: Partial<DateContext> = {}) => standardizeDate(v, { today, ...ctx });
const value = (v: string, ctx: Partial<DateContext> = {}): string | undefined => {
  const r = date(v, ctx);
  return r.ok ? r.value : undefined;
};

describe('standardizeDate', () => {
  it('reads ISO and compact forms', () => {
    expect(date('1990-01-02')).toEqual({ ok: true, value: '1990-01-02', issues: [] });
    expect(value('1990/1/2')).toBe('1990-01-02');
    expect(value('1990.01.02')).toBe('1990-01-02');
    expect(value('19900102')).toBe('1990-01-02');
    expect(value('1990-01-02T10:00:00Z')).toBe('1990-01-02');
    expect(value('1990-01-02 00:00:00')).toBe('1990-01-02');
    expect(value('２０２４－０３－０５')).toBe('2024-03-05');
  });

  it('decides day/month order from the values themselves', () => {
    expect(value('13/01/1990')).toBe('1990-01-13');
    expect(value('01/13/1990')).toBe('1990-01-13');
    expect(date('05/05/1990')).toEqual({ ok: true, value: '1990-05-05', issues: [] });
  });

  it('uses the configured order and rejects values that contradict it', () => {
    expect(date('02/01/1990', { dateOrder: 'dmy' })).toEqual({ ok: true, value: '1990-01-02', issues: [] });
    expect(date('02/01/1990', { dateOrder: 'mdy' })).toEqual({ ok: true, value: '1990-02-01', issues: [] });
    const r = date('01/13/1990', { dateOrder: 'dmy' });
    expect(codes(r)).toEqual(['DATE_INVALID']);
  });

  it('reads two-digit-year dates year first with the ymd order', () => {
    const r = date('90.01.02', { dateOrder: 'ymd' });
    expect(r).toMatchObject({ ok: true, value: '1990-01-02' });
    expect(codes(r)).toEqual(['DATE_CENTURY_ASSUMED']);
    expect(value('1990/01/02', { dateOrder: 'ymd' })).toBe('1990-01-02');
  });

  it('warns on ambiguous dates and assumes the country default', () => {
    const au = date('02/01/1990', { country: 'AU' });
    expect(au).toMatchObject({ ok: true, value: '1990-01-02' });
    expect(au.issues[0]).toMatchObject({ code: 'DATE_AMBIGUOUS', severity: 'warn', path: ['birth_date'] });
    expect(value('02/01/1990')).toBe('1990-01-02');
    expect(value('02/01/1990', { country: 'US' })).toBe('1990-02-01');
    expect(value('02/01/1990', { country: 'PH' })).toBe('1990-02-01');
    expect(codes(date('02/01/1990', { country: 'US' }))).toEqual(['DATE_AMBIGUOUS']);
  });

  it('reads dotted dates day-first (German style)', () => {
    expect(date('02.01.1990')).toEqual({ ok: true, value: '1990-01-02', issues: [] });
    expect(value('2.1.1990')).toBe('1990-01-02');
  });

  it('reads month names in several languages', () => {
    for (const v of [
      '2 Jan 1990', '2 January 1990', 'January 2, 1990', 'Jan 2 1990', 'Tuesday, 2nd of January 1990',
      '2-Jan-1990', '1990 Jan 2', '2. Januar 1990', '2 janvier 1990', '2 de enero de 1990', '2 gennaio 1990',
      '2 januari 1990', 'Jänner 2, 1990',
    ]) {
      expect(value(v), v).toBe('1990-01-02');
    }
    expect(value('1er mars 1990')).toBe('1990-03-01');
    expect(value('15 Sept 2001')).toBe('2001-09-15');
  });

  it('reads Oracle-style dates with two-digit years, warning about the century', () => {
    const r = date('02-JAN-90');
    expect(r).toMatchObject({ ok: true, value: '1990-01-02' });
    expect(codes(r)).toEqual(['DATE_CENTURY_ASSUMED']);
  });

  it('pivots two-digit years so they never pass today', () => {
    expect(value('02/01/25', { dateOrder: 'dmy' })).toBe('2025-01-02');
    expect(value('02/01/26', { dateOrder: 'dmy' })).toBe('1926-01-02');
    expect(value('02/01/90', { dateOrder: 'dmy' })).toBe('1990-01-02');
    expect(value('02/01/05', { dateOrder: 'dmy' })).toBe('2005-01-02');
  });

  it('reads Excel serial numbers between 20000 and 60000', () => {
    expect(value('32874')).toBe('1990-01-01');
    expect(value('36892')).toBe('2001-01-01');
    expect(value('45658')).toBe('2025-01-01');
    expect(value('45658.5')).toBe('2025-01-01');
    expect(codes(date('99999'))).toEqual(['DATE_INVALID']);
    expect(codes(date('12345'))).toEqual(['DATE_INVALID']);
  });

  it('reads Chinese, Korean, Japanese-era and Minguo dates', () => {
    expect(value('1990年1月2日')).toBe('1990-01-02');
    expect(value('1990 年 01 月 02 日')).toBe('1990-01-02');
    expect(value('１９９０年１月２日')).toBe('1990-01-02');
    expect(value('1990年1月2号')).toBe('1990-01-02');
    expect(value('1990년 1월 2일')).toBe('1990-01-02');
    expect(value('平成2年1月2日')).toBe('1990-01-02');
    expect(value('昭和64年1月7日')).toBe('1989-01-07');
    expect(value('令和元年5月1日')).toBe('2019-05-01');
    expect(value('H2.1.2')).toBe('1990-01-02');
    expect(value('S60/4/1')).toBe('1985-04-01');
    expect(value('民國79年1月2日')).toBe('1990-01-02');
    expect(value('民国79年1月2日')).toBe('1990-01-02');
    expect(codes(date('平成40年1月1日'))).toEqual(['DATE_INVALID']);
  });

  it('rejects impossible dates', () => {
    for (const v of ['1990-02-30', '1990-13-01', '31/04/1990', '29/02/1999', '1990-00-10', '1799-12-31', '2200-01-01', 'hello', '1990-1-2-3']) {
      expect(codes(date(v)), v).toEqual(['DATE_INVALID']);
    }
    expect(value('29/02/2000')).toBe('2000-02-29');
  });

  it('rejects partial dates', () => {
    for (const v of ['1990', '1990-05', 'May 1990', '05/1990', '1990年']) expect(codes(date(v)), v).toEqual(['DATE_INCOMPLETE']);
  });

  it('rejects placeholder dates', () => {
    for (const v of ['1900-01-01', '01/01/1900', '0000-00-00', '00/00/0000', '9999-12-31', '1899-12-30', 'N/A', '-', '00000000']) {
      expect(codes(date(v)), v).toEqual(['DATE_PLACEHOLDER']);
    }
  });
});

describe('standardizeBirthDate', () => {
  it('accepts birth dates up to today', () => {
    expect(standardizeBirthDate('2025-06-01', { today })).toMatchObject({ ok: true, value: '2025-06-01' });
    expect(standardizeBirthDate('1895-06-01', { today })).toMatchObject({ ok: true, value: '1895-06-01' });
  });

  it('rejects future dates and dates over 130 years ago', () => {
    expect(standardizeBirthDate('2025-06-02', { today }).issues[0]).toMatchObject({ code: 'DATE_FUTURE', severity: 'reject', path: ['birth_date'] });
    expect(codes(standardizeBirthDate('1895-05-31', { today }))).toEqual(['DATE_TOO_OLD']);
  });
});

describe('standardizeDateTime', () => {
  const dt = (v: string) => standardizeDateTime(v, { today });
  it('normalizes ISO date-times and keeps the zone', () => {
    expect(dt('2024-03-05 14:22:01')).toEqual({ ok: true, value: '2024-03-05T14:22:01', issues: [] });
    expect(dt('2024-03-05T14:22')).toMatchObject({ value: '2024-03-05T14:22:00' });
    expect(dt('2024-03-05T14:22:01.123456+0800')).toMatchObject({ value: '2024-03-05T14:22:01.123+08:00' });
    expect(dt('2024-03-05T14:22:01+00:00')).toMatchObject({ value: '2024-03-05T14:22:01Z' });
    expect(dt('2024-03-05T14:22:01z')).toMatchObject({ value: '2024-03-05T14:22:01Z' });
  });

  it('reads epoch seconds and milliseconds as UTC', () => {
    expect(dt('1709648521')).toMatchObject({ value: '2024-03-05T14:22:01Z' });
    expect(dt('1709648521000')).toMatchObject({ value: '2024-03-05T14:22:01Z' });
  });

  it('keeps other shapes as a date, with a time of day when one follows', () => {
    expect(dt('2024-03-05')).toMatchObject({ value: '2024-03-05' });
    expect(standardizeDateTime('05/03/2024 2:05 pm', { today, dateOrder: 'dmy' })).toMatchObject({ value: '2024-03-05T14:05:00' });
    expect(standardizeDateTime('03/05/2024 12:30 am', { today, dateOrder: 'mdy' })).toMatchObject({ value: '2024-03-05T00:30:00' });
  });

  it('rejects impossible times and timestamps in the future', () => {
    expect(codes(dt('2024-03-05 25:00:00'))).toEqual(['DATE_INVALID']);
    expect(dt('2025-06-02T23:00:00')).toMatchObject({ ok: true });
    expect(dt('2099-01-01T00:00:00Z').issues[0]).toMatchObject({ code: 'DATE_FUTURE', path: ['source_updated_at'] });
  });
});

describe('detectDateOrder', () => {
  it('finds the order a column uses', () => {
    expect(detectDateOrder(['01/02/1990', '13/02/1990', '05/06/1991'])).toBe('dmy');
    expect(detectDateOrder(['01/02/1990', '02/13/1990'])).toBe('mdy');
    expect(detectDateOrder(['31.12.1990'])).toBe('dmy');
  });

  it('returns null when nothing decides or values disagree', () => {
    expect(detectDateOrder(['01/02/1990', '03/04/1990'])).toBeNull();
    expect(detectDateOrder(['13/01/1990', '01/13/1990'])).toBeNull();
    expect(detectDateOrder(['1990-01-13', ''])).toBeNull();
    expect(detectDateOrder([])).toBeNull();
  });
});
