import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { type QueueClient, enqueueRun, openQueue } from '../jobs/run-flow.js';
import { listFailedJobs, retryJob } from '../jobs/triggers.js';
import type { Store } from '../store/store.js';
import type { QueueAccess } from './app.js';

/** Job states whose counts /metrics reports. */
const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/**
 * The API's view of the configuration's BullMQ queue (src/jobs): depths, failed jobs, retry,
 * queued runs and Bull Board. Close it after the server.
 */
export function createQueueAccess(config: Config, store: Store): QueueAccess & { client: QueueClient; close(): Promise<void> } {
  const client = openQueue(config);
  return {
    client,
    queues: [client.queue],
    async depths() {
      const counts = await client.queue.getJobCounts(...STATES);
      return STATES.map((state) => ({ queue: client.queue.name, state, count: counts[state] ?? 0 }));
    },
    async failed(limit) {
      return (await listFailedJobs(client, limit)).map((j) => ({
        queue: client.queue.name,
        id: j.id,
        name: j.name,
        failedReason: j.reason,
        attemptsMade: j.attempts,
        finishedOn: j.failedAt?.toISOString() ?? null,
      }));
    },
    async retry(id) {
      const job = await client.queue.getJob(id);
      if (!job || (await job.getState()) !== 'failed') return false;
      await retryJob(client, config, id, (request) =>
        store.knex('runs').where({ id: request.runId }).update({ status: 'queued', finished_at: null, summary: JSON.stringify({ request }) }).then(() => undefined),
      );
      return true;
    },
    async enqueue(opts) {
      return (await enqueueRun(client, { config, store, log: opts.log, full: Boolean(opts.full), ...(opts.since ? { since: opts.since } : {}), ...(opts.sources?.length ? { sources: [...opts.sources] } : {}), ...(opts.actor ? { actor: opts.actor } : {}) })).runId;
    },
    async mountBoard(app: FastifyInstance, basePath: string) {
      const adapter = new FastifyAdapter();
      adapter.setBasePath(basePath);
      // @bull-board/fastify ships its own copy of @bull-board/api's types (another patch version):
      // the adapter is the same shape, the declarations differ only in private members.
      createBullBoard({ queues: [new BullMQAdapter(client.queue)], serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
      await app.register(adapter.registerPlugin(), { prefix: basePath });
    },
    close: () => client.close(),
  };
}
