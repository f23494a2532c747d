/**
 * Worker-thread entry that encodes a full match's index rows as CSV (see blockingIndexRows in
 * match-index.ts): each message asks for the next chunk; the reply transfers it, or says done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type IndexRowsJob, indexCsvChunks } from './index-rows.js';

const chunks = indexCsvChunks(workerData as IndexRowsJob);

parentPort!.on('message', () => {
  try {
    const next = chunks.next();
    if (next.done) {
      parentPort!.postMessage({ done: true });
      return;
    }
    const b = next.value;
    const chunk = (b.buffer as ArrayBuffer).slice(b.byteOffset, b.byteOffset + b.length);
    parentPort!.postMessage({ chunk }, [chunk]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ error: e.message });
  }
});
