import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { scoreQuality, type QualityReport } from '../quality/scores.js';
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
  master: LoadResult;
  quality: QualityReport;
  durationMs: number;
}

/**
 * The inline runner: every stage in this process, in order, against the store. Sources are all
 * checked before anything is written; a failure marks the run failed and rethrows.
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
    const sources: SourceStats[] = [];
    for (const p of prepared) sources.push(await extractSource(ctx, p));
    const m = await runMatchStage(ctx);
    const master = await loadMaster(ctx, m);
    const quality = scoreQuality(sources);
    await opts.store.insertRows(
      'quality_scores',
      ['run_id', 'source', 'field', 'dimension', 'score'],
      quality.rows.map((r) => [ctx.runId, r.source, r.field, r.dimension, r.score]),
    );
    const r = m.result;
    const summary: RunSummary = {
      runId: ctx.runId,
      status: 'succeeded',
      sources,
      matching: {
        records: m.records.length,
        candidatePairs: r.candidatePairs,
        links: r.pairs.filter((p) => p.decision === 'link').length,
        reviewPairs: r.pairs.filter((p) => p.decision === 'review').length,
        duplicatesLinked: m.records.length - master.customers,
        blocking: r.blocking,
        refusedMerges: r.refusedMerges,
      },
      master,
      quality,
      durationMs: Date.now() - t0,
    };
    await knex('runs').where({ id: ctx.runId }).update({ status: 'succeeded', finished_at: new Date(), summary: JSON.stringify(summary) });
    return summary;
  } catch (err) {
    await knex('runs')
      .where({ id: ctx.runId })
      .update({ status: 'failed', finished_at: new Date(), summary: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) })
      .catch(() => undefined);
    throw err;
  }
}
