import { FlowProducer, Queue, type FlowJob } from 'bullmq';
import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import { prepareSources } from '../pipeline/extract.js';
import { type RunOptions, type RunSummary, createRunContext, recordRunFailure, recordRunStart } from '../pipeline/run-pipeline.js';
import type { Store } from '../store/store.js';
import { dialectOfUrl } from '../store/store-url.js';
import { QUEUE_NAME, parseQueueUrl } from './connection.js';
import { type RunStagePayload, runStagePayload } from './payloads.js';
import { DEFAULT_JOB_OPTIONS } from './retry.js';
import { type StageRow, readStages, saveStage } from './run-stages.js';
import { snapshotCursors } from '../quality/index.js';

/** A client of the configuration's queue: to add jobs and flows and look at them. */
export interface QueueClient {
  readonly queue: Queue;
  readonly flows: FlowProducer;
  readonly maskedUrl: string;
  close(): Promise<void>;
}

/** Opens the configuration's queue (`queue:` or REDIS_URL). */
export function openQueue(config: Config): QueueClient {
  if (!config.queue) throw new CrmEtlError('CONFIG_INVALID', 'no queue configured: set REDIS_URL or queue: redis://host:6379');
  const loc = parseQueueUrl(config.queue);
  const queue = new Queue(QUEUE_NAME, { connection: loc.connection, prefix: loc.prefix });
  const flows = new FlowProducer({ connection: loc.connection, prefix: loc.prefix });
  // ioredis retries a lost connection; without listeners its errors would crash the process.
  queue.on('error', () => undefined);
  flows.on('error', () => undefined);
  return {
    queue,
    flows,
    maskedUrl: loc.maskedUrl,
    close: async () => {
      await Promise.all([queue.close(), flows.close()]);
    },
  };
}

/**
 * The queue runner shares the store between processes: the embedded one is single-process.
 * Takes the store or its URL (checked before opening it: opening PGlite takes seconds).
 */
export function assertServerStore(store: Store | string): void {
  if ((typeof store === 'string' ? dialectOfUrl(store) : store.dialect) === 'pglite') {
    throw new CrmEtlError(
      'CONFIG_INVALID',
      'the queue runner needs a database server as store: workers in other processes share it, and the embedded PGlite store (pglite://…) ' +
        'opens in one process only. Set store: (or DATABASE_URL) to postgres://… or mysql://…, or leave queue: empty to run inline.',
    );
  }
}

/**
 * Adds a run's flow: extract of each source (in parallel, any worker) → match → load → finish
 * (quality scores and the summary). `generation` tells apart the flows of one run: a run whose
 * jobs were lost is queued again under a new one, and stages that already succeeded return
 * their stored result at once.
 *
 * @returns the id of the flow's last job, which finishes when the run does.
 */
export async function addRunFlow(client: QueueClient, config: Config, p: RunStagePayload, generation: string): Promise<string> {
  const tag = `${p.runId}.${generation}`;
  const child = { failParentOnFailure: true, ...DEFAULT_JOB_OPTIONS };
  const selected = config.sources.filter((s) => !p.sources.length || p.sources.includes(s.name)).map((s) => s.name);
  const extracts: FlowJob[] = selected.map((source) => ({
    name: 'extract',
    queueName: QUEUE_NAME,
    data: { ...p, source },
    opts: { ...child, jobId: `${tag}.extract.${source}` },
  }));
  const match: FlowJob = { name: 'match', queueName: QUEUE_NAME, data: p, opts: { ...child, jobId: `${tag}.match` }, children: extracts };
  const load: FlowJob = { name: 'load', queueName: QUEUE_NAME, data: p, opts: { ...child, jobId: `${tag}.load` }, children: [match] };
  const finish: FlowJob = { name: 'finish', queueName: QUEUE_NAME, data: p, opts: { ...DEFAULT_JOB_OPTIONS, jobId: `${tag}.finish` }, children: [load] };
  const node = await client.flows.add(finish);
  return node.job.id!;
}

/** What `enqueueRun` queued: the run and its flow's last job. */
export interface QueuedRun {
  runId: string;
  payload: RunStagePayload;
  rootJobId: string;
}

/**
 * The queue runner's start: checks every selected source (as the inline runner does, before
 * anything is written), records the run as `queued` and adds its flow.
 */
export async function enqueueRun(client: QueueClient, opts: RunOptions): Promise<QueuedRun> {
  assertServerStore(opts.store);
  const ctx = createRunContext(opts);
  const prepared = await prepareSources(ctx);
  await recordRunStart(ctx, 'queued');
  // The cursors before any extract, for the quality stage to put back when a gate fails.
  const cursors = await snapshotCursors(opts.store.knex, prepared.map((p) => p.cfg.name));
  await saveStage(opts.store, ctx.runId, 'cursors', '', { status: 'succeeded', done: 0, result: cursors });
  const payload: RunStagePayload = {
    runId: ctx.runId,
    today: ctx.today,
    sources: [...ctx.sources],
    full: ctx.full,
    ...(ctx.since ? { since: ctx.since.toISOString() } : {}),
    ...(ctx.actor ? { actor: ctx.actor } : {}),
  };
  // Kept with the run, so that a run whose jobs were lost can be queued again as it was asked for.
  await opts.store.knex('runs').where({ id: ctx.runId }).update({ summary: JSON.stringify({ request: payload }) });
  try {
    const rootJobId = await addRunFlow(client, opts.config, payload, generationId());
    return { runId: ctx.runId, payload, rootJobId };
  } catch (err) {
    await recordRunFailure(opts.store, ctx.runId, err).catch(() => undefined);
    throw new CrmEtlError('SOURCE_UNAVAILABLE', `cannot queue the run on ${client.maskedUrl}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function generationId(): string {
  return Date.now().toString(36);
}

/** A run's state as the waiting command sees it. */
export interface RunWatch {
  stages: StageRow[];
  /** Set when the run's jobs were lost and queued again. */
  requeued?: string;
}

/**
 * Waits for a queued run to finish, telling `onChange` its stages' progress. The store says when
 * the run is done; the queue is looked at every few seconds, and a run whose flow has vanished
 * (Redis restarted without persistence, or flushed) is queued again: its stages are idempotent
 * and the ones that finished return their stored result.
 *
 * Resolves with the summary when the run succeeded or failed its quality gates (`status: 'failed'`).
 *
 * @throws CrmEtlError with the run's error when it failed otherwise.
 */
export async function waitForRun(
  client: QueueClient,
  store: Store,
  config: Config,
  run: { runId: string; rootJobId: string; payload: RunStagePayload },
  onChange: (w: RunWatch) => void = () => undefined,
  opts: { pollMs?: number; queueCheckMs?: number } = {},
): Promise<RunSummary> {
  const pollMs = opts.pollMs ?? 500;
  const queueCheckMs = opts.queueCheckMs ?? 3000;
  let rootJobId = run.rootJobId;
  let checking = false;
  let lastCheck = Date.now();
  let requeueError: unknown;
  const checkQueue = async (): Promise<void> => {
    const state = await client.queue.getJobState(rootJobId);
    if (state === 'unknown') {
      const row = (await store.knex('runs').where({ id: run.runId }).first('status')) as { status: string } | undefined;
      if (row?.status === 'succeeded' || row?.status === 'failed') return;
      rootJobId = await addRunFlow(client, config, run.payload, generationId());
      onChange({ stages: await readStages(store, run.runId), requeued: `the queue lost run ${run.runId}'s jobs (Redis restarted without persistence?); queued them again` });
    } else if (state === 'failed') {
      const job = await client.queue.getJob(rootJobId);
      const row = (await store.knex('runs').where({ id: run.runId }).first('status')) as { status: string } | undefined;
      if (row?.status !== 'failed') await recordRunFailure(store, run.runId, new Error(job?.failedReason ?? 'a job of the run failed'));
    }
  };
  for (;;) {
    const row = (await store.knex('runs').where({ id: run.runId }).first('status', 'summary')) as { status: string; summary: string | null } | undefined;
    if (!row) throw new CrmEtlError('NOT_FOUND', `run ${run.runId} is not in the store`);
    if (row.status === 'succeeded') {
      // The last word on progress: every stage done, even those that finished between two polls.
      onChange({ stages: await readStages(store, run.runId) });
      return JSON.parse(row.summary ?? '{}') as RunSummary;
    }
    if (row.status === 'failed') {
      const ended = JSON.parse(row.summary ?? '{}') as Partial<RunSummary>;
      // Failed by its quality gates: a whole summary, for the caller to show with the gates.
      if (ended.runId && ended.quality) {
        onChange({ stages: await readStages(store, run.runId) });
        return ended as RunSummary;
      }
      const err = (JSON.parse(row.summary ?? '{}') as { error?: string }).error ?? 'unknown error';
      throw new CrmEtlError('INPUT_INVALID', `run ${run.runId} failed: ${err}\n  (crm-etl jobs failed lists the failed jobs; crm-etl jobs retry ID runs one again)`);
    }
    if (requeueError) throw requeueError;
    onChange({ stages: await readStages(store, run.runId) });
    if (!checking && Date.now() - lastCheck >= queueCheckMs) {
      checking = true;
      // Not awaited: while Redis is down the check waits for it, and the store still tells progress.
      checkQueue()
        .catch((err: unknown) => {
          if (err instanceof CrmEtlError) requeueError = err;
        })
        .finally(() => {
          checking = false;
          lastCheck = Date.now();
        });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The request a queued run was started with (see enqueueRun), from the store. */
export async function queuedRunRequest(store: Store, runId: string): Promise<RunStagePayload | undefined> {
  const row = (await store.knex('runs').where({ id: runId }).first('summary')) as { summary: string | null } | undefined;
  if (!row) return undefined;
  const parsed = runStagePayload.safeParse((JSON.parse(row.summary ?? '{}') as { request?: unknown }).request);
  return parsed.success ? parsed.data : undefined;
}
