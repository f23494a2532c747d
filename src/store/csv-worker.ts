/**
 * Worker-thread entry of CsvEncodingThread (csv-thread.ts): encodes each batch of rows it is sent
 * as CSV for COPY, encrypted first where the table keeps fields encrypted (what insertRows would
 * load), and hands the chunks back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CrmEtlError } from '../core/errors.js';
import { FieldCipher } from '../security/field-cipher.js';
import { COPY_STREAM_CHUNK, CsvRowBatch } from './bulk-insert.js';
import type { CsvThreadData, CsvThreadReply } from './csv-thread.js';
import { rowEncrypting } from './encrypted-fields.js';

const data = workerData as CsvThreadData;
const cipher = data.cipher ? FieldCipher.fromSpec(data.cipher) : null;
const encrypt = rowEncrypting(cipher, data.table, data.columns);

parentPort!.on('message', (msg: { seq: number; rows: unknown[][] }) => {
  let reply: CsvThreadReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const batch = new CsvRowBatch(data.table, data.columns, COPY_STREAM_CHUNK, encrypt);
    for (const r of msg.rows) batch.add(r);
    const chunks = batch.takeChunks().map((b) => {
      // A chunk is the head of a buffer of its own (never the shared pool): handed over, not copied.
      const own = b.byteOffset === 0 && b.buffer.byteLength > Buffer.poolSize;
      const buffer = own ? (b.buffer as ArrayBuffer) : (b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
      transfer.push(buffer);
      return { buffer, length: b.length };
    });
    reply = { seq: msg.seq, chunks };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { seq: msg.seq, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}), ...(e instanceof CrmEtlError ? { code: e.code } : {}) } };
  }
  parentPort!.postMessage(reply, transfer);
});
