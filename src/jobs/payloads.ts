import { z } from 'zod';

/**
 * What a job carries: references (a run id, a source name, a customer id) and switches, never
 * customer data. The stages read and write the shared store; Redis only says what to do next.
 */
const runId = z.string().regex(/^\d{8}T\d{6}Z-[a-z0-9]+$/, 'a run id such as 20260101T020000Z-abc123');
const sourceName = z.string().regex(/^[a-z0-9_-]+$/, 'a source name');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an ISO 8601 UTC time');
/** Who asked (`api:<token> (<id>)`, `cli:<user>`, `--actor`): the master's audit log names them. */
const actor = z.string().min(1).max(128).optional();

/** The run a stage job belongs to, and how the run was asked for. */
export const runStagePayload = z.object({
  runId,
  /** The run's date: "today" for the transforms, the same on every worker. */
  today: isoDate,
  /** The sources the run reads (all configured sources when empty). */
  sources: z.array(sourceName),
  full: z.boolean(),
  /** Read the records changed since this instant (ISO 8601), see RunContext.since. */
  since: isoInstant.optional(),
  actor,
});
export type RunStagePayload = z.infer<typeof runStagePayload>;

export const extractPayload = runStagePayload.extend({ source: sourceName });
export type ExtractPayload = z.infer<typeof extractPayload>;

/** A run started by a job scheduler (`crm-etl schedule add`). */
export const scheduledRunPayload = z.object({
  schedule: z.string().min(1),
  sources: z.array(sourceName),
  full: z.boolean(),
});
export type ScheduledRunPayload = z.infer<typeof scheduledRunPayload>;

/** `crm-etl resync --source NAME [--full | --since TIME]`. */
export const resyncSourcePayload = z.object({ source: sourceName, full: z.boolean(), since: isoInstant.optional(), actor });
export type ResyncSourcePayload = z.infer<typeof resyncSourcePayload>;

/** `crm-etl resync --customer ID`. */
export const resyncCustomerPayload = z.object({ customerId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a customer id'), actor });
export type ResyncCustomerPayload = z.infer<typeof resyncCustomerPayload>;

/** Every job name with its payload schema: the worker's catalog. */
export const JOB_PAYLOADS = {
  extract: extractPayload,
  match: runStagePayload,
  load: runStagePayload,
  finish: runStagePayload,
  'scheduled-run': scheduledRunPayload,
  'resync-source': resyncSourcePayload,
  'resync-customer': resyncCustomerPayload,
} as const;

export type JobName = keyof typeof JOB_PAYLOADS;
export const JOB_NAMES = Object.keys(JOB_PAYLOADS) as JobName[];
