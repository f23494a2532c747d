import type { Knex } from 'knex';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { collectGarbage } from '../core/collect-garbage.js';
import { lapTimer } from '../core/lap-timer.js';
import { packedRecordsSql } from '../core/packed-values.js';
import { constraintIndexPairs, loadAllConstraints } from '../master/constraints.js';
import { type SortKeyNames, indexHashing } from '../master/match-index.js';
import { RecordTable } from '../master/record-table.js';
import { DecryptThread, KEEP_ENCRYPTED } from '../store/decrypt-thread.js';
import type { MasterRecord } from '../master/store-io.js';
import { type EncodedRecords, RecordViews, encodeRecords, encodedColumn } from '../transforms/match/encoded.js';
import { encodeInThread } from '../transforms/match/encode-thread.js';
import { COMPARISONS, type MatchResult, matchRecords, toMatchRecord } from '../transforms/match/index.js';
import { MIN_RECORDS_FOR_WORKERS } from '../transforms/match/match-records.js';
import type { RunContext } from './context.js';

/** A staged record as the match and master stages read it. */
export type StagedRecord = MasterRecord;

/**
 * Explained pairs built and written at a time: about one chunk of COPY, so that a batch is
 * written in the turn it is made and dies young. Batches of 10,000 (some 10 MB with their
 * explanations) outlived the young generation and were promoted: at a million records the heap
 * grew 490 → 894 MB while the pairs were written, the run's peak with a key (1,399 MB).
 */
const PAIR_BATCH = 500;

export const MATCH_PAIR_COLUMNS = ['run_id', 'a_source', 'a_key', 'b_source', 'b_key', 'probability', 'decision', 'explanation'] as const;

/** Staged rows read at a time. */
const STAGED_PAGE = 20_000;

/** Pages read with a key between two collections of this thread's garbage (see loadStagedRecords). */
const COLLECT_PAGES = 10;

/**
 * Reads every live staged record in a deterministic order: sources in configuration order,
 * then by line and key. The same input gives the same order, hence the same clusters and ids.
 * Read a page at a time: a million rows read at once were a million row objects of some 600
 * bytes each alive together, a heap the run kept long after. Held packed (see RecordTable).
 */
export async function loadStagedRecords(ctx: Pick<RunContext, 'store' | 'config'>, pageSize = STAGED_PAGE): Promise<RecordTable> {
  const out = RecordTable.builder();
  const columns = ['source', 'source_key', 'line', 'record_hash', ...CANONICAL_FIELDS];
  // With a key, pages after the first are read as stored and decrypted in a thread of their own
  // (DecryptThread) while this one packs the page before and the store sends the next.
  const cipher = ctx.store.cipher;
  let decrypter = null as DecryptThread | null;
  const query = <Q extends { queryContext(c: unknown): Q }>(q: Q): Q => (decrypter ? q.queryContext(KEEP_ENCRYPTED) : q);
  // Each page is read while the next one is asked for.
  const readPages = async (first: Promise<Record<string, unknown>[]>, after: (last: Record<string, unknown>) => Promise<Record<string, unknown>[]>): Promise<void> => {
    let next: Promise<Record<string, unknown>[]> | null = first;
    let decrypting: Promise<Record<string, unknown>[]> | null = null;
    let pages = 0;
    while (next) {
      const rows: Record<string, unknown>[] = await next;
      const clear = decrypter ? decrypter.decryptRows(rows, columns) : Promise.resolve(rows);
      clear.catch(() => undefined);
      if (!decrypter && cipher && rows.length === pageSize) decrypter = new DecryptThread(cipher);
      next = rows.length === pageSize ? after(rows[rows.length - 1]!) : null;
      if (decrypting) {
        for (const r of await decrypting) out.addRow(r);
        // A page read with a key lives through its decryption's round trip and is promoted with
        // its values: the old generation grew to ~1 GB over ~360 MB live before V8 collected, and
        // the compacting collection after reading, from there, raised the high-water mark to
        // 1,480 MB at a million records. Collected now and then instead (~0.2 s each).
        if (decrypter && ++pages % COLLECT_PAGES === 0) collectGarbage();
      }
      decrypting = clear;
    }
    if (decrypting) for (const r of await decrypting) out.addRow(r);
  };
  // The rows of `select` through a cursor named `cursor`, inside the transaction `trx`.
  const readCursor = async (trx: Knex.Transaction, cursor: string, select: string): Promise<void> => {
    await trx.raw(`declare ${cursor} no scroll cursor for ${select}`);
    const fetch = async (): Promise<Record<string, unknown>[]> => ((await query(trx.raw(`fetch forward ${pageSize} from ${cursor}`))) as { rows: Record<string, unknown>[] }).rows;
    await readPages(fetch(), fetch);
    await trx.raw(`close ${cursor}`);
  };
  const readAll = async (): Promise<void> => {
    if (ctx.store.dialect === 'mysql') {
      // InnoDB keeps a table in primary-key order: pages by source and key are range reads, all
      // in one transaction, so that every page reads the same snapshot (as the one query did).
      await ctx.store.transaction(async (db) => {
        const sources = ((await db('source_records').distinct('source')) as { source: string }[]).map((r) => r.source);
        const page = (source: string, after: string | null): Promise<Record<string, unknown>[]> => {
          const q = db('source_records').select(columns).where({ source, deleted: false });
          if (after !== null) q.andWhere('source_key', '>', after);
          return query(q.orderBy('source_key').limit(pageSize)) as unknown as Promise<Record<string, unknown>[]>;
        };
        for (const source of sources) await readPages(page(source, null), (last) => page(source, String(last.source_key)));
      });
    } else if (ctx.store.dialect === 'postgres' && !cipher) {
      // Two scans through cursors, each over half the rows (by a hash of the key), on two
      // connections that share one snapshot: the server packs the records on two cores while
      // this thread reads the pages of both (one cursor kept the server on one core, and the
      // phase at 1.2 cores). The table is put in canonical order once read, whatever came first.
      const knex = ctx.store.knex;
      await knex.transaction(
        async (first) => {
          const snapshot = ((await first.raw('select pg_export_snapshot() as s')) as { rows: { s: string }[] }).rows[0]!.s;
          await knex.transaction(
            async (second) => {
              await second.raw(`set transaction snapshot '${snapshot.replace(/'/g, "''")}'`);
              await Promise.all([readCursor(first, 'staged_records_0', packedRecordsSql(0)), readCursor(second, 'staged_records_1', packedRecordsSql(1))]);
            },
            { isolationLevel: 'repeatable read' },
          );
        },
        { isolationLevel: 'repeatable read' },
      );
    } else {
      // One scan through a cursor: pages by key from PostgreSQL took 13 s at a million records,
      // against 4–5 s for the one query.
      await ctx.store.transaction(async (trx) => {
        // Without a key, the server packs each record's values (see packedRecordsSql); with one,
        // the values are read as stored and decrypted here.
        const select = cipher ? trx('source_records').select(columns).where({ deleted: false }).toQuery() : packedRecordsSql();
        await readCursor(trx, 'staged_records', select);
      });
    }
  };
  try {
    await readAll();
  } finally {
    await decrypter?.close();
  }
  const table = out.build(ctx.config);
  // The rows read (and what came before) are garbage that the phases to come, which hold
  // threads' memory beside this heap, would keep: at a million records 603 → 303 MB, in 79 ms
  // (the match stage); 1.2 GB → 0.35 GB committed (the queue's load job). Compacted, while no
  // other thread runs, so that the heap's emptied pages are given back too.
  if (table.length >= MIN_RECORDS_FOR_WORKERS) collectGarbage({ compact: true });
  return table;
}

export interface MatchStageResult {
  /** In the canonical order (see sortRecords). */
  records: RecordTable;
  result: MatchResult;
  /** With {@link MatchStageOptions.indexKeys}: the records' names for the match index's sort keys (the keys are in `result.indexKeys`). */
  sortNames?: SortKeyNames;
}

export interface MatchStageOptions {
  /** Milliseconds per phase, filled in when given. */
  timings?: Record<string, number>;
  /**
   * Keep what the match index needs from blocking (the records' hashed keys and sort-key names),
   * for a master stage in this process. Default false: the queue runner's load job, in another
   * process, computes the index from the staged records.
   */
  indexKeys?: boolean;
  /** Records from which match records are made in threads of their own (default {@link MIN_RECORDS_FOR_WORKERS}; the result is the same). */
  encodeThreadRecords?: number;
}

/**
 * The staged records' match features, straight into the engine's columns a record at a time: a
 * million match records as objects were ~1.4 GB of heap, their columns a fifth of it. From
 * `threadFrom` records (as many as matching uses threads for), in threads of their own, whose
 * heaps take the garbage with them.
 */
export async function encodeStaged(records: RecordTable, threadFrom = MIN_RECORDS_FOR_WORKERS): Promise<EncodedRecords> {
  if (records.length >= threadFrom) return encodeInThread(records, records.length);
  return encodeRecords(
    (function* () {
      for (const r of records) yield toMatchRecord(r.source, r.key, r.values);
    })(),
    records.length,
  );
}

/** Blocks, compares, trains, scores and clusters the staged records; stores pairs worth a look. */
export async function runMatchStage(ctx: RunContext, opts: MatchStageOptions = {}): Promise<MatchStageResult> {
  const { timings } = opts;
  const lap = lapTimer(timings);
  const records = await loadStagedRecords(ctx);
  lap('reading');
  const enc = await encodeStaged(records, opts.encodeThreadRecords);
  lap('features');
  const m = ctx.config.matching;
  const unique = new Set(ctx.config.sources.filter((s) => s.unique).map((s) => s.name));
  const result = await matchRecords(enc, {
    linkThreshold: m.link_threshold,
    reviewThreshold: m.review_threshold,
    maxBlockSize: m.max_block_size,
    fullBlockSize: m.full_block_size,
    blockWindow: m.block_window,
    ...(timings ? { timings } : {}),
    uniqueSources: unique,
    // Steward decisions (merge, unmerge, reviews) hold on every run.
    ...constraintIndexPairs(records, await loadAllConstraints(ctx.store)),
    // Blocking hashes the keys for the match index as the store does (under its key, if any).
    ...(opts.indexKeys ? { indexKeys: indexHashing(ctx.store.cipher) } : {}),
  });
  lap(); // matchRecords timed its own phases
  // The explained pairs in batches: at a million records, 450k explanations held at once were
  // some hundreds of megabytes on a heap already holding every record twice.
  const views = new RecordViews(enc);
  const [va, vb] = [views.view(), views.view()];
  async function* pairRows(): AsyncGenerator<unknown[][]> {
    for (let i = 0; i < result.pairs.length; i += PAIR_BATCH) {
      yield result.pairs.slice(i, i + PAIR_BATCH).map((p, x) => {
        const ex = result.scorer.explainStored(va.fill(p.a), vb.fill(p.b), result.pairLevels, (i + x) * COMPARISONS.length).stored;
        return [ctx.runId, records.source(p.a), records.key(p.a), records.source(p.b), records.key(p.b), p.probability, p.decision, JSON.stringify(ex)];
      });
    }
  }
  if (result.pairs.length) await ctx.store.insertRows('match_pairs', MATCH_PAIR_COLUMNS, pairRows());
  // The pairs are explained: the scorer lets go of its term frequencies (by entry; by value too,
  // had a record that is not a view asked for them); the match index writes them by entry.
  if (result.termShares) result.scorer.releaseTermFrequencies();
  await ctx.store.knex('match_models').insert({ run_id: ctx.runId, model: JSON.stringify({ ...result.model, blocking: result.blocking, recordCount: records.length }) });
  // The pairs' explanations were garbage that the quality and master stages would add to
  // (at a million records, 640 MB live in a heap of some 800).
  if (records.length >= MIN_RECORDS_FOR_WORKERS) collectGarbage();
  lap('pairs');
  ctx.log.info({ candidatePairs: result.candidatePairs, links: result.pairs.length }, 'matching done');
  // The match records are not kept; the master stage reads the index's keys from blocking (or,
  // without them, encodes the records again and computes the keys: see loadMaster).
  const sortNames = result.indexKeys ? sortKeyNames(enc) : undefined;
  return { records, result, ...(sortNames ? { sortNames } : {}) };
}

/** The records' names the match index's sort keys are made of (see blockingIndexRows): their dictionaries, and each record's entry in shared memory. */
export function sortKeyNames(enc: EncodedRecords): SortKeyNames {
  return { family: enc.dicts.family, given: enc.dicts.given, dob: enc.dicts.dob, ids: { family: encodedColumn(enc, 'family', true), given: encodedColumn(enc, 'given', true), dob: encodedColumn(enc, 'dob', true) } };
}
