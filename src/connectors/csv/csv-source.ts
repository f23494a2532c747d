import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import type { CsvSourceConfig } from '../../config/schema.js';
import { CrmEtlError } from '../../core/errors.js';
import type { MalformedRow, RawRecord } from '../../core/record.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connector.js';
import { CsvParser, type CsvBrokenRow, type CsvRow } from './csv-parser.js';

const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];

/** Encoding named by a byte-order mark, and the mark's length. */
export function detectBom(head: Buffer): { encoding: string; length: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** Guesses the delimiter from a sample with papaparse's sniffer, limited to the usual four. */
export function sniffDelimiter(sample: string): string {
  const lines = sample.split(/\r?\n/).slice(0, 20).join('\n');
  const res = Papa.parse<string[]>(lines, { delimitersToGuess: DELIMITERS, preview: 20 });
  const d = res.meta.delimiter;
  return DELIMITERS.includes(d) ? d : ',';
}

function keyOf(keyCols: readonly number[], fields: readonly string[]): string {
  if (keyCols.length === 1) return (fields[keyCols[0]!] ?? '').trim();
  return keyCols.map((i) => (fields[i] ?? '').trim()).join('|');
}

/**
 * Streams a delimited text file: encoding from the option or the BOM (UTF-8 by default),
 * delimiter from the option or sniffed; the first non-blank row is the header. Every record
 * carries its file and line; rows with the wrong field count, a broken quote, no key or a
 * repeated key are yielded as malformed with their line, never dropped.
 */
export class CsvSource implements SourceConnector {
  constructor(private readonly cfg: CsvSourceConfig) {}

  private async head(): Promise<{ encoding: string; bomLength: number; sample: string }> {
    let fh;
    try {
      fh = await open(this.cfg.path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CrmEtlError(
        'SOURCE_NOT_FOUND',
        `source "${this.cfg.name}": file ${this.cfg.path} cannot be opened (${code ?? 'error'}); check the source's path in the configuration`,
        { cause: err },
      );
    }
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      const head = buf.subarray(0, bytesRead);
      const bom = detectBom(head);
      const encoding = this.cfg.encoding ?? bom?.encoding ?? 'utf-8';
      if (!iconv.encodingExists(encoding)) {
        throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": unknown encoding "${encoding}"; use e.g. utf-8, gbk, big5, shift_jis, windows-1252`);
      }
      const bomLength = bom && bom.encoding === encoding.toLowerCase().replace('utf8', 'utf-8') ? bom.length : 0;
      const sample = iconv.decode(head.subarray(bomLength), encoding);
      return { encoding, bomLength, sample };
    } finally {
      await fh.close();
    }
  }

  async check(): Promise<{ columns: string[] }> {
    const { sample } = await this.head();
    const delimiter = this.cfg.delimiter ?? sniffDelimiter(sample);
    let header: string[] | undefined;
    const p = new CsvParser({ delimiter, quote: this.cfg.quote });
    const take = (r: CsvRow): void => {
      header ??= r.fields.map((f) => f.trim());
    };
    p.push(sample, take, () => {});
    if (!header) p.end(take, () => {});
    if (!header) throw new CrmEtlError('SOURCE_SCHEMA', `source "${this.cfg.name}": file ${this.cfg.path} is empty (no header row)`);
    return { columns: header };
  }

  async *read(opts: { cursor?: Cursor; batchSize?: number } = {}): AsyncIterable<SourceBatch> {
    const batchSize = opts.batchSize ?? 5000;
    const { encoding, bomLength, sample } = await this.head();
    const delimiter = this.cfg.delimiter ?? sniffDelimiter(sample);
    const { size, mtimeMs } = await stat(this.cfg.path);
    const parser = new CsvParser({ delimiter, quote: this.cfg.quote });
    const location = this.cfg.path;
    const source = this.cfg.name;

    let header: string[] | undefined;
    let keyCols: number[] = [];
    const seen = new Set<string>();
    let records: RawRecord[] = [];
    let malformed: MalformedRow[] = [];
    let rowsRead = 0;
    // Resume after the rows a previous read delivered, when the file is the same or has only
    // grown (append-only exports); a file rewritten in place is read from the start.
    const prev = opts.cursor as { rows?: number; size?: number; mtimeMs?: number } | undefined;
    const skip =
      prev && typeof prev.rows === 'number' && typeof prev.size === 'number' && (size > prev.size || (size === prev.size && mtimeMs === prev.mtimeMs))
        ? prev.rows
        : 0;

    const onRow = (r: CsvRow): void => {
      if (!header) {
        header = r.fields.map((f) => f.trim());
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
      if (rowsRead <= skip) return;
      const h = header;
      if (r.fields.length !== h.length) {
        malformed.push({
          source,
          lineage: { location, line: r.line },
          code: r.fields.length < h.length ? 'TOO_FEW_FIELDS' : 'TOO_MANY_FIELDS',
          message: `expected ${h.length} fields, found ${r.fields.length}`,
          raw: r.fields.join(delimiter),
        });
        return;
      }
      const key = keyOf(keyCols, r.fields);
      if (!key) {
        malformed.push({ source, lineage: { location, line: r.line }, code: 'MISSING_KEY', message: `the key column is empty`, raw: r.fields.join(delimiter) });
        return;
      }
      if (seen.has(key)) {
        malformed.push({ source, lineage: { location, line: r.line }, code: 'DUPLICATE_KEY', message: `key "${key}" already appeared earlier in the file`, raw: r.fields.join(delimiter) });
        return;
      }
      seen.add(key);
      const fields: Record<string, string> = {};
      for (let i = 0; i < h.length; i++) fields[h[i]!] = r.fields[i]!.trim();
      records.push({ source, key, fields, lineage: { location, line: r.line } });
    };
    const onBroken = (b: CsvBrokenRow): void => {
      rowsRead++;
      if (rowsRead <= skip) return;
      malformed.push({ source, lineage: { location, line: b.line }, code: b.code, message: b.message, raw: b.raw });
    };

    const stream = createReadStream(this.cfg.path, { start: bomLength, highWaterMark: 256 * 1024 });
    const decoder = iconv.getDecoder(encoding);
    const cursorOf = (done: boolean): Cursor => ({ size, mtimeMs, rows: rowsRead, done });
    for await (const chunk of stream) {
      const text = decoder.write(chunk as Buffer);
      if (text) parser.push(text, onRow, onBroken);
      if (records.length >= batchSize || malformed.length >= batchSize) {
        yield { records, malformed, cursor: cursorOf(false) };
        records = [];
        malformed = [];
      }
    }
    const tail = decoder.end();
    if (tail) parser.push(tail, onRow, onBroken);
    parser.end(onRow, onBroken);
    if (!header) throw new CrmEtlError('SOURCE_SCHEMA', `source "${source}": file ${location} is empty (no header row)`);
    yield { records, malformed, cursor: cursorOf(true) };
  }
}
