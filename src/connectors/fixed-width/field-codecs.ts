/**
 * Pure decoders for the numeric and date representations of legacy records (COBOL DISPLAY,
 * zoned and COMP-3 packed decimal). No I/O; each is unit-tested on byte values. They run once
 * per field of every record, so they loop over character codes instead of using regular
 * expressions, and return the value itself (a string) or a failure: no wrapper per field.
 */

/** Why a field's bytes are not a value of its type. */
export interface FieldFailure {
  code: 'INVALID_PACKED' | 'INVALID_ZONED' | 'INVALID_NUMBER' | 'UNEXPECTED_SIGN';
  message: string;
  /** 0-based byte in the field where it goes wrong. */
  at: number;
}

/** A decoded field: its text, or why it cannot be read. */
export type FieldResult = string | FieldFailure;

export function isFailure(r: FieldResult): r is FieldFailure {
  return typeof r !== 'string';
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

function unexpectedSign(at: number): FieldFailure {
  return { code: 'UNEXPECTED_SIGN', message: 'negative value in a field the layout declares unsigned (set signed: true if the field is PIC S9…)', at };
}

function allZero(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * Renders a number given as its digits, its sign and an implied scale as plain text:
 * (false, "0012345", 2) → "123.45"; (true, "700", 2) → "-7.00"; no negative zero.
 */
export function formatScaled(negative: boolean, digits: string, scale: number): string {
  let i = 0;
  const keep = scale + 1;
  while (digits.length - i > keep && digits.charCodeAt(i) === 48) i++;
  let d = i ? digits.slice(i) : digits;
  if (d.length < keep) d = '0'.repeat(keep - d.length) + d;
  const text = scale > 0 ? `${d.slice(0, d.length - scale)}.${d.slice(d.length - scale)}` : d;
  return negative && !allZero(d) ? `-${text}` : text;
}

/**
 * Unpacks a COMP-3 (packed decimal) field `bytes[start, start + length)`: two digits per byte,
 * the last byte's low nibble the sign. Sign nibbles follow IBM's rule: C, A, E, F positive
 * (F is the "unsigned" sign), D, B negative; a digit nibble above 9 or a sign nibble 0–9 makes
 * the field invalid, reported with the byte where it happens. A field of all spaces or all
 * low-values (0x00) is empty: how COBOL programs write "no value".
 */
export function unpackPacked(bytes: Uint8Array, start: number, length: number, scale: number, signed: boolean, space = 0x40): FieldResult {
  let blank = true;
  let low = true;
  for (let i = 0; i < length; i++) {
    const b = bytes[start + i]!;
    if (b !== space) blank = false;
    if (b !== 0) low = false;
  }
  if (blank || low) return '';
  // Up to 15 digits fit a double exactly; longer fields (up to 31 digits) are built as text.
  const small = length <= 8;
  let value = 0;
  const codes: number[] | null = small ? null : [];
  for (let i = 0; i < length; i++) {
    const b = bytes[start + i]!;
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9) return { code: 'INVALID_PACKED', message: `high nibble 0x${hi.toString(16).toUpperCase()} of byte 0x${hex(b)} is not a decimal digit`, at: i };
    if (codes) codes.push(48 + hi);
    else value = value * 10 + hi;
    if (i < length - 1) {
      if (lo > 9) return { code: 'INVALID_PACKED', message: `low nibble 0x${lo.toString(16).toUpperCase()} of byte 0x${hex(b)} is not a decimal digit`, at: i };
      if (codes) codes.push(48 + lo);
      else value = value * 10 + lo;
    } else if (lo <= 9) {
      return { code: 'INVALID_PACKED', message: `sign nibble 0x${lo.toString(16).toUpperCase()} is not a sign (C/F positive, D negative) in byte 0x${hex(b)}`, at: i };
    }
  }
  const sign = bytes[start + length - 1]! & 0x0f;
  const negative = sign === 0x0d || sign === 0x0b;
  const digits = codes ? String.fromCharCode(...codes) : String(value);
  if (negative && !signed && !allZero(digits)) return unexpectedSign(length - 1);
  return formatScaled(negative, digits, scale);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 0;
}

/**
 * Reads a zoned decimal (COBOL DISPLAY `PIC S9(n)`) from its decoded text: digits, the last one
 * overpunched with the sign. The overpunch characters are the same whether the file was EBCDIC
 * (zone C or D on the last byte decodes to `{`, `A`–`I`, `}`, `J`–`R`) or ASCII: `{`/`A`–`I`
 * positive 0–9, `}`/`J`–`R` negative 0–9, and the ASCII convention `p`–`y` negative 0–9.
 * Leading spaces are allowed; an all-blank field is empty.
 */
export function parseZoned(text: string, scale: number, signed: boolean, start = 0, end = text.length): FieldResult {
  let s = start;
  let e = end;
  while (s < e && isBlank(text.charCodeAt(s))) s++;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  if (s === e) return '';
  for (let i = s; i < e - 1; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return { code: 'INVALID_ZONED', message: `character ${JSON.stringify(text[i])} is not a digit`, at: i - start };
  }
  const last = text.charCodeAt(e - 1);
  let digit = -1;
  let negative = false;
  if (last >= 48 && last <= 57) digit = last - 48;
  else if (last === 0x7b) digit = 0; // {
  else if (last >= 0x41 && last <= 0x49) digit = last - 0x40; // A-I
  else {
    negative = true;
    if (last === 0x7d) digit = 0; // }
    else if (last >= 0x4a && last <= 0x52) digit = last - 0x49; // J-R
    else if (last >= 0x70 && last <= 0x79) digit = last - 0x70; // p-y
  }
  if (digit < 0) return { code: 'INVALID_ZONED', message: `last character ${JSON.stringify(text[e - 1])} is neither a digit nor an overpunched sign`, at: e - 1 - start };
  const digits = last >= 48 && last <= 57 ? text.slice(s, e) : text.slice(s, e - 1) + String.fromCharCode(48 + digit);
  if (negative && !signed && !allZero(digits)) return unexpectedSign(e - 1 - start);
  return formatScaled(negative, digits, scale);
}

/**
 * Reads a display number: digits with an optional leading or trailing `+`/`-` and, when
 * `allowPoint`, one explicit decimal point (then `scale` is the minimum number of decimals
 * rendered, not an implied scale). Surrounding spaces are allowed; an all-blank field is empty.
 */
export function parseDisplayNumber(text: string, scale: number, signed: boolean, allowPoint: boolean, start = 0, end = text.length): FieldResult {
  let s = start;
  let e = end;
  while (s < e && (isBlank(text.charCodeAt(s)) || text.charCodeAt(s) === 9)) s++;
  while (e > s && (isBlank(text.charCodeAt(e - 1)) || text.charCodeAt(e - 1) === 9)) e--;
  if (s === e) return '';
  const t0 = s;
  const t1 = e;
  let negative = false;
  let c = text.charCodeAt(s);
  if (c === 45 || c === 43) {
    negative = c === 45;
    s++;
  } else {
    c = text.charCodeAt(e - 1);
    if (c === 45 || c === 43) {
      negative = c === 45;
      e--;
    }
  }
  let point = -1;
  for (let i = s; i < e; i++) {
    const d = text.charCodeAt(i);
    if (d >= 48 && d <= 57) continue;
    if (d === 46 && allowPoint && point < 0) {
      point = i;
      continue;
    }
    return { code: 'INVALID_NUMBER', message: `${JSON.stringify(text.slice(t0, t1))} is not a${allowPoint ? ' decimal' : 'n integer'} number`, at: i - start };
  }
  const ndigits = e - s - (point >= 0 ? 1 : 0);
  if (ndigits === 0) return { code: 'INVALID_NUMBER', message: `${JSON.stringify(text.slice(t0, t1))} has no digits`, at: t0 - start };
  let digits = point >= 0 ? text.slice(s, point) + text.slice(point + 1, e) : text.slice(s, e);
  if (negative && !signed && !allZero(digits)) return unexpectedSign(t0 - start);
  if (point >= 0) {
    const decimals = e - point - 1;
    const shown = Math.max(decimals, scale);
    if (shown > decimals) digits += '0'.repeat(shown - decimals);
    return formatScaled(negative, digits, shown);
  }
  return formatScaled(negative, digits, scale);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'));

function year4(y: number): string {
  return y >= 1000 ? String(y) : String(y).padStart(4, '0');
}

/** Reads `width` digits at `at`; -1 when one is not a digit. */
function digitsAt(text: string, at: number, width: number): number {
  let v = 0;
  for (let i = at; i < at + width; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** A date reader compiled from a format's tokens (see `dateFormatTokens`), over `text[start, end)`. */
export type DateParser = (text: string, start?: number, end?: number) => string | null;

/**
 * Compiles a layout date format (tokens from `dateFormatTokens`): `yyyy`, `yy` (00–49 →
 * 20yy, 50–99 → 19yy, the usual COBOL window), `c` (IBM century digit: 0 → 19yy, 1 → 20yy),
 * `mm`, `dd`, `ddd` (day of year) and literal separators. The parser returns `yyyy-mm-dd`; ''
 * for the "no date" conventions (blank, all zeros, all nines); null when the text is not a
 * real date.
 */
export function compileDateParser(tokens: readonly string[]): DateParser {
  const parts: { tok: string; at: number; literal: boolean }[] = [];
  let width = 0;
  for (const tok of tokens) {
    parts.push({ tok, at: width, literal: !/^[a-z]+$/.test(tok) });
    width += tok.length;
  }
  return (text, start = 0, end = text.length) => {
    if (end - start !== width) return null;
    let blank = true;
    let zeros = true;
    let nines = true;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 0) blank = false;
      if (c !== 48 && c !== 32 && c !== 45 && c !== 47 && c !== 46) zeros = false;
      if (c !== 57) nines = false;
    }
    if (blank || zeros || nines) return '';
    let year = -1;
    let yy = -1;
    let century = -1;
    let month = -1;
    let day = -1;
    let doy = -1;
    for (const { tok, at, literal } of parts) {
      if (literal) {
        if (!text.startsWith(tok, start + at)) return null;
        continue;
      }
      const n = digitsAt(text, start + at, tok.length);
      if (n < 0) return null;
      if (tok === 'yyyy') year = n;
      else if (tok === 'yy') yy = n;
      else if (tok === 'c') century = n;
      else if (tok === 'mm') month = n;
      else if (tok === 'ddd') doy = n;
      else day = n;
    }
    if (year < 0) {
      if (yy < 0) return null;
      year = century >= 0 ? (19 + century) * 100 + yy : yy < 50 ? 2000 + yy : 1900 + yy;
    }
    if (year < 1) return null;
    if (doy >= 0) {
      if (doy < 1 || doy > (isLeap(year) ? 366 : 365)) return null;
      let rest = doy;
      for (month = 1; month < 12; month++) {
        const dim = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
        if (rest <= dim) break;
        rest -= dim;
      }
      day = rest;
    }
    if (month < 1 || month > 12) return null;
    const dim = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
    if (day < 1 || day > dim) return null;
    return `${year4(year)}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}`;
  };
}

/** {@link compileDateParser} for one value (tests and one-off use). */
export function parseLayoutDate(text: string, tokens: readonly string[]): string | null {
  return compileDateParser(tokens)(text);
}
