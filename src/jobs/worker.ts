import { hostname } from 'node:os';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import type { StageProgress } from '../pipeline/context.js';
import { recordRunFailure } from '../pipeline/run-pipeline.js';
import type { Store } from '../store/store.js';
import { QUEUE_NAME, parseQueueUrl } from './connection.js';
import { HANDLERS, type HandlerEnv } from './handlers.js';
import { JOB_PAYLOADS, type JobName } from './payloads.js';
import { shouldRetry, toJobError } from './retry.js';

/** Worker settings; every one has a default. */
export interface WorkerOptions {
  /** Jobs this worker runs at once (default 1: the stages are CPU-bound). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, in ms (default 120,000). A worker renews it
   * while the job runs; when a worker dies (kill -9, a lost machine) its job goes back to the
   * queue once the lock expires, and another worker takes it. Long enough to survive a stage
   * that keeps the event loop busy for a while.
   */
  lockDuration?: number;
  /** How often, in ms, workers look for jobs whose lock expired (default 30,000). */
  stalledInterval?: number;
}

/** A running worker: close it to stop taking jobs and let the running ones finish. */
export interface RunningWorker {
  readonly worker: Worker;
  /** Stops taking jobs, waits for the running ones (SIGTERM's graceful drain). */
  close(): Promise<void>;
}

/** The processor as a function of the job: check the payload, run the handler, map its errors. */
function processor(config: Config, store: Store, log: Logger) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    const name = job.name as JobName;
    const schema = JOB_PAYLOADS[name];
    if (!schema) throw new UnrecoverableError(`unknown job "${job.name}": this worker runs ${Object.keys(JOB_PAYLOADS).join(', ')}; is it an older version?`);
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} (${job.name}): invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const jobLog = log.child({ job: job.id, name: job.name, attempt: job.attemptsMade + 1 });
    let lastReport = 0;
    const env: HandlerEnv = {
      config,
      store,
      log: jobLog,
      job,
      report: (p: StageProgress) => {
        const now = Date.now();
        if (now - lastReport < 500 && p.done !== p.total) return;
        lastReport = now;
        job.updateProgress({ ...p }).catch(() => undefined);
      },
    };
    jobLog.info('job started');
    try {
      const handler = HANDLERS[name] as (p: unknown, env: HandlerEnv) => Promise<Record<string, unknown>>;
      const result = await handler(parsed.data, env);
      jobLog.info(result, 'job done');
      return result;
    } catch (err) {
      const final = !shouldRetry(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const code = err instanceof CrmEtlError ? err.code : undefined;
      jobLog.warn({ code, err: err instanceof Error ? err.message : String(err) }, final ? 'job failed' : 'job failed; it will be retried');
      const runId = (parsed.data as { runId?: string }).runId;
      if (final && runId) await recordRunFailure(store, runId, err).catch(() => undefined);
      throw toJobError(err);
    }
  };
}

/**
 * Starts a worker on the configuration's queue: it takes jobs of every name, on this machine's
 * share of the work, until closed. The store is shared by all of the worker's jobs.
 */
export function startWorker(opts: { config: Config; store: Store; log: Logger } & WorkerOptions): RunningWorker {
  if (!opts.config.queue) throw new CrmEtlError('CONFIG_INVALID', 'no queue configured: set REDIS_URL or queue: redis://host:6379 to run workers');
  const loc = parseQueueUrl(opts.config.queue);
  const worker = new Worker(QUEUE_NAME, processor(opts.config, opts.store, opts.log), {
    connection: loc.connection,
    prefix: loc.prefix,
    // Shown as the job's processedBy: which process on which machine ran it.
    name: `${hostname()}:${process.pid}`,
    concurrency: opts.concurrency ?? 1,
    lockDuration: opts.lockDuration ?? 120_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
    // A job may lose its worker a few times (kills, lost machines) before it counts as failed.
    maxStalledCount: 3,
  });
  // Connection errors are retried by ioredis; log them without crashing the process.
  worker.on('error', (err) => opts.log.warn({ err: err.message }, 'queue error'));
  return { worker, close: () => worker.close() };
}
