import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { generateCustomers, generateOptionsSchema, type GeneratedRow, type GenerateSummary } from './generate-customers.js';
import { SOURCE_LAYOUTS, SOURCE_NAMES, type SourceLayout, type SourceName } from './sources.js';

export const writeDatasetOptionsSchema = generateOptionsSchema.extend({
  /** `store:` of the written config.yaml. Default `${DATABASE_URL:-pglite://./.crm-etl/db}` (relative to the working directory). */
  store: z.string().min(1).default('${DATABASE_URL:-pglite://./.crm-etl/db}'),
  /** Also write notes.csv (source,source_key,entity,role,notes): what each row varies. Default false. */
  notes: z.boolean().default(false),
});
/** Options of `writeDataset`; only `records` is required. */
export type WriteDatasetOptions = z.input<typeof writeDatasetOptionsSchema>;

export interface WrittenFile {
  file: string;
  /** Data rows (header excluded). */
  rows: number;
  bytes: number;
}

export interface DatasetSummary extends GenerateSummary {
  dir: string;
  files: WrittenFile[];
  /** Bytes written, all files together. */
  bytes: number;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Encodes each line straight into a reusable 1 MB buffer and writes the buffer when full. Lines
 * are not kept until a flush: kept lines survive garbage collections, and at a million rows that
 * doubled the collector's work (encoding per line also beat joining 128K-character chunks).
 */
class ChunkedWriter {
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  rows = 0;
  bytes = 0;

  constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  /** Adds text; true when the buffer is nearly full (then await `flush()` before the next push). */
  push(text: string): boolean {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; a line longer than the room left is
    // encoded on its own first (never longer than the 64 KB kept free, for generated rows).
    if (text.length * 3 <= CHUNK_BYTES - this.pos) this.pos += this.buf.write(text, this.pos, 'utf8');
    else {
      const b = Buffer.from(text, 'utf8');
      if (b.length > CHUNK_BYTES - this.pos) throw new Error(`line of ${b.length} bytes does not fit the write buffer`);
      this.pos += b.copy(this.buf, this.pos);
    }
    return this.pos > CHUNK_BYTES - 64 * 1024;
  }

  async flush(): Promise<void> {
    let off = 0;
    while (off < this.pos) off += (await this.fh.write(this.buf, off, this.pos - off)).bytesWritten;
    this.bytes += this.pos;
    this.pos = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
  }
}

const NEEDS_QUOTES: Record<string, RegExp> = { ',': /[",\r\n]/, ';': /[";\r\n]/, '|': /["|\r\n]/, '\t': /["\t\r\n]/ };

/** RFC 4180 quoting: a field holding the delimiter, a quote or a line break is quoted, quotes doubled. */
export function csvField(s: string, delimiter: string): string {
  const re = NEEDS_QUOTES[delimiter];
  if (re ? !re.test(s) : s.indexOf(delimiter) < 0 && !/["\r\n]/.test(s)) return s;
  return s.indexOf('"') >= 0 ? `"${s.replace(/"/g, '""')}"` : `"${s}"`;
}

/** One line of a source file, with its line end. */
export function formatLine(layout: SourceLayout, values: readonly string[]): string {
  const w = layout.widths;
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    if (i > 0) line += layout.delimiter;
    line += w ? v.padEnd(w[i] as number) : csvField(v, layout.delimiter);
  }
  return line + layout.eol;
}

function header(layout: SourceLayout): string {
  return (layout.bom ? '\uFEFF' : '') + layout.columns.map((c) => csvField(c, layout.delimiter)).join(layout.delimiter) + layout.eol;
}

/** The config.yaml of a generated data set: the three sources with their mappings. */
export function datasetConfig(opts: { records: number; seed: number; store: string; sources: readonly SourceName[] }): string {
  const sources = SOURCE_NAMES.filter((s) => opts.sources.includes(s));
  return `# Synthetic multi-source customer data set (crm-etl src/generator), ${opts.records} records, seed ${opts.seed}.
# Every person, company, address, e-mail and phone number is invented. truth.csv names the true
# entity of every row (source,source_key,entity).
#
#   crm-etl run -c config.yaml
#   crm-etl eval --truth truth.csv -c config.yaml
#
# The store folder below is relative to the working directory, not to this file: run from this
# folder (or set DATABASE_URL) so that a run does not share another project's store.
store: "${opts.store}"
queue: "\${REDIS_URL:-}"

sources:
${sources.map((s) => SOURCE_LAYOUTS[s].config.replace('{file}', SOURCE_LAYOUTS[s].file)).join('\n')}
matching: {}

quality: {}
`;
}

/**
 * Writes a generated data set to `dir`: erp.csv (comma, UTF-8), crm.csv (semicolon, BOM, CRLF),
 * legacy.csv (pipe, padded, CRLF), truth.csv (source,source_key,entity), config.yaml (so that
 * `crm-etl run -c DIR/config.yaml` then `crm-etl eval --truth DIR/truth.csv -c DIR/config.yaml`
 * work), and with `notes: true` notes.csv. Streams: memory stays flat at any size.
 */
export async function writeDataset(dir: string, options: WriteDatasetOptions): Promise<DatasetSummary> {
  const o = writeDatasetOptionsSchema.parse(options);
  const sources = SOURCE_NAMES.filter((s) => o.sources.includes(s));
  await mkdir(dir, { recursive: true });
  const openWriter = async (file: string): Promise<ChunkedWriter> => new ChunkedWriter(file, await open(path.join(dir, file), 'w'));
  const writers = {} as Record<SourceName, ChunkedWriter>;
  const all: ChunkedWriter[] = [];
  try {
    for (const s of sources) {
      writers[s] = await openWriter(SOURCE_LAYOUTS[s].file);
      all.push(writers[s]);
      writers[s].push(header(SOURCE_LAYOUTS[s]));
    }
    const truth = await openWriter('truth.csv');
    all.push(truth);
    truth.push('source,source_key,entity\n');
    const notes = o.notes ? await openWriter('notes.csv') : null;
    if (notes) {
      all.push(notes);
      notes.push('source,source_key,entity,role,notes\n');
    }

    const gen = generateCustomers(o);
    let summary: GenerateSummary | undefined;
    for (;;) {
      const step = gen.next();
      if (step.done) {
        summary = step.value;
        break;
      }
      const row: GeneratedRow = step.value;
      const w = writers[row.source];
      w.rows++;
      if (w.push(formatLine(SOURCE_LAYOUTS[row.source], row.values))) await w.flush();
      truth.rows++;
      if (truth.push(`${row.source},${row.key},${row.entity}\n`)) await truth.flush();
      if (notes) {
        notes.rows++;
        if (notes.push(`${row.source},${row.key},${row.entity},${row.role},${csvField(row.notes.join(' '), ',')}\n`)) await notes.flush();
      }
    }
    for (const w of all) await w.close();
    all.length = 0;

    const config = datasetConfig({ records: o.records, seed: o.seed, store: o.store, sources });
    await writeFile(path.join(dir, 'config.yaml'), config);
    const files: WrittenFile[] = [
      ...sources.map((s) => ({ file: writers[s].file, rows: writers[s].rows, bytes: writers[s].bytes })),
      { file: truth.file, rows: truth.rows, bytes: truth.bytes },
      ...(notes ? [{ file: notes.file, rows: notes.rows, bytes: notes.bytes }] : []),
      { file: 'config.yaml', rows: 0, bytes: Buffer.byteLength(config) },
    ];
    return { ...summary, dir, files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  } finally {
    // On an error part-way, close what is open (the files stay, incomplete).
    for (const w of all) await w.close().catch(() => undefined);
  }
}
