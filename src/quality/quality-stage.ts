import type { Knex } from 'knex';
import type { SourceStats } from '../pipeline/extract.js';
import type { RunContext } from '../pipeline/context.js';
import type { MatchStageResult } from '../pipeline/match-stage.js';
import type { Store } from '../store/store.js';
import { detectAnomalies } from './anomalies.js';
import { evaluateGates } from './gates.js';
import { loadPreviousQuality } from './history.js';
import type { QualityReport } from './quality-report.js';
import { type QualityTallies, type SourceDelivery, qualityRows, scoreTallies, tallyRecordsInTurns } from './scores.js';

/** Rows of one run staged with at least one rejected value, per source. */
async function rowsWithRejects(knex: Knex, runId: string): Promise<Map<string, number>> {
  const distinct = knex('rejects').distinct('source', 'source_key', 'line').where({ run_id: runId }).whereNotNull('field').as('r');
  const rows = (await knex.from(distinct).select('source').count({ n: '*' }).groupBy('source')) as { source: string; n: number | string }[];
  return new Map(rows.map((r) => [r.source, Number(r.n)]));
}

/** Per source and field, the live staged records whose value was rejected by the run that staged them. */
async function rejectedStagedValues(knex: Knex, sources: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (!sources.length) return out;
  const rows = (await knex('rejects as r')
    .join('source_records as s', function on() {
      this.on('s.source', '=', 'r.source').andOn('s.source_key', '=', 'r.source_key').andOn('s.run_id', '=', 'r.run_id');
    })
    .whereNotNull('r.field')
    .where('s.deleted', false)
    .whereIn('r.source', [...sources])
    .select('r.source as source', 'r.field as field')
    .count({ n: '*' })
    .groupBy('r.source', 'r.field')) as { source: string; field: string; n: number | string }[];
  for (const r of rows) {
    let m = out.get(r.source);
    if (!m) out.set(r.source, (m = {}));
    m[r.field] = Number(r.n);
  }
  return out;
}

/**
 * The quality stage, between matching and loading the master: scores the run from what the
 * sources delivered and what matching made of the staged records, compares it with the
 * previous run (anomalies), checks the gates, and keeps the scores in `quality_scores`.
 * Loading the master is the caller's decision: it must not happen when `gates.passed` is false.
 */
export async function assessRunQuality(
  ctx: RunContext,
  sources: readonly SourceStats[],
  // A full run: every live record with its cluster. An incremental run: the tallies the store
  // counted (src/master/incremental-quality.ts), for it holds no records in memory.
  m:
    | (Pick<MatchStageResult, 'records'> & { result: Pick<MatchStageResult['result'], 'clusterOf'> & Partial<Pick<MatchStageResult['result'], 'probabilityHistogram'>> })
    | { tallies: (deliveries: readonly SourceDelivery[]) => Promise<QualityTallies> },
): Promise<QualityReport> {
  const knex = ctx.store.knex;
  const rejected = await rowsWithRejects(knex, ctx.runId);
  const rejectedValues = await rejectedStagedValues(knex, sources.map((s) => s.source));
  const countries = new Map(ctx.config.sources.map((s) => [s.name, s.country]));
  const q = ctx.config.quality;
  const deliveries: SourceDelivery[] = sources.map((s) => ({
    source: s.source,
    country: countries.get(s.source),
    fields: Object.keys(s.fieldCounts),
    read: s.read,
    malformed: s.malformed,
    rowsWithRejects: rejected.get(s.source) ?? 0,
    incremental: s.incremental,
    rejectedValues: rejectedValues.get(s.source) ?? {},
  }));
  const common = { today: ctx.today, deliveries, linkThreshold: ctx.config.matching.link_threshold, reviewThreshold: ctx.config.matching.review_threshold };
  const scores =
    'tallies' in m
      ? scoreTallies({ ...common, tallies: await m.tallies(deliveries) }, q)
      : scoreTallies({ ...common, probabilityHistogram: m.result.probabilityHistogram, tallies: await tallyRecordsInTurns({ deliveries, records: m.records, clusterOf: m.result.clusterOf }, q) }, q);
  const previous = await loadPreviousQuality(ctx.store, ctx.runId);
  const report: QualityReport = {
    ...scores,
    comparedWith: previous?.runId ?? null,
    anomalies: detectAnomalies(scores, previous?.quality, q.anomalies),
    gates: evaluateGates(scores, q.gates),
  };
  await ctx.store.insertRows(
    'quality_scores',
    ['run_id', 'source', 'field', 'dimension', 'score', 'measured'],
    qualityRows(scores).map((r) => [ctx.runId, r.source, r.field, r.dimension, r.score, r.measured]),
  );
  // Counts and gate paths only: no personal values reach the log.
  for (const a of report.anomalies) ctx.log.info({ kind: a.kind, source: a.source, field: a.field }, a.message);
  if (!report.gates.passed) ctx.log.info({ gates: report.gates.failed.map((f) => f.gate) }, 'quality gates failed');
  return report;
}

/** The stored read cursors of some sources, to put back when a run does not reach the master. */
export async function snapshotCursors(knex: Knex, sources: readonly string[]): Promise<Record<string, unknown>[]> {
  if (!sources.length) return [];
  return (await knex('source_cursors').whereIn('source', [...sources]).select('source', 'cursor', 'run_id')) as Record<string, unknown>[];
}

/**
 * Puts the cursors of `sources` back as they were before a run whose gates failed: the next
 * incremental run reads the same changes again and checks them again, instead of loading staged
 * records that failed their gates without reading them.
 */
export async function restoreCursors(store: Store, sources: readonly string[], snapshot: readonly Record<string, unknown>[]): Promise<void> {
  if (!sources.length) return;
  await store.transaction(async (trx) => {
    await trx('source_cursors').whereIn('source', [...sources]).delete();
    if (snapshot.length) await trx('source_cursors').insert([...snapshot]);
  });
}
