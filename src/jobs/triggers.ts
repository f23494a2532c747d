import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import { type QueueClient, addRunFlow } from './run-flow.js';
import { checkSourceNames } from './schedules.js';
import { checkReadFromTime } from '../connectors/registry.js';
import { type RunStagePayload, runStagePayload } from './payloads.js';
import { DEFAULT_JOB_OPTIONS } from './retry.js';

/** A queued request: its job, and whether an identical one was already pending (then nothing was added). */
export interface Trigger {
  jobId: string;
  duplicate: boolean;
}

async function addDeduplicated(client: QueueClient, name: string, data: Record<string, unknown>, dedupId: string): Promise<Trigger> {
  const pending = await client.queue.getDeduplicationJobId(dedupId);
  // BullMQ keeps the deduplication id while the job waits or runs and drops it when the job ends:
  // an identical request meanwhile returns the pending job instead of adding one.
  const job = await client.queue.add(name, data, { ...DEFAULT_JOB_OPTIONS, deduplication: { id: dedupId } });
  return { jobId: job.id!, duplicate: pending != null && pending === job.id };
}

/**
 * `crm-etl resync --source NAME [--full | --since TIME]`: re-reads one source (from its cursor,
 * in full, or the records changed since a time) and rebuilds the master.
 */
export async function resyncSource(client: QueueClient, config: Config, source: string, read: { full?: boolean; since?: Date }, actor?: string): Promise<Trigger> {
  checkSourceNames(config, [source]);
  checkReadFromTime(config.sources.filter((s) => s.name === source), read);
  const full = Boolean(read.full);
  const since = read.since?.toISOString();
  const mode = since ? `since.${since}` : full ? 'full' : 'changes';
  return addDeduplicated(client, 'resync-source', { source, full, ...(since ? { since } : {}), ...(actor ? { actor } : {}) }, `resync-source.${source}.${mode}`);
}

/** `crm-etl resync --customer ID`: re-reads the customer's sources and rebuilds its golden record. */
export function resyncCustomer(client: QueueClient, customerId: string, actor?: string): Promise<Trigger> {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(customerId)) throw new CrmEtlError('INPUT_INVALID', `"${customerId}" is not a customer id (as in export customers)`);
  return addDeduplicated(client, 'resync-customer', { customerId, ...(actor ? { actor } : {}) }, `resync-customer.${customerId}`);
}

/** A failed job as `jobs failed` lists it: references and the error, never data. */
export interface FailedJob {
  id: string;
  name: string;
  ref: string;
  attempts: number;
  failedAt: Date | null;
  reason: string;
}

/** The failed jobs, newest first (BullMQ keeps them until retried or removed). */
export async function listFailedJobs(client: QueueClient, limit = 50): Promise<FailedJob[]> {
  const jobs = await client.queue.getFailed(0, limit - 1);
  return jobs
    .filter((j) => j)
    .map((j) => {
      const d = j.data as Record<string, unknown>;
      const ref = [d.runId && `run ${String(d.runId)}`, d.source && `source ${String(d.source)}`, d.customerId && `customer ${String(d.customerId)}`, d.schedule && `schedule ${String(d.schedule)}`]
        .filter(Boolean)
        .join(', ');
      return { id: j.id!, name: j.name, ref, attempts: j.attemptsMade, failedAt: j.finishedOn ? new Date(j.finishedOn) : null, reason: (j.failedReason ?? '').split('\n')[0]! };
    })
    .sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
}

/**
 * Runs a failed job again. A stage of a run queues the run again (a new flow: its stages that
 * succeeded return their stored result, the rest run) and drops the run's failed jobs; any
 * other job is retried as it is.
 *
 * @returns the run id when a run was queued again.
 */
export async function retryJob(client: QueueClient, config: Config, id: string, markQueued: (request: RunStagePayload) => Promise<void>): Promise<{ runId?: string; rootJobId: string }> {
  const job = await client.queue.getJob(id);
  if (!job) throw new CrmEtlError('NOT_FOUND', `no job ${id}; crm-etl jobs failed lists the failed ones`);
  const state = await job.getState();
  if (state !== 'failed') throw new CrmEtlError('INPUT_INVALID', `job ${id} is ${state}, not failed: nothing to retry`);
  const stage = runStagePayload.safeParse(job.data);
  if (!stage.success) {
    await job.retry('failed');
    return { rootJobId: id };
  }
  const { runId, today, sources, full, since, actor } = stage.data;
  const payload = { runId, today, sources, full, ...(since ? { since } : {}), ...(actor ? { actor } : {}) };
  await markQueued(payload);
  const rootJobId = await addRunFlow(client, config, payload, Date.now().toString(36));
  for (const f of await client.queue.getFailed(0, -1)) {
    if (f && (f.data as { runId?: string }).runId === payload.runId) await f.remove().catch(() => undefined);
  }
  return { runId: payload.runId, rootJobId };
}
