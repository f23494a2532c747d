import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { readAudit } from '../../../src/security/audit.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { createToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import type { RunTracker } from '../../../src/server/run-tracker.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { demoConfigWithReview } from './review-config.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const log = createLogger('silent');

describe.each(TEST_DIALECTS)('HTTP API (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  let app: FastifyInstance;
  let runs: RunTracker;
  let routes: { method: string; url: string }[];
  const tokens: Record<'admin' | 'ops' | 'viewer', string> = { admin: '', ops: '', viewer: '' };
  const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'server-api');
    config = await demoConfigWithReview(iso.url);
    store = await openStore(config.store, { cipher: new FieldCipher(randomBytes(32), config.security.sensitive_fields) });
    await store.migrate();
    await runPipeline({ config, store, log, now: new Date('2026-11-26T00:00:00Z') });
    for (const role of ['admin', 'ops', 'viewer'] as const) tokens[role] = (await createToken(store.knex, { role, name: `${role}-test`, actor: 'test' })).token;
    ({ app, runs, routes } = await buildServer({ config, store, log }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await runs?.idle();
    await store?.close();
    await iso?.cleanup();
  });

  it('refuses requests without a valid token (401) and with a too-weak role (403)', async () => {
    expect((await app.inject({ url: '/api/runs' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/runs', headers: { authorization: 'Bearer crmetl_forged' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/runs', headers: { authorization: tokens.admin } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/review', headers: as('viewer') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/runs', headers: as('ops'), payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/audit', headers: as('ops') })).statusCode).toBe(403);
    const me = await app.inject({ url: '/api/me', headers: as('viewer') });
    expect(me.json()).toMatchObject({ role: 'viewer', name: 'viewer-test' });
    // Public: health, the OpenAPI document and the dashboard's files (no data in them).
    expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/' })).headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('describes every route in the OpenAPI document, and nothing more', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    const served = routes.filter((r) => r.url.startsWith('/api') || r.url === '/metrics').map((r) => `${r.method} ${r.url}`);
    expect(new Set(documented)).toEqual(new Set(served));
  });

  it('finds customers by standardized e-mail and phone through the encrypted columns, masked for viewers', async () => {
    const rec = (await store.knex('source_records').where({ source: 'erp' }).whereNotNull('email').whereNotNull('phone').orderBy('source_key').first('source_key', 'email', 'phone', 'family_name')) as Record<string, string>;
    const link = (await store.knex('customer_links').where({ source: 'erp', source_key: rec.source_key }).first('customer_id')) as { customer_id: string };
    const byEmail = await app.inject({ url: `/api/customers?email=${encodeURIComponent(`  ${rec.email!.toUpperCase()} `)}`, headers: as('ops') });
    expect(byEmail.statusCode).toBe(200);
    expect((byEmail.json() as { id: string }[]).map((c) => c.id)).toContain(link.customer_id);
    const byPhone = await app.inject({ url: `/api/customers?phone=${encodeURIComponent(rec.phone!)}`, headers: as('ops') });
    expect((byPhone.json() as { id: string }[]).map((c) => c.id)).toContain(link.customer_id);
    const byName = (await app.inject({ url: `/api/customers?q=${encodeURIComponent(rec.family_name!.toLowerCase())}`, headers: as('viewer') })).json() as { id: string; values: Record<string, string | null> }[];
    const hit = byName.find((c) => c.id === link.customer_id)!;
    expect(hit.values.family_name).toMatch(/^.•+/u);
    expect(JSON.stringify(byName)).not.toContain(rec.email!);
    const detail = (await app.inject({ url: `/api/customers/${link.customer_id}`, headers: as('ops') })).json() as { records: { source: string; key: string; values: Record<string, string> }[]; provenance: Record<string, { source: string }> };
    expect(detail.records.some((r) => r.source === 'erp' && r.key === rec.source_key && r.values.email === rec.email)).toBe(true);
    expect(detail.provenance.family_name?.source).toBeTruthy();
    const viewerDetail = await app.inject({ url: `/api/customers/${link.customer_id}`, headers: as('viewer') });
    expect(viewerDetail.body).not.toContain(rec.email!);
    expect((await app.inject({ url: '/api/customers/NOPE', headers: as('viewer') })).statusCode).toBe(404);
  });

  it('lists the review queue for ops, records an accept with who and when, and audits it', async () => {
    const queue = (await app.inject({ url: '/api/review', headers: as('ops') })).json() as { id: number; a: { key: string }; explanation: { fields: unknown[] } }[];
    expect(queue.length).toBeGreaterThan(0);
    expect(queue[0]!.explanation.fields.length).toBeGreaterThan(3);
    const pair = queue[0]!;
    const r = await app.inject({ method: 'POST', url: `/api/review/${pair.id}/accept`, headers: as('ops') });
    expect(r.statusCode).toBe(200);
    const after = (await app.inject({ url: '/api/review', headers: as('ops') })).json() as { id: number }[];
    expect(after.map((p) => p.id)).not.toContain(pair.id);
    // The decision is a must-link in the master: both records are one customer now.
    const pairRow = (await store.knex('match_pairs').where({ id: pair.id }).first('a_source', 'a_key', 'b_source', 'b_key')) as Record<string, string>;
    const customerOf = async (source: string, key: string) =>
      ((await store.knex('customer_links').where({ source, source_key: key }).first('customer_id')) as { customer_id: string }).customer_id;
    expect(await customerOf(pairRow.a_source!, pairRow.a_key!)).toBe(await customerOf(pairRow.b_source!, pairRow.b_key!));
    const audit = await readAudit(store.knex, { target: `pair:${pair.id}` });
    expect(audit[0]).toMatchObject({ action: 'review.accept', actor: expect.stringContaining('ops-test'), before: { decision: null }, after: { decision: 'accept' } });
    expect((await app.inject({ method: 'POST', url: '/api/review/999999999/accept', headers: as('ops') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: "/api/review/1'%20or%201=1/accept", headers: as('ops') })).statusCode).toBe(400);
  });

  it('merges two customers and takes a record out again, for admins only, audited', async () => {
    const [a, b] = ((await store.knex('customers').where({ status: 'active' }).orderBy('id').limit(2).select('id')) as { id: string }[]).map((c) => c.id);
    const body = { a: a!, b: b! };
    expect((await app.inject({ method: 'POST', url: '/api/customers/merge', headers: as('ops'), payload: body })).statusCode).toBe(403);
    const merged = await app.inject({ method: 'POST', url: '/api/customers/merge', headers: as('admin'), payload: body });
    expect(merged.statusCode).toBe(200);
    const survivor = (merged.json() as { customerId: string }).customerId;
    expect([a, b]).toContain(survivor);
    const members = (await store.knex('customer_links').where({ customer_id: survivor }).select('source', 'source_key')) as { source: string; source_key: string }[];
    expect(members.length).toBeGreaterThanOrEqual(2);
    const retired = survivor === a ? b! : a!;
    expect((await store.knex('customers').where({ id: retired }).first('status', 'merged_into'))).toMatchObject({ status: 'merged', merged_into: survivor });
    const out = members[members.length - 1]!;
    const unmerged = await app.inject({ method: 'POST', url: '/api/records/unmerge', headers: as('admin'), payload: { source: out.source, key: out.source_key } });
    expect(unmerged.statusCode).toBe(200);
    const moved = unmerged.json() as { customerId: string; detachedTo: string };
    expect(moved.customerId).toBe(survivor);
    expect(moved.detachedTo).not.toBe(survivor);
    expect(((await store.knex('customer_links').where({ source: out.source, source_key: out.source_key }).first('customer_id')) as { customer_id: string }).customer_id).toBe(moved.detachedTo);
    expect((await readAudit(store.knex, { target: survivor }))[0]).toMatchObject({ action: 'customer.merge', actor: expect.stringContaining('admin-test') });
    expect((await app.inject({ method: 'POST', url: '/api/records/unmerge', headers: as('admin'), payload: { source: 'nope', key: 'x' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/customers/merge', headers: as('admin'), payload: { a: survivor, b: survivor, extra: 1 } })).statusCode).toBe(400);
  });

  it('starts a re-sync in the background for admins, one at a time, and reports it', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', headers: as('admin'), payload: { full: true } });
    expect(r.statusCode).toBe(202);
    const { runId } = r.json() as { runId: string };
    const again = await app.inject({ method: 'POST', url: '/api/runs', headers: as('admin'), payload: {} });
    expect(again.statusCode).toBe(409);
    await runs.idle();
    const run = (await app.inject({ url: `/api/runs/${runId}`, headers: as('viewer') })).json() as { status: string; progress: { stage: string; sourcesDone: number }; records: number };
    expect(run).toMatchObject({ status: 'succeeded', progress: { stage: 'done', sourcesDone: 3 } });
    expect(run.records).toBeGreaterThan(250);
    const list = (await app.inject({ url: '/api/runs', headers: as('viewer') })).json() as { runs: { id: string }[] };
    expect(list.runs[0]!.id).toBe(runId);
    expect((await readAudit(store.knex, { target: `run:${runId}` }))[0]).toMatchObject({ action: 'run.trigger', actor: expect.stringContaining('admin-test') });
    const trend = (await app.inject({ url: '/api/quality/trend', headers: as('viewer') })).json() as { score: number }[];
    expect(trend).toHaveLength(2);
    const bad = await app.inject({ method: 'POST', url: '/api/runs', headers: as('admin'), payload: { sources: ["erp'; drop table runs; --"] } });
    expect(bad.statusCode).toBe(400);
    // A read from a time on file sources: refused up front with what to do, no run started.
    const since = await app.inject({ method: 'POST', url: '/api/runs', headers: as('admin'), payload: { since: '7d' } });
    expect(since.statusCode).toBe(400);
    expect(since.body).toMatch(/keeps no change time per record.*--full/);
    expect(((await app.inject({ url: '/api/runs', headers: as('viewer') })).json() as { runs: unknown[] }).runs).toHaveLength(list.runs.length);
  });

  it('serves Prometheus metrics of the latest run', async () => {
    const m = await app.inject({ url: '/metrics', headers: as('viewer') });
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/^crm_etl_records_processed\{source="erp"\} 120$/m);
    expect(m.body).toMatch(/^crm_etl_records_linked \d{3}$/m);
    expect(m.body).toMatch(/^crm_etl_quality_score\{source="\*"\} \d+(\.\d+)?$/m);
    expect(m.body).toMatch(/^crm_etl_run_duration_seconds_count\{status="succeeded"\} 1$/m);
  });

  it('refuses oversized bodies (413) and answers jobs without a queue with a clear 404', async () => {
    const big = await app.inject({ method: 'POST', url: '/api/runs', headers: { ...as('admin'), 'content-type': 'application/json' }, payload: JSON.stringify({ sources: ['x'.repeat(2 * 1024 * 1024)] }) });
    expect(big.statusCode).toBe(413);
    const jobs = await app.inject({ url: '/api/jobs/failed', headers: as('admin') });
    expect(jobs.statusCode).toBe(404);
    expect(jobs.json()).toMatchObject({ message: expect.stringContaining('no queue is configured') });
  });
});
