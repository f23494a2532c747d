import { hash } from 'node:crypto';
import type { Knex } from 'knex';
import { CrmEtlError } from '../core/errors.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { lapTimer } from '../core/lap-timer.js';
import type { FieldCipher } from '../security/field-cipher.js';
import type { Store } from '../store/store.js';
import { COMPARISONS, DEFAULT_BLOCKING_RULES, type IndexKeys, KEY_HASH_BYTES, type KeyHashing, blockingKeyInput, keyHasher, ruleKey, toMatchRecord, type MatchModel, type MatchRecord, type TermFrequencies, type TermShares, type WordCounts, termShareEntries, wordStem } from '../transforms/match/index.js';
import { type RecordRef, lookupChunk, refChunks, toMasterRecord, whereAny } from './store-io.js';
import { type RefList, refList } from './record-table.js';
import { startWorker } from '../core/worker-script.js';
import { dropIndexesWhileEmpty } from '../store/deferred-indexes.js';
import { releaseWhenWritten } from '../store/copy-buffers.js';
import { hash64Into } from '../transforms/match/key-hash.js';
import { BLOCKING_KEY_COLUMNS, INDEX_ROWS_RECORDS, type IndexRowsJob, type SortKeyNames, birthDateSortInput, indexRowReader, sortKeyFrom } from './index-rows.js';

export type { SortKeyNames } from './index-rows.js';

/**
 * 16 hex characters of a 64-bit hash ({@link hash64Into}): a fixed-width, indexable stand-in for a
 * blocking key or a value (keys can be long, and MySQL indexes only a prefix of text). 64 bits:
 * collisions only add a candidate that scoring then rejects. Unkeyed: the match index's hash of a
 * store without a key.
 */
export function hash16(s: string): string {
  hash64Into(s, hash16Bytes, 0);
  return hash16Bytes.toString('hex');
}
const hash16Bytes = Buffer.alloc(KEY_HASH_BYTES);

/**
 * The unkeyed hash of an index written before {@link hash16} (16 hex characters of SHA-1): what a
 * re-keying and a rebuild read such an index with, until a full run writes it again.
 */
export function legacyHash16(s: string): string {
  return hash('sha1', s, 'hex').slice(0, 16);
}

/** Hashes a blocking key or a value for the match index: 16 hex characters. */
export type IndexHash = (s: string) => string;

/**
 * The match index's hash (`blocking_keys.key_hash`, `match_term_frequencies.value_hash`). With a
 * key (CRM_ETL_KEY): HMAC-SHA256 under the key's `blocking index` sub-key, cut to 16 hex like
 * {@link hash16}, so that the index holds nothing a dictionary of phone numbers, birth dates or
 * e-mails can be checked against. Without a key: {@link hash16}.
 *
 * @param keyId with a cipher: the key to hash under (default its current key; an old one while
 *   a rotation re-keys the index).
 */
export function indexHash(cipher: FieldCipher | null, keyId?: string): IndexHash {
  if (!cipher) return hash16;
  const h = keyHasher(indexHashing(cipher, keyId));
  const out = Buffer.alloc(KEY_HASH_BYTES);
  return (s) => {
    h(s, out, 0);
    return out.toString('hex');
  };
}

/** {@link indexHash} as data, for the matching engine's threads to hash blocking keys as the store does. */
export function indexHashing(cipher: FieldCipher | null, keyId?: string): KeyHashing {
  return cipher ? { hmacKey: cipher.macKey('blocking index', keyId) } : {};
}

/**
 * The blocking keys of a record, hashed with their rule's name (the same key under two rules is
 * two keys) by `hash` (the store's: {@link indexHash}).
 */
export function blockingKeyHashes(r: MatchRecord, hash: IndexHash): string[] {
  const out = new Set<string>();
  for (const rule of DEFAULT_BLOCKING_RULES) {
    const k = ruleKey(rule, r);
    if (k) out.add(hash(blockingKeyInput(rule.name, k)));
  }
  return [...out];
}

/**
 * A record's place in the name order a full run compares large blocks in (family name, given
 * name, then birth date: see nameOrder in src/transforms/match/match-records.ts), as stored in
 * `blocking_keys.sort_key` and compared byte-wise by the store. The birth date enters as a short
 * hash under the index's key (it is a sensitive field): records born the same day still sit
 * together, in no telling order. `\u0001` separates the parts, so a name orders before its
 * longer look-alikes ("li" before "lin") as it does field by field.
 */
export function sortKeyOf(r: MatchRecord, hash: IndexHash): string {
  return sortKeyFrom(r.family, r.given, r.dob ? hash(birthDateSortInput(r.dob)).slice(0, 6) : '');
}

/** True when the store encrypts names: then the index holds no sort keys (they would show the names). */
export function namesEncrypted(store: Pick<Store, 'cipher'>): boolean {
  const f = store.cipher?.fields;
  return !!f && (f.has('family_name') || f.has('given_name') || f.has('full_name'));
}

/** How records are indexed in `store`: their blocking-key hashes and their sort key (null when names are encrypted). */
export function storeRecordIndex(store: Pick<Store, 'cipher'>): (r: MatchRecord) => { hashes: string[]; sortKey: string | null } {
  const hash = indexHash(store.cipher);
  const sorted = !namesEncrypted(store);
  return (r) => ({ hashes: blockingKeyHashes(r, hash), sortKey: sorted ? sortKeyOf(r, hash) : null });
}

/**
 * `match_term_frequencies.comparison` of the row that names how the index is hashed: its
 * `value_hash` is the id of the key it is hashed under (as in `enc1:<id>:`, which names no
 * secret), or {@link UNKEYED_INDEX} when unkeyed ({@link hash16}). No such row: an unkeyed index
 * written before that hash ({@link legacyHash16}). An index hashed under another key, or another
 * way, than the store's finds nothing, so an incremental run does not use it
 * ({@link matchIndexUsable}).
 */
const INDEX_KEY_ROW = -1;
/** The `value_hash` of the {@link INDEX_KEY_ROW} of an index hashed without a key ({@link hash16}). */
const UNKEYED_INDEX = 'unkeyed:64';
/** The row (`comparison` -2) that says the index holds sort keys (an index written before them, or with names encrypted, has none). */
const INDEX_SORTED_ROW = -2;
/** Rows (`comparison` -3) of company-name word counts: `value_hash` the word's hash, `frequency` the records holding it. */
const COMPANY_WORD_ROW = -3;
/** The row (`comparison` -4) whose `frequency` is how many records held a company name. No such row: an index written before word counts were. */
const COMPANY_DOCUMENTS_ROW = -4;

/**
 * How the match index is hashed: the id of the key (null when unkeyed) and, when unkeyed, whether
 * with the SHA-1 of before ({@link legacyHash16}: an index that names no hashing).
 */
async function matchIndexKey(db: Knex | Knex.Transaction): Promise<{ keyId: string | null; legacy: boolean; runId: string | null }> {
  const row = (await db('match_term_frequencies').where({ comparison: INDEX_KEY_ROW }).first('run_id', 'value_hash')) as { run_id: string; value_hash: string } | undefined;
  if (!row) return { keyId: null, legacy: true, runId: null };
  return { keyId: row.value_hash === UNKEYED_INDEX ? null : row.value_hash, legacy: false, runId: row.run_id };
}

/**
 * The hash the stored index was written with, when this store can compute it: its key's (current
 * or, during a rotation, old), or unkeyed (either scheme). Lookups of a rebuild read the index
 * with it, so that they find what the full run stored even before the next full run rewrites the
 * index the store's way. A key the store does not hold: its own hash (nothing is found). Read
 * once per run and passed to {@link loadTermFrequencies} and {@link loadCompanyWords}.
 */
export async function storedIndexHash(store: Store): Promise<IndexHash> {
  const { keyId, legacy } = await matchIndexKey(store.knex);
  if (keyId === null) return legacy ? legacyHash16 : hash16;
  const cipher = store.cipher;
  return cipher?.hasKey(keyId) ? indexHash(cipher, keyId) : indexHash(cipher);
}

/**
 * True when the store holds blocking keys hashed under its own key (or unkeyed, without one): an
 * incremental run can find candidates through them. False after the key changed without
 * `crm-etl keys rotate` (a store that ran without a key, then with one): the run then matches in
 * full, which writes the index again under the key.
 */
export async function matchIndexUsable(store: Store): Promise<boolean> {
  if ((await store.knex('blocking_keys').first('key_hash')) === undefined) return false;
  const stored = await matchIndexKey(store.knex);
  if (stored.legacy || stored.keyId !== (store.cipher?.keyId ?? null)) return false;
  // An index without sort keys (written before they were, or while names were encrypted) where
  // names are not encrypted now: a full match writes them.
  return namesEncrypted(store) || (await matchIndexSorted(store.knex));
}

async function matchIndexSorted(db: Knex | Knex.Transaction): Promise<boolean> {
  return (await db('match_term_frequencies').where({ comparison: INDEX_SORTED_ROW }).first('run_id')) !== undefined;
}

const TF_COLUMNS = ['run_id', 'comparison', 'value_hash', 'frequency'] as const;

/**
 * Rows of `blocking_keys` (BLOCKING_KEY_COLUMNS): in batches, or already encoded as CSV for COPY
 * (by a worker thread: {@link blockingIndexRows}).
 */
export type IndexRows = AsyncIterable<unknown[][]> | { csv: AsyncIterable<Uint8Array> };

/** The index rows of match records: their keys computed and hashed here (an incremental run, a re-keying, a queue runner's load). */
export function matchRecordIndexRows(store: Pick<Store, 'cipher'>, mrs: Iterable<MatchRecord>): AsyncIterable<unknown[][]> {
  return asAsync(keyRows(mrs, storeRecordIndex(store)));
}

/** The plain data of a full match's index rows (see {@link IndexRowsJob}), record i being `records[i]`. */
export function indexRowsJob(store: Pick<Store, 'cipher'>, records: readonly RecordRef[] | RefList, keys: IndexKeys, names: SortKeyNames): IndexRowsJob {
  const sources: string[] = [];
  const index = new Map<string, number>();
  const list = refList(records);
  const sourceOf = new Int32Array(list.length);
  const recordKeys = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) {
    const source = list.source(i);
    let s = index.get(source);
    if (s === undefined) index.set(source, (s = sources.push(source) - 1));
    sourceOf[i] = s;
    recordKeys[i] = list.key(i);
  }
  return { sources, sourceOf, keys: recordKeys, keyIds: keys.keyIds, hashes: keys.hashes, names: namesEncrypted(store) ? null : names, hashing: indexHashing(store.cipher) };
}

/** The rows of `job` in batches, made in this thread. */
export async function* indexRowBatches(job: IndexRowsJob): AsyncGenerator<unknown[][]> {
  const read = indexRowReader(job);
  for (let from = 0; from < job.keys.length; from += INDEX_ROWS_RECORDS) {
    const batch: unknown[][] = [];
    read(from, Math.min(job.keys.length, from + INDEX_ROWS_RECORDS), (_, source, key, sortKey, hashes, at) => batch.push([source, key, hashes.toString('hex', at, at + KEY_HASH_BYTES), sortKey]));
    yield batch;
  }
}

/**
 * The index rows of a full match from the keys its blocking computed and hashed
 * ({@link IndexKeys}, record i being `records[i]`): the same rows as {@link matchRecordIndexRows}
 * gives for these records, without computing match features, keys or their hashes again. On
 * PostgreSQL and PGlite a worker thread encodes them as CSV for COPY, so that this thread is left
 * to the master, written at the same time (at a million records, about ten million rows); on
 * MySQL they are made here.
 */
export function blockingIndexRows(store: Pick<Store, 'cipher' | 'dialect'>, records: readonly RecordRef[] | RefList, keys: IndexKeys, names: SortKeyNames): IndexRows {
  const job = indexRowsJob(store, records, keys, names);
  return store.dialect === 'mysql' ? indexRowBatches(job) : { csv: workerCsv(job) };
}

/**
 * CSV chunks (256 KB each) the index's worker thread may have made before they are read: the
 * master's rounds keep this thread from reading for a few hundred milliseconds at a time.
 */
const CSV_CHUNKS_AHEAD = 32;

/** {@link indexCsvChunks} of `job` from a worker thread, up to {@link CSV_CHUNKS_AHEAD} chunks ahead of the reader. */
async function* workerCsv(job: IndexRowsJob): AsyncGenerator<Uint8Array> {
  const worker = startWorker(import.meta.url, 'index-rows-worker', job);
  const replies: { chunk?: ArrayBuffer; length?: number; done?: true; error?: string }[] = [];
  let ended = false;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: (typeof replies)[number]) => {
    replies.push(m);
    wake?.();
  });
  worker.on('error', (e: Error) => {
    failed = e;
    wake?.();
  });
  worker.on('exit', (code) => {
    failed ??= new Error(`the match index's worker thread exited with code ${code}`);
    wake?.();
  });
  try {
    // Chunks asked for ahead: the worker goes on while this thread is busy with the master.
    for (let i = 0; i < CSV_CHUNKS_AHEAD; i++) worker.postMessage('next');
    for (;;) {
      while (!replies.length && !failed) await new Promise<void>((resolve) => (wake = resolve));
      const m = replies.shift();
      if (!m) throw failed!;
      if (m.error) throw new Error(`the match index's worker thread: ${m.error}`);
      if (m.done) return;
      worker.postMessage('next');
      const buffer = m.chunk!;
      const chunk = new Uint8Array(buffer, 0, m.length);
      // Back to the thread once the COPY has sent it: the same few dozen buffers carry the
      // whole index (see src/store/copy-buffers.ts).
      releaseWhenWritten(chunk, () => {
        if (!ended) worker.postMessage({ back: buffer }, [buffer]);
      });
      yield chunk;
    }
  } finally {
    ended = true;
    await worker.terminate();
  }
}

/**
 * Index rows per batch: about one chunk of COPY (256 KB), so that a batch is written in the turn
 * it is made and dies young. Batches of 50,000 rows outlived the turns between chunks, in which
 * the master builds golden records beside the index, and were promoted: the term frequencies'
 * 3M rows grew the old generation by ~230 MB before V8 collected (1M records: the run's peak, 1,422 MB).
 */
const INDEX_ROW_BATCH = 2_000;

function* keyRows(mrs: Iterable<MatchRecord>, index: ReturnType<typeof storeRecordIndex>): Generator<unknown[][]> {
  let batch: unknown[][] = [];
  for (const r of mrs) {
    const { hashes, sortKey } = index(r);
    for (const h of hashes) batch.push([r.source, r.key, h, sortKey]);
    if (batch.length >= INDEX_ROW_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * The term frequencies' rows in batches, then `marks`: a row per value two records or more hold,
 * as both forms give them (termShareEntries, computeTermFrequencies). A value held once has share
 * 0, which is what scoring takes for a value the rows lack: at a million records, 1.46M of 1.99M
 * values, whose rows (hashed, encoded and indexed beside the master) took most of the index's
 * term-frequency phase (BENCHMARKS.md, issue #10). By value or by dictionary entry
 * ({@link TermShares}, in entry order: the order termFrequenciesByValue fills its maps in), the
 * same rows.
 */
function* tfRows(runId: string, tf: TermFrequencies | TermShares, hash: IndexHash, marks: unknown[][]): Generator<unknown[][]> {
  let batch: unknown[][] = [];
  for (let f = 0; f < COMPARISONS.length; f++) {
    for (const [v, p] of Array.isArray(tf) ? (tf[f] ?? []) : termShareEntries(tf, f)) {
      batch.push([runId, f, hash(v), p]);
      if (batch.length >= INDEX_ROW_BATCH) {
        yield batch;
        batch = [];
      }
    }
  }
  batch.push(...marks);
  if (batch.length) yield batch;
}

async function* asAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

/**
 * How a full run skipped blocks: those larger than `maxBlockSize` records. Given as the
 * threshold (a full run: counted in the store), or as the hashes themselves (a re-keying: the
 * old blocks under their new hashes).
 */
export type OversizedBlocks = { maxBlockSize: number } | { blocks: ReadonlyMap<string, number> };

/**
 * After a full match: the blocking keys of every record (with its sort key) and the term
 * frequencies the model scored with, so that a later incremental run finds candidates by key
 * and scores exactly as the full run did; and the blocks the full run skipped as oversized.
 * Replaces what an earlier full run stored. Hashed under the store's key ({@link indexHash}),
 * which a row of its own names. With `gates` (a write begun before the run's quality gates are
 * known), it commits once they pass; once they fail, it ends at its next step and rolls back.
 */
export async function writeMatchIndex(
  store: Store,
  runId: string,
  rows: IndexRows,
  tf: TermFrequencies | TermShares,
  oversized: OversizedBlocks,
  companyWords?: WordCounts,
  phases?: Record<string, number>,
  gates?: Promise<void>,
): Promise<void> {
  const hash = indexHash(store.cipher);
  const pg = store.dialect !== 'mysql';
  const laps = lapTimer(phases, 'match index:');
  // Gates that fail end the write at its next step (between phases and COPY chunks), rolled back.
  let refused: { reason: unknown } | undefined;
  gates?.catch((reason: unknown) => (refused = { reason }));
  const check = (): void => {
    if (refused) throw refused.reason;
  };
  const lap = (phase: string): void => {
    laps(phase);
    check();
  };
  await store.transaction(async (trx) => {
    check();
    // About ten rows per record, then a few million term frequencies at a million records: each
    // table emptied, loaded without its indexes and indexed after (one sorted build per index
    // instead of ten million insertions into each; the term frequencies' 3M rows took 51 s into
    // their primary key and 24 s so), all inside the transaction: a failure leaves the index as
    // it was, and a duplicate still fails it when its key is built (src/store/deferred-indexes.ts).
    const empty = async (table: string): Promise<unknown> => (pg ? trx.raw('truncate ??', [table]) : trx(table).delete());
    await empty('blocking_keys');
    const bareKeys = await dropIndexesWhileEmpty(trx, store.dialect, ['blocking_keys']);
    if ('csv' in rows) await store.insertCsv('blocking_keys', BLOCKING_KEY_COLUMNS, gates ? checked(rows.csv, check) : rows.csv, trx);
    else await store.insertRows('blocking_keys', BLOCKING_KEY_COLUMNS, gates ? checked(rows, check) : rows, trx);
    lap('keys');
    await bareKeys.rebuild();
    lap('indexes');
    await trx('oversized_blocks').delete();
    if ('maxBlockSize' in oversized) {
      await trx.raw('insert into oversized_blocks (key_hash, size) select key_hash, count(*) from blocking_keys group by key_hash having count(*) > ?', [oversized.maxBlockSize]);
    } else if (oversized.blocks.size) {
      await store.insertRows('oversized_blocks', ['key_hash', 'size'], [...oversized.blocks].map(([h, n]) => [h, n]), trx);
    }
    lap('oversized blocks');
    await empty('match_term_frequencies');
    const bareTf = await dropIndexesWhileEmpty(trx, store.dialect, ['match_term_frequencies']);
    const marks: unknown[][] = [];
    if (companyWords) {
      for (const [w, n] of companyWords.counts) marks.push([runId, COMPANY_WORD_ROW, hash(w), n]);
      marks.push([runId, COMPANY_DOCUMENTS_ROW, 'documents', companyWords.documents]);
    }
    marks.push([runId, INDEX_KEY_ROW, store.cipher ? store.cipher.keyId : UNKEYED_INDEX, 0]);
    if (!namesEncrypted(store)) marks.push([runId, INDEX_SORTED_ROW, 'sort-keys', 0]);
    await store.insertRows('match_term_frequencies', TF_COLUMNS, asAsync(tfRows(runId, tf, hash, marks)), trx);
    await bareTf.rebuild();
    lap('term frequencies');
    if (gates) {
      await gates;
      lap('waiting for the quality gates');
    }
  });
  laps('commit');
}

/** The items of `items`, each once `check` lets it pass (it throws to stop them). */
async function* checked<T>(items: AsyncIterable<T>, check: () => void): AsyncGenerator<T> {
  for await (const item of items) {
    check();
    yield item;
  }
}

/** Replaces the blocking keys of some records (changed, new or gone) after an incremental match. */
export async function replaceBlockingKeys(store: Store, trx: Knex.Transaction, removed: readonly RecordRef[], mrs: readonly MatchRecord[]): Promise<void> {
  for (const { source, keys } of refChunks([...removed, ...mrs], lookupChunk(trx))) await whereAny(trx, trx('blocking_keys').where({ source }), 'source_key', keys).delete();
  await store.insertRows('blocking_keys', BLOCKING_KEY_COLUMNS, asAsync(keyRows(mrs, storeRecordIndex(store))), trx);
}

/** The model of the latest full match, with the base's record count and its run. */
export interface StoredModel {
  runId: string;
  model: MatchModel;
  recordCount: number;
}

/** The latest stored model; NOT_FOUND when no run has matched yet. */
export async function loadStoredModel(store: Store): Promise<StoredModel> {
  const row = (await store.knex('match_models').select('run_id', 'model').orderBy('run_id', 'desc').first()) as { run_id: string; model: string } | undefined;
  if (!row) throw new CrmEtlError('NOT_FOUND', 'no run has matched yet: run `crm-etl run` first');
  const model = JSON.parse(row.model) as MatchModel & { recordCount?: number };
  let recordCount = model.recordCount;
  if (recordCount === undefined) {
    // A model stored before record counts were: the live records now are the closest figure.
    const n = (await store.knex('source_records').where({ deleted: false }).count({ n: '*' })) as { n: number | string }[];
    recordCount = Number(n[0]!.n);
  }
  return { runId: row.run_id, model, recordCount };
}

/**
 * Term frequencies of the values `mrs` hold, as the full run computed them over the whole base,
 * for the values it held twice or more: scoring takes a value missing here as held once (share 0),
 * which is also what a full run would give a new value two records share.
 */
export async function loadTermFrequencies(store: Store, runId: string, mrs: readonly MatchRecord[], hash?: IndexHash): Promise<TermFrequencies> {
  const h = hash ?? (await storedIndexHash(store));
  return Promise.all(
    COMPARISONS.map(async (c, f) => {
      const field = c.tf;
      if (!field) return null;
      const out = new Map<string, number>();
      await lookUpFrequencies(store, h, runId, f, mrs.map((r) => r[field]), out);
      return out;
    }),
  );
}

/**
 * Adds to `into` the stored frequency of each value among `values` (by its `hash`: the index's,
 * {@link storedIndexHash}) that the run `runId` stored in rows of `comparison`; values it lacks
 * are skipped.
 */
async function lookUpFrequencies(store: Store, hash: IndexHash, runId: string, comparison: number, values: Iterable<string>, into: Map<string, number>): Promise<void> {
  const byHash = new Map<string, string>();
  for (const v of values) if (v && !into.has(v)) byHash.set(hash(v), v);
  const hashes = [...byHash.keys()];
  const db = store.knex;
  const chunk = lookupChunk(db);
  for (let i = 0; i < hashes.length; i += chunk) {
    const q = db('match_term_frequencies').select('value_hash', 'frequency').where({ run_id: runId, comparison });
    const rows = (await whereAny(db, q, 'value_hash', hashes.slice(i, i + chunk))) as { value_hash: string; frequency: number }[];
    for (const r of rows) into.set(byHash.get(r.value_hash)!, Number(r.frequency));
  }
}

/**
 * The full run's company-name word counts for the words `mrs` hold (added to `into` when given:
 * an incremental run reads its candidates page by page); undefined for an index written before
 * word counts were (comparisons then weigh every word alike). `hash`: the index's
 * ({@link storedIndexHash}), when the caller has it.
 */
export async function loadCompanyWords(store: Store, runId: string, mrs: readonly MatchRecord[], into?: WordCounts, hash?: IndexHash): Promise<WordCounts | undefined> {
  const db = store.knex;
  let words = into;
  if (!words) {
    const row = (await db('match_term_frequencies').where({ run_id: runId, comparison: COMPANY_DOCUMENTS_ROW }).first('frequency')) as { frequency: number } | undefined;
    if (!row) return undefined;
    words = { documents: Number(row.frequency), counts: new Map<string, number>() };
  }
  await lookUpFrequencies(store, hash ?? (await storedIndexHash(store)), runId, COMPANY_WORD_ROW, mrs.flatMap((r) => r.companyWords.map(wordStem)), words.counts as Map<string, number>);
  return words;
}

/** What {@link rekeyMatchIndex} did. */
export interface RekeyResult {
  /**
   * `rebuilt`: hashed again under the current key; `current`: it already was (a rotation run
   * again); `empty`: no index yet; `cleared`: it was hashed under a key the cipher does not hold
   * (CRM_ETL_OLD_KEY dropped too early), so it was deleted: the next run matches in full.
   */
  status: 'rebuilt' | 'current' | 'empty' | 'cleared';
  blockingKeys: number;
  termFrequencies: number;
}

/** `source_records` rows read per page while re-keying. */
const REKEY_PAGE = 2000;

/**
 * Hashes the match index again under the store's current key (`crm-etl keys rotate`), from the
 * staged records, so that an incremental run after the rotation finds the same candidates and
 * scores with the same term frequencies as before it:
 * - blocking keys: those of the indexed records, computed from their staged values;
 * - term frequencies: a stored hash cannot be turned back into its value, so every staged value
 *   (of live and deleted records) is hashed under the index's old key (or unkeyed) and, where it
 *   matches a stored row, stored again under the new key with the same frequency. Values no
 *   staged record holds any more (erased people) are dropped.
 * One transaction: the index is wholly under the old key or wholly under the new one, and a
 * rotation that stopped half way can run again.
 */
export async function rekeyMatchIndex(store: Store): Promise<RekeyResult> {
  const cipher = store.cipher;
  if (!cipher) throw new CrmEtlError('KEY_INVALID', 're-keying the match index needs the new key in CRM_ETL_KEY');
  const knex = store.knex;
  const from = await matchIndexKey(knex);
  const none: RekeyResult = { status: 'empty', blockingKeys: 0, termFrequencies: 0 };
  if (from.keyId === cipher.keyId) return { ...none, status: 'current' };
  const tfRows = (await knex('match_term_frequencies').where('comparison', '>=', 0).select('run_id', 'comparison', 'value_hash', 'frequency')) as { run_id: string; comparison: number; value_hash: string; frequency: number }[];
  const refs = (await knex('blocking_keys').distinct('source', 'source_key')) as { source: string; source_key: string }[];
  if (!tfRows.length && !refs.length) return none;
  const model = (await knex('match_models').orderBy('run_id', 'desc').first('run_id')) as { run_id: string } | undefined;
  const runId = tfRows[0]?.run_id ?? from.runId ?? model?.run_id;
  if ((from.keyId !== null && !cipher.hasKey(from.keyId)) || runId === undefined) {
    await store.transaction(async (trx) => {
      await trx('blocking_keys').delete();
      await trx('oversized_blocks').delete();
      await trx('match_term_frequencies').delete();
    });
    return { ...none, status: 'cleared' };
  }
  const oldHash = from.keyId === null ? (from.legacy ? legacyHash16 : hash16) : indexHash(cipher, from.keyId);
  const stored = COMPARISONS.map(() => new Map<string, number>());
  for (const r of tfRows) stored[Number(r.comparison)]?.set(r.value_hash, Number(r.frequency));
  // Company-name word counts, under their new hashes (found through the records' words).
  const wordRows = (await knex('match_term_frequencies').whereIn('comparison', [COMPANY_WORD_ROW, COMPANY_DOCUMENTS_ROW]).select('comparison', 'value_hash', 'frequency')) as { comparison: number; value_hash: string; frequency: number }[];
  const documentsRow = wordRows.find((r) => Number(r.comparison) === COMPANY_DOCUMENTS_ROW);
  const storedWords = new Map(wordRows.filter((r) => Number(r.comparison) === COMPANY_WORD_ROW).map((r) => [r.value_hash, Number(r.frequency)]));
  const companyWords: WordCounts | undefined = documentsRow ? { documents: Number(documentsRow.frequency), counts: new Map<string, number>() } : undefined;
  const tf: TermFrequencies = COMPARISONS.map((c) => (c.tf ? new Map<string, number>() : null));
  const indexed = new Set(refs.map((r) => `${r.source}\u0000${r.source_key}`));
  // The blocks the full run skipped, under their new hashes (found through their members' keys).
  const oldOversized = new Map(((await knex('oversized_blocks').select('key_hash', 'size')) as { key_hash: string; size: number }[]).map((r) => [r.key_hash, Number(r.size)]));
  const oversized = new Map<string, number>();
  const newHash = indexHash(cipher);
  const mrs: MatchRecord[] = [];
  let after: { source: string; source_key: string } | null = null;
  for (;;) {
    const q = knex('source_records').select('source', 'source_key', 'line', 'deleted', ...CANONICAL_FIELDS).orderBy(['source', 'source_key']).limit(REKEY_PAGE);
    if (after) {
      const last = after;
      q.where((b: Knex.QueryBuilder) => b.where('source', '>', last.source).orWhere((c) => c.where('source', last.source).andWhere('source_key', '>', last.source_key)));
    }
    const rows = (await q) as Record<string, unknown>[];
    if (!rows.length) break;
    for (const row of rows) {
      const rec = toMasterRecord(row);
      const mr = toMatchRecord(rec.source, rec.key, rec.values);
      const deleted = row.deleted === true || Number(row.deleted) === 1;
      if (!deleted && indexed.has(`${rec.source}\u0000${rec.key}`)) {
        mrs.push(mr);
        if (oldOversized.size) {
          for (const rule of DEFAULT_BLOCKING_RULES) {
            const k = ruleKey(rule, mr);
            const size = k ? oldOversized.get(oldHash(`${rule.name}\u0000${k}`)) : undefined;
            if (size !== undefined) oversized.set(newHash(`${rule.name}\u0000${k}`), size);
          }
        }
      }
      if (companyWords) {
        const counts = companyWords.counts as Map<string, number>;
        for (const w of mr.companyWords) {
          const s = wordStem(w);
          const n = counts.has(s) ? undefined : storedWords.get(oldHash(s));
          if (n !== undefined) counts.set(s, n);
        }
      }
      COMPARISONS.forEach((c, f) => {
        const m = tf[f];
        const v = c.tf ? mr[c.tf] : '';
        if (!m || !v || m.has(v)) return;
        const p = stored[f]!.get(oldHash(v));
        if (p !== undefined) m.set(v, p);
      });
    }
    const last = rows[rows.length - 1]!;
    after = { source: String(last.source), source_key: String(last.source_key) };
  }
  await writeMatchIndex(store, runId, matchRecordIndexRows(store, mrs), tf, { blocks: oversized }, companyWords);
  const [keys] = (await knex('blocking_keys').count({ n: '*' })) as { n: number | string }[];
  return { status: 'rebuilt', blockingKeys: Number(keys!.n), termFrequencies: tf.reduce((n, m) => n + (m?.size ?? 0), 0) };
}
