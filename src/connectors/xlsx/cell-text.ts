/**
 * Excel cell values → the text a record carries. Pure functions. The sheet reader uses the
 * number, date and format functions on the raw cell values it scans; {@link cellText} converts
 * a value as a JS reader such as exceljs hands it over (string, number, boolean, Date, or an
 * object for rich text, formulas, hyperlinks and errors), which is how the tests read a
 * workbook with exceljs to compare.
 */

import { civilFromDays } from '../../core/civil-date.js';

/** What a cell held, for header detection: text, or a value of another type. */
export type CellKind = 'text' | 'number' | 'date' | 'boolean' | 'error' | 'empty';

export interface CellText {
  text: string;
  kind: CellKind;
}

const MS_PER_DAY = 86_400_000;
/** 1899-12-30: day 0 of Excel's 1900 date system, in Unix milliseconds. */
const EXCEL_EPOCH_1900 = Date.UTC(1899, 11, 30);
/** 1904-01-01: day 0 of the 1904 system. */
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);

/** What a number format shows: a date (perhaps with a time), a time of day alone, or a number. */
export type FormatKind = 'date' | 'time' | 'number';

/**
 * What a number format shows. A date or time has a d, m, y, h or s outside quoted text,
 * brackets and escapes (`yyyy-mm-dd`, `m/d/yy h:mm`, `[$-409]d-mmm`, `[h]:mm`); it is a time
 * alone when it has no day, year or month name (`h:mm`, `mm:ss`; a lone `mm` is a month).
 */
export function formatKind(fmt: string | undefined): FormatKind {
  if (!fmt || fmt === 'General' || fmt === '@') return 'number';
  const bare = fmt
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?:h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '');
  if (!/[dmyhs]/i.test(bare)) return 'number';
  return /[hs]/i.test(bare) && !/[dy]|m{3,}/i.test(bare) ? 'time' : 'date';
}

/** Whether a number format shows a date or a time (see {@link formatKind}). */
export function isDateFormat(fmt: string | undefined): boolean {
  return formatKind(fmt) !== 'number';
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * A date as ISO text: `yyyy-mm-dd`, `yyyy-mm-ddTHH:MM:SS` when there is a time of day, or
 * `HH:MM:SS` for a time alone (a serial below 1: a Date carries no number format to tell).
 * Excel dates carry no time zone: the UTC fields of the Date are the wall-clock fields, and no
 * zone is written.
 */
export function formatExcelDate(d: Date, date1904 = false): string {
  let ms = d.getTime();
  if (Number.isNaN(ms)) return '';
  ms = Math.round(ms / 1000) * 1000; // 09:30 is 0.3958333… of a day: do not show 09:29:59.999
  const t = new Date(ms);
  const time = `${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}`;
  const epoch = date1904 ? EXCEL_EPOCH_1904 : EXCEL_EPOCH_1900;
  if (ms >= epoch && ms < epoch + MS_PER_DAY) return time;
  const y = t.getUTCFullYear();
  const date = `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
  return time === '00:00:00' ? date : `${date}T${time}`;
}

const PAD2 = Array.from({ length: 100 }, (_v, i) => (i < 10 ? `0${i}` : String(i)));
/** Day 0 of each date system, in days since 1970-01-01. */
const EPOCH_DAYS_1900 = -25569;
const EPOCH_DAYS_1904 = -24107;

/**
 * An Excel serial day number as ISO text: `yyyy-mm-dd`, with `THH:MM:SS` when there is a time
 * of day; `HH:MM:SS` alone for a time format (`timeOnly`). Computed without a Date object, by
 * the civil-from-days conversion of H. Hinnant's date algorithms, rounded to the second as
 * Excel shows it.
 */
export function formatExcelSerial(serial: number, date1904 = false, timeOnly = false): string {
  if (!Number.isFinite(serial)) return '';
  const total = Math.round(Math.round(serial * 86_400_000) / 1000); // as a Date would round: ms, then seconds
  const days = Math.floor(total / 86_400);
  const secs = total - days * 86_400;
  const time = `${PAD2[Math.floor(secs / 3600)]}:${PAD2[Math.floor(secs / 60) % 60]}:${PAD2[secs % 60]}`;
  if (timeOnly) return time;
  const [y, m, d] = civilFromDays(days + (date1904 ? EPOCH_DAYS_1904 : EPOCH_DAYS_1900));
  const date = `${y >= 1000 ? y : String(y).padStart(4, '0')}-${PAD2[m]}-${PAD2[d]}`;
  return secs === 0 ? date : `${date}T${time}`;
}

/**
 * A number as Excel shows it at most, without binary noise: 15 significant digits, no
 * exponent (1234567890, not 1.23e9; 0.3, not 0.30000000000000004). A format of only zeros
 * (`00000`) pads as Excel does, so a postcode stored as a number keeps its leading zero.
 */
export function formatExcelNumber(n: number, fmt?: string): string {
  if (!Number.isFinite(n)) return '';
  let s: string;
  if (Number.isSafeInteger(n)) s = String(n);
  else {
    const r = Number(n.toPrecision(15));
    s = String(r);
    if (s.includes('e')) s = r.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  }
  if (fmt && /^0+$/.test(fmt) && Number.isInteger(n) && n >= 0 && s.length < fmt.length) s = s.padStart(fmt.length, '0');
  return s;
}

/** OOXML escapes characters XML cannot hold as `_xHHHH_` (e.g. `_x000D_` for a carriage return). */
function unescapeOoxml(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}

/**
 * The text of one cell, trimmed. Strings stay as they are (an id stored as text keeps its
 * leading zeros); numbers per {@link formatExcelNumber}; dates per {@link formatExcelDate};
 * booleans `TRUE`/`FALSE`; rich text its plain text; a formula its cached result (a formula
 * never calculated by Excel has none: empty); a hyperlink its text; an error its code (`#N/A`).
 */
export function cellText(value: unknown, numFmt: string | undefined, date1904 = false): CellText {
  if (value === null || value === undefined) return { text: '', kind: 'empty' };
  switch (typeof value) {
    case 'string': {
      const text = unescapeOoxml(value).trim();
      return { text, kind: text ? 'text' : 'empty' };
    }
    case 'number': {
      const fk = formatKind(numFmt);
      if (fk !== 'number') return { text: formatExcelSerial(value, date1904, fk === 'time'), kind: 'date' };
      return { text: formatExcelNumber(value, numFmt), kind: 'number' };
    }
    case 'boolean':
      return { text: value ? 'TRUE' : 'FALSE', kind: 'boolean' };
    case 'object': {
      if (value instanceof Date) return { text: formatExcelDate(value, date1904), kind: 'date' };
      const v = value as Record<string, unknown>;
      if (Array.isArray(v['richText'])) {
        const text = unescapeOoxml((v['richText'] as { text?: unknown }[]).map((r) => (typeof r.text === 'string' ? r.text : '')).join('')).trim();
        return { text, kind: text ? 'text' : 'empty' };
      }
      if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
        const result = v['result'];
        // The streaming reader gives a numeric result as a number: NaN when it was an error or
        // a boolean it could not parse.
        if (typeof result === 'number' && Number.isNaN(result)) return { text: '', kind: 'empty' };
        return cellText(result, numFmt, date1904);
      }
      if (typeof v['error'] === 'string') return { text: v['error'], kind: 'error' };
      if ('text' in v) return cellText(v['text'], numFmt, date1904);
      return { text: '', kind: 'empty' };
    }
    default:
      return { text: String(value).trim(), kind: 'text' };
  }
}
