/**
 * Worker-thread entry that encodes a full match's index rows as CSV (see blockingIndexRows in
 * match-index.ts): each message asks for the next chunk; the reply transfers it, or says done. A
 * message with `back` returns a chunk's buffer once the COPY has sent it, to be used again (see
 * src/store/copy-buffers.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { COPY_STREAM_CHUNK, csvBufferPool } from '../store/bulk-insert.js';
import { type IndexRowsJob, indexCsvChunks } from './index-rows.js';

const chunks = indexCsvChunks(workerData as IndexRowsJob);
/** The pool the index's CsvWriter takes its buffers from. */
const pool = csvBufferPool(COPY_STREAM_CHUNK);

parentPort!.on('message', (m: 'next' | { back: ArrayBuffer }) => {
  if (typeof m === 'object') {
    pool.release(Buffer.from(m.back));
    return;
  }
  try {
    const next = chunks.next();
    if (next.done) {
      parentPort!.postMessage({ done: true });
      return;
    }
    const b = next.value;
    // A chunk is the head of a pooled buffer of its own: handed over whole, to come back.
    const own = b.byteOffset === 0 && b.buffer.byteLength === pool.size;
    const chunk = own ? (b.buffer as ArrayBuffer) : (b.buffer as ArrayBuffer).slice(b.byteOffset, b.byteOffset + b.length);
    parentPort!.postMessage({ chunk, length: b.length }, [chunk]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ error: e.message });
  }
});
