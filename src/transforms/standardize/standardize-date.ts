import { civilFromDays } from '../../core/civil-date.js';
import { ok, type Issue, type TransformResult } from '../../core/issue.js';
import type { DateOrder, StandardizeContext } from './context.js';
import { rejectValue, warnValue } from './issue-codes.js';
import { normalizeText } from './normalize-text.js';
import { isNullToken } from './placeholders.js';

/** Context for the date standardizers; only `today` is required. */
export type DateContext = Pick<StandardizeContext, 'today'> & Partial<Pick<StandardizeContext, 'country' | 'dateOrder'>>;

/**
 * Countries that write numeric dates month first. With no configured order an ambiguous date
 * such as 02/01/1990 is read month-first only for these (the US, its territories and freely
 * associated states, Canada by its common usage, the Philippines); everywhere else day-first.
 */
export const MONTH_FIRST_COUNTRIES: ReadonlySet<string> = new Set([
  'US', 'CA', 'PH', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM', 'FM', 'MH', 'PW',
]);

// Dates systems write when they mean "no date".
const PLACEHOLDER_DATES = new Set([
  '1900-01-01', '1899-12-30', '1899-12-31', '1753-01-01', '0001-01-01', '1800-01-01',
  '9999-12-31', '9999-01-01', '2099-12-31', '2999-12-31',
]);
const PLACEHOLDER_DATE_NUMBERS: ReadonlySet<number> = new Set([...PLACEHOLDER_DATES].map((d) => Number(d.replace(/-/g, ''))));
const ZERO_DATE = /^0{1,4}[-/.]0{1,2}[-/.]0{1,4}$|^0{8}$/;

const MIN_YEAR = 1800;
const MAX_YEAR = 2199;

// Two-digit strings, so formatting allocates one string per date.
const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' + i : String(i)));

const YMD = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\s*(\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:z|[+-]\d{2}(?::?\d{2})?)?))?$/i;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const EXCEL = /^(\d{5})(?:\.\d+)?$/;
const NUMERIC = /^(\d{1,2})([-/. ])(\d{1,2})\2(\d{2}|\d{4})(?:,?\s+(\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?))?$/i;
const CJK_DATE = /^(?:公元|西元)?\s*(\d{2,4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号號일]?$/;
const ERA_DATE = /^(令和|平成|昭和|大正|明治|民國|民国)\s*(元|\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/;
const ERA_SHORT = /^([mtshr])\s*(\d{1,2})[./-](\d{1,2})[./-](\d{1,2})$/i;
const PARTIAL = /^(?:\d{4}|\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4}|\d{4}\s*年(?:\s*\d{1,2}\s*月)?)$/;
const WORD_TOKENS = /\d+[\p{L}º]*|\p{L}+\.?/gu;
const ORDINAL = /^(\d{1,2})(?:st|nd|rd|th|er|e|º|o)$/i;

// Japanese and Republic of China eras: first Gregorian year and last era year.
const ERAS: Record<string, { start: number; last: number }> = {
  令和: { start: 2019, last: 99 }, 平成: { start: 1989, last: 31 }, 昭和: { start: 1926, last: 64 },
  大正: { start: 1912, last: 15 }, 明治: { start: 1868, last: 45 },
  民國: { start: 1912, last: 999 }, 民国: { start: 1912, last: 999 },
};
const ERA_LETTERS: Record<string, string> = { r: '令和', h: '平成', s: '昭和', t: '大正', m: '明治' };

// Month names: English (full, 3-letter, "sept"), German, French, Spanish, Italian, Dutch.
const MONTHS = new Map<string, number>();
for (const [names, month] of [
  ['january jan januar janvier janv enero ene gennaio gen januari jän jänner', 1],
  ['february feb februar février fevrier févr fevr febrero febbraio februari', 2],
  ['march mar märz maerz mars marzo maart mrt', 3],
  ['april apr avril avr abril abr aprile', 4],
  ['may mai mayo maggio mei', 5],
  ['june jun juni juin junio giugno', 6],
  ['july jul juli juillet juil julio luglio', 7],
  ['august aug august août aout agosto ago augustus', 8],
  ['september sep sept septembre septiembre settembre set', 9],
  ['october oct oktober octobre octubre ottobre okt', 10],
  ['november nov novembre noviembre', 11],
  ['december dec dezember dez décembre decembre déc diciembre dic dicembre', 12],
] as const) {
  for (const n of names.split(' ')) MONTHS.set(n, month);
}
// Words skipped around month-name dates: weekdays, "of", "the", "de", "den", "le".
const SKIP_WORDS = new Set([
  'monday', 'mon', 'tuesday', 'tue', 'tues', 'wednesday', 'wed', 'thursday', 'thu', 'thur', 'thurs',
  'friday', 'fri', 'saturday', 'sat', 'sunday', 'sun', 'montag', 'dienstag', 'mittwoch',
  'donnerstag', 'freitag', 'samstag', 'sonntag', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi',
  'samedi', 'dimanche', 'of', 'the', 'de', 'del', 'den', 'le', 'am',
]);

/** A date parsed to numbers, before validation. */
interface DateParts {
  y: number;
  m: number;
  d: number;
  /** A time of day that followed the date, as written ("14:22", "2:05 pm"). */
  time?: string | undefined;
}

type Parsed = DateParts | TransformResult<never>;
const isParts = (p: Parsed): p is DateParts => (p as DateParts).y !== undefined;

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function iso(y: number, m: number, d: number): string {
  return String(y) + '-' + PAD2[m] + '-' + PAD2[d];
}


function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is accounted for (serials > 60).
const EXCEL_EPOCH_DAYS = daysFromCivil(1899, 12, 30);

/** Places a two-digit year in the latest century that does not put it after today's year. */
function pivotYear(yy: number, today: string, field: string, issues: Issue[]): number {
  const thisYear = Number(today.slice(0, 4));
  const y = 2000 + yy <= thisYear ? 2000 + yy : 1900 + yy;
  issues.push(warnValue(field, 'DATE_CENTURY_ASSUMED', `The two-digit year was read as ${y}.`));
  return y;
}

/** Reads numeric day and month in the configured or assumed order. */
function dayMonth(
  a: number,
  b: number,
  sep: string,
  ctx: DateContext,
  field: string,
  issues: Issue[],
): { d: number; m: number } | TransformResult<never> {
  const order = ctx.dateOrder;
  if (order === 'dmy' || order === 'mdy') {
    const [d, m] = order === 'dmy' ? [a, b] : [b, a];
    if (m > 12) {
      return rejectValue(field, 'DATE_INVALID', `Month ${m} is out of range for the configured ${order === 'dmy' ? 'day/month/year' : 'month/day/year'} order.`);
    }
    return { d, m };
  }
  if (a > 12 && b <= 12) return { d: a, m: b };
  if (b > 12 && a <= 12) return { d: b, m: a };
  if (a > 12 && b > 12) return rejectValue(field, 'DATE_INVALID', 'Neither the first nor the second number can be a month.');
  if (a === b) return { d: a, m: b };
  // Dotted dates are day-first by convention (German, Russian, …).
  if (sep === '.') return { d: a, m: b };
  const monthFirst = ctx.country !== undefined && MONTH_FIRST_COUNTRIES.has(ctx.country.toUpperCase());
  issues.push(warnValue(field, 'DATE_AMBIGUOUS', monthFirst
    ? 'Day and month could be swapped; read as month/day/year (the country default).'
    : 'Day and month could be swapped; read as day/month/year (the default outside month-first countries).'));
  return monthFirst ? { d: b, m: a } : { d: a, m: b };
}

/** Parses every supported shape to numbers; returns a rejection for unreadable text. */
function parseDate(s: string, ctx: DateContext, field: string, issues: Issue[]): Parsed {
  // "13/02/1980", "2.1.1990": day or month first. Tried first when the shape says so.
  const numeric = isSeparator(s.charCodeAt(1)) || isSeparator(s.charCodeAt(2)) ? parseNumeric(s, ctx, field, issues) : null;
  if (numeric !== null) return numeric;
  let m = YMD.exec(s);
  if (m !== null) return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]), time: m[4] };
  m = COMPACT.exec(s);
  if (m !== null) {
    const y = Number(m[1]);
    if (y >= MIN_YEAR && y <= MAX_YEAR) return { y, m: Number(m[2]), d: Number(m[3]) };
    // ddmmyyyy / mmddyyyy written without separators.
    const dm = dayMonth(Number(s.slice(0, 2)), Number(s.slice(2, 4)), '', ctx, field, issues);
    if (!('d' in dm)) return dm;
    return { y: Number(s.slice(4)), m: dm.m, d: dm.d };
  }
  m = EXCEL.exec(s);
  if (m !== null) {
    const serial = Number(m[1]);
    if (serial < 20000 || serial > 60000) {
      return rejectValue(field, 'DATE_INVALID', 'A five-digit number is read as an Excel date only between 20000 and 60000.');
    }
    const [y, mo, d] = civilFromDays(EXCEL_EPOCH_DAYS + serial);
    return { y, m: mo, d };
  }
  m = CJK_DATE.exec(s);
  if (m !== null) {
    const yText = m[1] ?? '';
    const y = yText.length === 2 ? pivotYear(Number(yText), ctx.today, field, issues) : Number(yText);
    return { y, m: Number(m[2]), d: Number(m[3]) };
  }
  m = ERA_DATE.exec(s) ?? ERA_SHORT.exec(s);
  if (m !== null) {
    const name = ERA_LETTERS[(m[1] ?? '').toLowerCase()] ?? m[1] ?? '';
    const era = ERAS[name];
    const n = m[2] === '元' ? 1 : Number(m[2]);
    if (era === undefined || n < 1 || n > era.last) {
      return rejectValue(field, 'DATE_INVALID', `Year ${m[2] ?? ''} does not exist in the ${name} era.`);
    }
    return { y: era.start + n - 1, m: Number(m[3]), d: Number(m[4]) };
  }
  return parseWordDate(s, ctx, field, issues);
}

function isSeparator(c: number): boolean {
  return c === 47 /* / */ || c === 45 /* - */ || c === 46 /* . */ || c === 32 /* space */;
}

/** A numeric day/month/year date, or null when the text is not one. */
function parseNumeric(s: string, ctx: DateContext, field: string, issues: Issue[]): Parsed | null {
  const m = NUMERIC.exec(s);
  if (m === null) return null;
  if (ctx.dateOrder === 'ymd' && (m[4] ?? '').length === 2) {
    // yy/mm/dd (90.01.02), as written in Japan, Korea and China with a configured ymd order.
    return { y: pivotYear(Number(m[1]), ctx.today, field, issues), m: Number(m[3]), d: Number(m[4]), time: m[5] };
  }
  const dm = dayMonth(Number(m[1]), Number(m[3]), m[2] ?? '/', ctx, field, issues);
  if (!('d' in dm)) return dm;
  const yText = m[4] ?? '';
  const y = yText.length === 2 ? pivotYear(Number(yText), ctx.today, field, issues) : Number(yText);
  return { y, m: dm.m, d: dm.d, time: m[5] };
}

/** "2 Jan 1990", "January 2, 1990", "02-JAN-90", "Tuesday, 2nd of January 1990", "1990 Jan 2". */
function parseWordDate(s: string, ctx: DateContext, field: string, issues: Issue[]): Parsed {
  if (PARTIAL.test(s)) return rejectValue(field, 'DATE_INCOMPLETE', 'The value has no day (a year or month only).');
  const tokens = s.toLowerCase().match(WORD_TOKENS);
  if (tokens === null) return unreadable(field);
  let month = 0;
  let monthAt = -1;
  const numbers: string[] = [];
  let position = 0;
  for (const raw of tokens) {
    const t = raw.endsWith('.') ? raw.slice(0, -1) : raw;
    const ord = ORDINAL.exec(t);
    if (ord !== null) {
      numbers.push(ord[1] ?? '');
      position++;
      continue;
    }
    if (t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57) {
      numbers.push(t);
      position++;
      continue;
    }
    if (SKIP_WORDS.has(t)) continue;
    const mo = MONTHS.get(t);
    if (mo === undefined || month !== 0) return unreadable(field);
    month = mo;
    monthAt = position++;
  }
  if (month === 0) return unreadable(field);
  if (numbers.length === 1) return rejectValue(field, 'DATE_INCOMPLETE', 'The value has no day (a month and year only).');
  if (numbers.length !== 2) return unreadable(field);
  const [first = '', second = ''] = numbers;
  let dayText: string;
  let yearText: string;
  if (first.length === 4) {
    // 1990 Jan 2
    yearText = first;
    dayText = second;
  } else {
    // 2 Jan 1990 and Jan 2 1990 both end with the year.
    dayText = first;
    yearText = second;
    if (monthAt < 0) return unreadable(field);
  }
  if (dayText.length > 2 || (yearText.length !== 2 && yearText.length !== 4)) return unreadable(field);
  const y = yearText.length === 2 ? pivotYear(Number(yearText), ctx.today, field, issues) : Number(yearText);
  return { y, m: month, d: Number(dayText) };
}

function unreadable(field: string): TransformResult<never> {
  return rejectValue(field, 'DATE_INVALID', 'The value is not a date in a recognized format.');
}

/**
 * Validates parts and builds the ISO date, or the rejection. `asWritten` is the input when it is
 * already yyyy-mm-dd, so the output can be the same string.
 */
function finish(p: DateParts, field: string, asWritten?: string): string | TransformResult<never> {
  if (p.y === 0 && p.m === 0 && p.d === 0) return rejectValue(field, 'DATE_PLACEHOLDER', 'The value is a zero date, a placeholder.');
  if (p.m < 1 || p.m > 12) return rejectValue(field, 'DATE_INVALID', `Month ${p.m} does not exist.`);
  if (p.d < 1 || p.d > daysInMonth(p.y, p.m)) {
    return rejectValue(field, 'DATE_INVALID', `Day ${p.d} does not exist in ${p.y}-${PAD2[p.m] ?? p.m}.`);
  }
  if (PLACEHOLDER_DATE_NUMBERS.has(p.y * 10000 + p.m * 100 + p.d)) {
    return rejectValue(field, 'DATE_PLACEHOLDER', 'The date is a system default, a placeholder.');
  }
  if (p.y < MIN_YEAR || p.y > MAX_YEAR) return rejectValue(field, 'DATE_INVALID', `Year ${p.y} is outside ${MIN_YEAR}–${MAX_YEAR}.`);
  return asWritten ?? iso(p.y, p.m, p.d);
}

function standardizeDateIn(value: string, ctx: DateContext, field: string): TransformResult<string> & { time?: string } {
  const s = normalizeText(value);
  if (s === '') return rejectValue(field, 'VALUE_EMPTY', 'The date is empty.');
  // The common case first: an ISO date needs no other work.
  if (isPlainDate(s)) {
    const r = finish({ y: num(s, 0, 4), m: num(s, 5, 7), d: num(s, 8, 10) }, field, s);
    return typeof r === 'string' ? ok(r) : r;
  }
  if (isNullToken(s) || ZERO_DATE.test(s)) return rejectValue(field, 'DATE_PLACEHOLDER', 'The value is a placeholder, not a date.');
  const issues: Issue[] = [];
  const parts = parseDate(s, ctx, field, issues);
  if (!isParts(parts)) return parts;
  const r = finish(parts, field);
  if (typeof r !== 'string') return r;
  const result: TransformResult<string> & { time?: string } = ok(r, issues);
  if (parts.time !== undefined) result.time = parts.time;
  return result;
}

/**
 * Reads a date in any common shape and returns it as ISO yyyy-mm-dd:
 * ISO (also with / or . and a trailing time), yyyymmdd, numeric day/month/year orders, dd.mm.yyyy,
 * month names in English, German, French, Spanish, Italian and Dutch ("2 Jan 1990", "January 2,
 * 1990", "02-JAN-90"), Excel serial numbers (20000–60000, i.e. 1954–2064), Chinese/Korean dates
 * (1990年1月2日, 1990년 1월 2일), Japanese eras (平成2年1月2日, H2.1.2) and Taiwan's Minguo years
 * (民國79年1月2日).
 *
 * Numeric day/month order: `ctx.dateOrder` when set (a value that contradicts it is rejected;
 * `ymd` reads two-digit-year values such as 90.01.02 year first and leaves four-digit-year values
 * to the rules below); otherwise a part above 12 decides; otherwise dots mean day-first;
 * otherwise DATE_AMBIGUOUS (warn) and day-first, or month-first for
 * {@link MONTH_FIRST_COUNTRIES}.
 *
 * Two-digit years take the latest century that does not pass today's year (DATE_CENTURY_ASSUMED):
 * with today 2025-06-01, "25" is 2025 and "26" is 1926.
 *
 * Rejects: DATE_INVALID (unreadable or impossible: 1990-02-30, month 13, year outside
 * 1800–2199), DATE_INCOMPLETE (1990, Jan 1990), DATE_PLACEHOLDER (N/A, 0000-00-00,
 * 1900-01-01, 9999-12-31, …). Issues use the path `birth_date`.
 */
export function standardizeDate(value: string, ctx: DateContext): TransformResult<string> {
  const r = standardizeDateIn(value, ctx, 'birth_date');
  return r.ok ? ok(r.value, r.issues) : r;
}

/**
 * {@link standardizeDate}, then rejects dates after `ctx.today` (DATE_FUTURE) and more than 130
 * years before it (DATE_TOO_OLD). Issues use the path `birth_date`.
 */
export function standardizeBirthDate(value: string, ctx: DateContext): TransformResult<string> {
  const field = 'birth_date';
  const r = standardizeDateIn(value, ctx, field);
  if (!r.ok) return r;
  const date = dateNumber(r.value);
  const today = dateNumber(ctx.today);
  if (date > today) return rejectValue(field, 'DATE_FUTURE', 'The birth date is after today.');
  if (date < today - 1_300_000) return rejectValue(field, 'DATE_TOO_OLD', 'The birth date is more than 130 years ago.');
  return r.time === undefined ? r : ok(r.value, r.issues);
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The number written in s[from, to), all ASCII digits (checked by the caller). */
function num(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

// Character classes of "yyyy-mm-dd hh:mm:ss": d digit, and the literal separators.
const PLAIN_DATE_TIME = 'dddd-dd-dd?dd:dd:dd';

/** True for exactly "yyyy-mm-dd". */
function isPlainDate(s: string): boolean {
  if (s.length !== 10) return false;
  for (let i = 0; i < 10; i++) {
    const c = s.charCodeAt(i);
    if (i === 4 || i === 7) {
      if (c !== 45) return false;
    } else if (c < 48 || c > 57) return false;
  }
  return true;
}

/** yyyy-mm-dd as the number yyyymmdd, for comparisons without string compares. */
function dateNumber(iso: string): number {
  return num(iso, 0, 4) * 10000 + num(iso, 5, 7) * 100 + num(iso, 8, 10);
}

/** True for exactly "yyyy-mm-dd hh:mm:ss" or "yyyy-mm-ddThh:mm:ss". */
function isPlainDateTime(s: string): boolean {
  if (s.length !== 19) return false;
  for (let i = 0; i < 19; i++) {
    const c = s.charCodeAt(i);
    const want = PLAIN_DATE_TIME.charCodeAt(i);
    if (want === 100 /* d */) {
      if (c < 48 || c > 57) return false;
    } else if (want === 63 /* ? */) {
      if (c !== 32 && c !== 84) return false;
    } else if (c !== want) return false;
  }
  return true;
}

const TIME_12H = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?$/i;
const EPOCH = /^\d{10}(?:\d{3})?$/;

function zone(z: string | undefined): string {
  if (z === undefined) return '';
  if (z === 'z' || z === 'Z') return 'Z';
  const sign = z.charAt(0);
  const digits = z.slice(1).replace(':', '');
  const hh = digits.slice(0, 2);
  const mm = digits.length >= 4 ? digits.slice(2, 4) : '00';
  return hh === '00' && mm === '00' ? 'Z' : sign + hh + ':' + mm;
}

/**
 * Standardizes a last-update timestamp (`source_updated_at`): ISO date-times become
 * yyyy-mm-ddThh:mm:ss[.fff][Z|±hh:mm] (a missing zone stays missing: local time of the source),
 * Unix epoch seconds or milliseconds become UTC, any shape {@link standardizeDate} reads is kept
 * as a date, with its time of day when one follows ("05/03/2024 2:05 pm" →
 * 2024-03-05T14:05:00). Rejects DATE_FUTURE when the date is more than one day after
 * `ctx.today` (a wrong clock would otherwise win every "latest value" survivorship rule).
 * Issues use the path `source_updated_at`.
 */
export function standardizeDateTime(value: string, ctx: DateContext): TransformResult<string> {
  const field = 'source_updated_at';
  const s = normalizeText(value);
  if (s === '') return rejectValue(field, 'VALUE_EMPTY', 'The timestamp is empty.');
  let out: string;
  let issues: Issue[] = [];
  const plain = isPlainDateTime(s);
  const m = plain ? null : ISO_DATE_TIME.exec(s);
  if (plain) {
    // "2024-03-05 14:22:01" / "2024-03-05T14:22:01": the common shape, checked without a regex.
    const date = finish({ y: num(s, 0, 4), m: num(s, 5, 7), d: num(s, 8, 10) }, field);
    if (typeof date !== 'string') return date;
    if (num(s, 11, 13) > 23 || num(s, 14, 16) > 59 || num(s, 17, 19) > 59) {
      return rejectValue(field, 'DATE_INVALID', 'The time of day does not exist.');
    }
    out = s.charCodeAt(10) === 84 /* T */ ? s : date + 'T' + s.slice(11);
  } else if (m !== null) {
    const date = finish({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }, field);
    if (typeof date !== 'string') return date;
    const h = Number(m[4]);
    const mi = Number(m[5]);
    const se = m[6] === undefined ? 0 : Number(m[6]);
    if (h > 23 || mi > 59 || se > 60) return rejectValue(field, 'DATE_INVALID', 'The time of day does not exist.');
    const fraction = m[7] === undefined ? '' : '.' + m[7].slice(0, 3).padEnd(3, '0');
    out = date + 'T' + PAD2[h] + ':' + PAD2[mi] + ':' + PAD2[se === 60 ? 59 : se] + fraction + zone(m[8]);
  } else if (EPOCH.test(s)) {
    const ms = s.length === 13 ? Number(s) : Number(s) * 1000;
    const days = Math.floor(ms / 86400000);
    const [y, mo, d] = civilFromDays(days);
    const date = finish({ y, m: mo, d }, field);
    if (typeof date !== 'string') return date;
    const rest = ms - days * 86400000;
    const h = Math.floor(rest / 3600000);
    const mi = Math.floor((rest % 3600000) / 60000);
    const se = Math.floor((rest % 60000) / 1000);
    out = date + 'T' + PAD2[h] + ':' + PAD2[mi] + ':' + PAD2[se] + 'Z';
  } else {
    const r = standardizeDateIn(s, ctx, field);
    if (!r.ok) return r;
    issues = r.issues;
    out = r.value;
    if (r.time !== undefined) {
      const t = TIME_12H.exec(r.time.trim());
      if (t !== null) {
        let h = Number(t[1]);
        const ampm = t[4]?.toLowerCase();
        if (ampm === 'p' && h < 12) h += 12;
        if (ampm === 'a' && h === 12) h = 0;
        const mi = Number(t[2]);
        const se = t[3] === undefined ? 0 : Number(t[3]);
        if (h > 23 || mi > 59 || se > 59) return rejectValue(field, 'DATE_INVALID', 'The time of day does not exist.');
        out += 'T' + PAD2[h] + ':' + PAD2[mi] + ':' + PAD2[se];
      }
    }
  }
  // Tomorrow is only worked out for dates after today.
  const date = dateNumber(out);
  if (date > dateNumber(ctx.today)) {
    const t = civilFromDays(daysFromCivil(num(ctx.today, 0, 4), num(ctx.today, 5, 7), num(ctx.today, 8, 10)) + 1);
    if (date > t[0] * 10000 + t[1] * 100 + t[2]) {
      return rejectValue(field, 'DATE_FUTURE', 'The timestamp is more than a day after today.');
    }
  }
  return ok(out, issues);
}

const ORDER_PROBE = /^(\d{1,2})[-/. ](\d{1,2})[-/. ](?:\d{2}|\d{4})\b/;

/**
 * Looks at a whole column of numeric dates to find its day/month order: a first part above 12
 * means day-first, a second part above 12 month-first. Returns null when no value decides or
 * when values disagree (a mixed column; each value is then read on its own).
 */
export function detectDateOrder(values: Iterable<string>): Exclude<DateOrder, 'ymd'> | null {
  let dmy = false;
  let mdy = false;
  for (const v of values) {
    const m = ORDER_PROBE.exec(normalizeText(v));
    if (m === null) continue;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a > 12 && b <= 12) dmy = true;
    else if (b > 12 && a <= 12) mdy = true;
  }
  if (dmy === mdy) return null;
  return dmy ? 'dmy' : 'mdy';
}
