/** Worker-thread entry of {@link encodeInThread} (see encode-thread.ts): match records made and encoded, a batch at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import type { CanonicalValues } from '../../core/fields.js';
import { RecordEncoder } from './encoded.js';
import { MATCH_INPUT_FIELDS, toMatchRecord } from './features.js';
import type { EncodeBatch } from './encode-thread.js';

const encoder = new RecordEncoder((workerData as { n: number }).n);
const F = MATCH_INPUT_FIELDS.length;

parentPort!.on('message', (msg: EncodeBatch | { finish: true }) => {
  try {
    if ('finish' in msg) {
      // Index columns and word tables are SharedArrayBuffers (shared, not copied); the
      // dictionaries are copied once, without the maps that interned them.
      parentPort!.postMessage({ done: encoder.finish() });
      return;
    }
    const { names, source, values } = msg;
    for (let i = 0; i < source.length; i++) {
      const v: CanonicalValues = {};
      for (let f = 0; f < F; f++) v[MATCH_INPUT_FIELDS[f]!] = values[i * F + f]!;
      encoder.add(toMatchRecord(names[source[i]!]!, '', v));
    }
    parentPort!.postMessage({ ack: true });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ error: { message: e.message, stack: e.stack } });
  }
});
