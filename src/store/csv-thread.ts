import { ThreadCalls } from '../core/thread-calls.js';
import { COPY_STREAM_CHUNK, CsvRowBatch } from './bulk-insert.js';
import { BATCH_THREAD_LIMITS, startWorker } from '../core/worker-script.js';
import type { CipherSpec, FieldCipher } from '../security/field-cipher.js';

/** What the thread is started with: the table its rows go to, and the store's cipher. */
export interface CsvThreadData {
  table: string;
  columns: readonly string[];
  cipher: CipherSpec | null;
}

/** CSV chunks as the thread hands them over (their buffers transferred, not copied). */
export type CsvChunks = { buffer: ArrayBuffer; length: number }[];

/**
 * A worker thread that encodes rows of one table as the CSV a COPY loads (Store.insertCsv), and
 * encrypts them first as insertRows would where the table keeps fields encrypted. With a key,
 * encryption is most of the cost of loading rows (an AES-GCM cipher and an HMAC per sensitive
 * value): here it runs beside the thread that makes the rows. Load the chunks with
 * `insertCsv(table, columns, chunks, trx, cipher?.keyId)`. Batches are answered in the order they
 * were sent; a failure in the thread fails every batch still waiting.
 */
export class CsvEncodingThread {
  private readonly calls: ThreadCalls<CsvChunks>;

  constructor(table: string, columns: readonly string[], cipher: FieldCipher | null) {
    const data: CsvThreadData = { table, columns, cipher: cipher ? cipher.spec() : null };
    this.calls = new ThreadCalls(startWorker(import.meta.url, 'csv-worker', data, undefined, BATCH_THREAD_LIMITS), 'CSV encoding thread');
  }

  /** `rows` as CSV chunks (each ending with a row), encrypted as the store would. */
  async encode(rows: readonly (readonly unknown[])[]): Promise<Buffer[]> {
    return fromChunks(await this.calls.call({ rows }));
  }

  /** Ends the thread. */
  close(): Promise<void> {
    return this.calls.close();
  }
}

/**
 * `rows` of `table` as COPY's CSV (each prepared first by `prepare`: rowEncrypting's encryption,
 * or null), as chunks to hand over from a worker thread, their memory added to `transfer`.
 */
export function csvChunksOf(table: string, columns: readonly string[], prepare: ((row: readonly unknown[]) => readonly unknown[]) | null, rows: readonly (readonly unknown[])[], transfer: ArrayBuffer[]): CsvChunks {
  const batch = new CsvRowBatch(table, columns, COPY_STREAM_CHUNK, prepare);
  for (const r of rows) batch.add(r);
  const chunks = batch.takeChunks();
  batch.done();
  return toChunks(chunks, transfer);
}

/** Chunks to hand over from a worker thread: each buffer's own memory transferred (added to `transfer`), or a copy of a pooled slice. */
function toChunks(chunks: readonly Buffer[], transfer: ArrayBuffer[]): CsvChunks {
  return chunks.map((b) => {
    // A chunk is the head of a buffer of its own (never the shared pool): handed over, not copied.
    const own = b.byteOffset === 0 && b.buffer.byteLength > Buffer.poolSize;
    const buffer = own ? (b.buffer as ArrayBuffer) : (b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
    transfer.push(buffer);
    return { buffer, length: b.length };
  });
}

/** The chunks a worker thread handed over, as buffers. */
export function fromChunks(chunks: CsvChunks): Buffer[] {
  return chunks.map((c) => Buffer.from(c.buffer, 0, c.length));
}
