import { UnrecoverableError, type JobsOptions } from 'bullmq';
import { CrmEtlError } from '../core/errors.js';

/**
 * How a job retries a transient failure (a database or network error): up to 6 attempts,
 * 2 s, 4 s, 8 s, … apart, each delay up to half shorter at random (jitter) so that workers that
 * failed together do not come back together. Failed jobs are kept, with their error, for
 * `crm-etl jobs failed`; completed ones for a week (at most 1,000) for `schedule list`.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: false,
} as const satisfies JobsOptions;

/** Node's codes for a network that failed on the way, not for a request that was wrong. */
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Whether retrying may help: a `CrmEtlError` says so itself (its code decides, see
 * `isRetryable`); a bare network error may; anything else unknown is retried too, within the
 * attempts, since a bug fails every attempt anyway and a hiccup passes.
 */
export function shouldRetry(err: unknown): boolean {
  if (err instanceof UnrecoverableError) return false;
  if (err instanceof CrmEtlError) return err.retryable;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) return true;
  return true;
}

/** The error a job throws: bad configuration or data becomes BullMQ's `UnrecoverableError` (no retry). */
export function toJobError(err: unknown): Error {
  if (shouldRetry(err)) return err instanceof Error ? err : new Error(String(err));
  if (err instanceof UnrecoverableError) return err;
  return new UnrecoverableError(err instanceof Error ? err.message : String(err));
}
