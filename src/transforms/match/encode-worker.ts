/**
 * Worker-thread entry of {@link encodeInThread} (see encode-thread.ts), in one of two roles:
 * `encode` encodes every batch in order (making the match records of those sent as values),
 * `features` makes the match records of the batches it is sent and passes them to `encode`.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { CanonicalValues } from '../../core/fields.js';
import { collectGarbage } from '../../core/collect-garbage.js';
import { PACKED_AT, PACK_SEP } from '../../core/packed-values.js';
import { RecordEncoder } from './encoded.js';
import { MATCH_INPUT_FIELDS, type MatchRecord, type MatchStrings, toMatchStrings, wordsOf } from './features.js';
import { type EncodeBatch, FEATURE_STRINGS } from './encode-thread.js';

const data = workerData as { role: 'encode'; n: number; port: MessagePort } | { role: 'features'; port: MessagePort };
const F = MATCH_INPUT_FIELDS.length;
const FS = FEATURE_STRINGS.length;

/**
 * A match record sent as its strings (see FEATURE_STRINGS), one reused object: the encoder keeps
 * the strings, never the record. Word lists are made only when asked for (a new dictionary entry).
 */
class SentFeatures implements MatchRecord {
  source = '';
  key = '';
  given = '';
  family = '';
  dob = '';
  email = '';
  phone = '';
  address = '';
  city = '';
  postcode = '';
  region = '';
  nid = '';
  tax = '';
  company = '';
  givenPh = '';
  familyPh = '';
  get addressWords(): string[] {
    return wordsOf(this.address);
  }
  get companyWords(): string[] {
    return wordsOf(this.company);
  }
  fill(source: string, values: EncodeBatch['values'], at: number): this {
    this.source = source;
    for (let f = 0; f < FS; f++) this[FEATURE_STRINGS[f]!] = (values[at + f] as string | null) ?? '';
    return this;
  }
  /** This record as `m` (made here, from a batch of values). */
  of(m: MatchStrings): this {
    this.source = m.source;
    for (let f = 0; f < FS; f++) this[FEATURE_STRINGS[f]!] = m[FEATURE_STRINGS[f]!];
    return this;
  }
}

function valuesAt(values: EncodeBatch['values'], at: number): CanonicalValues {
  const v: CanonicalValues = {};
  for (let f = 0; f < F; f++) v[MATCH_INPUT_FIELDS[f]!] = values[at + f] as string | null;
  return v;
}

/** Where each of MATCH_INPUT_FIELDS is in a packed record's parts. */
const PACKED_INPUT = MATCH_INPUT_FIELDS.map((f) => PACKED_AT[f]);

/** The values of record i of a batch of values or of packed records. */
function recordValues(b: EncodeBatch, i: number): CanonicalValues {
  if (b.kind === 'values') return valuesAt(b.values, i * F);
  const x = b.values[i]!;
  if (typeof x !== 'string') return valuesAt(x, 0);
  const parts = x.split(PACK_SEP);
  const v: CanonicalValues = {};
  for (let f = 0; f < F; f++) v[MATCH_INPUT_FIELDS[f]!] = parts[PACKED_INPUT[f]!] || null;
  return v;
}

const reportError = (err: unknown): void => {
  const e = err instanceof Error ? err : new Error(String(err));
  parentPort!.postMessage({ error: { message: e.message, stack: e.stack } });
};

if (data.role === 'features') {
  // Batches of values in, the same batches as match records' strings out, to the encoding thread.
  parentPort!.on('message', (b: EncodeBatch) => {
    try {
      const out = new Array<string>(b.source.length * FS);
      for (let i = 0; i < b.source.length; i++) {
        const m = toMatchStrings(b.names[b.source[i]!]!, '', recordValues(b, i));
        for (let f = 0; f < FS; f++) out[i * FS + f] = m[FEATURE_STRINGS[f]!];
      }
      data.port.postMessage({ ...b, kind: 'features', values: out } satisfies EncodeBatch);
    } catch (err) {
      reportError(err);
    }
  });
} else {
  let encoder: RecordEncoder | null = new RecordEncoder(data.n);
  const features = new SentFeatures();
  // Batches arrive from two threads; they are encoded in order of their number.
  const waiting = new Map<number, EncodeBatch>();
  let next = 0;
  let finishAt = -1;
  const encode = (b: EncodeBatch): void => {
    const e = encoder!;
    if (b.kind === 'features') for (let i = 0; i < b.source.length; i++) e.add(features.fill(b.names[b.source[i]!]!, b.values, i * FS));
    else for (let i = 0; i < b.source.length; i++) e.add(features.of(toMatchStrings(b.names[b.source[i]!]!, '', recordValues(b, i))));
  };
  const drain = (): void => {
    for (let b = waiting.get(next); b; b = waiting.get(next)) {
      waiting.delete(next++);
      encode(b);
      parentPort!.postMessage({ ack: true });
    }
    // Index columns and word tables are SharedArrayBuffers (shared, not copied); the
    // dictionaries are copied once, without the maps that interned them, which are collected
    // before the copy is made (at a million records, a few hundred MB at the stage's peak).
    if (next === finishAt) {
      const done = encoder!.finish();
      encoder = null;
      collectGarbage();
      parentPort!.postMessage({ done });
    }
  };
  const receive = (msg: EncodeBatch | { finish: number }): void => {
    try {
      if ('finish' in msg) finishAt = msg.finish;
      else waiting.set(msg.seq, msg);
      drain();
    } catch (err) {
      reportError(err);
    }
  };
  parentPort!.on('message', receive);
  data.port.on('message', receive);
}
