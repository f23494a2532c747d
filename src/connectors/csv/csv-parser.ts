/**
 * Incremental CSV parser with physical line numbers and recovery from broken quotes.
 *
 * Why not papaparse here: papaparse's streaming mode reports no line number per row, and an
 * unclosed quote makes it swallow the rest of the file into one field. A source must quarantine
 * exactly the broken row, with its line, and go on, so the row splitter is ours (and so is the
 * delimiter sniffer, see sniffDelimiter).
 */

export interface CsvRow {
  fields: string[];
  /** 1-based physical line where the row starts. */
  line: number;
}

export interface CsvBrokenRow {
  line: number;
  code: 'UNCLOSED_QUOTE';
  message: string;
  raw: string;
}

export interface CsvParserOptions {
  delimiter: string;
  quote?: string;
  /** A quoted field may span at most this many characters before it is judged broken. */
  maxRecordChars?: number;
}

const LF = 10;
const CR = 13;
const SPACE = 32;

export class CsvParser {
  private buf = '';
  /** Physical line of buf[0]. */
  private line = 1;
  private readonly delim: number;
  private readonly delimStr: string;
  private readonly quote: number;
  private readonly quoteStr: string;
  private readonly maxRecordChars: number;
  /** Fields a row has (the header's), once known: 0 until {@link expectFields}. */
  private fieldCount = 0;

  constructor(opts: CsvParserOptions) {
    if (opts.delimiter.length !== 1) throw new Error(`CSV delimiter must be one character, got ${JSON.stringify(opts.delimiter)}`);
    this.delimStr = opts.delimiter;
    this.delim = opts.delimiter.charCodeAt(0);
    this.quoteStr = (opts.quote ?? '"').charAt(0);
    this.quote = this.quoteStr.charCodeAt(0);
    this.maxRecordChars = opts.maxRecordChars ?? 1 << 20;
  }

  /**
   * The number of fields a row has (the header's): a row that runs over several lines with another
   * count is taken for a quote never closed, and only its first line is quarantined.
   */
  expectFields(n: number): void {
    this.fieldCount = n;
  }

  /** Feeds text; calls `onRow`/`onBroken` for every complete row. */
  push(text: string, onRow: (r: CsvRow) => void, onBroken: (b: CsvBrokenRow) => void): void {
    this.buf = this.buf.length ? this.buf + text : text;
    this.drain(false, onRow, onBroken);
  }

  /** Signals the end of input: the last row needs no line break. */
  end(onRow: (r: CsvRow) => void, onBroken: (b: CsvBrokenRow) => void): void {
    this.drain(true, onRow, onBroken);
    this.buf = '';
  }

  private drain(final: boolean, onRow: (r: CsvRow) => void, onBroken: (b: CsvBrokenRow) => void): void {
    const s = this.buf;
    const n = s.length;
    const q = this.quote;
    const d = this.delim;
    let pos = 0;
    let line = this.line;
    // Next quote and carriage return at or after pos; -1: none in the rest of the buffer. Kept
    // across rows so that a file without quotes is not rescanned to its end on every row.
    let nextQuote = -2;
    let nextCr = -2;
    while (pos < n) {
      // Fast path: a whole line without a quote is split natively. Most rows of most files.
      const nl = s.indexOf('\n', pos);
      if (nl >= 0) {
        if (nextQuote !== -1 && nextQuote < pos) nextQuote = s.indexOf(this.quoteStr, pos);
        if (nextQuote === -1 || nextQuote > nl) {
          if (nextCr !== -1 && nextCr < pos) nextCr = s.indexOf('\r', pos);
          // A CR right before the LF ends the line with it; a CR inside it is a line break of its own.
          if (nextCr === -1 || nextCr >= nl - 1) {
            const end = nextCr === nl - 1 ? nl - 1 : nl;
            if (end > pos) onRow({ fields: s.slice(pos, end).split(this.delimStr), line });
            pos = nl + 1;
            line++;
            continue;
          }
        }
      } else if (!final) {
        // No complete line yet; only lone-CR line breaks can still end a row here.
        if (nextCr !== -1 && nextCr < pos) nextCr = s.indexOf('\r', pos);
        if (nextCr === -1) break;
      }
      // Parse one record starting at pos, character by character.
      const fields: string[] = [];
      let i = pos;
      let lines = 0;
      let complete = false;
      let broken = false;
      // Line breaks inside quoted fields, and whether such a field closed at a quote with more text after it.
      let spanned = 0;
      let runOnText = false;
      for (;;) {
        if (i >= n) {
          if (final) {
            fields.push('');
            complete = true;
          }
          break;
        }
        let c = s.charCodeAt(i);
        if (c === SPACE) {
          // `a, "b, c"`: a quoted field after the delimiter and spaces is still a quoted field.
          let k = i;
          while (k < n && s.charCodeAt(k) === SPACE) k++;
          if (k >= n && !final) break;
          if (k < n && s.charCodeAt(k) === q) {
            i = k;
            c = q;
          }
        }
        if (c === q) {
          // Quoted field.
          let j = i + 1;
          let value = '';
          let segStart = j;
          let closed = false;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === q) {
              if (j + 1 < n && s.charCodeAt(j + 1) === q) {
                value += s.slice(segStart, j + 1);
                j += 2;
                segStart = j;
                continue;
              }
              if (j + 1 >= n && !final) break; // might be an escaped quote split across chunks
              value += s.slice(segStart, j);
              closed = true;
              j++;
              break;
            }
            if (c === LF) {
              lines++;
              spanned++;
            }
            j++;
          }
          if (!closed) {
            if (final || j - pos > this.maxRecordChars) broken = true;
            break;
          }
          // Lenient: text after the closing quote up to the delimiter belongs to the field.
          let k = j;
          while (k < n) {
            const ck = s.charCodeAt(k);
            if (ck === d || ck === LF || ck === CR) break;
            k++;
          }
          if (k >= n && !final) break;
          if (k > j && spanned > 0) runOnText = true;
          fields.push(k > j ? value + s.slice(j, k) : value);
          i = k;
        } else {
          let k = i;
          while (k < n) {
            const ck = s.charCodeAt(k);
            if (ck === d || ck === LF || ck === CR) break;
            k++;
          }
          if (k >= n && !final) break;
          fields.push(s.slice(i, k));
          i = k;
        }
        if (i >= n) {
          complete = true;
          break;
        }
        c = s.charCodeAt(i);
        if (c === d) {
          i++;
          if (i >= n && final) {
            fields.push('');
            complete = true;
            break;
          }
          continue;
        }
        // End of line: \n, \r\n or lone \r.
        if (c === CR) {
          if (i + 1 >= n && !final) break;
          i += s.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i++;
        }
        lines++;
        complete = true;
        break;
      }
      // A quote left open on one line closes at the next quote, often another broken row's, many
      // lines on: every row between would be one malformed row. Where a row that runs over
      // several lines has the wrong field count, or a field that runs over lines closes at a quote
      // with text after it, the line it starts on is the broken one.
      const runOn = complete && !broken && spanned > 0 && (runOnText || (this.fieldCount > 0 && fields.length !== this.fieldCount));
      if (broken || runOn) {
        // Quarantine the physical line where the broken row starts; re-read from the next line.
        let eol = s.indexOf('\n', pos);
        if (eol < 0) eol = n;
        const raw = s.slice(pos, eol).replace(/\r$/, '');
        const message = !runOn
          ? 'a quoted field is never closed'
          : runOnText
            ? `a quoted field opened on this line runs over ${spanned} more line(s) to a quote with more text after it: its quote is never closed`
            : `a quoted field opened on this line runs over ${spanned} more line(s) and leaves the row with ${fields.length} fields instead of ${this.fieldCount}: its quote is never closed`;
        onBroken({ line, code: 'UNCLOSED_QUOTE', message, raw });
        pos = eol < n ? eol + 1 : n;
        line++;
        continue;
      }
      if (!complete) break;
      const isBlank = fields.length === 1 && fields[0] === '';
      if (!isBlank) onRow({ fields, line });
      pos = i;
      line += lines;
    }
    this.buf = pos < n ? s.slice(pos) : '';
    this.line = line;
  }

  get delimiter(): string {
    return this.delimStr;
  }
}
