/**
 * Worker-thread entry of CsvEncodingThread (csv-thread.ts): encodes each batch of rows it is sent
 * as CSV for COPY, encrypted first where the table keeps fields encrypted (what insertRows would
 * load), and hands the chunks back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ThreadReply, threadError } from '../core/thread-calls.js';
import { FieldCipher } from '../security/field-cipher.js';
import { type CsvChunks, type CsvThreadData, csvChunksOf } from './csv-thread.js';
import { rowEncrypting } from './encrypted-fields.js';

const data = workerData as CsvThreadData;
const cipher = data.cipher ? FieldCipher.fromSpec(data.cipher) : null;
const encrypt = rowEncrypting(cipher, data.table, data.columns);

parentPort!.on('message', (msg: { seq: number; rows: unknown[][] }) => {
  let reply: ThreadReply<CsvChunks>;
  const transfer: ArrayBuffer[] = [];
  try {
    reply = { seq: msg.seq, result: csvChunksOf(data.table, data.columns, encrypt, msg.rows, transfer) };
  } catch (err) {
    reply = { seq: msg.seq, error: threadError(err) };
  }
  parentPort!.postMessage(reply, transfer);
});
