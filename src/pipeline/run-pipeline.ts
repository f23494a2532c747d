import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { type QualityReport, assessRunQuality, restoreCursors, snapshotCursors } from '../quality/index.js';
import type { Store } from '../store/store.js';
import { type RunContext, newRunId } from './context.js';
import { type SourceStats, extractSource, prepareSources } from './extract.js';
import { type LoadResult, loadMaster } from './load-master.js';
import { runMatchStage } from './match-stage.js';
import type { BlockingRuleReport } from '../transforms/match/index.js';

export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed';
  sources: SourceStats[];
  matching: {
    records: number;
    candidatePairs: number;
    links: number;
    reviewPairs: number;
    duplicatesLinked: number;
    blocking: BlockingRuleReport[];
    refusedMerges: number;
  };
  /** Null when the run stopped before the master (its quality gates failed). */
  master: LoadResult | null;
  /** Scores, anomalies since the previous run and gates; `quality.gates.failed` lists why a run failed. */
  quality: QualityReport;
  durationMs: number;
  /** Wall time per stage, in order (extract per source, match with its phases, quality, load). */
  stages: StageTiming[];
}

export interface StageTiming {
  stage: string;
  ms: number;
  /** Records the stage handled, where it counts records. */
  records?: number;
}

/**
 * The inline runner: every stage in this process, in order, against the store. Sources are all
 * checked before anything is written; a failure marks the run failed and rethrows. Quality is
 * assessed after matching: when a gate fails, the master is not touched, the staged records stay
 * for inspection, the sources' cursors are put back, and the run resolves with status 'failed'
 * and the failed gates in `quality.gates`.
 */
export async function runPipeline(opts: { config: Config; store: Store; log: Logger; sources?: string[]; full?: boolean; now?: Date }): Promise<RunSummary> {
  const started = opts.now ?? new Date();
  const ctx: RunContext = {
    runId: newRunId(started),
    config: opts.config,
    store: opts.store,
    log: opts.log.child({ run: '' }),
    today: started.toISOString().slice(0, 10),
    sources: opts.sources ?? [],
    full: opts.full ?? false,
  };
  ctx.log = opts.log.child({ run: ctx.runId });
  const t0 = Date.now();
  const prepared = await prepareSources(ctx);
  const knex = opts.store.knex;
  await knex('runs').insert({
    id: ctx.runId,
    started_at: started,
    status: 'running',
    summary: '{}',
    config_hash: createHash('sha256').update(JSON.stringify(opts.config)).digest('hex'),
  });
  try {
    const names = prepared.map((p) => p.cfg.name);
    const cursors = await snapshotCursors(knex, names);
    const stages: StageTiming[] = [];
    let mark = Date.now();
    const lap = (stage: string, records?: number): void => {
      const now = Date.now();
      stages.push({ stage, ms: now - mark, ...(records !== undefined ? { records } : {}) });
      mark = now;
    };
    const sources: SourceStats[] = [];
    for (const p of prepared) {
      const s = await extractSource(ctx, p);
      sources.push(s);
      lap(`extract:${p.cfg.name}`, s.read);
    }
    const matchPhases: Record<string, number> = {};
    const m = await runMatchStage(ctx, matchPhases);
    lap('match', m.records.length);
    for (const [phase, ms] of Object.entries(matchPhases)) stages.push({ stage: `match:${phase}`, ms: Math.round(ms) });
    const quality = await assessRunQuality(ctx, sources, m);
    lap('quality');
    const passed = quality.gates.passed;
    if (!passed) await restoreCursors(opts.store, names, cursors);
    const master = passed ? await loadMaster(ctx, m) : null;
    if (master) lap('load', m.records.length);
    const r = m.result;
    const summary: RunSummary = {
      runId: ctx.runId,
      status: passed ? 'succeeded' : 'failed',
      sources,
      matching: {
        records: m.records.length,
        candidatePairs: r.candidatePairs,
        links: r.pairs.filter((p) => p.decision === 'link').length,
        reviewPairs: r.pairs.filter((p) => p.decision === 'review').length,
        duplicatesLinked: m.records.length - new Set(r.clusterOf).size,
        blocking: r.blocking,
        refusedMerges: r.refusedMerges,
      },
      master,
      quality,
      durationMs: Date.now() - t0,
      stages,
    };
    await knex('runs').where({ id: ctx.runId }).update({ status: summary.status, finished_at: new Date(), summary: JSON.stringify(summary) });
    return summary;
  } catch (err) {
    await knex('runs')
      .where({ id: ctx.runId })
      .update({ status: 'failed', finished_at: new Date(), summary: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) })
      .catch(() => undefined);
    throw err;
  }
}
