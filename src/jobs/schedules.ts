import type { Job } from 'bullmq';
import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import type { QueueClient } from './run-flow.js';
import type { ScheduledRunPayload } from './payloads.js';
import { DEFAULT_JOB_OPTIONS } from './retry.js';

const NAME = /^[a-z0-9_-]{1,64}$/;

/** Checks that every named source is configured; an empty list means all. */
export function checkSourceNames(config: Config, sources: readonly string[]): void {
  for (const s of sources) {
    if (!config.sources.some((c) => c.name === s)) {
      throw new CrmEtlError('CONFIG_INVALID', `unknown source "${s}"; the configuration has: ${config.sources.map((c) => c.name).join(', ')}`);
    }
  }
}

/**
 * Adds or replaces a schedule: a BullMQ job scheduler that queues a `scheduled-run` job at each
 * time the cron pattern gives, in `tz` (default: UTC). The run reads the given sources (all
 * when none) from their cursors, or in full.
 */
export async function addSchedule(client: QueueClient, config: Config, s: { name: string; cron: string; tz?: string; sources: string[]; full: boolean }): Promise<{ next: Date | null }> {
  if (!NAME.test(s.name)) throw new CrmEtlError('CONFIG_INVALID', `schedule name "${s.name}": use up to 64 of a-z, 0-9, _ and -`);
  checkSourceNames(config, s.sources);
  if (s.tz) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: s.tz });
    } catch {
      throw new CrmEtlError('CONFIG_INVALID', `--tz "${s.tz}" is not a time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin`);
    }
  }
  const data: ScheduledRunPayload = { schedule: s.name, sources: s.sources, full: s.full };
  let job: Job;
  try {
    job = await client.queue.upsertJobScheduler(s.name, { pattern: s.cron, ...(s.tz ? { tz: s.tz } : { tz: 'UTC' }) }, { name: 'scheduled-run', data, opts: DEFAULT_JOB_OPTIONS });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new CrmEtlError('CONFIG_INVALID', `--cron "${s.cron}": ${msg}; write five fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 every day`, { cause: err });
  }
  return { next: job?.delay !== undefined ? new Date(job.timestamp + job.delay) : null };
}

/** A schedule as `schedule list` shows it. */
export interface ScheduleInfo {
  name: string;
  cron: string | null;
  tz: string | null;
  sources: string[];
  full: boolean;
  next: Date | null;
  last: { at: Date; status: 'succeeded' | 'failed'; result: string } | null;
}

/** The schedules with their next time and their last run's outcome (from the jobs kept). */
export async function listSchedules(client: QueueClient): Promise<ScheduleInfo[]> {
  const schedulers = await client.queue.getJobSchedulers(0, -1, true);
  const finished = (await client.queue.getJobs(['completed', 'failed'], 0, 999)).filter((j) => j?.name === 'scheduled-run');
  return schedulers.map((s) => {
    const data = (s.template?.data ?? {}) as Partial<ScheduledRunPayload>;
    const name = s.id ?? s.key;
    const mine = finished.filter((j) => (j.data as Partial<ScheduledRunPayload>).schedule === name && j.finishedOn);
    mine.sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0));
    const lastJob = mine[0];
    let last: ScheduleInfo['last'] = null;
    if (lastJob) {
      const r = lastJob.returnvalue as Record<string, unknown> | null;
      // A run that failed its quality gates completes its job with status 'failed'.
      const failed = (Boolean(lastJob.failedReason) && !r) || r?.status === 'failed';
      last = {
        at: new Date(lastJob.finishedOn!),
        status: failed ? 'failed' : 'succeeded',
        result: failed && !r ? (lastJob.failedReason ?? '').split('\n')[0]! : `run ${String(r?.runId)}: ${String(r?.read)} read, ${String(r?.customers)} customers, quality ${String(r?.quality)}`,
      };
    }
    return { name, cron: s.pattern ?? null, tz: s.tz ?? null, sources: data.sources ?? [], full: data.full ?? false, next: s.next ? new Date(s.next) : null, last };
  });
}

/** Removes a schedule; its past runs stay. @throws CrmEtlError `NOT_FOUND` for an unknown name. */
export async function removeSchedule(client: QueueClient, name: string): Promise<void> {
  if (!(await client.queue.removeJobScheduler(name))) throw new CrmEtlError('NOT_FOUND', `no schedule "${name}"; crm-etl schedule list shows them`);
}
