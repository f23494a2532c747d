import { fileMayResume, rereadNote, sourceFileError, stampFile } from '../shared/source-file.js';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { CsvSourceConfig } from '../../config/schema.js';
import { CrmEtlError } from '../../core/errors.js';
import type { MalformedRow, RawRecord } from '../../core/record.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connector.js';
import { CsvParser, type CsvBrokenRow, type CsvRow } from './csv-parser.js';
import { fieldsBuilder } from './fields-builder.js';
import { KeySet } from '../shared/key-set.js';
import { canonicalEncoding, detectBom, detectEncoding, LOW_CONFIDENCE, textPlausibility, type DetectedEncoding } from './detect-encoding.js';

export { detectBom };

const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];
/** Rows and characters of the sample the delimiter is sniffed from. */
const SNIFF_ROWS = 50;
const SNIFF_CHARS = 32 * 1024;
const REPLACEMENT = '\uFFFD';
/**
 * How much more plausible (mean character weight, see textPlausibility) the detector's pick must
 * read than a configured encoding before check() says so. GBK read as Big5 scores 0.75 against
 * 0.99; sibling encodings such as Windows-1250 and -1252 differ by a few hundredths.
 */
const RIVAL_MARGIN = 0.15;
const UTF16 = new Set(['utf16', 'ucs2', 'utf16le', 'utf16be']);

/**
 * Guesses the delimiter among `,` `;` tab `|` from the first rows of a sample: each candidate
 * splits the rows (quotes respected); the one giving the same field count, above one, on most
 * rows wins; ties go to the larger field count, then to the order above. A single line goes
 * to the candidate splitting it most. No candidate splitting anything: `,`.
 *
 * Why not papaparse's guesser: it needs more than two columns' worth of evidence and returns
 * `,` for a two-column tab- or semicolon-separated file.
 */
export function sniffDelimiter(sample: string): string {
  let best = { delimiter: ',', share: 0, fields: 1 };
  for (const delimiter of DELIMITERS) {
    const counts: number[] = [];
    const p = new CsvParser({ delimiter });
    const onRow = (r: CsvRow): void => {
      if (counts.length < SNIFF_ROWS) counts.push(r.fields.length);
    };
    // Only rows the sample holds whole: the last line may be cut.
    p.push(sample.length > SNIFF_CHARS ? sample.slice(0, SNIFF_CHARS) : sample, onRow, () => counts.push(0));
    if (!counts.length) p.end(onRow, () => {});
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let fields = 1;
    let rows = 0;
    for (const [c, n] of freq) if (c > 1 && (n > rows || (n === rows && c > fields))) [fields, rows] = [c, n];
    if (fields < 2) continue;
    const share = rows / counts.length;
    if (share > best.share || (share === best.share && fields > best.fields)) best = { delimiter, share, fields };
  }
  return best.delimiter;
}

function keyOf(keyCols: readonly number[], fields: readonly string[]): string {
  if (keyCols.length === 1) return (fields[keyCols[0]!] ?? '').trim();
  return keyCols.map((i) => (fields[i] ?? '').trim()).join('|');
}

/**
 * Column names from a header row: trimmed; a repeated name gets `_2`, `_3`… so that no column
 * silently overwrites another in the record.
 */
export function columnNames(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw) => {
    const name = raw.trim();
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf(REPLACEMENT); i >= 0; i = text.indexOf(REPLACEMENT, i + 1)) n++;
  return n;
}

/** What `check()` learns about a CSV source. */
export interface CsvCheck {
  columns: string[];
  /**
   * Things a person should know before trusting the read: an encoding guessed with low
   * confidence, undecodable bytes, an `encoding` option that contradicts a byte-order mark.
   * Each note says what was assumed and what to set. Empty when all is clear.
   */
  notes: string[];
}

interface Head {
  detected: DetectedEncoding;
  notes: string[];
  sample: string;
}

/**
 * Streams a delimited text file. The first non-blank row is the header; every record carries
 * its file and line; rows with the wrong field count, a broken quote, no key or a repeated key
 * are yielded as malformed with their line, never dropped.
 *
 * Encoding: the `encoding` option when given (it always wins); otherwise a byte-order mark
 * (UTF-8, UTF-16LE/BE), then UTF-8 when the first 64 KiB decode cleanly as UTF-8, otherwise the
 * most plausible of GB18030/GBK, Big5, Shift_JIS and Windows-1252 (plus what chardet proposes);
 * see {@link detectEncoding}. A guess below {@link LOW_CONFIDENCE} comes back as a note from
 * `check()`, and a row holding bytes the encoding cannot decode is quarantined as
 * `ENCODING_ERROR` rather than staged as garbled text.
 *
 * Delimiter: the `delimiter` option, else sniffed among `,` `;` tab `|`.
 */
export class CsvSource implements SourceConnector {
  private lastDetected: DetectedEncoding | undefined;

  constructor(private readonly cfg: CsvSourceConfig) {}

  /** The encoding used by the last `check()` or `read()`, with how it was decided; undefined before. */
  get detected(): DetectedEncoding | undefined {
    return this.lastDetected;
  }

  private async head(): Promise<Head> {
    let fh;
    try {
      fh = await open(this.cfg.path, 'r');
    } catch (err) {
      throw sourceFileError(this.cfg, err);
    }
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      const head = buf.subarray(0, bytesRead);
      const truncated = bytesRead === SNIFF_BYTES;
      const { detected, notes } = this.cfg.encoding ? this.fromOption(this.cfg.encoding, head) : this.fromDetector(head, truncated);
      let body = head.subarray(detected.bomLength);
      if (truncated) {
        // Decode whole lines only, so the sample never ends in half a character (for UTF-16,
        // whole code units: a line feed byte may be half of one).
        if (UTF16.has(canonicalEncoding(detected.encoding))) body = body.subarray(0, body.length & ~1);
        else {
          const eol = body.lastIndexOf(0x0a);
          if (eol > 0) body = body.subarray(0, eol + 1);
        }
      }
      const sample = iconv.decode(body, detected.encoding, { stripBOM: false });
      const bad = countReplacements(sample);
      // The option wins, but when the bytes disagree with it, say what they look like.
      const rival = detected.source === 'option' && !detected.bomLength ? this.rivalOf(detected.encoding, body, truncated) : undefined;
      const looksLike = rival ? ` It looks like ${rival.encoding} (confidence ${rival.confidence}/100).` : '';
      if (bad) {
        notes.push(
          `source "${this.cfg.name}": ${bad} character(s) in the first ${Math.max(1, Math.round(body.length / 1024))} KiB of ${this.cfg.path} cannot be decoded as ${detected.encoding}` +
            ` (${describeSource(detected)}); rows holding them are quarantined as ENCODING_ERROR.${looksLike} ${this.encodingAdvice(rival?.encoding)}`,
        );
      } else if (rival) {
        notes.push(
          `source "${this.cfg.name}": ${this.cfg.path} decoded as ${detected.encoding} (as configured) gives implausible text.${looksLike} ` +
            `Reading it as ${detected.encoding} as configured; if names or addresses come out garbled, ${this.encodingAdvice(rival.encoding)}`,
        );
      }
      this.lastDetected = detected;
      return { detected, notes, sample };
    } finally {
      await fh.close();
    }
  }

  /** The detector's pick when it is confident and reads the bytes far more plausibly than `encoding`. */
  private rivalOf(encoding: string, body: Buffer, truncated: boolean): DetectedEncoding | undefined {
    const guess = detectEncoding(body, { truncated });
    if (guess.source === 'ascii' || guess.confidence < LOW_CONFIDENCE) return undefined;
    if (canonicalEncoding(guess.encoding) === canonicalEncoding(encoding)) return undefined;
    if (iconv.decode(body, guess.encoding) === iconv.decode(body, encoding)) return undefined;
    return textPlausibility(body, guess.encoding) - textPlausibility(body, encoding) >= RIVAL_MARGIN ? guess : undefined;
  }

  private fromOption(option: string, head: Buffer): { detected: DetectedEncoding; notes: string[] } {
    if (!iconv.encodingExists(option)) {
      throw new CrmEtlError(
        'CONFIG_INVALID',
        `source "${this.cfg.name}": unknown encoding "${option}"; use e.g. utf-8, utf-16le, gb18030, gbk, big5, shift_jis, euc-kr, windows-1252, or remove the option to detect it`,
      );
    }
    const notes: string[] = [];
    const bom = detectBom(head);
    let encoding = option.toLowerCase();
    let bomLength = 0;
    if (bom) {
      const want = canonicalEncoding(option);
      const have = canonicalEncoding(bom.encoding);
      if (want === have) bomLength = bom.length;
      else if (UTF16.has(want) && UTF16.has(have)) {
        // `utf-16` without an order, or the wrong one: the mark knows better than the option.
        encoding = bom.encoding;
        bomLength = bom.length;
      } else {
        notes.push(
          `source "${this.cfg.name}": ${this.cfg.path} starts with a ${bom.encoding} byte-order mark but the configuration says encoding: ${option}; ` +
            `reading it as ${option} as configured. Remove the encoding option if the mark is right.`,
        );
      }
    }
    const detected: DetectedEncoding = { encoding, confidence: 100, source: 'option', bomLength, candidates: [] };
    return { detected, notes };
  }

  private fromDetector(head: Buffer, truncated: boolean): { detected: DetectedEncoding; notes: string[] } {
    const detected = detectEncoding(head, { truncated });
    const notes: string[] = [];
    if (detected.confidence < LOW_CONFIDENCE) {
      const others = detected.candidates
        .filter((c) => c.encoding !== detected.encoding)
        .slice(0, 3)
        .map((c) => `${c.encoding} ${c.score}`)
        .join(', ');
      notes.push(
        `source "${this.cfg.name}": the encoding of ${this.cfg.path} was guessed as ${detected.encoding} with low confidence ` +
          `(${detected.confidence}/100${others ? `; other candidates scored: ${others}` : ''}), since the file has little non-ASCII text to judge by. ` +
          `If names or addresses come out garbled, ${this.encodingAdvice(detected.candidates.find((c) => c.encoding !== detected.encoding)?.encoding)}`,
      );
    }
    return { detected, notes };
  }

  private encodingAdvice(suggestion: string | undefined): string {
    const eg = suggestion ? `, e.g. \`encoding: ${suggestion}\` if that is what it is` : '';
    return `Set the file's real encoding for source "${this.cfg.name}" in the configuration${eg} (utf-8, utf-16le, gb18030, big5, shift_jis, euc-kr, windows-1252, …).`;
  }

  /** Reports the header's columns and, in `notes`, anything uncertain about the encoding. */
  async check(): Promise<CsvCheck> {
    const { sample, notes } = await this.head();
    const delimiter = this.cfg.delimiter ?? sniffDelimiter(sample);
    let header: string[] | undefined;
    const p = new CsvParser({ delimiter, quote: this.cfg.quote });
    const take = (r: CsvRow): void => {
      header ??= columnNames(r.fields);
    };
    p.push(sample, take, () => {});
    if (!header) p.end(take, () => {});
    if (!header) throw new CrmEtlError('SOURCE_SCHEMA', `source "${this.cfg.name}": file ${this.cfg.path} is empty (no header row)`);
    return { columns: header, notes };
  }

  async *read(opts: { cursor?: Cursor; batchSize?: number } = {}): AsyncIterable<SourceBatch> {
    const batchSize = opts.batchSize ?? 5000;
    const { detected, sample } = await this.head();
    const { encoding, bomLength } = detected;
    const delimiter = this.cfg.delimiter ?? sniffDelimiter(sample);
    const stamp = await stampFile(this.cfg);
    const parser = new CsvParser({ delimiter, quote: this.cfg.quote });
    const location = this.cfg.path;
    const source = this.cfg.name;
    const encodingMessage =
      `bytes on this line are not valid ${encoding} (${describeSource(detected)}), so its text would be garbled; ` +
      `set \`encoding:\` for source "${source}" to the file's real encoding`;

    let header: string[] | undefined;
    let width = 0;
    let buildFields: (f: readonly string[]) => Record<string, string> = () => ({});
    let keyCols: number[] = [];
    const seen = new KeySet();
    let records: RawRecord[] = [];
    let malformed: MalformedRow[] = [];
    let rowsRead = 0;
    // Set once the decoder has produced a replacement character: only then are rows searched.
    let undecodable = false;
    // Resume after the rows a previous read delivered, when the file is the same or has only
    // grown (append-only exports); a file rewritten in place is read from the start.
    const prev = opts.cursor as { rows?: number; size?: number; mtimeMs?: number; fingerprint?: unknown } | undefined;
    const honoured =
      prev !== undefined &&
      typeof prev.rows === 'number' &&
      typeof prev.size === 'number' &&
      (await fileMayResume(this.cfg.path, { size: prev.size, mtimeMs: prev.mtimeMs ?? NaN, fingerprint: prev.fingerprint }, stamp));
    const skip = honoured ? prev.rows! : 0;
    let notes = prev && !honoured ? [rereadNote(this.cfg)] : undefined;

    const onRow = (r: CsvRow): void => {
      const f = r.fields;
      if (!header) {
        header = columnNames(f);
        width = header.length;
        parser.expectFields(width);
        buildFields = fieldsBuilder(header);
        const want = Array.isArray(this.cfg.key) ? this.cfg.key : [this.cfg.key];
        keyCols = want.map((k) => {
          const idx = header!.indexOf(k);
          if (idx < 0) {
            throw new CrmEtlError('SOURCE_SCHEMA', `source "${source}": key column "${k}" is not in the header of ${location} (columns: ${header!.join(', ')})`);
          }
          return idx;
        });
        return;
      }
      rowsRead++;
      if (rowsRead <= skip) {
        // Delivered by the previous read: only its key matters, so a repeat after the cursor
        // is still caught as one.
        if (f.length === width) {
          const key = keyOf(keyCols, f);
          if (key) seen.add(key);
        }
        return;
      }
      if (f.length !== width) {
        malformed.push({
          source,
          lineage: { location, line: r.line },
          code: f.length < width ? 'TOO_FEW_FIELDS' : 'TOO_MANY_FIELDS',
          message: `expected ${width} fields, found ${f.length}`,
          raw: f.join(delimiter),
        });
        return;
      }
      if (undecodable && f.some((x) => x.includes(REPLACEMENT))) {
        malformed.push({ source, lineage: { location, line: r.line }, code: 'ENCODING_ERROR', message: encodingMessage, raw: f.join(delimiter) });
        return;
      }
      const key = keyOf(keyCols, f);
      if (!key) {
        malformed.push({ source, lineage: { location, line: r.line }, code: 'MISSING_KEY', message: `the key column is empty`, raw: f.join(delimiter) });
        return;
      }
      if (!seen.add(key)) {
        malformed.push({ source, lineage: { location, line: r.line }, code: 'DUPLICATE_KEY', message: `key "${key}" already appeared earlier in the file`, raw: f.join(delimiter) });
        return;
      }
      records.push({ source, key, fields: buildFields(f), lineage: { location, line: r.line } });
    };
    const onBroken = (b: CsvBrokenRow): void => {
      rowsRead++;
      if (rowsRead <= skip) return;
      malformed.push({ source, lineage: { location, line: b.line }, code: b.code, message: b.message, raw: b.raw });
    };
    const push = (text: string): void => {
      if (!undecodable && text.includes(REPLACEMENT)) undecodable = true;
      parser.push(text, onRow, onBroken);
    };

    const stream = createReadStream(this.cfg.path, { start: bomLength, highWaterMark: 256 * 1024 });
    // The BOM is skipped by offset; a decoder must not also eat a U+FEFF that is data.
    const decoder = iconv.getDecoder(encoding, { stripBOM: false });
    const cursorOf = (done: boolean): Cursor => ({ ...stamp, rows: rowsRead, done });
    const resumed = skip > 0;
    const batchOf = (done: boolean): SourceBatch => {
      const b: SourceBatch = { records, malformed, cursor: cursorOf(done), resumed };
      if (notes) b.notes = notes;
      notes = undefined;
      return b;
    };
    try {
      for await (const chunk of stream) {
        const text = decoder.write(chunk as Buffer);
        if (text) push(text);
        if (records.length >= batchSize || malformed.length >= batchSize) {
          yield batchOf(false);
          records = [];
          malformed = [];
        }
      }
    } finally {
      stream.destroy();
    }
    const tail = decoder.end();
    if (tail) push(tail);
    parser.end(onRow, onBroken);
    if (!header) throw new CrmEtlError('SOURCE_SCHEMA', `source "${source}": file ${location} is empty (no header row)`);
    yield batchOf(true);
  }
}

function describeSource(d: DetectedEncoding): string {
  switch (d.source) {
    case 'option':
      return 'as configured';
    case 'bom':
      return 'from its byte-order mark';
    case 'ascii':
      return 'assumed because the first 64 KiB are plain ASCII';
    case 'utf-8':
      return 'detected: the first 64 KiB are valid UTF-8';
    case 'utf-16-pattern':
      return 'detected from the zero bytes of UTF-16 text';
    case 'detector':
      return `detected with confidence ${d.confidence}/100`;
    default: {
      const never: never = d.source;
      return never;
    }
  }
}
