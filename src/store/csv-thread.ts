import type { Worker } from 'node:worker_threads';
import { CrmEtlError, type ErrorCode } from '../core/errors.js';
import { startWorker } from '../core/worker-script.js';
import type { CipherSpec, FieldCipher } from '../security/field-cipher.js';

/** What the thread is started with: the table its rows go to, and the store's cipher. */
export interface CsvThreadData {
  table: string;
  columns: readonly string[];
  cipher: CipherSpec | null;
}

/** The thread's reply to one batch of rows. */
export type CsvThreadReply =
  | { seq: number; chunks: { buffer: ArrayBuffer; length: number }[] }
  | { seq: number; error: { message: string; stack?: string; code?: ErrorCode } };

/**
 * A worker thread that encodes rows of one table as the CSV a COPY loads (Store.insertCsv), and
 * encrypts them first as insertRows would where the table keeps fields encrypted. With a key,
 * encryption is most of the cost of loading rows (an AES-GCM cipher and an HMAC per sensitive
 * value): here it runs beside the thread that makes the rows. Load the chunks with
 * `insertCsv(table, columns, chunks, trx, cipher?.keyId)`. Batches are answered in the order they
 * were sent; a failure in the thread fails every batch still waiting.
 */
export class CsvEncodingThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (b: Buffer[]) => void; reject: (err: Error) => void }>();
  private seq = 0;
  private failure: Error | undefined;

  constructor(table: string, columns: readonly string[], cipher: FieldCipher | null) {
    const data: CsvThreadData = { table, columns, cipher: cipher ? cipher.spec() : null };
    this.worker = startWorker(import.meta.url, 'csv-worker', data);
    this.worker.on('message', (reply: CsvThreadReply) => {
      const w = this.waiting.get(reply.seq);
      if (!w) return;
      this.waiting.delete(reply.seq);
      if ('error' in reply) {
        const { message, stack, code } = reply.error;
        const err = code ? new CrmEtlError(code, message) : new Error(`CSV encoding thread: ${message}`);
        if (stack) err.stack = stack;
        w.reject(err);
      } else w.resolve(reply.chunks.map((c) => Buffer.from(c.buffer, 0, c.length)));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the CSV encoding thread exited with code ${code}`)));
  }

  /** `rows` as CSV chunks (each ending with a row), encrypted as the store would. */
  encode(rows: readonly (readonly unknown[])[]): Promise<Buffer[]> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const p = new Promise<Buffer[]>((resolve, reject) => this.waiting.set(seq, { resolve, reject }));
    this.worker.postMessage({ seq, rows });
    return p;
  }

  /** Ends the thread. */
  async close(): Promise<void> {
    this.failure ??= new Error('the CSV encoding thread is closed');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
