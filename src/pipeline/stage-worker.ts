/**
 * Worker-thread entry of StagingThread (stage-thread.ts): stages each batch it is sent with the
 * same stager the main thread uses (one per source, kept for the thread's life, so that its
 * standardization cache fills once), and encodes the rows as CSV for COPY, encrypted where the
 * store keeps fields encrypted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ThreadReply, threadError } from '../core/thread-calls.js';
import { FieldCipher } from '../security/field-cipher.js';
import { csvChunksOf } from '../store/csv-thread.js';
import { rowEncrypting } from '../store/encrypted-fields.js';
import { SOURCE_RECORD_COLUMNS, type StagedBatch, createStager } from './stage-records.js';
import { type StageRequest, type StageReply, type StageThreadData, unpackRecords } from './stage-thread.js';
import type { RawRecord } from '../core/record.js';

const data = workerData as StageThreadData;
const cipher = data.cipher ? FieldCipher.fromSpec(data.cipher) : null;
const encrypt = rowEncrypting(cipher, 'source_records', SOURCE_RECORD_COLUMNS);
const stagers = new Map<string, (records: readonly RawRecord[]) => StagedBatch>();

parentPort!.on('message', (msg: StageRequest & { seq: number }) => {
  let reply: ThreadReply<StageReply>;
  const transfer: ArrayBuffer[] = [];
  try {
    const id = JSON.stringify(msg.spec);
    let stage = stagers.get(id);
    if (!stage) stagers.set(id, (stage = createStager(msg.spec, cipher)));
    const { rows, rejects, counts } = stage(unpackRecords(msg.batch));
    const csv = csvChunksOf('source_records', SOURCE_RECORD_COLUMNS, encrypt, rows, transfer);
    reply = { seq: msg.seq, result: { csv, rowCount: rows.length, rejects, counts } };
  } catch (err) {
    reply = { seq: msg.seq, error: threadError(err) };
  }
  parentPort!.postMessage(reply, transfer);
});
