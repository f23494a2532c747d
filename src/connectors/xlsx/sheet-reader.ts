/**
 * A streaming reader for the parts of an .xlsx package that hold data: the shared-strings
 * table, the cell formats, and a worksheet's rows, scanned with indexOf over the inflated XML.
 *
 * Why not exceljs's WorkbookReader: measured on a 15-column customer sheet (200,000 rows) it
 * reads about 15,000 rows per CPU-second with an empty loop body (a full SAX parse, then a Row
 * and a Cell object with a style per cell) and peaked at 370 MB; it keeps the shared strings as
 * one heap string each (3.5 million for a million-row export). This reader scans about
 * 100,000 rows per CPU-second with every cell converted, keeps the shared strings in a few
 * flat strings, and allocates little more than the cell texts. exceljs still writes the
 * fixtures and the benchmark's workbook, and is the reference the tests compare this reader
 * with, cell by cell.
 *
 * Scope: SpreadsheetML as Excel, LibreOffice, exceljs, openpyxl and the OpenXML SDK write it
 * (a namespace prefix such as `x:` included). Rows and cells without an `r` attribute follow
 * the previous one. Phonetic runs (`rPh`, Japanese furigana) are not part of a cell's text.
 */
import { StringDecoder } from 'node:string_decoder';
import { formatExcelNumber, formatExcelSerial, formatKind, type CellKind } from './cell-text.js';
import { decodeXml } from './workbook-parts.js';
import type { ZipPackage } from './zip-package.js';

/**
 * One sheet row: cell texts and kinds by column, column A first (empty cells: '' / 'empty').
 * `kinds` stays empty when the context says kinds are not needed.
 */
export interface ScannedRow {
  number: number;
  texts: string[];
  kinds: CellKind[];
  /** Cells with text. */
  filled: number;
}

// ---------------------------------------------------------------------------------------------
// Shared strings

/** Characters per sealed chunk of the shared-strings table. */
const CHUNK_CHARS = 1 << 20;

/**
 * The shared-strings table, trimmed, as a few large flat strings plus 12 bytes per entry: no
 * heap object per string, so a table of millions costs about its text (1 byte a character for
 * Latin-1 text, 2 otherwise) and nothing for the garbage collector to walk. A lookup is a
 * slice, which V8 makes without copying.
 */
export class SharedStrings {
  private chunks: string[] = [];
  private parts: string[] = [];
  private partsLen = 0;
  /** Per string: chunk, start, length. */
  private index = new Uint32Array(3 * 4096);
  private n = 0;

  get size(): number {
    return this.n;
  }

  add(raw: string): void {
    const text = raw.trim();
    if (3 * this.n + 3 > this.index.length) {
      const grown = new Uint32Array(this.index.length * 2);
      grown.set(this.index);
      this.index = grown;
    }
    const i = 3 * this.n++;
    this.index[i] = this.chunks.length;
    this.index[i + 1] = this.partsLen;
    this.index[i + 2] = text.length;
    this.parts.push(text);
    this.partsLen += text.length;
    if (this.partsLen >= CHUNK_CHARS) this.seal();
  }

  /** Ends the table: the last chunk is joined. */
  seal(): void {
    if (!this.parts.length) return;
    this.chunks.push(this.parts.join(''));
    this.parts = [];
    this.partsLen = 0;
  }

  /** The string at `i`; '' for an index the table does not have. Call {@link seal} first. */
  get(i: number): string {
    if (!(i >= 0 && i < this.n)) return '';
    const k = 3 * i;
    const start = this.index[k + 1]!;
    return this.chunks[this.index[k]!]?.slice(start, start + this.index[k + 2]!) ?? '';
  }
}

/**
 * Streams a part's XML as text chunks. `latin1` maps each byte to one character: the markup
 * of a sheet is ASCII, so it scans the same, decodes faster, and gives one-byte strings; the
 * few text values a sheet holds itself are re-decoded as UTF-8 (see {@link utf8}).
 */
async function* xmlChunks(zip: ZipPackage, part: string, encoding: 'utf8' | 'latin1' = 'utf8'): AsyncGenerator<string> {
  if (encoding === 'latin1') {
    for await (const chunk of await zip.stream(part)) yield (chunk as Buffer).toString('latin1');
    return;
  }
  const decoder = new StringDecoder('utf8');
  for await (const chunk of await zip.stream(part)) {
    const text = decoder.write(chunk as Buffer);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

const HIGH_BYTE = /[\x80-\xff]/;
/** Text scanned as latin1, read back as the UTF-8 it is. */
function utf8(latin1: string): string {
  return HIGH_BYTE.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

function rootPrefix(text: string, root: string): string | undefined {
  const m = new RegExp(`<([\\w.-]+:)?${root}[\\s>/]`).exec(text);
  return m ? (m[1] ?? '') : undefined;
}

/** Shared by every row once kinds are not needed: never written to. */
const NO_KINDS: CellKind[] = [];

/** A number Excel wrote in its shortest form: at most 15 digits, no exponent, no trailing zero. */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d{0,14}|(?=[\d.]{3,16}$)(?:0|[1-9]\d*)\.\d*[1-9])$/;

// Cell types (the `t` attribute), as small numbers so a cell's type costs no string.
const T_NUMBER = 0;
const T_SHARED = 1;
const T_INLINE = 2;
const T_STRING = 3;
const T_BOOLEAN = 4;
const T_ERROR = 5;
const T_DATE = 6;

/** The cell type written in s[from, to): s, inlineStr, str, b, e, d, n. */
function typeCodeAt(s: string, from: number, to: number): number {
  const len = to - from;
  switch (s.charCodeAt(from)) {
    case 115: // s, str
      return len === 1 ? T_SHARED : T_STRING;
    case 105: // inlineStr
      return T_INLINE;
    case 98: // b
      return T_BOOLEAN;
    case 101: // e
      return T_ERROR;
    case 100: // d
      return T_DATE;
    default:
      return T_NUMBER;
  }
}

/** The non-negative integer written in s[from, to) (an index, a style number). */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return i === from ? -1 : n;
    n = n * 10 + d;
  }
  return n;
}
const isNameEnd = (c: number): boolean => c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13; // space > / tab lf cr

/** OOXML escapes characters XML cannot hold as `_xHHHH_`. */
function unescapeOoxml(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}

/** Text of the `<t>` runs of an element's content, phonetic runs (`<rPh>`) left out. */
function runText(content: string, p: string): string {
  const T = `<${p}t`;
  const T_END = `</${p}t>`;
  const RPH = `<${p}rPh`;
  const RPH_END = `</${p}rPh>`;
  const rph = content.indexOf(RPH);
  let out = '';
  let pos = 0;
  for (;;) {
    let t = content.indexOf(T, pos);
    while (t >= 0 && !isNameEnd(content.charCodeAt(t + T.length))) t = content.indexOf(T, t + T.length);
    if (t < 0) break;
    if (rph >= 0) {
      const r = content.indexOf(RPH, pos);
      if (r >= 0 && r < t) {
        const e = content.indexOf(RPH_END, r);
        if (e < 0) break;
        pos = e + RPH_END.length;
        continue;
      }
    }
    const gt = content.indexOf('>', t);
    if (gt < 0) break;
    if (content.charCodeAt(gt - 1) === 47) {
      pos = gt + 1; // <t/>
      continue;
    }
    const e = content.indexOf(T_END, gt);
    const end = e < 0 ? content.length : e;
    out += content.slice(gt + 1, end);
    pos = end + T_END.length;
  }
  return unescapeOoxml(decodeXml(out));
}

/** Reads the shared-strings part into a {@link SharedStrings}; an absent part gives an empty table. */
export async function readSharedStrings(zip: ZipPackage, part: string | undefined): Promise<SharedStrings> {
  const table = new SharedStrings();
  if (!part || !zip.get(part)) return table;
  let p: string | undefined;
  let buf = '';
  for await (const chunk of xmlChunks(zip, part)) {
    buf = buf ? buf + chunk : chunk;
    p ??= rootPrefix(buf, 'sst');
    if (p === undefined) continue;
    const SI = `<${p}si`;
    const SI_END = `</${p}si>`;
    const T_OPEN = `<${p}t>`;
    const T_CLOSE = `</${p}t>`;
    let pos = 0;
    for (;;) {
      let si = buf.indexOf(SI, pos);
      while (si >= 0 && si + SI.length < buf.length && !isNameEnd(buf.charCodeAt(si + SI.length))) si = buf.indexOf(SI, si + SI.length);
      if (si < 0 || si + SI.length >= buf.length) {
        pos = si < 0 ? Math.max(pos, buf.length - SI.length) : si;
        break;
      }
      const gt = buf.indexOf('>', si);
      if (gt < 0) {
        pos = si;
        break;
      }
      if (buf.charCodeAt(gt - 1) === 47) {
        table.add(''); // <si/>
        pos = gt + 1;
        continue;
      }
      // <si><t>text</t></si>, the usual shape, read in place; anything else (rich text runs,
      // phonetic runs, xml:space) by runText.
      if (buf.startsWith(T_OPEN, gt + 1)) {
        const te = buf.indexOf(T_CLOSE, gt);
        if (te >= 0 && buf.startsWith(SI_END, te + T_CLOSE.length)) {
          const raw = buf.slice(gt + 1 + T_OPEN.length, te);
          table.add(raw.includes('&') || raw.includes('_x') ? unescapeOoxml(decodeXml(raw)) : raw);
          pos = te + T_CLOSE.length + SI_END.length;
          continue;
        }
      }
      const end = buf.indexOf(SI_END, gt);
      if (end < 0) {
        pos = si;
        break;
      }
      table.add(runText(buf.slice(gt + 1, end), p));
      pos = end + SI_END.length;
    }
    buf = buf.slice(pos);
  }
  table.seal();
  return table;
}

// ---------------------------------------------------------------------------------------------
// Styles: the number format of each cell format (`s` attribute), for dates

/** Built-in number formats that are dates or times (ids 27–36 and 50–58: CJK locales, 71–81: Thai). */
function builtinFormat(id: number): string | undefined {
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58) || (id >= 71 && id <= 76)) return 'yyyy-mm-dd';
  if (id === 22 || id === 77 || id === 78) return 'yyyy-mm-dd hh:mm';
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47) || (id >= 79 && id <= 81)) return 'hh:mm:ss';
  if (id === 1) return '0';
  if (id === 49) return '@';
  return undefined;
}

/** Number format per cell-format index (`cellXfs` order), from the styles part. */
export async function readCellFormats(zip: ZipPackage, part: string | undefined): Promise<(string | undefined)[]> {
  if (!part || !zip.get(part)) return [];
  const xml = (await zip.text(part)) ?? '';
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?numFmt\b([^>]*)>/g)) {
    const id = /\bnumFmtId\s*=\s*["'](\d+)["']/.exec(m[1]!)?.[1];
    const code = /\bformatCode\s*=\s*"([^"]*)"|\bformatCode\s*=\s*'([^']*)'/.exec(m[1]!);
    if (id && code) custom.set(Number(id), decodeXml(code[1] ?? code[2] ?? ''));
  }
  const xfs = /<(?:[\w.-]+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?cellXfs>/.exec(xml)?.[1] ?? '';
  const out: (string | undefined)[] = [];
  for (const m of xfs.matchAll(/<(?:[\w.-]+:)?xf\b([^>]*)>/g)) {
    const id = Number(/\bnumFmtId\s*=\s*["'](\d+)["']/.exec(m[1]!)?.[1] ?? 0);
    out.push(custom.get(id) ?? builtinFormat(id));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Worksheet rows

/** The value of attribute `name` in a start tag's text, or undefined. */
function attr(tag: string, name: string): string | undefined {
  let i = tag.indexOf(` ${name}="`);
  if (i >= 0) {
    i += name.length + 3;
    return tag.slice(i, tag.indexOf('"', i));
  }
  if (!tag.includes(`${name}=`) && !tag.includes(`${name} `)) return undefined;
  // Rare writers: other whitespace around the name, single quotes.
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Column number of a cell reference (`AB12` → 28), 0 when there is none. */
function refColumn(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
  }
  return col;
}

/** ISO text of a `t="d"` cell (an ISO 8601 date stored as text), without a midnight time or a zone. */
function isoDateCell(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
  if (!m) return v.trim();
  return !m[2] || m[2] === '00:00:00' ? m[1]! : `${m[1]}T${m[2]}`;
}

export interface SheetContext {
  strings: SharedStrings;
  formats: readonly (string | undefined)[];
  date1904: boolean;
  /** Fill `kinds` (header detection needs them); may be turned off while rows are read. Default true. */
  kinds?: boolean;
}

/**
 * The rows of a worksheet, in batches (one per inflated chunk), empty rows included as rows
 * without text. Memory: one chunk of XML and the rows of one batch.
 */
export async function* readSheetRows(zip: ZipPackage, part: string, ctx: SheetContext): AsyncGenerator<ScannedRow[]> {
  const { strings, formats, date1904 } = ctx;
  // Per cell format: 1 date, 2 number format with zeros to keep, 0 plain; filled on first use.
  const kindOfFormat = new Uint8Array(formats.length);
  const formatSeen = new Uint8Array(formats.length);
  let p: string | undefined;
  let ROW = '';
  let ROW_END = '';
  let C = '';
  let C_END = '';
  let V = '';
  let V_END = '';
  let lastRow = 0;
  let width = 0;
  let buf = '';

  const place = (rowOut: ScannedRow, col: number, text: string, kind: CellKind): void => {
    const texts = rowOut.texts;
    while (texts.length < col - 1) texts.push('');
    if (texts.length < col) texts.push(text);
    else texts[col - 1] = text;
    rowOut.filled++;
    if (ctx.kinds !== false) {
      const kinds = rowOut.kinds;
      while (kinds.length < col - 1) kinds.push('empty');
      kinds[col - 1] = kind;
    }
  };

  /** Format kind of a cell format index: 1 date, 3 time of day, 2 zero-padded number, 0 plain. */
  const formatOf = (si: number): number => {
    if (si <= 0 || si >= formats.length) return 0;
    if (!formatSeen[si]) {
      formatSeen[si] = 1;
      const f = formats[si];
      const k = formatKind(f);
      kindOfFormat[si] = k === 'date' ? 1 : k === 'time' ? 3 : f && /^0+$/.test(f) ? 2 : 0;
    }
    return kindOfFormat[si]!;
  };

  /**
   * One `<c>` starting at s[open], within a row ending at s[rowEnd]. Returns its column, and
   * sets `cellEnd` to where the cell ends (past `</c>`, or past the tag when it closes itself).
   * Most cells are `<c r="B2" s="3" t="s"><v>17</v></c>`: read in place, with no string made
   * but the value.
   */
  let cellEnd = 0;
  const cell = (s: string, open: number, rowEnd: number, rowOut: ScannedRow, prevCol: number): number => {
    // The start tag, in one pass: only the one-letter attributes r, s and t matter.
    let col = 0;
    let type = T_NUMBER;
    let si = 0;
    let i = open + C.length;
    let ch = s.charCodeAt(i);
    while (i < rowEnd) {
      while (ch === 32 || ch === 9 || ch === 10 || ch === 13) ch = s.charCodeAt(++i);
      if (ch === 62 || ch === 47 || i >= rowEnd) break; // > or />
      const nameStart = i;
      while (ch !== 61 && ch !== 32 && ch !== 62 && i < rowEnd) ch = s.charCodeAt(++i);
      const oneLetter = i - nameStart === 1 ? s.charCodeAt(nameStart) : 0;
      while (ch === 32) ch = s.charCodeAt(++i);
      if (ch !== 61) break; // not name="value": give up on this tag
      ch = s.charCodeAt(++i);
      while (ch === 32) ch = s.charCodeAt(++i);
      const from = i + 1;
      const to = s.indexOf(ch === 39 ? "'" : '"', from);
      if (to < 0 || to > rowEnd) break;
      if (oneLetter === 114) {
        for (let k = from; k < to; k++) {
          const c = s.charCodeAt(k) | 0x20;
          if (c < 97 || c > 122) break;
          col = col * 26 + (c - 96);
        }
      } else if (oneLetter === 116) type = typeCodeAt(s, from, to);
      else if (oneLetter === 115) si = digitsAt(s, from, to);
      i = to + 1;
      ch = s.charCodeAt(i);
    }
    if (!col) col = prevCol + 1;
    if (ch !== 62) {
      // `/>`: formatted, empty (or a tag we could not read: skip it)
      const gt = s.indexOf('>', i);
      cellEnd = gt < 0 || gt > rowEnd ? rowEnd : gt + 1;
      return col;
    }
    const gt = i;
    let rawFrom = -1;
    let rawTo = -1;
    let end: number;
    if (type !== T_INLINE && s.startsWith(V, gt + 1)) {
      // <v>…</v></c>, the usual shape
      rawFrom = gt + 1 + V.length;
      rawTo = s.indexOf(V_END, rawFrom);
      if (rawTo < 0 || rawTo > rowEnd) rawTo = rowEnd;
      const after = rawTo + V_END.length;
      end = s.startsWith(C_END, after) ? after : s.indexOf(C_END, gt);
    } else {
      end = s.indexOf(C_END, gt);
    }
    if (end < 0 || end > rowEnd) end = rowEnd;
    cellEnd = end + C_END.length;
    if (rawFrom < 0 && type !== T_INLINE) {
      // A formula first, or no cached value at all.
      const v = s.indexOf(V, gt);
      if (v >= 0 && v < end) {
        rawFrom = v + V.length;
        rawTo = s.indexOf(V_END, rawFrom);
        if (rawTo < 0 || rawTo > end) rawTo = end;
      }
    }
    if (type === T_INLINE) {
      const text = runText(utf8(s.slice(gt + 1, end)), p!).trim();
      if (text) place(rowOut, col, text, 'text');
      return col;
    }
    if (rawFrom < 0 || rawTo <= rawFrom) return col;
    switch (type) {
      case T_SHARED: {
        const text = strings.get(digitsAt(s, rawFrom, rawTo));
        if (text) place(rowOut, col, text, 'text');
        return col;
      }
      case T_STRING: {
        const text = unescapeOoxml(decodeXml(utf8(s.slice(rawFrom, rawTo)))).trim();
        if (text) place(rowOut, col, text, 'text');
        return col;
      }
      case T_BOOLEAN:
        place(rowOut, col, s.charCodeAt(rawFrom) === 49 ? 'TRUE' : 'FALSE', 'boolean');
        return col;
      case T_ERROR: {
        const text = decodeXml(utf8(s.slice(rawFrom, rawTo))).trim();
        if (text) place(rowOut, col, text, 'error');
        return col;
      }
      case T_DATE: {
        const text = isoDateCell(decodeXml(s.slice(rawFrom, rawTo)));
        if (text) place(rowOut, col, text, 'date');
        return col;
      }
      default: {
        const raw = s.slice(rawFrom, rawTo);
        const fk = formatOf(si);
        if (fk === 1 || fk === 3) {
          const text = formatExcelSerial(Number(raw), date1904, fk === 3);
          if (text) place(rowOut, col, text, 'date');
        } else if (fk === 0 && raw.length <= 16 && PLAIN_NUMBER.test(raw)) {
          place(rowOut, col, raw, 'number'); // at most 15 digits as written: nothing to format
        } else {
          const text = formatExcelNumber(Number(raw), fk === 2 ? formats[si] : undefined);
          if (text) place(rowOut, col, text, 'number');
        }
        return col;
      }
    }
  };

  const row = (s: string, open: number, gt: number, end: number): ScannedRow => {
    const r = attr(s.slice(open, gt), 'r');
    const number = r ? Number(r) : lastRow + 1;
    lastRow = number;
    // As wide as the last row: one allocation, no growing (rows of a table are alike).
    const out: ScannedRow = { number, texts: width ? new Array<string>(width).fill('') : [], kinds: ctx.kinds === false ? NO_KINDS : [], filled: 0 };
    let col = 0;
    let pos = gt + 1;
    for (;;) {
      // The next cell usually starts right where the last one ended.
      let c = s.startsWith(C, pos) ? pos : s.indexOf(C, pos);
      while (c >= 0 && c < end && !isNameEnd(s.charCodeAt(c + C.length))) c = s.indexOf(C, c + C.length);
      if (c < 0 || c >= end) break;
      col = cell(s, c, end, out, col);
      pos = cellEnd;
    }
    if (out.filled) width = out.texts.length;
    return out;
  };

  for await (const chunk of xmlChunks(zip, part, 'latin1')) {
    buf = buf ? buf + chunk : chunk;
    if (p === undefined) {
      p = rootPrefix(buf, 'worksheet');
      if (p === undefined) continue;
      ROW = `<${p}row`;
      ROW_END = `</${p}row>`;
      C = `<${p}c`;
      C_END = `</${p}c>`;
      V = `<${p}v>`;
      V_END = `</${p}v>`;
    }
    const batch: ScannedRow[] = [];
    const n = buf.length;
    let pos = 0;
    for (;;) {
      let start = buf.indexOf(ROW, pos);
      while (start >= 0 && start + ROW.length < n && !isNameEnd(buf.charCodeAt(start + ROW.length))) start = buf.indexOf(ROW, start + ROW.length);
      if (start < 0) {
        pos = Math.max(pos, n - ROW.length);
        break;
      }
      const gt = buf.indexOf('>', start);
      if (start + ROW.length >= n || gt < 0) {
        pos = start;
        break;
      }
      if (buf.charCodeAt(gt - 1) === 47) {
        // <row r="5"/>: no cells
        const r = attr(buf.slice(start, gt), 'r');
        lastRow = r ? Number(r) : lastRow + 1;
        pos = gt + 1;
        continue;
      }
      const end = buf.indexOf(ROW_END, gt);
      if (end < 0) {
        pos = start;
        break;
      }
      batch.push(row(buf, start, gt, end));
      pos = end + ROW_END.length;
    }
    buf = pos < n ? buf.slice(pos) : '';
    if (batch.length) yield batch;
  }
}
