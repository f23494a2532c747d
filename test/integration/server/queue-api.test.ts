import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { readAudit } from '../../../src/security/audit.js';
import { createToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import { createQueueAccess } from '../../../src/server/queue-access.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { isolatedQueueUrl } from '../../support/queue.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const DEMO = path.resolve(import.meta.dirname, '../../../config/demo.yaml');
const log = createLogger('silent');
// The queue runner needs a database server; one is enough for the API's queue endpoints.
const dialect = TEST_DIALECTS.find((d) => d !== 'pglite');

describe.skipIf(!dialect)('HTTP API with a queue (Redis and a database server)', () => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  let app: FastifyInstance;
  let queue: ReturnType<typeof createQueueAccess>;
  const tok: Record<string, string> = {};

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect!, 'server-queue');
    config = await loadConfig(DEMO, { DATABASE_URL: iso.url, REDIS_URL: isolatedQueueUrl() });
    store = await openStore(config.store);
    await store.migrate();
    for (const role of ['admin', 'ops'] as const) tok[role] = (await createToken(store.knex, { role, name: role, actor: 'test' })).token;
    queue = createQueueAccess(config, store);
    ({ app } = await buildServer({ config, store, log, queue }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await queue?.client.queue.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await store?.close();
    await iso?.cleanup();
  });

  it('queues a re-sync for the workers, counts it in /metrics, and lists failed jobs for admins only', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', headers: { authorization: `Bearer ${tok.admin}` }, payload: { full: true } });
    expect(r.statusCode).toBe(202);
    const { runId } = r.json() as { runId: string };
    const queued = (await store.knex('runs').where({ id: runId }).first('status', 'summary')) as { status: string; summary: string };
    expect(queued.status).toBe('queued');
    // The workers name the caller in the master's audit log: the request carries it.
    expect((JSON.parse(queued.summary) as { request: { actor: string } }).request.actor).toMatch(/^api:admin \(tok_\w+\)$/);
    expect((await readAudit(store.knex, { target: `run:${runId}` }))[0]).toMatchObject({ action: 'run.trigger', after: { queued: true } });
    const m = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${tok.ops}` } });
    expect(m.body).toMatch(/^crm_etl_queue_jobs\{queue="crm-etl",state="(waiting|waiting-children)"\} [1-9]\d*$/m);
    expect((await app.inject({ url: '/api/jobs/failed', headers: { authorization: `Bearer ${tok.ops}` } })).statusCode).toBe(403);
    const failed = await app.inject({ url: '/api/jobs/failed', headers: { authorization: `Bearer ${tok.admin}` } });
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toEqual([]);
    expect((await app.inject({ method: 'POST', url: '/api/jobs/nope/retry', headers: { authorization: `Bearer ${tok.admin}` } })).statusCode).toBe(404);
  });

  it('mounts Bull Board at /admin/queues for admins only', async () => {
    expect((await app.inject({ url: '/admin/queues' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${tok.ops}` } })).statusCode).toBe(403);
    const ok = await app.inject({ url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${tok.admin}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('crm-etl');
    // Its buttons write to the queue: audited.
    for (const action of ['pause', 'resume']) {
      const r = await app.inject({ method: 'PUT', url: `/admin/queues/api/queues/crm-etl/${action}`, headers: { authorization: `Bearer ${tok.admin}` } });
      expect(r.statusCode, r.body).toBeLessThan(300);
    }
    const audit = (await readAudit(store.knex)).filter((e) => e.action === 'queue.board');
    expect(audit.map((e) => e.target)).toEqual(['/admin/queues/api/queues/crm-etl/resume', '/admin/queues/api/queues/crm-etl/pause']);
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^api:admin \(tok_/), after: { method: 'PUT' } });
  });
});
