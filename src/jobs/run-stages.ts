import type { Knex } from 'knex';
import { collectGarbage } from '../core/collect-garbage.js';
import { CrmEtlError } from '../core/errors.js';
import type { RunContext, StageProgress } from '../pipeline/context.js';
import { type SourceStats, extractSource, prepareSources } from '../pipeline/extract.js';
import { type LoadResult, loadMaster } from '../pipeline/load-master.js';
import { type MatchStageResult, loadStagedRecords, runMatchStage } from '../pipeline/match-stage.js';
import { type MatchCounts, type RunSummary, assessAndLoad, matchCounts, recordRunEnd } from '../pipeline/run-pipeline.js';
import type { QualityReport } from '../quality/index.js';
import type { Store } from '../store/store.js';
import type { MatchResult } from '../transforms/match/index.js';

/**
 * The stages as the queue runner calls them: each one a partition of a run (a source for
 * extract; the whole run for match, load and finish) that may run twice (a retry, a worker
 * killed mid-job, a Redis that lost its jobs) and must then leave the same rows, not more.
 * What one stage hands the next goes through the store (`run_stages`, `run_clusters`).
 */

/** `cursors` holds the sources' cursors from before the run, put back when a quality gate fails. */
export type StageName = 'cursors' | 'extract' | 'match' | 'load';

/** A stage row of `run_stages`, as the progress display reads it. */
export interface StageRow {
  stage: StageName;
  part: string;
  status: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number | null;
}

export async function saveStage(
  store: Store,
  runId: string,
  stage: StageName,
  part: string,
  row: { status: StageRow['status']; done: number; total?: number | null; result?: unknown },
  trx?: Knex.Transaction,
): Promise<void> {
  const write = async (db: Knex | Knex.Transaction): Promise<void> => {
    await db('run_stages').where({ run_id: runId, stage, part }).delete();
    await db('run_stages').insert({
      run_id: runId,
      stage,
      part,
      status: row.status,
      done: row.done,
      total: row.total ?? null,
      result: row.result === undefined ? null : JSON.stringify(row.result),
      updated_at: new Date(),
    });
  };
  if (trx) await write(trx);
  else await store.transaction(write);
}

/** Writes progress to `run_stages` at most once a second: the store is not a progress bus. */
function progressWriter(ctx: RunContext, stage: StageName, part: string, report: (p: StageProgress) => void): (p: StageProgress) => void {
  let last = 0;
  let writing: Promise<void> | undefined;
  return (p) => {
    report(p);
    const now = Date.now();
    if (now - last < 1000 || writing) return;
    last = now;
    writing = ctx.store
      .knex('run_stages')
      .where({ run_id: ctx.runId, stage, part })
      .update({ done: p.done, total: p.total ?? null, updated_at: new Date() })
      .then(
        () => undefined,
        // Progress is advisory: a failed update must not fail the stage.
        (err: unknown) => ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'progress not saved'),
      )
      .finally(() => {
        writing = undefined;
      });
  };
}

/** The stored result of a stage that already succeeded in this run (a job run twice), if any. */
async function priorResult<T>(store: Store, runId: string, stage: StageName, part: string): Promise<T | undefined> {
  const row = (await store.knex('run_stages').where({ run_id: runId, stage, part, status: 'succeeded' }).first('result')) as { result: string } | undefined;
  return row ? (JSON.parse(row.result) as T) : undefined;
}

/** Marks a queued run running when its first job starts; the run must be in this store. */
export async function markRunRunning(store: Store, runId: string): Promise<void> {
  const run = (await store.knex('runs').where({ id: runId }).first('status')) as { status: string } | undefined;
  if (!run) {
    throw new CrmEtlError('NOT_FOUND', `run ${runId} is not in this worker's store: start workers with the same configuration (store:) as the crm-etl run that queued it`);
  }
  if (run.status === 'queued') await store.knex('runs').where({ id: runId, status: 'queued' }).update({ status: 'running' });
}

/**
 * Extracts one source for the run. Idempotent per (run, source): the run's rejects of the source
 * are dropped first, a full read replaces the source's staged records, an incremental one
 * upserts by key.
 */
export async function extractPartition(ctx: RunContext, source: string, report: (p: StageProgress) => void): Promise<SourceStats> {
  const prior = await priorResult<SourceStats>(ctx.store, ctx.runId, 'extract', source);
  if (prior) return prior;
  await saveStage(ctx.store, ctx.runId, 'extract', source, { status: 'running', done: 0 });
  const [prepared] = await prepareSources({ ...ctx, sources: [source] });
  if (!prepared) throw new CrmEtlError('CONFIG_INVALID', `source "${source}" is not in this worker's configuration`);
  await ctx.store.knex('rejects').where({ run_id: ctx.runId, source }).delete();
  const stats = await extractSource({ ...ctx, onProgress: progressWriter(ctx, 'extract', source, report) }, prepared);
  await saveStage(ctx.store, ctx.runId, 'extract', source, { status: 'succeeded', done: stats.read, total: stats.read, result: stats });
  return stats;
}

/** `run_clusters` rows written and read at a time. */
const CLUSTER_PAGE = 20_000;

/** What the match stage leaves for the next ones: its counts, and the histogram the quality stage reports. */
interface MatchStageOutput {
  counts: MatchCounts;
  probabilityHistogram: number[];
}

/**
 * Matches every staged record and stores each record's cluster and link probability for the
 * load stage (in `run_clusters`). Idempotent per run: the run's pairs, model and clusters are
 * replaced.
 */
export async function matchPartition(ctx: RunContext): Promise<MatchCounts> {
  const prior = await priorResult<MatchStageOutput>(ctx.store, ctx.runId, 'match', '');
  if (prior) return prior.counts;
  const knex = ctx.store.knex;
  await saveStage(ctx.store, ctx.runId, 'match', '', { status: 'running', done: 0 });
  await knex('match_pairs').where({ run_id: ctx.runId }).delete();
  await knex('match_models').where({ run_id: ctx.runId }).delete();
  const m = await runMatchStage(ctx);
  const out: MatchStageOutput = { counts: matchCounts(m), probabilityHistogram: m.result.probabilityHistogram };
  // Made a batch at a time as they are written: a million rows made at once were a million
  // arrays alive together in the worker.
  const rows = async function* (): AsyncGenerator<unknown[][]> {
    for (let from = 0; from < m.records.length; from += CLUSTER_PAGE) {
      const batch: unknown[][] = [];
      for (let i = from; i < Math.min(from + CLUSTER_PAGE, m.records.length); i++) {
        const p = m.result.linkProbability[i]!;
        batch.push([ctx.runId, m.records.source(i), m.records.key(i), m.result.clusterOf[i]!, Number.isNaN(p) ? null : p]);
      }
      yield batch;
    }
  };
  await ctx.store.transaction(async (trx) => {
    await trx('run_clusters').where({ run_id: ctx.runId }).delete();
    await ctx.store.insertRows('run_clusters', ['run_id', 'source', 'source_key', 'cluster', 'probability'], rows(), trx);
    await saveStage(ctx.store, ctx.runId, 'match', '', { status: 'succeeded', done: m.records.length, total: m.records.length, result: out }, trx);
  });
  return out.counts;
}

/** What the load stage leaves for the summary. */
interface LoadStageOutput {
  quality: QualityReport;
  master: LoadResult | null;
}

/** The extract results of the run's sources, in configuration order. */
async function extractResults(ctx: RunContext): Promise<SourceStats[]> {
  const selected = ctx.config.sources.filter((s) => !ctx.sources.length || ctx.sources.includes(s.name));
  const out: SourceStats[] = [];
  for (const s of selected) out.push(await stageResult<SourceStats>(ctx, 'extract', s.name));
  return out;
}

async function stageResult<T>(ctx: RunContext, stage: StageName, part: string): Promise<T> {
  const r = await priorResult<T>(ctx.store, ctx.runId, stage, part);
  if (r === undefined) throw new CrmEtlError('INPUT_INVALID', `run ${ctx.runId}: the ${stage}${part ? ` of ${part}` : ''} stage has no result; start the run again`);
  return r;
}

/**
 * Assesses the run's quality and, when its gates pass, loads the master from the clusters the
 * match stage stored: the same records in the same order (loadStagedRecords is deterministic),
 * so the same customers and ids as the inline runner. Idempotent: the run's quality scores are
 * replaced, the master load replaces links and customers in one transaction, and a load that
 * already succeeded in this run returns its result.
 */
export async function loadPartition(ctx: RunContext): Promise<LoadStageOutput> {
  const prior = await priorResult<LoadStageOutput>(ctx.store, ctx.runId, 'load', '');
  if (prior) return prior;
  await saveStage(ctx.store, ctx.runId, 'load', '', { status: 'running', done: 0 });
  const sources = await extractResults(ctx);
  const match = await stageResult<MatchStageOutput>(ctx, 'match', '');
  const cursors = await stageResult<Record<string, unknown>[]>(ctx, 'cursors', '');
  // A match job run in this process before leaves its heap behind (~460 MB used at a million
  // records, none of it live), and reading the records grew it from there to 1 GB before V8
  // collected: the worker's peak (1.5 GB). Compacted before reading (and by loadStagedRecords after).
  collectGarbage({ compact: true });
  const records = await loadStagedRecords(ctx);
  const { clusterOf, linkProbability } = await readClusters(ctx, records);
  // The quality stage and loadMaster read the records and, of the match result, the clusters,
  // the link probabilities and the histogram: what the match stage stored.
  const result = { clusterOf, linkProbability, probabilityHistogram: match.probabilityHistogram } as unknown as MatchResult;
  const m = { records, result } satisfies MatchStageResult;
  await ctx.store.knex('quality_scores').where({ run_id: ctx.runId }).delete();
  const out = await assessAndLoad(ctx, sources, m, cursors);
  await saveStage(ctx.store, ctx.runId, 'load', '', { status: 'succeeded', done: records.length, total: records.length, result: out });
  return out;
}

/**
 * The cluster and link probability the match stage stored for each of the records, read a page
 * at a time by source and key (range reads on the table's primary key; the run's rows were
 * committed by its match job and are not written again while it loads). A million rows read in one query, with a map from
 * each record's source and key to its row, made the queue worker's peak at a million records
 * (2.6 GB, against 1.34 GB for the whole inline run; 1.87 GB read in pages, 1.40 GB with the
 * collections before this and before encoding); the records' own keys index them instead.
 */
export async function readClusters(
  ctx: Pick<RunContext, 'runId' | 'store'>,
  records: MatchStageResult['records'],
  pageSize = CLUSTER_PAGE,
): Promise<{ clusterOf: Int32Array; linkProbability: Float64Array }> {
  const changed = (what: string): CrmEtlError =>
    new CrmEtlError('INPUT_INVALID', `run ${ctx.runId}: ${what} between matching and loading (another run on the same store?); start the run again`);
  const indexOf = new Map<string, Map<string, number>>();
  for (let i = 0; i < records.length; i++) {
    const source = records.source(i);
    let keys = indexOf.get(source);
    if (!keys) indexOf.set(source, (keys = new Map()));
    keys.set(records.key(i), i);
  }
  const clusterOf = new Int32Array(records.length);
  const linkProbability = new Float64Array(records.length);
  let assigned = 0;
  const db = ctx.store.knex;
  const sources = ((await db('run_clusters').where({ run_id: ctx.runId }).distinct('source')) as { source: string }[]).map((r) => r.source);
  for (const source of sources) {
    const keys = indexOf.get(source);
    let after: string | null = null;
    for (;;) {
      const q = db('run_clusters').where({ run_id: ctx.runId, source });
      if (after !== null) q.andWhere('source_key', '>', after);
      const page = (await q.orderBy('source_key').limit(pageSize).select('source_key', 'cluster', 'probability')) as {
        source_key: string;
        cluster: number;
        probability: number | null;
      }[];
      for (const r of page) {
        const i = keys?.get(r.source_key);
        if (i === undefined) throw changed('matched records are no longer staged');
        clusterOf[i] = Number(r.cluster);
        linkProbability[i] = r.probability == null ? NaN : Number(r.probability);
        assigned++;
      }
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.source_key;
    }
  }
  if (assigned !== records.length) throw changed(`${records.length - assigned} staged record(s) were not matched`);
  return { clusterOf, linkProbability };
}

/** Ends the run with the inline runner's summary: succeeded, or failed by its quality gates. */
export async function finishRun(ctx: RunContext): Promise<RunSummary> {
  const knex = ctx.store.knex;
  const sources = await extractResults(ctx);
  const match = await stageResult<MatchStageOutput>(ctx, 'match', '');
  const load = await stageResult<LoadStageOutput>(ctx, 'load', '');
  const run = (await knex('runs').where({ id: ctx.runId }).first('started_at')) as { started_at: Date } | undefined;
  const summary: RunSummary = {
    runId: ctx.runId,
    status: load.quality.gates.passed ? 'succeeded' : 'failed',
    sources,
    matching: match.counts,
    master: load.master,
    quality: load.quality,
    durationMs: run ? Date.now() - new Date(run.started_at).getTime() : 0,
    // Stages ran as jobs, possibly in many processes at once: no single timeline to report.
    stages: [],
  };
  await recordRunEnd(ctx.store, summary);
  // Kept until here, not dropped by the load, so that a load job run twice finds them again.
  await knex('run_clusters').where({ run_id: ctx.runId }).delete();
  return summary;
}

/** The stage rows of a run, for the progress display and for resuming a run whose jobs were lost. */
export async function readStages(store: Store, runId: string): Promise<StageRow[]> {
  const rows = (await store.knex('run_stages').where({ run_id: runId }).whereNot({ stage: 'cursors' }).select('stage', 'part', 'status', 'done', 'total')) as StageRow[];
  return rows.map((r) => ({ ...r, done: Number(r.done), total: r.total == null ? null : Number(r.total) }));
}
