import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { CrmEtlError } from '../core/errors.js';
import { toStoreError, type StoreErrorContext } from './store-errors.js';
import { type BufferPool, bufferPool, releaseWhenWritten, releaseWritten } from './copy-buffers.js';
import type { RowBatch, RowSource, StoreValue } from './store.js';

/** Where bulk rows go. */
export interface BulkTarget {
  readonly table: string;
  readonly columns: readonly string[];
}

/** Size limits for one multi-row `INSERT`. */
export interface InsertChunkLimits {
  /** Upper bound on the statement size in bytes (estimated from above). */
  readonly maxBytes: number;
  /** Most bound parameters in one statement (65,535 for the Postgres protocol). */
  readonly maxParams: number;
}

/** Bytes of CSV per chunk written to a `COPY … FROM STDIN` stream. */
export const COPY_STREAM_CHUNK = 256 * 1024;

/**
 * `COPY table (columns) FROM STDIN` through pg-copy-streams, on the connection knex gives `db`
 * (the transaction's connection when `db` is a transaction), of CSV chunks as {@link CsvWriter}
 * writes them. One statement: all or nothing.
 */
export async function copyFromStdin(
  db: Knex | Knex.Transaction,
  target: BulkTarget,
  csv: AsyncIterable<Uint8Array>,
  context: StoreErrorContext,
): Promise<void> {
  const sql = copySql(db, target, 'STDIN');
  const client = db.client as Knex.Client;
  // Through the guarded client: a failure here is already a STORE_CONNECT error.
  const connection = (await client.acquireConnection()) as {
    query(stream: ReturnType<typeof copyFrom>): ReturnType<typeof copyFrom>;
  };
  try {
    const copy = connection.query(releasingWrites(copyFrom(sql)));
    await pipeline(Readable.from(csv), copy);
  } catch (error) {
    // Our own INPUT_INVALID (a bad row) aborted the COPY: it passes through unchanged.
    throw toStoreError(error, sql, context);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** The parts of pg-copy-streams' COPY stream that {@link releasingWrites} replaces and uses. */
interface CopyStreamWrites {
  flushChunk?: (chunk: Buffer) => boolean;
  connection: { stream: { write(data: Uint8Array, cb?: (err?: Error | null) => void): boolean } };
}

/**
 * The COPY stream, its chunks' buffers handed back (see copy-buffers.ts) once the socket has
 * written them. pg-copy-streams sends each chunk as a CopyData message, a 5-byte header (`d` and
 * the length) and then the chunk, written to the connection's socket as it is; so does this, with
 * a callback on the chunk's write. A version of the library without that method is left as it is
 * (its chunks' buffers are then collected, not used again).
 */
function releasingWrites(copy: ReturnType<typeof copyFrom>): ReturnType<typeof copyFrom> {
  const stream = copy as unknown as CopyStreamWrites;
  if (typeof stream.flushChunk !== 'function') return copy;
  stream.flushChunk = function (this: CopyStreamWrites, chunk: Buffer): boolean {
    const header = Buffer.allocUnsafe(5);
    header[0] = 0x64;
    header.writeUInt32BE(chunk.length + 4, 1);
    const socket = this.connection.stream;
    socket.write(header);
    return socket.write(chunk, (err) => {
      if (!err) releaseWritten(chunk);
    });
  };
  return copy;
}

/**
 * PGlite's bulk path: CSV chunks (each ending with a row) in `Blob`s of about `blobBytes`, each
 * loaded with `COPY … FROM '/dev/blob'`, so that memory stays bounded. Not atomic by itself when
 * the input needs more than one blob: run it in a transaction.
 */
export async function copyFromBlob(db: Knex | Knex.Transaction, target: BulkTarget, csv: AsyncIterable<Uint8Array>, blobBytes: number): Promise<void> {
  const sql = copySql(db, target, `'/dev/blob'`);
  let parts: Uint8Array[] = [];
  let size = 0;
  // knex-pglite hands a query's options to PGlite's query(): that is how the blob gets there.
  const load = (): Promise<unknown> => db.raw(sql).options({ blob: new Blob(parts) });
  for await (const chunk of csv) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= blobBytes) {
      await load();
      parts = [];
      size = 0;
    }
  }
  if (size > 0) await load();
}

/**
 * Multi-row `INSERT … VALUES (…), (…)` statements, each within `limits`. Values are bound, never
 * inlined, so that a failing statement's SQL holds no customer data. Not atomic by itself: run
 * it in a transaction.
 *
 * @returns the number of rows inserted.
 */
export async function insertInChunks(
  db: Knex | Knex.Transaction,
  target: BulkTarget,
  source: RowSource,
  limits: InsertChunkLimits,
): Promise<number> {
  const { columns } = target;
  const prefix = db
    .raw(`insert into ?? (${columns.map(() => '??').join(', ')}) values `, [
      target.table,
      ...columns,
    ])
    .toQuery();
  const rowPlaceholder = `(${columns.map(() => '?').join(', ')})`;
  const maxRows = Math.max(1, Math.floor(limits.maxParams / columns.length));
  let bindings: StoreValue[] = [];
  let rowsInChunk = 0;
  let bytes = prefix.length;
  let inserted = 0;
  const flush = async (): Promise<void> => {
    if (rowsInChunk === 0) return;
    const sql = prefix + new Array<string>(rowsInChunk).fill(rowPlaceholder).join(', ');
    await db.raw(sql, bindings);
    inserted += rowsInChunk;
    bindings = [];
    rowsInChunk = 0;
    bytes = prefix.length;
  };
  let rowNumber = 0;
  for await (const batch of batchesOf(source)) {
    for (const row of batch) {
      rowNumber += 1;
      checkRowLength(row, target, rowNumber);
      let rowBytes = rowPlaceholder.length + 2;
      for (let i = 0; i < columns.length; i += 1) {
        const value = storeValue(row[i], target, rowNumber, i);
        rowBytes += estimateBytes(value);
        bindings.push(value);
      }
      rowsInChunk += 1;
      bytes += rowBytes;
      if (rowsInChunk >= maxRows || bytes >= limits.maxBytes) await flush();
    }
  }
  await flush();
  return inserted;
}

/**
 * This thread's pool of the buffers a {@link CsvWriter} of `chunkBytes` writes into: a chunk and
 * room for the row that overruns it (see copy-buffers.ts).
 */
export function csvBufferPool(chunkBytes: number): BufferPool {
  return bufferPool(chunkBytes + 4096);
}

/** The bytes of '0'…'9', 'a'…'f'. */
const HEX_DIGITS = Buffer.from('0123456789abcdef');

/**
 * Rows as PostgreSQL CSV, written straight into buffers of about `chunkBytes` (what a COPY reads).
 * Strings are always quoted, so that `""` (empty string) and an empty unquoted field (NULL) stay
 * apart and a lone `\.` is data, not end-of-data.
 *
 * Each value is encoded into the buffer where it goes: building a line per row, joining the lines
 * of a chunk and encoding the chunk to UTF-8 made three copies of every byte and most of a full
 * run's garbage (at 100k records, CSV for COPY was 27 % of the load stage's main thread).
 */
export class CsvWriter {
  private buf: Buffer;
  private pos = 0;
  private lastInstant = Number.NaN;
  private lastInstantText = '';
  /** Buffers of a chunk and some room, used again once a COPY has sent them (see copy-buffers.ts). */
  private readonly pool: BufferPool;

  constructor(private readonly chunkBytes: number) {
    this.pool = csvBufferPool(chunkBytes);
    this.buf = this.pool.acquire();
  }

  /** Bytes written since the last {@link take}. */
  get size(): number {
    return this.pos;
  }

  /** Appends one row (checked: one value per column, each a string, number, boolean, Date or null). */
  row(row: readonly unknown[], target: BulkTarget, rowNumber: number): void {
    const columns = target.columns.length;
    for (let i = 0; i < columns; i += 1) {
      if (i > 0) this.byte(0x2c);
      const value = storeValue(row[i], target, rowNumber, i);
      if (value === null) continue;
      if (typeof value === 'string') this.quoted(value);
      else {
        const text = value instanceof Date ? this.instant(value) : String(value);
        this.reserve(text.length);
        this.pos += this.buf.write(text, this.pos, 'latin1');
      }
    }
    this.byte(0x0a);
  }

  /**
   * The writer is done: its buffer, unused since the last {@link take}, goes back to the pool (a
   * writer made per COPY would otherwise take one from it for nothing). Bytes written since the
   * last take are dropped.
   */
  done(): void {
    this.pool.release(this.buf);
    this.buf = Buffer.alloc(0);
    this.pos = 0;
  }

  /** Bytes appended as they are: part of a row, encoded once and written in many rows. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** `bytes[from…to)` as lower-case hexadecimal digits in double quotes (a hash, as `toString('hex')` writes it). */
  quotedHex(bytes: Uint8Array, from: number, to: number): void {
    this.reserve(2 * (to - from) + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 0x22;
    for (let k = from; k < to; k++) {
      const b = bytes[k]!;
      buf[pos++] = HEX_DIGITS[b >> 4]!;
      buf[pos++] = HEX_DIGITS[b & 15]!;
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }

  /**
   * A string in double quotes, inner quotes doubled. A short value's ASCII head is copied a code
   * unit at a time: most values are short ASCII (ids, keys, codes), and a `Buffer.write` per value
   * cost more than its bytes (the customers, links and audit rows of 210k customers, best of 7:
   * 2.2–2.5 s with a write per value, 1.6–1.9 s so; a string per row, written once, was no faster
   * than a write per value, for the garbage it made).
   */
  private quoted(value: string): void {
    const len = value.length;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    this.reserve(len * 3 + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 0x22;
    let k = 0;
    if (len <= 64) {
      for (; k < len; k += 1) {
        const c = value.charCodeAt(k);
        if (c >= 0x80 || c === 0x22) break;
        buf[pos++] = c;
      }
    }
    if (k < len) {
      // The rest as UTF-8, then its quotes doubled in place, from the end: UTF-8 has no 0x22 byte
      // but the quote itself. (A search and a global replace made a copy of every long value
      // that holds quotes, as JSON does: 5.2 µs against 1.0 µs for a 264-character audit entry.)
      const start = pos;
      const end = start + buf.write(k === 0 ? value : value.slice(k), start);
      let quotes = 0;
      for (let i = start; i < end; i += 1) if (buf[i] === 0x22) quotes += 1;
      if (quotes > 0) {
        this.pos = end;
        this.reserve(quotes + 1);
        const out = this.buf;
        let src = end - 1;
        let dst = end + quotes - 1;
        while (dst > src) {
          const c = out[src--]!;
          out[dst--] = c;
          if (c === 0x22) out[dst--] = 0x22;
        }
      }
      pos = end + quotes;
    }
    this.buf[pos++] = 0x22;
    this.pos = pos;
  }

  /** An instant as ISO text; the rows of one load often share one (the audit's `at`). */
  private instant(d: Date): string {
    const t = d.getTime();
    if (t !== this.lastInstant) {
      this.lastInstant = t;
      this.lastInstantText = d.toISOString();
    }
    return this.lastInstantText;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /**
   * The bytes written since the last call; the writer goes on in another buffer. The chunk's
   * buffer goes back to the pool once a COPY's socket has written it (see copy-buffers.ts): the
   * chunk is the caller's to send once, not to keep.
   */
  take(): Buffer {
    const buf = this.buf;
    const out = buf.subarray(0, this.pos);
    const pool = this.pool;
    if (buf.length === pool.size) releaseWhenWritten(out, () => pool.release(buf));
    this.buf = pool.acquire();
    this.pos = 0;
    return out;
  }

  /**
   * Room for `n` more bytes: what is written so far moves to a buffer at least twice as large
   * (a writer that goes on past its chunk size is not copied again for every row).
   */
  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.pool.size, 2 * this.buf.length, this.pos + n + 4096));
    this.buf.copy(next, 0, 0, this.pos);
    // Only this writer held the old buffer (a chunk taken from it is in a buffer of its own).
    this.pool.release(this.buf);
    this.buf = next;
  }
}

/**
 * A {@link RowBatch} kept as CSV chunks of about `chunkBytes`: each row is checked, passed to
 * `prepare` (which may encrypt a copy) and encoded as it is added.
 */
export class CsvRowBatch implements RowBatch {
  private readonly target: BulkTarget;
  private csv: CsvWriter;
  private chunks: Buffer[] = [];
  private count = 0;

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
    private readonly chunkBytes: number,
    private readonly prepare: ((row: readonly unknown[]) => readonly unknown[]) | null,
  ) {
    this.target = { table, columns };
    this.csv = new CsvWriter(chunkBytes);
  }

  get rows(): number {
    return this.count;
  }

  add(row: readonly unknown[]): void {
    this.count += 1;
    checkRowLength(row, this.target, this.count);
    this.csv.row(this.prepare ? this.prepare(row) : row, this.target, this.count);
    if (this.csv.size >= this.chunkBytes) this.chunks.push(this.csv.take());
  }

  /** The chunks so far (each ends with a row), the batch left empty. */
  takeChunks(): Buffer[] {
    const chunks = this.chunks;
    if (this.csv.size > 0) chunks.push(this.csv.take());
    this.chunks = [];
    this.count = 0;
    return chunks;
  }

  /** The batch is done: its writer's unused buffer goes back to the pool (see CsvWriter.done). */
  done(): void {
    this.csv.done();
  }

  /** The chunks so far, the batch left empty; a turn for timers and I/O between chunks (see csvChunks). */
  drain(): AsyncGenerator<Buffer> {
    return yieldChunks(this.takeChunks());
  }
}

/**
 * CSV chunks as a COPY takes them, a turn for timers and I/O between two (see csvChunks); each
 * is let go once yielded.
 */
export async function* yieldChunks(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (let i = 0; i < chunks.length; i += 1) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    yield chunks[i]!;
    chunks[i] = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);

/** A {@link RowBatch} that keeps its rows (MySQL loads rows, not CSV). */
export class ArrayRowBatch implements RowBatch {
  private list: (readonly unknown[])[] = [];

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
  ) {}

  get rows(): number {
    return this.list.length;
  }

  add(row: readonly unknown[]): void {
    checkRowLength(row, { table: this.table, columns: this.columns }, this.list.length + 1);
    this.list.push(row);
  }

  /** The rows so far, the batch left empty. */
  take(): (readonly unknown[])[] {
    const out = this.list;
    this.list = [];
    return out;
  }
}

/** Rows as CSV chunks of about `chunkBytes` (see {@link CsvWriter}), counted in `counter.rows`. */
export async function* csvChunks(
  source: RowSource,
  target: BulkTarget,
  counter: { rows: number },
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  const csv = new CsvWriter(chunkBytes);
  for await (const batch of batchesOf(source)) {
    for (const row of batch) {
      counter.rows += 1;
      checkRowLength(row, target, counter.rows);
      csv.row(row, target, counter.rows);
      if (csv.size >= chunkBytes) {
        yield csv.take();
        // A turn for timers and I/O between chunks: rows made without awaiting anything and a
        // socket that keeps accepting them would otherwise run this on microtasks alone, and
        // the process's other work (another transaction's queries, a queue worker's lock
        // renewals) would wait for the whole load; at a million records a connection request
        // of the master, written beside the match index, timed out after 10 s.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  if (csv.size > 0) yield csv.take();
  csv.done();
}

async function* batchesOf(
  source: RowSource,
): AsyncGenerator<readonly (readonly unknown[])[]> {
  if (isAsyncIterable(source)) {
    for await (const batch of source) yield batch;
  } else {
    yield source;
  }
}

function isAsyncIterable(source: RowSource): source is AsyncIterable<readonly (readonly unknown[])[]> {
  return typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

function copySql(db: Knex | Knex.Transaction, target: BulkTarget, from: string): string {
  return db
    .raw(`COPY ?? (${target.columns.map(() => '??').join(', ')}) FROM ${from} WITH (FORMAT csv)`, [
      target.table,
      ...target.columns,
    ])
    .toQuery();
}

function checkRowLength(row: readonly unknown[], target: BulkTarget, rowNumber: number): void {
  if (!Array.isArray(row) || row.length !== target.columns.length) {
    const got = Array.isArray(row) ? `${row.length} values` : `a ${typeof row}`;
    throw new CrmEtlError(
      'INPUT_INVALID',
      `insertRows into ${target.table}: row ${rowNumber} has ${got}, expected ${target.columns.length} (one per column: ${target.columns.join(', ')}).`,
    );
  }
}

/** Checks one value; the error names the row and column, never the value. */
function storeValue(
  value: unknown,
  target: BulkTarget,
  rowNumber: number,
  index: number,
): StoreValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return null;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
      break;
    default:
      break;
  }
  const kind = value instanceof Date ? 'an invalid Date' : `a value of type ${typeof value}`;
  throw new CrmEtlError(
    'INPUT_INVALID',
    `insertRows into ${target.table}: row ${rowNumber}, column ${target.columns[index]} holds ${kind}; use a string, number, boolean, Date or null.`,
  );
}

/** An upper bound on a bound value's size in the statement, escaping included. */
function estimateBytes(value: StoreValue): number {
  // A UTF-16 code unit is at most 3 bytes of UTF-8, and characters that get escaped are 1 byte.
  if (typeof value === 'string') return value.length * 3 + 4;
  if (value instanceof Date) return 32;
  return 26;
}
