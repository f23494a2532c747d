import { fileFingerprint, fileMayResume, rereadNote, sourceFileError, stampFile, type FileStamp } from '../shared/source-file.js';
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import type { XmlSourceConfig } from '../../config/sources/xml.js';
import { CrmEtlError } from '../../core/errors.js';
import type { MalformedRow, RawRecord } from '../../core/record.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connector.js';
import { KeySet } from '../shared/key-set.js';
import { FastRecordReader } from './xml-fast-reader.js';
import { flattenRecord, parseColumnPath, readColumn, unindexedPath, type ColumnSegment } from './xml-fields.js';
import { XmlRecordScanner, type ScannedElement } from './xml-scanner.js';

/**
 * Records per batch when the caller does not say (see the fixed-width connector's): XML records
 * are heavier, and 1,000 reads 1.3× faster than 2,000 with a lower peak RSS.
 */
const DEFAULT_BATCH = 1000;
const HEAD_BYTES = 4096;
/**
 * Bytes read and decoded at a time. Small chunks keep the decoded text out of V8's large-object
 * space and the per-chunk element lists short: 64 KiB peaks 60 MB lower than 1 MiB, as fast.
 */
const CHUNK_BYTES = 1 << 16;
/** check() infers the columns from this many records (or the first SAMPLE_BYTES). */
const SAMPLE_RECORDS = 1000;
const SAMPLE_BYTES = 8 << 20;
const MAX_RAW_CHARS = 4000;

/**
 * The encoding of an XML file: a byte-order mark, else the byte pattern of `<?` in UTF-16,
 * else the XML declaration's `encoding`, else UTF-8 (the XML default).
 */
export function sniffXmlEncoding(head: Uint8Array): { encoding: string; from: 'bom' | 'declaration' | 'default' } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', from: 'bom' };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', from: 'bom' };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', from: 'bom' };
  if (head[0] === 0x3c && head[1] === 0x00 && head[2] === 0x3f && head[3] === 0x00) return { encoding: 'utf-16le', from: 'bom' };
  if (head[0] === 0x00 && head[1] === 0x3c && head[2] === 0x00 && head[3] === 0x3f) return { encoding: 'utf-16be', from: 'bom' };
  const text = Buffer.from(head.subarray(0, 1024)).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._:-]*)\1/.exec(text);
  if (m) return { encoding: m[2]!, from: 'declaration' };
  return { encoding: 'utf-8', from: 'default' };
}

/** Where a read stopped; cumulative over resumed reads. */
export interface XmlCursor {
  size: number;
  mtimeMs: number;
  /** See fileMayResume. */
  fingerprint: string;
  prefix?: number;
  /** Record elements consumed, delivered and malformed alike. */
  elements: number;
  delivered: number;
  malformed: number;
  done: boolean;
}

async function readCursor(c: Cursor | undefined, path: string, now: FileStamp): Promise<XmlCursor | null> {
  if (!c) return null;
  const p = c as Partial<XmlCursor>;
  if (![p.size, p.mtimeMs, p.elements, p.delivered, p.malformed].every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  if (!(await fileMayResume(path, p as XmlCursor, now))) return null;
  return p as XmlCursor;
}

/**
 * Feeds a UTF-8 file to the scanner: the bytes of the text the scanner still needs are decoded
 * again together with the next chunk, in one call, instead of decoding the chunk and joining it
 * to that text. Besides the join (about a kilobyte a record), this keeps each chunk's text in
 * V8's one-byte form unless the chunk itself holds a character above U+00FF: a joined buffer
 * inherits the two-byte form of the text before it, so after the first Chinese name every
 * buffer of the file was two bytes a character. Yields the characters added each time.
 * Bytes that are not UTF-8 end this path: from there the text goes through {@link decodedTexts}.
 */
async function* utf8Texts(stream: AsyncIterable<unknown>, scanner: XmlRecordScanner): AsyncGenerator<number> {
  let prev: Buffer | undefined;
  /** How much of `prev` was decoded (the rest: a character cut by the chunk's end). */
  let decodedEnd = 0;
  let fallback: InstanceType<typeof TextDecoder> | undefined;
  for await (const c of stream) {
    const chunk = c as Buffer;
    if (fallback) {
      const text = fallback.decode(chunk, { stream: true });
      scanner.push(text);
      yield text.length;
      continue;
    }
    let bytes: Buffer;
    let kept = 0;
    if (prev) {
      const retained = scanner.retained();
      kept = retained.length;
      bytes = Buffer.concat([prev.subarray(decodedEnd - Buffer.byteLength(retained, 'utf8')), chunk]);
    } else {
      bytes = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? chunk.subarray(3) : chunk;
    }
    const end = completeUtf8(bytes);
    if (!isUtf8(bytes.subarray(0, end))) {
      // Decoding would replace the bad bytes, and the retained text would no longer say how
      // many bytes it came from: decode the rest of the file as a stream, joined as text.
      fallback = new TextDecoder('utf-8', { ignoreBOM: true });
      const text = fallback.decode(bytes.subarray(prev ? Buffer.byteLength(scanner.retained(), 'utf8') : 0), { stream: true });
      scanner.push(text);
      yield text.length;
      continue;
    }
    const text = bytes.toString('utf8', 0, end);
    scanner.replace(text);
    prev = bytes;
    decodedEnd = end;
    yield text.length - kept;
  }
  const tail = fallback ? fallback.decode() : prev && decodedEnd < prev.length ? prev.toString('utf8', decodedEnd) : '';
  if (tail) {
    scanner.push(tail);
    yield tail.length;
  }
}

/** Where the last complete UTF-8 character of `b` ends (before a sequence the chunk's end cuts). */
function completeUtf8(b: Buffer): number {
  const n = b.length;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const c = b[i]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte
    const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return i + length <= n ? n : i;
  }
  return n;
}

/** Feeds a file in another encoding to the scanner through iconv-lite; yields the characters added each time. */
async function* decodedTexts(stream: AsyncIterable<unknown>, encoding: string, scanner: XmlRecordScanner): AsyncGenerator<number> {
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of stream) {
    const text = decoder.write(chunk as Buffer);
    scanner.push(text);
    yield text.length;
  }
  const tail = decoder.end() ?? '';
  scanner.push(tail);
  yield tail.length;
}

function clip(text: string): string {
  return text.length > MAX_RAW_CHARS ? text.slice(0, MAX_RAW_CHARS) + '…' : text;
}

/** Columns the mapping and key name, to read indexed paths (`phone[1]`) in the default mode. */
function referencedColumns(cfg: XmlSourceConfig): string[] {
  const cols = new Set<string>(typeof cfg.key === 'string' ? [cfg.key] : cfg.key);
  for (const c of Object.values(cfg.mapping)) {
    if (typeof c === 'string') cols.add(c);
    else if (c) for (const x of c) cols.add(x);
  }
  return [...cols];
}

type Reading = { ok: true; fields: Record<string, string> } | { ok: false; code: string; message: string; line: number };

/**
 * Streams an XML export: each element at `record_path` is a record. The file is decoded and
 * scanned in chunks for complete record elements (see {@link XmlRecordScanner}), so memory
 * holds about one chunk whatever the file size. fast-xml-parser is not a streaming parser: each
 * element is read on its own, by the one-pass {@link FastRecordReader} when it is plainly
 * well-formed, else validated and parsed by fast-xml-parser (same columns either way). Columns
 * are dotted paths inside the record (`@id`, `name.first`, `address.city`); repeated elements
 * are joined with "; " or picked by occurrence (`phone[1]`). A record element that is not
 * well-formed is yielded as malformed with its line, and the read goes on. Lineage: the file and
 * the line where the element starts. The cursor counts the record elements consumed.
 */
export class XmlSource implements SourceConnector {
  /** The full parser, for elements the fast reader leaves to it (see xml-fast-reader.ts). */
  private readonly parser = new XMLParser({
    jPath: false,
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Numeric character references (&#20013;) are XML, but fast-xml-parser decodes them only
    // with its HTML entity set on; the HTML named entities it adds (&nbsp;) do no harm here.
    htmlEntities: true,
  });
  private readonly recordPath: string[];
  private readonly recordName: string;
  /** The configured columns, or null: every leaf. */
  private readonly columns: { name: string; segs: ColumnSegment[] }[] | null;
  /** Indexed paths the mapping and key name (`phone[1]`), read besides every leaf. */
  private readonly indexed: { name: string; segs: ColumnSegment[] }[];
  private readonly fast: FastRecordReader | null;

  /**
   * @param opts.fastPath read well-formed elements with the one-pass reader (default true;
   *   false sends every element through fast-xml-parser, for comparison)
   */
  constructor(
    private readonly cfg: XmlSourceConfig,
    opts: { fastPath?: boolean } = {},
  ) {
    this.recordPath = cfg.record_path.split('/');
    this.recordName = this.recordPath[this.recordPath.length - 1]!;
    this.columns = cfg.columns ? cfg.columns.map((c) => ({ name: c, segs: parseColumnPath(c) })) : null;
    this.indexed = this.columns
      ? []
      : referencedColumns(cfg)
          .filter((c) => c.includes('['))
          .map((c) => ({ name: c, segs: parseColumnPath(c) }));
    this.fast = opts.fastPath === false ? null : new FastRecordReader(!this.columns, this.columns ?? this.indexed);
  }

  private async encoding(): Promise<string> {
    let fh;
    try {
      fh = await open(this.cfg.path, 'r');
    } catch (err) {
      throw sourceFileError(this.cfg, err);
    }
    let head: Buffer;
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    const sniffed = sniffXmlEncoding(head);
    const encoding = this.cfg.encoding ?? sniffed.encoding;
    if (!iconv.encodingExists(encoding)) {
      const why = this.cfg.encoding ? 'the configured encoding' : `the encoding the file's XML declaration names`;
      throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": ${why}, "${encoding}", is not supported; set encoding to e.g. utf-8, utf-16, gbk, big5, shift_jis, windows-1252`);
    }
    return encoding;
  }

  /**
   * Record elements of the file, in order, decoded, cut out and (mostly) read by the scanner;
   * a chunk's worth at a time (one await per record would cost more than reading it).
   */
  private async *elements(encoding: string, maxChars = Infinity, end?: { trailerBytes?: number }): AsyncGenerator<ScannedElement[]> {
    const stream = createReadStream(this.cfg.path, { highWaterMark: CHUNK_BYTES });
    const scanner = new XmlRecordScanner(this.recordPath, undefined, this.fast);
    const drain = (): ScannedElement[] => {
      const out: ScannedElement[] = [];
      for (let el = scanner.next(); el; el = scanner.next()) out.push(el);
      return out;
    };
    let chars = 0;
    try {
      const text = /^utf-?8$/i.test(encoding) ? utf8Texts(stream, scanner) : decodedTexts(stream, encoding, scanner);
      for await (const n of text) {
        chars += n;
        yield drain();
        if (chars >= maxChars) return;
      }
      scanner.end();
      const last = drain();
      const trailer = scanner.trailer();
      if (end && trailer !== undefined) {
        end.trailerBytes = /^utf-?8$/i.test(encoding) ? Buffer.byteLength(trailer, 'utf8') : iconv.encode(trailer, encoding, { addBOM: false }).length;
      }
      yield last;
    } finally {
      stream.destroy();
    }
  }

  /** The columns of one element: from the fast reader, or validated and parsed by fast-xml-parser. */
  private readElement(el: ScannedElement): Reading {
    const name = this.recordName;
    if (el.broken) return { ok: false, code: 'MALFORMED_ELEMENT', message: `<${name}> starting on line ${el.line}: ${el.broken}`, line: el.line };
    if (el.fields) return { ok: true, fields: el.fields };
    const valid = XMLValidator.validate(el.text);
    if (valid !== true) {
      const line = el.line + valid.err.line - 1;
      return { ok: false, code: 'MALFORMED_ELEMENT', message: `<${name}> starting on line ${el.line}: ${valid.err.msg} (line ${line}, column ${valid.err.col})`, line: el.line };
    }
    let root: unknown;
    try {
      root = (this.parser.parse(el.text) as Record<string, unknown>)[name];
    } catch (err) {
      return { ok: false, code: 'MALFORMED_ELEMENT', message: `<${name}> starting on line ${el.line}: ${(err as Error).message}`, line: el.line };
    }
    const fields: Record<string, string> = this.columns ? {} : flattenRecord(root);
    if (this.columns) for (const c of this.columns) fields[c.name] = readColumn(root, c.segs);
    else {
      for (const c of this.indexed) {
        const v = readColumn(root, c.segs);
        if (v) fields[c.name] = v;
      }
    }
    return { ok: true, fields };
  }

  /**
   * The configured `columns`, or the paths found in the first 1,000 records (8 MiB at most),
   * plus the indexed paths the mapping names (`phone[1]`) of elements found there.
   */
  async check(): Promise<{ columns: string[] }> {
    const encoding = await this.encoding();
    const found = new Set<string>();
    let seen = 0;
    let good = 0;
    sample: for await (const els of this.elements(encoding, SAMPLE_BYTES)) {
      for (const el of els) {
        seen++;
        const r = this.readElement(el);
        if (r.ok) {
          good++;
          for (const k of Object.keys(r.fields)) found.add(k);
        }
        if (good >= SAMPLE_RECORDS) break sample;
      }
    }
    if (seen === 0) {
      throw new CrmEtlError(
        'SOURCE_SCHEMA',
        `source "${this.cfg.name}": no <${this.recordName}> element at ${this.cfg.record_path} in ${this.cfg.path} (first ${SAMPLE_BYTES >> 20} MiB); check record_path: it names every element from the root down`,
      );
    }
    if (this.columns) return { columns: this.columns.map((c) => c.name) };
    for (const c of this.indexed) if (found.has(unindexedPath(c.name))) found.add(c.name);
    return { columns: [...found] };
  }

  async *read(opts: { cursor?: Cursor; batchSize?: number } = {}): AsyncIterable<SourceBatch> {
    const cfg = this.cfg;
    const batchSize = opts.batchSize ?? DEFAULT_BATCH;
    const encoding = await this.encoding();
    const stamp = await stampFile(cfg);
    const prev = await readCursor(opts.cursor, cfg.path, stamp);
    const st: XmlCursor = prev ? { ...prev, ...stamp, done: false } : { ...stamp, elements: 0, delivered: 0, malformed: 0, done: false };
    delete st.prefix; // until the read has seen where the last record ends
    // The first batch says whether a given cursor was honoured and, if not, why.
    let first = true;
    const batchOf = (done: boolean): SourceBatch => {
      const b: SourceBatch = { records, malformed, cursor: cursorOf(done) };
      if (opts.cursor !== undefined) b.resumed = prev !== null;
      if (first && opts.cursor !== undefined && prev === null) b.notes = [rereadNote(cfg)];
      first = false;
      return b;
    };
    const skip = st.elements;
    const cursorOf = (done: boolean): Cursor => ({ ...st, done });
    const keyNames = typeof cfg.key === 'string' ? [cfg.key] : [...cfg.key];
    const single = keyNames.length === 1 ? keyNames[0]! : null;
    const source = cfg.name;
    const location = cfg.path;
    const seen = new KeySet();
    let records: RawRecord[] = [];
    let malformed: MalformedRow[] = [];
    let n = 0;

    const end: { trailerBytes?: number } = {};
    for await (const els of this.elements(encoding, Infinity, end)) {
      for (const el of els) {
        if (++n <= skip) continue;
        st.elements++;
        const r = el.fields ? null : this.readElement(el);
        let bad: Reading | null = null;
        if (r && !r.ok) bad = r;
        else {
          const fields = el.fields ?? (r as { fields: Record<string, string> }).fields;
          const key = single ? (fields[single] ?? '') : keyNames.map((k) => fields[k] ?? '').join('|');
          if (single ? !key : keyNames.every((k) => !fields[k])) {
            bad = { ok: false, code: 'MISSING_KEY', message: `<${this.recordName}> on line ${el.line}: the key ${keyNames.map((k) => `"${k}"`).join(', ')} is empty or absent`, line: el.line };
          } else if (!seen.add(key)) {
            bad = { ok: false, code: 'DUPLICATE_KEY', message: `<${this.recordName}> on line ${el.line}: key "${key}" already appeared earlier in the file`, line: el.line };
          } else {
            st.delivered++;
            records.push({ source, key, fields, lineage: { location, line: el.line } });
          }
        }
        if (bad && !bad.ok) {
          st.malformed++;
          malformed.push({ source, lineage: { location, line: bad.line }, code: bad.code, message: bad.message, raw: clip(el.text) });
        }
        if (records.length >= batchSize || malformed.length >= batchSize) {
          yield batchOf(false);
          records = [];
          malformed = [];
        }
      }
    }
    // The last cursor fingerprints the file up to its last record: the next export with records
    // added writes them before the closing tags, and that read may still resume.
    if (end.trailerBytes !== undefined && end.trailerBytes <= stamp.size) {
      st.prefix = stamp.size - end.trailerBytes;
      st.fingerprint = await fileFingerprint(cfg.path, st.prefix);
    }
    yield batchOf(true);
  }
}
