import type { RawRecord } from '../core/record.js';
import { ThreadCalls } from '../core/thread-calls.js';
import { BATCH_THREAD_LIMITS, startWorker } from '../core/worker-script.js';
import type { CipherSpec, FieldCipher } from '../security/field-cipher.js';
import { type CsvChunks, fromChunks } from '../store/csv-thread.js';
import type { StagedCounts, StagingSpec } from './stage-records.js';

/** A batch as the staging thread sends it back: its rows as COPY's CSV (encrypted as the store would), its rejects and counts. */
export interface ThreadStagedBatch {
  csv: Buffer[];
  rowCount: number;
  rejects: unknown[][];
  counts: StagedCounts;
}

/** {@link ThreadStagedBatch} as the thread hands it over (its chunks' memory transferred). */
export type StageReply = Omit<ThreadStagedBatch, 'csv'> & { csv: CsvChunks };

/** What the staging thread is sent per batch: the source's staging spec and the records, as columns. */
export interface StageRequest {
  spec: StagingSpec;
  batch: PackedRecords;
}

/**
 * Records as plain columns for the trip to the thread: structured cloning a batch of record
 * objects (each with its own `fields` and `lineage` object) cost ~4 µs a record, two fifths of
 * that saved by sending each value once in a flat array under one list of column names.
 */
export interface PackedRecords {
  source: string;
  keys: string[];
  columns: string[];
  /** Record r's value of column c at `r * columns.length + c`; null: the record has no such column. */
  values: (string | null)[];
  /** Per record its lineage's location (one string when every record shares it) and line (-1: none). */
  locations: string | string[];
  lines: Int32Array;
  /** Lineages with a sheet or page (rare): per record, else null. */
  lineages: RawRecord['lineage'][] | null;
  deleted: Uint8Array;
}

/** `records` packed for the staging thread (see {@link PackedRecords}). */
export function packRecords(records: readonly RawRecord[]): PackedRecords {
  const n = records.length;
  const columns: string[] = [];
  const at = new Map<string, number>();
  for (const r of records) {
    for (const c in r.fields) if (!at.has(c)) at.set(c, columns.push(c) - 1);
  }
  const w = columns.length;
  const values = new Array<string | null>(n * w).fill(null);
  const keys = new Array<string>(n);
  const lines = new Int32Array(n);
  const deleted = new Uint8Array(n);
  let lineages: RawRecord['lineage'][] | null = null;
  let locations: string | string[] = n ? records[0]!.lineage.location : '';
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    keys[i] = r.key;
    const base = i * w;
    for (const c in r.fields) values[base + at.get(c)!] = r.fields[c]!;
    const l = r.lineage;
    lines[i] = l.line ?? -1;
    if (r.deleted) deleted[i] = 1;
    if (l.sheet !== undefined || l.page !== undefined) (lineages ??= new Array<RawRecord['lineage']>(n))[i] = l;
    if (typeof locations === 'string' && l.location !== locations) locations = records.map((x) => x.lineage.location);
  }
  return { source: n ? records[0]!.source : '', keys, columns, values, locations, lines, lineages, deleted };
}

/** The records of a {@link PackedRecords}, as the connector gave them. */
export function unpackRecords(p: PackedRecords): RawRecord[] {
  const n = p.keys.length;
  const w = p.columns.length;
  const out = new Array<RawRecord>(n);
  for (let i = 0; i < n; i++) {
    const fields: Record<string, string> = {};
    const base = i * w;
    for (let c = 0; c < w; c++) {
      const v = p.values[base + c];
      if (v !== null && v !== undefined) fields[p.columns[c]!] = v;
    }
    const lineage = p.lineages?.[i] ?? { location: typeof p.locations === 'string' ? p.locations : p.locations[i]!, ...(p.lines[i]! >= 0 ? { line: p.lines[i]! } : {}) };
    out[i] = { source: p.source, key: p.keys[i]!, fields, lineage, ...(p.deleted[i] ? { deleted: true as const } : {}) };
  }
  return out;
}

/** What the staging thread is started with: the store's cipher (rows are encrypted as insertRows would). */
export interface StageThreadData {
  cipher: CipherSpec | null;
}

/**
 * A worker thread that stages batches of records as the main thread does (createStager: map,
 * standardize, validate, hash) and encodes their rows as COPY's CSV, encrypted where the store
 * keeps fields encrypted. Extraction hands it batches while it has fewer than
 * {@link StagingThread.depth} waiting and stages the others itself, so both cores work however the
 * cost splits between reading and staging (a thread that took every batch was the bottleneck, the
 * main thread idle 60 % of the time: BENCHMARKS.md, session 13). Batches are answered in order.
 */
export class StagingThread {
  private readonly calls: ThreadCalls<StageReply>;
  private waiting = 0;
  /** Batches the thread may hold (one being staged, one waiting) before the main thread stages one itself. */
  readonly depth = 2;

  constructor(cipher: FieldCipher | null) {
    const data: StageThreadData = { cipher: cipher ? cipher.spec() : null };
    this.calls = new ThreadCalls(startWorker(import.meta.url, 'stage-worker', data, undefined, BATCH_THREAD_LIMITS), 'staging thread');
  }

  /** True while the thread can take another batch without keeping the main thread waiting. */
  get free(): boolean {
    return this.waiting < this.depth;
  }

  /** `records` staged in the thread as `spec` says. */
  async stage(spec: StagingSpec, records: readonly RawRecord[]): Promise<ThreadStagedBatch> {
    this.waiting++;
    try {
      const request: StageRequest = { spec, batch: packRecords(records) };
      const r = await this.calls.call(request);
      return { ...r, csv: fromChunks(r.csv) };
    } finally {
      this.waiting--;
    }
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}
