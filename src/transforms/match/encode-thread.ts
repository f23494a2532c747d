import { MessageChannel, type Worker } from 'node:worker_threads';
import type { CanonicalValues } from '../../core/fields.js';
import { startWorker } from '../../core/worker-script.js';
import { ENCODED_FIELDS, type EncodedRecords } from './encoded.js';
import { MATCH_INPUT_FIELDS } from './features.js';

/** Records sent to the threads at a time. */
const BATCH = 5_000;
/** Batches sent and not yet encoded, at most: both threads are kept busy without queueing the input. */
const IN_FLIGHT = 4;
/**
 * One batch in this many has its match records made by the encoding thread, the others by the
 * features thread. Making a batch's match records costs about as much as encoding it: with every
 * other batch the encoding thread was the bottleneck, busy for the whole phase and the features
 * thread for less than half of it. 1M records (encodeInThread alone, two runs each): every 2nd
 * 10.9–11.1 s, every 4th 9.9–10.0 s, every 8th 9.8–10.0 s but more CPU (the features thread's
 * batches are copied to the encoding thread).
 */
const ENCODER_MAKES_EVERY = 4;

/**
 * A batch of records for the encoding threads, numbered in order: a source index per record, and
 * either the fields toMatchRecord reads or the match record the features thread made of them.
 */
export interface EncodeBatch {
  seq: number;
  /** Source names so far (a record's source is an index into it). */
  names: string[];
  source: Int32Array;
  /**
   * `values`: MATCH_INPUT_FIELDS.length values per record, in that order. `packed`: per record
   * its packed values (see packValues), or for one not packed its MATCH_INPUT_FIELDS values.
   * `features`: FEATURE_STRINGS.length strings per record (see {@link FEATURE_STRINGS}).
   */
  kind: 'values' | 'packed' | 'features';
  values: (string | null | (string | null)[])[];
}

/**
 * Records the encoding threads are sent packed, as a full run holds them (RecordTable): record
 * i's source and its packed values, or (undefined) the record to read them from.
 */
export interface PackedRecords {
  readonly length: number;
  source(i: number): string;
  packedAt(i: number): string | undefined;
  at(i: number): { source: string; values: CanonicalValues };
}

/** The strings of a match record sent as features: the encoded fields, then the two phonetic codes (word lists are made again where needed). */
export const FEATURE_STRINGS = [...ENCODED_FIELDS, 'givenPh', 'familyPh'] as const;

/** A thread's reply to this one. */
interface Reply {
  ack?: true;
  done?: EncodedRecords;
  error?: { message: string; stack?: string };
}

/**
 * {@link encodeRecords} of the match records of `records` (`n` of them), in two worker threads
 * that end with the call: the encoding thread makes the match records of one batch in
 * {@link ENCODER_MAKES_EVERY} and encodes all of them; the features thread makes the match
 * records of the other batches and hands them to it. The maps that intern the dictionaries, and
 * the match records made on the way, are garbage in those threads' heaps, which go with them: made on the main thread at a million
 * records, they were some 600 MB that stayed in the main heap (nothing later allocated enough to
 * collect them) while the matching threads filled theirs beside it. (Making the features batches
 * on the main thread instead cost it 260 MB of promoted garbage.) Records held packed are sent
 * packed: this thread then neither unpacks them nor makes their batches' values (at a million
 * records, some 200 MB of garbage in its heap at the stage's peak). The result is the same as
 * encodeRecords'.
 */
export async function encodeInThread(records: Iterable<{ source: string; values: CanonicalValues }> | PackedRecords, n: number, batchSize = BATCH): Promise<EncodedRecords> {
  const { port1, port2 } = new MessageChannel();
  const workers: Worker[] = [];
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
  const watch = (worker: Worker, name: string): Worker => {
    worker.on('message', (msg: Reply) => {
      if (msg.error) {
        const err = new Error(`${name}: ${msg.error.message}`);
        if (msg.error.stack) err.stack = msg.error.stack;
        fail(err);
      } else if (msg.done) result = msg.done;
      else if (msg.ack) inFlight--;
      settle();
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => {
      if (!result) fail(new Error(`${name} exited with code ${code}`));
    });
    workers.push(worker);
    return worker;
  };
  const until = async (ready: () => boolean): Promise<void> => {
    while (!failure && !ready()) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
  };
  try {
    const encoder = watch(startWorker(import.meta.url, 'encode-worker', { role: 'encode', n, port: port1 }, [port1]), 'encoding thread');
    const features = watch(startWorker(import.meta.url, 'encode-worker', { role: 'features', port: port2 }, [port2]), 'features thread');
    const names: string[] = [];
    const nameIndex = new Map<string, number>();
    const F = MATCH_INPUT_FIELDS.length;
    let batch: EncodeBatch | undefined;
    let k = 0;
    let seq = 0;
    const send = async (b: EncodeBatch): Promise<void> => {
      await until(() => inFlight < IN_FLIGHT);
      inFlight++;
      seq++;
      (b.seq % ENCODER_MAKES_EVERY === 0 ? encoder : features).postMessage(b);
    };
    const sourceId = (name: string): number => {
      let s = nameIndex.get(name);
      if (s === undefined) {
        nameIndex.set(name, (s = names.length));
        names.push(name);
      }
      return s;
    };
    const matchValues = (values: CanonicalValues): (string | null)[] => MATCH_INPUT_FIELDS.map((f) => values[f] ?? null);
    const packed = 'packedAt' in records ? records : null;
    // Values a record takes in a batch.
    const per = packed ? 1 : F;
    const next = async (): Promise<void> => {
      if (++k === batchSize) {
        await send(batch!);
        batch = undefined;
        k = 0;
      }
    };
    if (packed) {
      for (let i = 0; i < packed.length; i++) {
        batch ??= { seq, names, source: new Int32Array(batchSize), kind: 'packed', values: new Array<string>(batchSize) };
        batch.source[k] = sourceId(packed.source(i));
        batch.values[k] = packed.packedAt(i) ?? matchValues(packed.at(i).values);
        await next();
      }
    } else {
      for (const r of records as Iterable<{ source: string; values: CanonicalValues }>) {
        batch ??= { seq, names, source: new Int32Array(batchSize), kind: 'values', values: new Array<string | null>(batchSize * F) };
        batch.source[k] = sourceId(r.source);
        for (let f = 0; f < F; f++) batch.values[k * F + f] = r.values[MATCH_INPUT_FIELDS[f]!] ?? null;
        await next();
      }
    }
    if (batch && k) await send({ ...batch, source: batch.source.subarray(0, k), values: batch.values.slice(0, k * per) });
    encoder.postMessage({ finish: seq });
    await until(() => result !== undefined);
    return result!;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    port1.close();
    port2.close();
  }
}
