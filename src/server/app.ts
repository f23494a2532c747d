import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { checkSources } from '../cli/sources-check.js';
import { LiveConfig, RUNTIME_SETTINGS, configPatchSchema, maskConfigSecrets } from '../config/live-config.js';
import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import { maskValue } from '../core/mask.js';
import { writeAudit } from '../security/audit.js';
import { listAuditTrail, parseSince } from '../security/audit-trail.js';
import { checkReadFromTime } from '../connectors/registry.js';
import { readMode } from '../pipeline/context.js';
import { decideReviewAudited, mergeCustomersAudited, unmergeRecordAudited } from '../security/audited-steward.js';
import { changeConfigAudited } from '../security/config-change.js';
import type { Store } from '../store/store.js';
import { actorOf, authHook, masked } from './auth.js';
import { createMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { getCustomer, getRun, listPairs, listRejects, listRuns, qualityScores, qualityTrend, searchCustomers } from './queries.js';
import { RunTracker } from './run-tracker.js';

/** A failed job as the API shows it: no payload (it may hold record keys), only what to act on. */
export interface FailedJob {
  queue: string;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  finishedOn: string | null;
}

/**
 * What the API needs from a configured queue (BullMQ): its queues for Bull Board and the depth
 * metrics, failed jobs, and retrying one. Absent without a queue: those endpoints answer 404.
 */
export interface QueueAccess {
  /** BullMQ `Queue` objects, for Bull Board. */
  queues: unknown[];
  depths(): Promise<{ queue: string; state: string; count: number }[]>;
  failed(limit: number): Promise<FailedJob[]>;
  /** Retries a failed job; false when no failed job has that id. */
  retry(id: string): Promise<boolean>;
  /** Queues a run for the workers; returns its id. `actor` names the caller in the master's audit log. */
  enqueue(opts: { sources?: readonly string[]; full?: boolean; since?: Date; actor?: string; log: Logger }): Promise<string>;
  /** Mounts Bull Board under `basePath` on `app` (admin only: the auth hook guards the prefix). */
  mountBoard?(app: FastifyInstance, basePath: string): Promise<void>;
}

/** Options of {@link buildServer}. */
export interface ServerOptions {
  /** The configuration (when `live` is not given: fixed, and GET/PATCH /api/config answer 404). */
  config: Config;
  /**
   * The configuration file the server was started with, changeable within its runtime settings
   * (PATCH /api/config); every route reads `live.current` afresh. Default: `config`, fixed.
   */
  live?: LiveConfig;
  /** The store, opened with the configuration's cipher (see openConfiguredStore). */
  store: Store;
  log: Logger;
  /** The configured queue, or null for the inline runner (default). */
  queue?: QueueAccess | null;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The dashboard's files: next to this module under src/, or in the package's src/ when run from dist/. */
const STATIC_DIR = [path.join(here, 'static'), path.join(here, '../../src/server/static')].find((d) => existsSync(path.join(d, 'index.html')));
const STATIC_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** The dashboard may load only its own files and talk only to this server. */
const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const runBody = z.object({ sources: z.array(z.string().max(64)).max(100).optional(), full: z.boolean().optional(), since: z.string().max(40).optional() }).strict();
const checkBody = z.object({ sources: z.array(z.string().max(64)).max(100).optional() }).strict();
const mergeBody = z.object({ a: z.string().min(1).max(64), b: z.string().min(1).max(64) }).strict();
const unmergeBody = z.object({ source: z.string().min(1).max(64), key: z.string().min(1).max(512) }).strict();
const limitOf = (v: unknown, def: number, max: number): number => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : def;
};
const str = (v: unknown, max = 200): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined);

/**
 * The HTTP API (under /api, described by /api/openapi.json), the dashboard (/), Prometheus
 * metrics (/metrics) and, with a queue, Bull Board (/admin/queues). Every /api route but health
 * and the OpenAPI document needs a bearer token; writes need ops or admin and are audited.
 * Request bodies above `security.body_limit` (default 1 MiB) are refused with 413.
 */
export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; runs: RunTracker; routes: { method: string; url: string }[] }> {
  const { store } = opts;
  const live = opts.live ?? new LiveConfig(null, opts.config, null, {});
  const knex = store.knex;
  const queue = opts.queue ?? null;
  const app = Fastify({
    bodyLimit: live.current.security.body_limit,
    // Request logs carry method, URL and status; the URL's query string may hold a searched
    // e-mail, so only the path is logged (see the serializer).
    logger: false,
    routerOptions: { maxParamLength: 200 },
  });
  const metrics = createMetrics(knex, queue ? () => queue.depths() : null);
  const runs = new RunTracker({
    // A getter: each run starts with the settings in effect at that moment.
    get config() {
      return live.current;
    },
    store,
    log: opts.log,
    onFinished: (summary, _p, seconds) => metrics.observeRun(summary ? 'succeeded' : 'failed', seconds),
  });

  // Every route, so that a test can hold the OpenAPI document to it.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.addHook('onRequest', authHook(knex));
  app.addHook('onResponse', async (req, reply) => {
    opts.log.info({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, actor: req.principal?.tokenId }, 'request');
  });
  app.setErrorHandler(async (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (err instanceof CrmEtlError) {
      const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'INPUT_INVALID' || err.code === 'CONFIG_INVALID' ? 400 : 500;
      if (status === 500) opts.log.error({ code: err.code, path: req.url.split('?')[0] }, err.message);
      return reply.code(status).send({ error: err.code, message: status === 500 && err.code.startsWith('STORE') ? 'the store failed; see the server log' : err.message });
    }
    if (err instanceof z.ZodError) {
      return reply.code(400).send({ error: 'invalid_request', message: err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      // fastify's own refusals: 413 body too large, 415 media type, 400 bad JSON…
      return reply.code(e.statusCode).send({ error: e.code ?? 'bad_request', message: e.message ?? 'bad request' });
    }
    opts.log.error({ path: req.url.split('?')[0], err: e.message }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error; see the server log' });
  });

  // --- public -----------------------------------------------------------------------------
  app.get('/api/health', async () => ({ ok: true }));
  app.get('/api/openapi.json', async () => openApiDocument({ queue: Boolean(queue) }));
  for (const [file, type] of Object.entries(STATIC_FILES)) {
    const route = file === 'index.html' ? '/' : `/${file}`;
    app.get(route, async (_req, reply) => {
      if (!STATIC_DIR) return reply.code(404).send({ error: 'NOT_FOUND', message: 'dashboard files are missing from this installation' });
      return reply
        .header('content-type', type)
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(readFileSync(path.join(STATIC_DIR, file)));
    });
  }

  // --- viewer -----------------------------------------------------------------------------
  const viewer = { config: { role: 'viewer' as const } };
  const ops = { config: { role: 'ops' as const } };
  const admin = { config: { role: 'admin' as const } };

  app.get('/metrics', viewer, async (_req, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get('/api/me', viewer, async (req) => ({ name: req.principal!.name, role: req.principal!.role, tokenId: req.principal!.tokenId, queue: Boolean(queue) }));
  app.get('/api/runs', viewer, async (req) => {
    const q = req.query as Record<string, unknown>;
    return { running: runs.running, runs: await listRuns(knex, limitOf(q.limit, 50, 500)) };
  });
  app.get('/api/runs/:id', viewer, async (req) => {
    const id = (req.params as { id: string }).id;
    const progress = runs.progressOf(id) ?? null;
    try {
      return { ...(await getRun(knex, id)), progress };
    } catch (err) {
      // A run this process just started may not have its row yet (sources are checked first).
      if (progress && err instanceof CrmEtlError && err.code === 'NOT_FOUND') return { id, status: progress.stage === 'failed' ? 'failed' : 'running', progress, summary: null };
      throw err;
    }
  });
  app.get('/api/sources', viewer, async () => {
    const cursors = (await knex('source_cursors').select('source', 'run_id')) as { source: string; run_id: string }[];
    return live.current.sources.map((s) => ({ name: s.name, kind: s.kind, unique: s.unique, lastRun: cursors.find((c) => c.source === s.name)?.run_id ?? null }));
  });
  app.get('/api/quality', viewer, async (req) => qualityScores(knex, str((req.query as Record<string, unknown>).run, 40)));
  app.get('/api/quality/trend', viewer, async (req) => {
    const q = req.query as Record<string, unknown>;
    return qualityTrend(knex, { source: str(q.source, 64) ?? '*', field: str(q.field, 64) ?? '*', dimension: str(q.dimension, 32) ?? 'score', limit: limitOf(q.limit, 30, 500) });
  });
  app.get('/api/customers', viewer, async (req) => {
    const q = req.query as Record<string, unknown>;
    return searchCustomers({ knex, config: live.current, cipher: store.cipher }, { name: str(q.q), email: str(q.email), phone: str(q.phone, 64), country: str(q.country, 2), limit: limitOf(q.limit, 20, 200) }, masked(req));
  });
  app.get('/api/customers/:id', viewer, async (req) => getCustomer(knex, live.current, (req.params as { id: string }).id, masked(req)));
  app.get('/api/pairs', viewer, async (req) => {
    const q = req.query as Record<string, unknown>;
    const decision = q.decision === 'link' || q.decision === 'review' ? q.decision : undefined;
    return listPairs(knex, { ...(decision ? { decision } : {}), runId: str(q.run, 40), limit: limitOf(q.limit, 100, 1000), mask: masked(req) });
  });
  app.get('/api/rejects', viewer, async (req) => {
    const q = req.query as Record<string, unknown>;
    const after = Number(q.after);
    return listRejects(
      knex,
      { runId: str(q.run, 40), source: str(q.source, 64), field: str(q.field, 64), code: str(q.code, 64), after: Number.isSafeInteger(after) && after > 0 ? after : undefined, limit: limitOf(q.limit, 100, 1000) },
      masked(req),
    );
  });

  // --- ops ----------------------------------------------------------------------------------
  app.get('/api/review', ops, async (req) => listPairs(knex, { decision: 'review', pending: true, limit: limitOf((req.query as Record<string, unknown>).limit, 100, 1000), mask: false }));
  for (const decision of ['accept', 'reject'] as const) {
    app.post(`/api/review/:id/${decision}`, ops, async (req) => {
      const id = Number((req.params as { id: string }).id);
      if (!Number.isSafeInteger(id) || id <= 0) throw new CrmEtlError('INPUT_INVALID', 'a review pair id is a positive integer');
      // The decision becomes a master constraint (must-link or cannot-link) that every later run
      // respects, and both records' customers are rebuilt now, as `crm-etl review` does.
      const r = await decideReviewAudited({ store, config: live.current, actor: actorOf(req) }, id, decision);
      return { id, decision, a: r.a, b: r.b, customerId: r.customerId };
    });
  }
  app.post('/api/sources/check', ops, async (req) => {
    const body = checkBody.parse(req.body ?? {});
    const { checks } = await checkSources(live.current, body.sources ?? [], new Date().toISOString().slice(0, 10));
    return checks;
  });

  // --- admin --------------------------------------------------------------------------------
  // Steward operations: stored as constraints every later run respects (src/master/steward.ts),
  // which also writes the master's own audit trail of the customers changed.
  app.post('/api/customers/merge', admin, async (req) => {
    const body = mergeBody.parse(req.body ?? {});
    const r = await mergeCustomersAudited({ store, config: live.current, actor: actorOf(req) }, body.a, body.b);
    return { customerId: r.customerId };
  });
  app.post('/api/records/unmerge', admin, async (req) => {
    const body = unmergeBody.parse(req.body ?? {});
    const r = await unmergeRecordAudited({ store, config: live.current, actor: actorOf(req) }, { source: body.source, key: body.key });
    // customerId: the customer the record left (it keeps its id); detachedTo: where the record is now.
    return { customerId: r.customerId, detachedTo: r.detachedTo ?? null };
  });
  app.post('/api/runs', admin, async (req, reply) => {
    const body = runBody.parse(req.body ?? {});
    const actor = actorOf(req);
    for (const s of body.sources ?? []) {
      if (!live.current.sources.some((c) => c.name === s)) throw new CrmEtlError('INPUT_INVALID', `unknown source "${maskValue(s).slice(0, 64)}"; GET /api/sources lists them`);
    }
    // A read from a time is checked here, so that a source that cannot do it is a 400, not a failed run.
    const since = body.since !== undefined ? parseSince(body.since) : undefined;
    checkReadFromTime(live.current.sources.filter((c) => !body.sources?.length || body.sources.includes(c.name)), { full: body.full, since });
    const request = { ...(body.sources ? { sources: body.sources } : {}), full: Boolean(body.full), ...(since ? { since } : {}), actor };
    const read = readMode(body.full, since);
    if (queue) {
      // With a queue the workers run it (the store is a server then, shared with them).
      const queued = await queue.enqueue({ ...request, log: opts.log });
      await writeAudit(knex, { actor, action: 'run.trigger', target: `run:${queued}`, before: null, after: { sources: body.sources ?? 'all', ...read, queued: true } });
      return reply.code(202).send({ runId: queued, progress: null });
    }
    const runId = runs.start(request);
    if (!runId) return reply.code(409).send({ error: 'run_in_progress', message: `run ${runs.running!.runId} is in progress; wait for it to finish`, running: runs.running });
    await writeAudit(knex, { actor, action: 'run.trigger', target: `run:${runId}`, before: null, after: { sources: body.sources ?? 'all', ...read } });
    return reply.code(202).send({ runId, progress: runs.progressOf(runId) });
  });
  app.get('/api/audit', admin, async (req) => {
    const q = req.query as Record<string, unknown>;
    const since = str(q.since, 40);
    const until = str(q.until, 40);
    const target = str(q.customer, 64) ?? str(q.target, 255);
    // Admins see personal data in clear elsewhere too; the trail's sensitive values are stored encrypted.
    return listAuditTrail(store, {
      ...(since ? { since: parseSince(since) } : {}),
      ...(until ? { until: parseSince(until) } : {}),
      ...(str(q.actor, 128) ? { actor: str(q.actor, 128)! } : {}),
      ...(target ? { target } : {}),
      ...(str(q.action, 64) ? { action: str(q.action, 64)! } : {}),
      limit: limitOf(q.limit, 100, 1000),
    });
  });
  app.get('/api/config', admin, async (_req, reply) => {
    const version = await live.version();
    if (version) reply.header('etag', `"${version}"`);
    return { file: live.file, version, changeable: RUNTIME_SETTINGS, config: maskConfigSecrets(live.current) };
  });
  app.patch('/api/config', admin, async (req, reply) => {
    const patch = configPatchSchema.parse(req.body ?? {});
    const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'].replace(/^W\//, '').replace(/"/g, '').trim() : undefined;
    try {
      const r = await changeConfigAudited(live, store, { actor: actorOf(req), patch, ...(ifMatch ? { ifMatch } : {}) });
      reply.header('etag', `"${r.version}"`);
      return { file: live.file, ...r, config: maskConfigSecrets(live.current) };
    } catch (err) {
      if (err instanceof CrmEtlError && err.code === 'CONFLICT') return reply.code(412).send({ error: 'CONFLICT', message: err.message });
      throw err;
    }
  });
  const noQueue = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: 'no queue is configured: jobs exist only with the BullMQ runner (set queue: redis://… in the configuration)' });
  if (queue) {
    app.get('/api/jobs/failed', admin, async (req) => queue.failed(limitOf((req.query as Record<string, unknown>).limit, 100, 1000)));
    app.post('/api/jobs/:id/retry', admin, async (req, reply) => {
      const id = (req.params as { id: string }).id;
      if (!(await queue.retry(id))) return reply.code(404).send({ error: 'NOT_FOUND', message: `no failed job ${id}` });
      await writeAudit(knex, { actor: actorOf(req), action: 'job.retry', target: `job:${id}`, before: { state: 'failed' }, after: { state: 'waiting' } });
      return { id, retried: true };
    });
    if (queue.mountBoard) {
      const adminOnly = authHook(knex, 'admin');
      app.addHook('onRequest', async (req, reply) => {
        // Bull Board's own routes carry no role: the whole prefix is guarded here.
        if (req.url === '/admin/queues' || req.url.startsWith('/admin/queues/')) await adminOnly(req, reply);
      });
      // Bull Board's buttons (retry, promote, clean, remove, pause…) write to the queue: audited
      // like the API's writes, with the board's path (queue name, job id) as what was done.
      // (onSend: written before the answer leaves, so a caller that reads the trail next finds it.)
      app.addHook('onSend', async (req, reply, payload) => {
        if (req.method === 'GET' || req.method === 'HEAD' || !req.url.startsWith('/admin/queues/') || !req.principal || reply.statusCode >= 400) return payload;
        const path = req.url.split('?')[0]!;
        await writeAudit(knex, { actor: actorOf(req), action: 'queue.board', target: path.slice(0, 255), before: null, after: { method: req.method, status: reply.statusCode } }).catch((err: unknown) =>
          opts.log.error({ path, err: err instanceof Error ? err.message : String(err) }, 'audit of a Bull Board action failed'),
        );
        return payload;
      });
      await queue.mountBoard(app, '/admin/queues');
    }
  } else {
    app.get('/api/jobs/failed', admin, noQueue);
    app.post('/api/jobs/:id/retry', admin, noQueue);
  }
  return { app, runs, routes };
}
