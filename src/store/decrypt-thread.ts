import { ThreadCalls } from '../core/thread-calls.js';
import { startWorker } from '../core/worker-script.js';
import { ENCRYPTED_PREFIX, type FieldCipher } from '../security/field-cipher.js';

/** Stored values to decrypt, each with the index of its column in `columns`. */
export interface DecryptRequest {
  columns: readonly string[];
  column: Uint8Array;
  values: string[];
}

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
  private readonly calls: ThreadCalls<string[]>;

  constructor(cipher: FieldCipher) {
    this.calls = new ThreadCalls(startWorker(import.meta.url, 'decrypt-worker', cipher.spec()), 'decryption thread');
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
    const request: DecryptRequest = { columns, column: Uint8Array.from(column), values };
    const clear = await this.calls.call(request);
    for (let i = 0; i < clear.length; i++) (rows[row[i]!] as Record<string, unknown>)[columns[column[i]!]!] = clear[i];
    return rows;
  }

  /** Ends the thread. */
  close(): Promise<void> {
    return this.calls.close();
  }
}
