import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { RunContext, StageProgress } from '../pipeline/context.js';
import { rebuildCustomer } from '../pipeline/rebuild-customer.js';
import { createRunContext, recordRunFailure, recordRunStart, runPipeline, type RunSummary } from '../pipeline/run-pipeline.js';
import type { Store } from '../store/store.js';
import type { JOB_PAYLOADS, JobName, RunStagePayload } from './payloads.js';
import { extractPartition, finishRun, loadPartition, markRunRunning, matchPartition } from './run-stages.js';
import type { z } from 'zod';

/** What a handler gets besides its payload: the worker's configuration, store and logger, and its job. */
export interface HandlerEnv {
  config: Config;
  store: Store;
  log: Logger;
  job: Job;
  /** Reports progress on the job (throttled by the worker). */
  report: (p: StageProgress) => void;
}

type Handler<N extends JobName> = (payload: z.infer<(typeof JOB_PAYLOADS)[N]>, env: HandlerEnv) => Promise<Record<string, unknown>>;

/** The context of a stage job's run, rebuilt from its payload: the same on every worker. */
function runContext(p: RunStagePayload, env: HandlerEnv): RunContext {
  return {
    runId: p.runId,
    config: env.config,
    store: env.store,
    log: env.log.child({ run: p.runId }),
    today: p.today,
    sources: p.sources,
    full: p.full,
    ...(p.since ? { since: new Date(p.since) } : {}),
    ...(p.actor ? { actor: p.actor } : {}),
  };
}

/** Counts of an inline run, as a job's result (counts only: results live in Redis). */
function runCounts(s: RunSummary): Record<string, unknown> {
  return {
    runId: s.runId,
    read: s.sources.reduce((n, x) => n + x.read, 0),
    staged: s.sources.reduce((n, x) => n + x.staged, 0),
    status: s.status,
    customers: s.master?.customers ?? null,
    newCustomers: s.master?.newCustomers ?? null,
    quality: s.quality.overall,
  };
}

/**
 * The worker's catalog: job name → handler. Each parses nothing itself (the worker has checked
 * the payload against its schema), calls one stage and returns counts.
 */
export const HANDLERS: { [N in JobName]: Handler<N> } = {
  async extract(p, env) {
    await markRunRunning(env.store, p.runId);
    const s = await extractPartition(runContext(p, env), p.source, env.report);
    return { source: s.source, read: s.read, staged: s.staged, malformed: s.malformed, rejectedValues: s.rejectedValues };
  },
  async match(p, env) {
    await markRunRunning(env.store, p.runId);
    const c = await matchPartition(runContext(p, env));
    env.report({ stage: 'match', done: c.records, total: c.records });
    return { records: c.records, candidatePairs: c.candidatePairs, links: c.links, reviewPairs: c.reviewPairs };
  },
  async load(p, env) {
    const r = await loadPartition(runContext(p, env));
    env.report({ stage: 'load', done: r.master?.linkedRecords ?? 0, total: r.master?.linkedRecords ?? 0 });
    return { gatesPassed: r.quality.gates.passed, quality: r.quality.overall, ...r.master };
  },
  async finish(p, env) {
    return runCounts(await finishRun(runContext(p, env)));
  },
  async 'scheduled-run'(p, env) {
    // A scheduled run is one job: its stages run in this worker, one after the other.
    const s = await runPipeline({ config: env.config, store: env.store, log: env.log.child({ schedule: p.schedule }), sources: p.sources, full: p.full, onProgress: env.report, actor: `schedule:${p.schedule}` });
    return runCounts(s);
  },
  async 'resync-source'(p, env) {
    const s = await runPipeline({ config: env.config, store: env.store, log: env.log, sources: [p.source], full: p.full, ...(p.since ? { since: new Date(p.since) } : {}), onProgress: env.report, ...(p.actor ? { actor: p.actor } : {}) });
    return runCounts(s);
  },
  async 'resync-customer'(p, env) {
    const ctx = createRunContext({ config: env.config, store: env.store, log: env.log, ...(p.actor ? { actor: p.actor } : {}) });
    await recordRunStart(ctx, 'running');
    try {
      const r = await rebuildCustomer(ctx, p.customerId);
      await env.store.knex('runs').where({ id: ctx.runId }).update({ status: 'succeeded', finished_at: new Date(), summary: JSON.stringify({ resync: r }) });
      return { runId: ctx.runId, ...r };
    } catch (err) {
      await recordRunFailure(env.store, ctx.runId, err).catch(() => undefined);
      throw err;
    }
  },
};
