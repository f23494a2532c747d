import type { Worker } from 'node:worker_threads';
import { CrmEtlError, type ErrorCode } from '../core/errors.js';
import { startWorker } from '../core/worker-script.js';
import { ENCRYPTED_PREFIX, type FieldCipher } from '../security/field-cipher.js';

/** Stored values to decrypt, each with the index of its column in `columns`. */
export interface DecryptRequest {
  seq: number;
  columns: readonly string[];
  column: Uint8Array;
  values: string[];
}

export type DecryptReply = { seq: number; values: string[] } | { seq: number; error: { message: string; stack?: string; code?: ErrorCode } };

/**
 * Queries whose results are left encrypted by the store (see openStore's postProcessResponse),
 * for a reader that decrypts them itself: `.queryContext(KEEP_ENCRYPTED)`.
 */
export const KEEP_ENCRYPTED = Object.freeze({ keepEncrypted: true });

/**
 * A worker thread that decrypts rows read with {@link KEEP_ENCRYPTED}, beside the thread that
 * reads them: with a key, reading a million staged records was three quarters decryption (an
 * AES-GCM decipher per sensitive value), all on the main thread while the other core waited.
 * Pages are answered in the order they were sent; a failure fails every page still waiting.
 */
export class DecryptThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (v: string[]) => void; reject: (err: Error) => void }>();
  private seq = 0;
  private failure: Error | undefined;

  constructor(cipher: FieldCipher) {
    this.worker = startWorker(import.meta.url, 'decrypt-worker', cipher.spec());
    this.worker.on('message', (reply: DecryptReply) => {
      const w = this.waiting.get(reply.seq);
      if (!w) return;
      this.waiting.delete(reply.seq);
      if ('error' in reply) {
        const { message, stack, code } = reply.error;
        const err = code ? new CrmEtlError(code, message) : new Error(`decryption thread: ${message}`);
        if (stack) err.stack = stack;
        w.reject(err);
      } else w.resolve(reply.values);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the decryption thread exited with code ${code}`)));
  }

  /** `rows` with every encrypted value in `columns` decrypted (in place), once the thread has. */
  async decryptRows<R extends Record<string, unknown>>(rows: R[], columns: readonly string[]): Promise<R[]> {
    const row: number[] = [];
    const column: number[] = [];
    const values: string[] = [];
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r]!;
      for (let c = 0; c < columns.length; c++) {
        const v = x[columns[c]!];
        if (typeof v === 'string' && v.startsWith(ENCRYPTED_PREFIX)) {
          row.push(r);
          column.push(c);
          values.push(v);
        }
      }
    }
    if (!values.length) return rows;
    const clear = await this.send({ seq: this.seq++, columns, column: Uint8Array.from(column), values });
    for (let i = 0; i < clear.length; i++) (rows[row[i]!] as Record<string, unknown>)[columns[column[i]!]!] = clear[i];
    return rows;
  }

  /** Ends the thread. */
  async close(): Promise<void> {
    this.failure ??= new Error('the decryption thread is closed');
    await this.worker.terminate();
  }

  private send(request: DecryptRequest): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<string[]>((resolve, reject) => this.waiting.set(request.seq, { resolve, reject }));
    this.worker.postMessage(request);
    return p;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
