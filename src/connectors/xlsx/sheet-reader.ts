/**
 * A streaming reader for the parts of an .xlsx package that hold data: the shared-strings
 * table, the cell formats, and a worksheet's rows, scanned byte by byte over the inflated XML.
 *
 * Why not exceljs's WorkbookReader: measured on a 15-column customer sheet (200,000 rows) it
 * reads about 15,000 rows per CPU-second with an empty loop body (a full SAX parse, then a Row
 * and a Cell object with a style per cell) and peaked at 370 MB; it keeps the shared strings as
 * one heap string each (3.1 million for a million-row export). exceljs still writes the
 * fixtures and the benchmark's workbook, and is the reference the tests compare this reader
 * with, cell by cell.
 *
 * Why bytes and not text: an earlier version of this reader decoded each inflated chunk to a
 * string and scanned it with indexOf/startsWith; on the benchmark's million-row sheet (559 MB
 * of XML) the decoding, the joining of chunks and the ~60 million short indexOf calls cost
 * about 5 of its 10 CPU-seconds. The markup of a sheet is ASCII, and nearly every cell has one
 * shape (`<c r="B2" s="3" t="s"><v>17</v></c>`), so the scanner walks the Buffer, checks the
 * expected bytes in place, and makes a string only for a value it returns.
 *
 * Scope: SpreadsheetML as Excel, LibreOffice, exceljs, openpyxl and the OpenXML SDK write it
 * (a namespace prefix such as `x:` included). Rows and cells without an `r` attribute follow
 * the previous one. Phonetic runs (`rPh`, Japanese furigana) are not part of a cell's text.
 */
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
  /**
   * Digest of the row's content: each cell with text, by column, type, number format and
   * value as stored (a shared string by its text). Equal digests: the same texts.
   */
  hash: number;
}

// ---------------------------------------------------------------------------------------------
// Bytes

/**
 * Node's Buffer makes strings with these (`toString` calls them after a switch on the
 * encoding name); they are not in the typings. Called directly they cost about 70–95 ns for a
 * short value against 120 ns through `toString`, and the scanner makes millions.
 */
interface BufferSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
const latin1 = (b: Buffer, from: number, to: number): string => (b as unknown as BufferSlices).latin1Slice(from, to);
const utf8 = (b: Buffer, from: number, to: number): string => (b as unknown as BufferSlices).utf8Slice(from, to);

type Matcher = (b: Buffer, i: number) => boolean;

/**
 * A test for the bytes of `s` at b[i], compiled to one comparison a byte (a byte past the end
 * reads as undefined: no match). The scanners check an expected tag three or four times a
 * cell; as a loop over the pattern's bytes that check was a tenth of the sheet's scan time.
 * Only byte values go into the code.
 */
function matcher(s: string): Matcher {
  const checks = [...Buffer.from(s, 'latin1')].map((c, k) => `b[i + ${k}] === ${c}`);
  return new Function('b', 'i', `return ${checks.join(' && ') || 'true'};`) as Matcher;
}

/** Space > / tab lf cr: what may follow an element name. */
const isNameEnd = (c: number | undefined): boolean => c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13;

const tag = (s: string): Buffer => Buffer.from(s, 'latin1');

/**
 * FNV-1a, 32 bits: rows are digested as they are scanned, so that a resumed read can tell
 * whether the rows it skips are still the ones delivered (see xlsx-source.ts). Digesting here,
 * over the value bytes and one hash per shared string, replaced hashing every cell's text
 * afterwards (0.7 s a million 15-column rows).
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
export const mix = (h: number, v: number): number => Math.imul(h ^ v, FNV_PRIME);

/** Mixes the UTF-16 code units of `s` into `h`. For ASCII text the same as its bytes. */
export function mixText(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Hash of a cell value other than a string: its text follows from the bytes stored, the type and the cell format. */
function storedHash(type: number, format: number, b: Buffer, from: number, to: number): number {
  let h = Math.imul(Math.imul(FNV_OFFSET ^ type, FNV_PRIME) ^ format, FNV_PRIME);
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h;
}

// ---------------------------------------------------------------------------------------------
// Shared strings

/** Characters per chunk of the shared-strings table: a string's start in its chunk takes the low 22 bits of its index entry. */
const START_BITS = 22;
const CHUNK_CHARS = 1 << START_BITS;
const START_MASK = CHUNK_CHARS - 1;
/** The chunk number takes the other 10 bits: 4 G characters in all, far past what Excel writes. */
const MAX_CHUNKS = 1 << (32 - START_BITS);
const HOT_STRINGS = 1 << 16;

/**
 * The shared-strings table, trimmed, as a few large flat strings plus 8 bytes per entry: no
 * heap object per string, so a table of millions costs about its text and nothing for the
 * garbage collector to walk. Strings whose characters all fit in Latin-1 (nearly all of a
 * European export) go to one-byte chunks, written from the XML's bytes with no string made
 * per entry; the others (CJK) to two-byte chunks. A lookup is a slice of a chunk.
 *
 * Measured on the benchmark's 3.1 million strings (94 MB of XML): 102 MB of heap and 37 MB of
 * index when every chunk was a join of the entries (a single CJK character made a whole
 * chunk two bytes a character).
 */
export class SharedStrings {
  private chunks: string[] = [];
  /**
   * Per entry, side by side (a lookup touches one cache line, not two arrays): chunk number
   * << START_BITS | start; length.
   */
  private index: Int32Array;
  private n = 0;
  /** The one-byte chunk being filled: its number, its bytes. */
  private narrowId = -1;
  private narrow: Buffer | undefined;
  private narrowUsed = 0;
  /** The two-byte chunk being filled. */
  private wideId = -1;
  private wide: string[] = [];
  private wideLen = 0;

  /** `expected`: the part's uniqueCount, when it gives one, so the index is allocated once. */
  constructor(expected = 0) {
    const size = Math.min(Math.max(expected, 1024), 1 << 24);
    this.index = new Int32Array(2 * size);
  }

  get size(): number {
    return this.n;
  }

  private entry(chunk: number, start: number, length: number): void {
    if (2 * this.n === this.index.length) {
      const grown = new Int32Array(2 * Math.ceil(this.n * 1.5));
      grown.set(this.index);
      this.index = grown;
    }
    const k = 2 * this.n++;
    this.index[k] = (chunk << START_BITS) | start;
    this.index[k + 1] = length;
  }

  private newChunk(content: string): number {
    if (this.chunks.length >= MAX_CHUNKS) throw new Error('the shared-strings table is larger than 4 G characters');
    this.chunks.push(content);
    return this.chunks.length - 1;
  }

  /** Room for `length` one-byte characters in the current chunk, a new one when it is full. */
  private narrowRoom(length: number): Buffer {
    if (this.narrow === undefined || this.narrowUsed + length > CHUNK_CHARS) {
      this.sealNarrow();
      this.narrow ??= Buffer.allocUnsafe(CHUNK_CHARS);
      this.narrowId = this.newChunk('');
    }
    return this.narrow;
  }

  /** Adds b[from, to), ASCII text without entities, trimmed. */
  addAscii(b: Buffer, from: number, to: number): void {
    while (from < to && (b[from] === 32 || (b[from]! >= 9 && b[from]! <= 13))) from++;
    while (to > from && (b[to - 1] === 32 || (b[to - 1]! >= 9 && b[to - 1]! <= 13))) to--;
    const length = to - from;
    if (length > CHUNK_CHARS) return this.addText(latin1(b, from, to));
    const buf = this.narrowRoom(length);
    // A loop, not b.copy: most entries are a few bytes, and a call into C++ per entry cost
    // more than the copy (0.3 s for the benchmark's 3.1 million strings).
    for (let i = from, o = this.narrowUsed; i < to; i++, o++) buf[o] = b[i]!;
    this.entry(this.narrowId, this.narrowUsed, length);
    this.narrowUsed += length;
  }

  /** Adds a decoded text, trimmed. */
  addText(raw: string): void {
    const text = raw.trim();
    const length = text.length;
    if (length > CHUNK_CHARS) {
      this.entry(this.newChunk(text), 0, length);
      return;
    }
    let oneByte = true;
    for (let i = 0; i < length; i++) {
      if (text.charCodeAt(i) > 0xff) {
        oneByte = false;
        break;
      }
    }
    if (oneByte) {
      const buf = this.narrowRoom(length);
      buf.write(text, this.narrowUsed, 'latin1');
      this.entry(this.narrowId, this.narrowUsed, length);
      this.narrowUsed += length;
      return;
    }
    if (this.wideId < 0 || this.wideLen + length > CHUNK_CHARS) {
      this.sealWide();
      this.wideId = this.newChunk('');
    }
    this.entry(this.wideId, this.wideLen, length);
    this.wide.push(text);
    this.wideLen += length;
  }

  private sealNarrow(): void {
    if (this.narrowId >= 0 && this.narrow) this.chunks[this.narrowId] = latin1(this.narrow, 0, this.narrowUsed);
    this.narrowId = -1;
    this.narrowUsed = 0;
  }

  private sealWide(): void {
    if (this.wideId >= 0) this.chunks[this.wideId] = this.wide.join('');
    this.wideId = -1;
    this.wide = [];
    this.wideLen = 0;
  }

  /** Ends the table: the open chunks become strings and the build buffer is let go. */
  seal(): void {
    this.sealNarrow();
    this.sealWide();
    this.narrow = undefined;
    this.hot = new Array<string | undefined>(Math.min(this.n, HOT_STRINGS));
    this.hotHashes = new Int32Array(this.hot.length);
  }

  /**
   * The first strings of the table, once made. Excel numbers strings in order of first use, so
   * the values that repeat down a column (cities, countries, titles, given names) are nearly
   * all among the first; handing out the same string again instead of a new slice halves what
   * a row allocates for its text, and a record then points at an old string the garbage
   * collector need not copy when it promotes the record. At most 65,536 strings (~2 MB).
   */
  private hot: (string | undefined)[] = [];
  /** Their hashes, once computed (0: not yet; a hash of 0 is computed again, which is harmless). */
  private hotHashes = new Int32Array(0);

  /** The string at `i`; '' for an index the table does not have. Call {@link seal} first. */
  get(i: number): string {
    if (i < this.hot.length && i >= 0) return (this.hot[i] ??= this.slice(i));
    return i >= 0 && i < this.n ? this.slice(i) : '';
  }

  private slice(i: number): string {
    const a = this.index[2 * i]!;
    const start = a & START_MASK;
    return this.chunks[a >>> START_BITS]!.slice(start, start + this.index[2 * i + 1]!);
  }

  /**
   * Hash of `text`, the string at `i` (its UTF-16 code units, FNV-1a, as {@link mixText}):
   * kept for the first strings, which repeat; the others are mostly read once, so hashing
   * them when read costs what hashing them when stored would, without 4 bytes an entry.
   */
  hash(i: number, text: string): number {
    if (i >= 0 && i < this.hotHashes.length) return this.hotHashes[i] || (this.hotHashes[i] = mixText(FNV_OFFSET, text));
    return mixText(FNV_OFFSET, text);
  }
}

function rootPrefix(text: string, root: string): string | undefined {
  const m = new RegExp(`<([\\w.-]+:)?${root}[\\s>/]`).exec(text);
  return m ? (m[1] ?? '') : undefined;
}

/** Shared by every row once kinds are not needed: never written to. */
const NO_KINDS: CellKind[] = [];

// Cell types (the `t` attribute), as small numbers so a cell's type costs no string.
const T_NUMBER = 0;
const T_SHARED = 1;
const T_INLINE = 2;
const T_STRING = 3;
const T_BOOLEAN = 4;
const T_ERROR = 5;
const T_DATE = 6;

/** The cell type written in b[from, to): s, inlineStr, str, b, e, d, n. */
function typeCodeAt(b: Buffer, from: number, to: number): number {
  switch (b[from]) {
    case 115: // s, str
      return to - from === 1 ? T_SHARED : T_STRING;
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

/** The non-negative integer written in b[from, to) (an index, a style number); -1 when it starts with no digit. */
function digitsAt(b: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return i === from ? -1 : n;
    n = n * 10 + d;
  }
  return n;
}

/**
 * b[from, to) is a number Excel wrote in its shortest form, to be shown as written: at most 15
 * digits, no exponent, no trailing zero (`-?(0|[1-9]\d{0,14})` or a decimal of at most 16
 * characters ending in a non-zero digit).
 */
function isPlainNumber(b: Buffer, from: number, to: number): boolean {
  let i = from;
  if (b[i] === 45) i++; // -
  let j = i;
  while (j < to && b[j]! >= 48 && b[j]! <= 57) j++;
  const intLen = j - i;
  if (intLen === 0 || (b[i] === 48 && intLen > 1)) return false;
  if (j === to) return intLen <= 15;
  if (b[j] !== 46 || to - i < 3 || to - i > 16) return false;
  let k = j + 1;
  while (k < to && b[k]! >= 48 && b[k]! <= 57) k++;
  return k === to && k > j + 1 && b[to - 1] !== 48;
}

/** The number written in b[from, to): digits alone without a string, anything else by Number(). */
function numberAt(b: Buffer, from: number, to: number): number {
  if (to - from <= 15) {
    let n = 0;
    let i = from;
    for (; i < to; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === to) return n;
  }
  return Number(latin1(b, from, to));
}

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
  if (!part || !zip.get(part)) {
    const empty = new SharedStrings();
    empty.seal();
    return empty;
  }
  return scanSharedStrings(await zip.stream(part));
}

/** The shared-strings table from the part's XML, in chunks cut anywhere. */
export async function scanSharedStrings(chunks: AsyncIterable<Buffer>): Promise<SharedStrings> {
  let table = new SharedStrings();
  let p: string | undefined;
  let SI = tag('');
  let SI_END = tag('');
  let T = tag('');
  let atSI: Matcher = () => false;
  let atT: Matcher = () => false;
  let atTextEnd: Matcher = () => false;
  let textEndLength = 0;
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    const b = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = undefined;
    if (p === undefined) {
      const head = latin1(b, 0, b.length);
      p = rootPrefix(head, 'sst');
      if (p === undefined) {
        carry = b;
        continue;
      }
      const esc = p.replace(/[.-]/g, '\\$&');
      const unique = new RegExp(`<${esc}sst\\b[^>]*?\\suniqueCount\\s*=\\s*["'](\\d+)["']`).exec(head)?.[1];
      table = new SharedStrings(Number(unique ?? 0));
      SI = tag(`<${p}si`);
      SI_END = tag(`</${p}si>`);
      T = tag(`<${p}t`);
      atSI = matcher(`<${p}si`);
      atT = matcher(`<${p}t`);
      atTextEnd = matcher(`</${p}t></${p}si>`);
      textEndLength = `</${p}t></${p}si>`.length;
    }
    const n = b.length;
    let pos = 0;
    for (;;) {
      let si = atSI(b, pos) ? pos : b.indexOf(SI, pos);
      while (si >= 0 && si + SI.length < n && !isNameEnd(b[si + SI.length])) si = b.indexOf(SI, si + SI.length);
      if (si < 0) {
        pos = Math.max(pos, n - SI.length);
        break;
      }
      let gt = si + SI.length;
      while (gt < n && b[gt] !== 62) gt++;
      if (gt >= n) {
        pos = si;
        break;
      }
      if (b[gt - 1] === 47) {
        table.addText(''); // <si/>
        pos = gt + 1;
        continue;
      }
      // <si><t>text</t></si> (or <t xml:space="preserve">), the usual shape: the text's bytes
      // go to the table as they are unless they hold an entity, an _xHHHH_ escape or UTF-8.
      const t = gt + 1;
      if (atT(b, t) && isNameEnd(b[t + T.length])) {
        let tgt = t + T.length;
        while (tgt < n && b[tgt] !== 62) tgt++;
        if (tgt < n && b[tgt - 1] !== 47) {
          const from = tgt + 1;
          let to = from;
          let plain = true;
          for (; to < n; to++) {
            const c = b[to]!;
            if (c === 60) break;
            if (c >= 128 || c === 38 || c === 95) plain = false; // UTF-8, &, _
          }
          if (atTextEnd(b, to)) {
            if (plain) table.addAscii(b, from, to);
            else table.addText(unescapeOoxml(decodeXml(utf8(b, from, to))));
            pos = to + textEndLength;
            continue;
          }
        }
      }
      // Rich text runs, phonetic runs, an element cut by the chunk's end.
      const end = b.indexOf(SI_END, gt);
      if (end < 0) {
        pos = si;
        break;
      }
      table.addText(runText(utf8(b, gt + 1, end), p));
      pos = end + SI_END.length;
    }
    if (pos < n) carry = b.subarray(pos);
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

/** Slot key no day can have (serials handled here are below 10 million days). */
const NO_DAY = -0x80000000;

/**
 * Excel serials as text, exactly as {@link formatExcelSerial} writes them, with the date of
 * each day and the text of each second of a day made once and kept (a day's slot is its
 * number modulo 65,536: 179 years without two days sharing a slot). formatExcelSerial alone
 * allocated about 230 bytes a date cell (the day split into an array, the time made even for
 * a date alone, each piece of the templates): on the benchmark's sheet, with two date columns
 * of fifteen, a third of all a row allocated and of what the garbage collector then promoted.
 */
class SerialTexts {
  private readonly dayKeys = new Int32Array(1 << 16).fill(NO_DAY);
  private readonly days = new Array<string>(1 << 16);
  private readonly times = new Array<string | undefined>(86_400);

  constructor(private readonly date1904: boolean) {}

  text(serial: number, timeOnly: boolean): string {
    if (!(Math.abs(serial) < 1e7)) return formatExcelSerial(serial, this.date1904, timeOnly);
    // As formatExcelSerial rounds: to the millisecond, then to the second.
    const total = Math.round(Math.round(serial * 86_400_000) / 1000);
    const day = Math.floor(total / 86_400);
    const secs = total - day * 86_400;
    if (timeOnly) return this.time(secs);
    const slot = day & 0xffff;
    let date = this.dayKeys[slot] === day ? this.days[slot] : undefined;
    if (date === undefined) {
      date = formatExcelSerial(day, this.date1904);
      this.dayKeys[slot] = day;
      this.days[slot] = date;
    }
    return secs === 0 ? date : `${date}T${this.time(secs)}`;
  }

  private time(secs: number): string {
    return (this.times[secs] ??= formatExcelSerial(secs / 86_400, false, true));
  }
}

/** ISO text of a `t="d"` cell (an ISO 8601 date stored as text), without a midnight time or a zone. */
function isoDateCell(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
  if (!m) return v.trim();
  return !m[2] || m[2] === '00:00:00' ? m[1]! : `${m[1]}T${m[2]}`;
}

/** The `r` attribute of a row's start tag b[from, to) as a number; 0 when it has none. */
function rowNumberAt(b: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to) {
    let ch = b[i]!;
    while (i < to && (ch === 32 || ch === 9 || ch === 10 || ch === 13)) ch = b[++i]!;
    const nameStart = i;
    while (i < to && ch !== 61 && ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13) ch = b[++i]!;
    const isR = i - nameStart === 1 && b[nameStart] === 114;
    while (i < to && ch !== 61) ch = b[++i]!;
    i++;
    while (i < to && b[i] !== 34 && b[i] !== 39) i++;
    if (i >= to) return 0;
    const quote = b[i]!;
    const valueFrom = ++i;
    while (i < to && b[i] !== quote) i++;
    if (isR) return Math.max(0, digitsAt(b, valueFrom, i));
    i++;
  }
  return 0;
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
  yield* scanSheetRows(await zip.stream(part), ctx);
}

/** {@link readSheetRows} over the sheet's XML in chunks cut anywhere. */
export async function* scanSheetRows(chunks: AsyncIterable<Buffer>, ctx: SheetContext): AsyncGenerator<ScannedRow[]> {
  const { strings, formats, date1904 } = ctx;
  // Per cell format: 1 date, 2 number format with zeros to keep, 3 time, 0 plain; filled on first use.
  const kindOfFormat = new Uint8Array(formats.length);
  const formatSeen = new Uint8Array(formats.length);
  let p: string | undefined;
  let ROW = tag('');
  let ROW_END = tag('');
  let C = tag('');
  let C_END = tag('');
  let V = tag('');
  let V_END = tag('');
  let atRowEnd: Matcher = () => false;
  let atCell: Matcher = () => false;
  let atValue: Matcher = () => false;
  let atValueEnd: Matcher = () => false;
  let atRow: Matcher = () => false;
  let lastRow = 0;
  let width = 0;
  let serials: SerialTexts | undefined;

  /** Puts a cell's text in its row; `vh` is the hash of what the text was made from. */
  const place = (rowOut: ScannedRow, col: number, text: string, kind: CellKind, vh: number): void => {
    rowOut.hash = mix(mix(rowOut.hash, col), vh);
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
   * One `<c>` starting at b[open], read no further than b[limit]. Returns its column, and
   * sets `cellEnd` to where the cell ends (past `</c>`, or past the tag when it closes itself;
   * at or past `limit` when the cell is cut there).
   * Most cells are `<c r="B2" s="3" t="s"><v>17</v></c>`: read in place, with no string made
   * but the value.
   */
  let cellEnd = 0;
  const cell = (b: Buffer, open: number, limit: number, rowOut: ScannedRow, prevCol: number): number => {
    // The start tag: only the one-letter attributes r, s and t matter.
    let col = 0;
    let type = T_NUMBER;
    let si = 0;
    let i = open + C.length;
    // Excel's own order and quoting, ` r="B2" s="3" t="s"`, read by fixed steps (a third of
    // the time of the general loop, which was the costliest part of a cell); what follows
    // (other attributes) and any other shape go through the general loop below.
    if (b[i] === 32 && b[i + 1] === 114 && b[i + 2] === 61 && b[i + 3] === 34) {
      let k = i + 4;
      let c = b[k]!;
      let letters = 0;
      while (c >= 65 && c <= 90) {
        letters = letters * 26 + (c - 64);
        c = b[++k]!;
      }
      while (c >= 48 && c <= 57) c = b[++k]!;
      if (c === 34 && letters) {
        col = letters;
        i = k + 1;
        if (b[i] === 32 && b[i + 1] === 115 && b[i + 2] === 61 && b[i + 3] === 34) {
          k = i + 4;
          c = b[k]!;
          let n = 0;
          while (c >= 48 && c <= 57) {
            n = n * 10 + (c - 48);
            c = b[++k]!;
          }
          if (c === 34 && k > i + 4) {
            si = n;
            i = k + 1;
          }
        }
        if (b[i] === 32 && b[i + 1] === 116 && b[i + 2] === 61 && b[i + 3] === 34) {
          k = i + 4;
          while (k < limit && b[k] !== 34) k++;
          if (k < limit) {
            type = typeCodeAt(b, i + 4, k);
            i = k + 1;
          }
        }
      }
    }
    let ch = b[i]!;
    while (i < limit) {
      while (ch === 32 || ch === 9 || ch === 10 || ch === 13) ch = b[++i]!;
      if (ch === 62 || ch === 47 || i >= limit) break; // > or />
      const nameStart = i;
      while (ch !== 61 && ch !== 32 && ch !== 62 && i < limit) ch = b[++i]!;
      const oneLetter = i - nameStart === 1 ? b[nameStart]! : 0;
      while (ch === 32) ch = b[++i]!;
      if (ch !== 61) break; // not name="value": give up on this tag
      ch = b[++i]!;
      while (ch === 32) ch = b[++i]!;
      if (ch !== 34 && ch !== 39) break;
      const from = i + 1;
      let to = from;
      while (to < limit && b[to] !== ch) to++;
      if (to >= limit) break;
      if (oneLetter === 114) {
        for (let k = from; k < to; k++) {
          const c = b[k]! | 0x20; // lower case
          if (c < 97 || c > 122) break;
          col = col * 26 + (c - 96);
        }
      } else if (oneLetter === 116) type = typeCodeAt(b, from, to);
      else if (oneLetter === 115) si = digitsAt(b, from, to);
      i = to + 1;
      ch = b[i]!;
    }
    if (!col) col = prevCol + 1;
    if (ch !== 62) {
      // `/>`: formatted, empty (or a tag we could not read: skip it)
      while (i < limit && b[i] !== 62) i++;
      cellEnd = i < limit ? i + 1 : limit;
      return col;
    }
    const gt = i;
    let rawFrom = -1;
    let rawTo = -1;
    let end = -1;
    if (type !== T_INLINE && atValue(b, gt + 1)) {
      // <v>…</v></c>, the usual shape: a value holds no `<`
      rawFrom = gt + 1 + V.length;
      rawTo = rawFrom;
      while (rawTo < limit && b[rawTo] !== 60) rawTo++;
      if (atValueEnd(b, rawTo)) end = rawTo + V_END.length;
      else rawFrom = -1;
    }
    if (end < 0) {
      end = b.indexOf(C_END, gt);
      if (end < 0 || end > limit) end = limit;
      if (type !== T_INLINE) {
        // A formula first, or no cached value at all.
        const v = b.indexOf(V, gt);
        if (v >= 0 && v < end) {
          rawFrom = v + V.length;
          rawTo = b.indexOf(V_END, rawFrom);
          if (rawTo < 0 || rawTo > end) rawTo = end;
        }
      }
    }
    cellEnd = end + C_END.length;
    if (type === T_INLINE) {
      const text = runText(utf8(b, gt + 1, end), p!).trim();
      if (text) place(rowOut, col, text, 'text', mixText(FNV_OFFSET, text)); // as a shared string with this text
      return col;
    }
    if (rawFrom < 0 || rawTo <= rawFrom) return col;
    switch (type) {
      case T_SHARED: {
        const at = digitsAt(b, rawFrom, rawTo);
        const text = strings.get(at);
        if (text) place(rowOut, col, text, 'text', strings.hash(at, text));
        return col;
      }
      case T_STRING: {
        const text = unescapeOoxml(decodeXml(utf8(b, rawFrom, rawTo))).trim();
        if (text) place(rowOut, col, text, 'text', storedHash(type, si, b, rawFrom, rawTo));
        return col;
      }
      case T_BOOLEAN:
        place(rowOut, col, b[rawFrom] === 49 ? 'TRUE' : 'FALSE', 'boolean', storedHash(type, si, b, rawFrom, rawTo));
        return col;
      case T_ERROR: {
        const text = decodeXml(utf8(b, rawFrom, rawTo)).trim();
        if (text) place(rowOut, col, text, 'error', storedHash(type, si, b, rawFrom, rawTo));
        return col;
      }
      case T_DATE: {
        const text = isoDateCell(decodeXml(latin1(b, rawFrom, rawTo)));
        if (text) place(rowOut, col, text, 'date', storedHash(type, si, b, rawFrom, rawTo));
        return col;
      }
      default: {
        const fk = formatOf(si);
        if (fk === 1 || fk === 3) {
          serials ??= new SerialTexts(date1904);
          const text = serials.text(numberAt(b, rawFrom, rawTo), fk === 3);
          if (text) place(rowOut, col, text, 'date', storedHash(type, si, b, rawFrom, rawTo));
        } else if (fk === 0 && isPlainNumber(b, rawFrom, rawTo)) {
          place(rowOut, col, latin1(b, rawFrom, rawTo), 'number', storedHash(type, si, b, rawFrom, rawTo)); // at most 15 digits as written: nothing to format
        } else {
          const text = formatExcelNumber(Number(latin1(b, rawFrom, rawTo)), fk === 2 ? formats[si] : undefined);
          if (text) place(rowOut, col, text, 'number', storedHash(type, si, b, rawFrom, rawTo));
        }
        return col;
      }
    }
  };

  /**
   * The row whose start tag is b[open, gt], read up to its `</row>`; `rowEnd` is set past it.
   * Undefined when the chunk ends first: the caller keeps the row's bytes for the next chunk.
   * The end is not searched for beforehand: rows of a sheet are back to back, and checking
   * the bytes where a cell ends saves a search over every row (0.3 s a million rows).
   */
  let rowEnd = 0;
  const row = (b: Buffer, open: number, gt: number): ScannedRow | undefined => {
    const n = b.length;
    const number = rowNumberAt(b, open + ROW.length, gt) || lastRow + 1;
    // As wide as the last row: one allocation, no growing (rows of a table are alike).
    const out: ScannedRow = { number, texts: width ? new Array<string>(width).fill('') : [], kinds: ctx.kinds === false ? NO_KINDS : [], filled: 0, hash: FNV_OFFSET };
    let col = 0;
    let pos = gt + 1;
    for (;;) {
      while (b[pos] === 32 || b[pos] === 10 || b[pos] === 13 || b[pos] === 9) pos++;
      if (atRowEnd(b, pos)) break;
      // The next cell usually starts right where the last one ended.
      let c = atCell(b, pos) && isNameEnd(b[pos + C.length]) ? pos : -1;
      if (c < 0) {
        const end = b.indexOf(ROW_END, pos);
        if (end < 0) return undefined;
        c = b.indexOf(C, pos);
        while (c >= 0 && c < end && !isNameEnd(b[c + C.length])) c = b.indexOf(C, c + C.length);
        if (c < 0 || c >= end) {
          pos = end;
          break;
        }
      }
      col = cell(b, c, n, out, col);
      pos = cellEnd;
      if (pos >= n) return undefined;
    }
    rowEnd = pos + ROW_END.length;
    lastRow = number;
    if (out.filled) width = out.texts.length;
    return out;
  };

  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    const b = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = undefined;
    if (p === undefined) {
      p = rootPrefix(latin1(b, 0, b.length), 'worksheet');
      if (p === undefined) {
        carry = b;
        continue;
      }
      ROW = tag(`<${p}row`);
      ROW_END = tag(`</${p}row>`);
      C = tag(`<${p}c`);
      C_END = tag(`</${p}c>`);
      V = tag(`<${p}v>`);
      V_END = tag(`</${p}v>`);
      atRow = matcher(`<${p}row`);
      atRowEnd = matcher(`</${p}row>`);
      atCell = matcher(`<${p}c`);
      atValue = matcher(`<${p}v>`);
      atValueEnd = matcher(`</${p}v></${p}c>`);
    }
    const batch: ScannedRow[] = [];
    const n = b.length;
    let pos = 0;
    for (;;) {
      let start = atRow(b, pos) ? pos : b.indexOf(ROW, pos);
      while (start >= 0 && start + ROW.length < n && !isNameEnd(b[start + ROW.length])) start = b.indexOf(ROW, start + ROW.length);
      if (start < 0) {
        pos = Math.max(pos, n - ROW.length);
        break;
      }
      let gt = start + ROW.length;
      while (gt < n && b[gt] !== 62) gt++;
      if (start + ROW.length >= n || gt >= n) {
        pos = start;
        break;
      }
      if (b[gt - 1] === 47) {
        // <row r="5"/>: no cells
        lastRow = rowNumberAt(b, start + ROW.length, gt) || lastRow + 1;
        pos = gt + 1;
        continue;
      }
      const r = row(b, start, gt);
      if (!r) {
        pos = start;
        break;
      }
      batch.push(r);
      pos = rowEnd;
    }
    if (pos < n) carry = b.subarray(pos);
    if (batch.length) yield batch;
  }
}
