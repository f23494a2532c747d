import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { latestRunId } from './queries.js';

/** Job counts per queue and state, when a queue is configured. */
export type QueueDepths = () => Promise<{ queue: string; state: string; count: number }[]>;

/**
 * The Prometheus metrics of `crm-etl serve` (GET /metrics). Figures about the data are read from
 * the store at scrape time, so they describe the latest run whoever ran it (CLI, worker or API);
 * run durations and outcomes of runs this process started are counted as they finish.
 */
export function createMetrics(knex: Knex, queueDepths: QueueDepths | null) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crm_etl_process_' });
  type Summary = { sources?: { source: string; read: number; staged: number; malformed: number; rejectedValues: number }[]; master?: { linkedRecords?: number; customers?: number }; matching?: { duplicatesLinked?: number }; durationMs?: number };
  let cached: { at: number; runId: string | null; summary: Summary | null } = { at: 0, runId: null, summary: null };
  const latest = async (): Promise<Summary | null> => {
    // One store read per scrape, shared by the gauges below.
    if (Date.now() - cached.at < 1000) return cached.summary;
    const runId = await latestRunId(knex);
    const row = runId ? ((await knex('runs').where({ id: runId }).first('summary')) as { summary: string } | undefined) : undefined;
    cached = { at: Date.now(), runId, summary: row ? (JSON.parse(row.summary) as Summary) : null };
    return cached.summary;
  };
  new Gauge({
    name: 'crm_etl_records_processed',
    help: 'Records read per source in the latest succeeded run',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await latest())?.sources ?? []) this.set({ source: s.source }, s.read);
    },
  });
  new Gauge({
    name: 'crm_etl_records_rejected',
    help: 'Malformed rows plus rejected values per source in the latest succeeded run',
    labelNames: ['source', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await latest())?.sources ?? []) {
        this.set({ source: s.source, kind: 'malformed_row' }, s.malformed);
        this.set({ source: s.source, kind: 'rejected_value' }, s.rejectedValues);
      }
    },
  });
  new Gauge({
    name: 'crm_etl_records_linked',
    help: 'Source records linked to a customer by the latest succeeded run',
    registers: [registry],
    async collect() {
      this.set((await latest())?.master?.linkedRecords ?? 0);
    },
  });
  new Gauge({
    name: 'crm_etl_duplicates_linked',
    help: 'Source records that joined another record\'s customer in the latest succeeded run',
    registers: [registry],
    async collect() {
      this.set((await latest())?.matching?.duplicatesLinked ?? 0);
    },
  });
  new Gauge({
    name: 'crm_etl_customers',
    help: 'Customers in the master after the latest succeeded run',
    registers: [registry],
    async collect() {
      this.set((await latest())?.master?.customers ?? 0);
    },
  });
  new Gauge({
    name: 'crm_etl_last_run_duration_seconds',
    help: 'Duration of the latest succeeded run',
    registers: [registry],
    async collect() {
      this.set(((await latest())?.durationMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'crm_etl_quality_score',
    help: 'Quality score (0-100) per source in the latest succeeded run; source="*" is the run',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      await latest();
      if (!cached.runId) return;
      const rows = (await knex('quality_scores').where({ run_id: cached.runId, field: '*', dimension: 'score' }).select('source', 'score')) as { source: string; score: number }[];
      for (const r of rows) this.set({ source: r.source }, Number(r.score));
    },
  });
  if (queueDepths) {
    new Gauge({
      name: 'crm_etl_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const d of await queueDepths()) this.set({ queue: d.queue, state: d.state }, d.count);
      },
    });
  }
  const runDuration = new Histogram({
    name: 'crm_etl_run_duration_seconds',
    help: 'Durations of the runs this process started',
    labelNames: ['status'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: [registry],
  });
  const runs = new Counter({ name: 'crm_etl_runs_total', help: 'Runs this process started, by outcome', labelNames: ['status'], registers: [registry] });
  return {
    registry,
    /** Counts a run this process started, when it ends. */
    observeRun(status: 'succeeded' | 'failed', seconds: number): void {
      runDuration.observe({ status }, seconds);
      runs.inc({ status });
    },
  };
}
