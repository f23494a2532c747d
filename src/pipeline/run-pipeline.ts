import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { type QualityReport, assessRunQuality, restoreCursors, snapshotCursors } from '../quality/index.js';
import type { Store } from '../store/store.js';
import { type RunContext, newRunId } from './context.js';
import { type SourceStats, extractSource, prepareSources } from './extract.js';
import { type LoadResult, loadMaster, startMatchIndex } from './load-master.js';
import { StagingThread } from './stage-thread.js';
import { type MatchStageResult, runMatchStage } from './match-stage.js';
import type { BlockingRuleReport } from '../transforms/match/index.js';
import { applyIncremental, planIncremental } from '../master/incremental.js';
import { incrementalQualityTallies } from '../master/incremental-quality.js';

/** The matching section of a run summary: counts and blocking rules, never values. */
export interface MatchCounts {
  /** `full`: every record matched; `incremental`: only the changed ones, against the stored master. */
  mode: 'full' | 'incremental';
  /** Records matched: all of them, or the changed ones with the records of the customers they touch. */
  records: number;
  candidatePairs: number;
  links: number;
  reviewPairs: number;
  duplicatesLinked: number;
  blocking: BlockingRuleReport[];
  refusedMerges: number;
  /** Records new or changed since the master was written (all of them on a full match). */
  changedRecords: number;
  /** Customers rebuilt (all of them on a full match). */
  rebuiltCustomers: number;
}

export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed';
  sources: SourceStats[];
  matching: MatchCounts;
  /** Null when the run stopped before the master (its quality gates failed). */
  master: LoadResult | null;
  /** Scores, anomalies since the previous run and gates; `quality.gates.failed` lists why a run failed. */
  quality: QualityReport;
  durationMs: number;
  /** Wall time per stage, in order (extract per source, match with its phases, quality and load); empty for a queued run. */
  stages: StageTiming[];
}

export interface StageTiming {
  stage: string;
  ms: number;
  /** Records the stage handled, where it counts records. */
  records?: number;
}

/** The options both runners start a run from. */
export interface RunOptions {
  config: Config;
  store: Store;
  log: Logger;
  /** Limit the run to these sources (default: all). */
  sources?: string[];
  /** Read every source in full (default: from the stored cursors). */
  full?: boolean;
  /** See RunContext.since: read the records changed since this time (not with `full`). */
  since?: Date;
  /** The run's start (default: now); gives the run id and "today". */
  now?: Date;
  /** Told as stages make headway (counts only); the queue runner reports it as job progress. */
  onProgress?: RunContext['onProgress'];
  /** The run id (default: from `now`); a caller that answers with the id before the run starts (the API) passes its own. */
  runId?: string;
  /** Who the audit log names for the run's changes to the master (default: the OS user). */
  actor?: string;
  /** See RunContext.matchMode (default `auto`). */
  matchMode?: RunContext['matchMode'];
}

/** A fresh run: its id, its date and a logger that names it. */
export function createRunContext(opts: RunOptions): RunContext {
  const started = opts.now ?? new Date();
  const runId = opts.runId ?? newRunId(started);
  return {
    runId,
    config: opts.config,
    store: opts.store,
    log: opts.log.child({ run: runId }),
    today: started.toISOString().slice(0, 10),
    sources: opts.sources ?? [],
    full: opts.full ?? false,
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.actor ? { actor: opts.actor } : {}),
    ...(opts.matchMode ? { matchMode: opts.matchMode } : {}),
  };
}

/** Identifies a configuration, so that a run's workers can tell they read the same one. */
export function configHash(config: Config): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

/** Records the run in the `runs` table (`running` for the inline runner, `queued` for the queue). */
export async function recordRunStart(ctx: RunContext, status: 'running' | 'queued', started = new Date()): Promise<void> {
  await ctx.store.knex('runs').insert({ id: ctx.runId, started_at: started, status, summary: '{}', config_hash: configHash(ctx.config) });
}

/** Marks a run failed with its error message (which never holds values: errors carry SQL, not parameters). */
export async function recordRunFailure(store: Store, runId: string, err: unknown): Promise<void> {
  await store
    .knex('runs')
    .where({ id: runId })
    .update({ status: 'failed', finished_at: new Date(), summary: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) });
}

/** Records a run's end with its summary: succeeded, or failed by its quality gates. */
export async function recordRunEnd(store: Store, summary: RunSummary): Promise<void> {
  await store.knex('runs').where({ id: summary.runId }).update({ status: summary.status, finished_at: new Date(), summary: JSON.stringify(summary) });
}

/** The counts of a match stage result, as the summary reports them. */
export function matchCounts(m: Pick<MatchStageResult, 'records' | 'result'>): MatchCounts {
  const r = m.result;
  const duplicatesLinked = m.records.length - new Set(r.clusterOf).size;
  return {
    mode: 'full',
    records: m.records.length,
    candidatePairs: r.candidatePairs,
    links: r.pairs.filter((p) => p.decision === 'link').length,
    reviewPairs: r.pairs.filter((p) => p.decision === 'review').length,
    duplicatesLinked,
    blocking: r.blocking,
    refusedMerges: r.refusedMerges,
    changedRecords: m.records.length,
    rebuiltCustomers: m.records.length - duplicatesLinked,
  };
}

/**
 * The quality stage and the master: quality is assessed after matching; when a gate fails, the
 * master is not touched, the staged records stay for inspection and the sources' cursors are put
 * back (`cursors`: as they were before the run). Both runners end a run with this.
 */
export async function assessAndLoad(
  ctx: RunContext,
  sources: readonly SourceStats[],
  m: MatchStageResult,
  cursors: readonly Record<string, unknown>[],
  phases: Record<string, number> = {},
): Promise<{ quality: QualityReport; master: LoadResult | null }> {
  // The match index is written while quality is assessed (see startMatchIndex), and commits
  // only if the gates pass: at a million records, its first seconds on the store's core beside
  // quality's on this thread.
  let pass = (): void => undefined;
  let fail = (_why: unknown): void => undefined;
  const gates = new Promise<void>((resolve, reject) => {
    pass = resolve;
    fail = reject;
  });
  gates.catch(() => undefined);
  const index = startMatchIndex(ctx, m, phases, gates);
  const giveUp = async (why: unknown): Promise<void> => {
    fail(why);
    await index?.catch(() => undefined);
  };
  const t0 = performance.now();
  let quality: QualityReport;
  try {
    quality = await assessRunQuality(ctx, sources, m);
  } catch (err) {
    await giveUp(err);
    throw err;
  }
  phases.quality = Math.round(performance.now() - t0);
  if (!quality.gates.passed) {
    await giveUp(new Error('the quality gates failed: the master and its match index are left as they were'));
    await restoreCursors(ctx.store, sources.map((s) => s.source), cursors);
    return { quality, master: null };
  }
  pass();
  return { quality, master: await loadMaster(ctx, m, phases, index) };
}

/**
 * The inline runner: every stage in this process, in order, against the store. Sources are all
 * checked before anything is written; a failure marks the run failed and rethrows. Quality is
 * assessed after matching: when a gate fails, the master is not touched, the staged records stay
 * for inspection, the sources' cursors are put back, and the run resolves with status 'failed'
 * and the failed gates in `quality.gates`.
 */
export async function runPipeline(opts: RunOptions): Promise<RunSummary> {
  const started = opts.now ?? new Date();
  const ctx = createRunContext({ ...opts, now: started });
  const t0 = Date.now();
  const prepared = await prepareSources(ctx);
  await recordRunStart(ctx, 'running', started);
  try {
    const cursors = await snapshotCursors(opts.store.knex, prepared.map((p) => p.cfg.name));
    const stages: StageTiming[] = [];
    let mark = Date.now();
    const lap = (stage: string, records?: number): void => {
      const now = Date.now();
      stages.push({ stage, ms: now - mark, ...(records !== undefined ? { records } : {}) });
      mark = now;
    };
    const sources: SourceStats[] = [];
    // One staging thread for every source, started by the first that is large enough.
    let staging: StagingThread | null = null;
    try {
      for (const p of prepared) {
        const s = await extractSource(ctx, p, { stagingThread: () => (staging ??= new StagingThread(ctx.store.cipher)) });
        sources.push(s);
        lap(`extract:${p.cfg.name}`, s.read);
      }
    } finally {
      await (staging as StagingThread | null)?.close();
    }
    // Only what changed is matched against the master when it can be; otherwise everything.
    const plan = await planIncremental(ctx);
    let matching: MatchCounts;
    let quality: QualityReport;
    let master: LoadResult | null;
    if (plan) {
      lap('match:incremental', plan.matching.records);
      for (const [phase, ms] of Object.entries(plan.matching.phases)) stages.push({ stage: `match:${phase}`, ms });
      quality = await assessRunQuality(ctx, sources, { tallies: (d) => incrementalQualityTallies(ctx.store, ctx.config, plan.rebuild, d) });
      lap('quality');
      const loadPhases: Record<string, number> = {};
      if (quality.gates.passed) master = await applyIncremental(ctx, plan, loadPhases);
      else {
        await restoreCursors(ctx.store, sources.map((s) => s.source), cursors);
        master = null;
      }
      lap('load', plan.matching.records);
      for (const [phase, ms] of Object.entries(loadPhases)) stages.push({ stage: phase, ms });
      const { vanishedRecords: _vanished, phases: _phases, ...counts } = plan.matching;
      const sizes = Object.entries(quality.dedupe.clusterSizes);
      const duplicatesLinked = sizes.reduce((n, [size, count]) => n + (Number(size) - 1) * count, 0);
      matching = { mode: 'incremental', ...counts, duplicatesLinked, blocking: [] };
    } else {
      const matchPhases: Record<string, number> = {};
      const m = await runMatchStage(ctx, { timings: matchPhases, indexKeys: true });
      lap('match', m.records.length);
      for (const [phase, ms] of Object.entries(matchPhases)) stages.push({ stage: `match:${phase}`, ms });
      const loadPhases: Record<string, number> = {};
      ({ quality, master } = await assessAndLoad(ctx, sources, m, cursors, loadPhases));
      lap('quality+load', m.records.length);
      for (const [phase, ms] of Object.entries(loadPhases)) stages.push({ stage: phase, ms });
      matching = matchCounts(m);
    }
    const summary: RunSummary = {
      runId: ctx.runId,
      status: quality.gates.passed ? 'succeeded' : 'failed',
      sources,
      matching,
      master,
      quality,
      durationMs: Date.now() - t0,
      stages,
    };
    await recordRunEnd(opts.store, summary);
    return summary;
  } catch (err) {
    await recordRunFailure(opts.store, ctx.runId, err).catch(() => undefined);
    throw err;
  }
}
