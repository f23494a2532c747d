import type { CanonicalValues } from '../../core/fields.js';
import { startWorker } from '../../core/worker-script.js';
import type { EncodedRecords } from './encoded.js';
import { MATCH_INPUT_FIELDS } from './features.js';

/** Records sent to the encoding thread at a time. */
const BATCH = 5_000;
/** Batches sent and not yet encoded, at most: the thread is kept busy without queueing the input. */
const IN_FLIGHT = 2;

/** A batch of records for the encoding thread: a source index and the fields toMatchRecord reads, per record. */
export interface EncodeBatch {
  /** Source names so far (a record's source is an index into it). */
  names: string[];
  source: Int32Array;
  /** MATCH_INPUT_FIELDS.length values per record, in that order. */
  values: (string | null)[];
}

/**
 * {@link encodeRecords} of the match records of `records` (`n` of them), computed and encoded in
 * a worker thread that ends with the call. The maps that intern the dictionaries, and the match
 * records made on the way, are garbage in that thread's heap, which goes with it: made on the
 * main thread at a million records, they were some 600 MB that stayed in the main heap (nothing
 * later allocated enough to collect them) while the matching threads filled theirs beside it.
 * The result is the same as encodeRecords'.
 */
export async function encodeInThread(records: Iterable<{ source: string; values: CanonicalValues }>, n: number, batchSize = BATCH): Promise<EncodedRecords> {
  const worker = startWorker(import.meta.url, 'encode-worker', { n });
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let inFlight = 0;
  let result: EncodedRecords | undefined;
  const settle = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (err: Error): void => {
    failure ??= err;
    settle();
  };
  worker.on('message', (msg: { ack?: true; done?: EncodedRecords; error?: { message: string; stack?: string } }) => {
    if (msg.error) {
      const err = new Error(`encoding worker: ${msg.error.message}`);
      if (msg.error.stack) err.stack = msg.error.stack;
      fail(err);
    } else if (msg.done) result = msg.done;
    else inFlight--;
    settle();
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => {
    if (!result) fail(new Error(`encoding worker exited with code ${code}`));
  });
  const until = async (ready: () => boolean): Promise<void> => {
    while (!failure && !ready()) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
  };
  try {
    const names: string[] = [];
    const nameIndex = new Map<string, number>();
    const F = MATCH_INPUT_FIELDS.length;
    let batch: EncodeBatch | undefined;
    let k = 0;
    const send = async (b: EncodeBatch): Promise<void> => {
      await until(() => inFlight < IN_FLIGHT);
      inFlight++;
      worker.postMessage(b);
    };
    for (const r of records) {
      batch ??= { names, source: new Int32Array(batchSize), values: new Array<string | null>(batchSize * F) };
      let s = nameIndex.get(r.source);
      if (s === undefined) {
        nameIndex.set(r.source, (s = names.length));
        names.push(r.source);
      }
      batch.source[k] = s;
      for (let f = 0; f < F; f++) batch.values[k * F + f] = r.values[MATCH_INPUT_FIELDS[f]!] ?? null;
      if (++k === batchSize) {
        await send(batch);
        batch = undefined;
        k = 0;
      }
    }
    if (batch && k) await send({ names, source: batch.source.subarray(0, k), values: batch.values.slice(0, k * F) });
    worker.postMessage({ finish: true });
    await until(() => result !== undefined);
    return result!;
  } finally {
    await worker.terminate();
  }
}
