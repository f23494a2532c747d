import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import type { AuditTrailEntry } from '../../../src/security/audit-trail.js';
import { listAuditTrail } from '../../../src/security/audit-trail.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { createToken, revokeToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import type { RunTracker } from '../../../src/server/run-tracker.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { demoConfigWithReview } from '../server/review-config.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const log = createLogger('silent');

describe.each(TEST_DIALECTS)('one audit trail: operations and master changes (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  let app: FastifyInstance;
  let runs: RunTracker;
  let afterRun: Date;
  let survivor: string;
  let cipher: FieldCipher;
  const tokens: Record<'admin' | 'ops' | 'viewer', string> = { admin: '', ops: '', viewer: '' };
  const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });
  const trail = async (query: string): Promise<AuditTrailEntry[]> => {
    const r = await app.inject({ url: `/api/audit${query}`, headers: as('admin') });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as AuditTrailEntry[];
  };

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'audit-trail');
    config = await demoConfigWithReview(iso.url);
    cipher = new FieldCipher(randomBytes(32), config.security.sensitive_fields);
    store = await openStore(config.store, { cipher });
    await store.migrate();
    await runPipeline({ config, store, log, actor: 'pipeline-bot', now: new Date('2026-11-26T00:00:00Z') });
    afterRun = new Date();
    for (const role of ['admin', 'ops', 'viewer'] as const) tokens[role] = (await createToken(store.knex, { role, name: `${role}-test`, actor: 'cli:root' })).token;
    ({ app, runs } = await buildServer({ config, store, log }));
    await app.ready();
    // Writes through the API: a review decision (ops), a merge (admin), a token revoked (CLI).
    const review = (await app.inject({ url: '/api/review?limit=1', headers: as('ops') })).json() as { id: number }[];
    expect((await app.inject({ method: 'POST', url: `/api/review/${review[0]!.id}/accept`, headers: as('ops') })).statusCode).toBe(200);
    const [a, b] = ((await store.knex('customers').where({ status: 'active' }).orderBy('id').limit(2).select('id')) as { id: string }[]).map((c) => c.id);
    const merged = await app.inject({ method: 'POST', url: '/api/customers/merge', headers: as('admin'), payload: { a, b } });
    survivor = (merged.json() as { customerId: string }).customerId;
    const spare = await createToken(store.knex, { role: 'viewer', name: 'spare', actor: 'cli:root' });
    await revokeToken(store.knex, spare.info.id, 'cli:root');
  });
  afterAll(async () => {
    await app?.close();
    await runs?.idle();
    await store?.close();
    await iso?.cleanup();
  });

  it('is for admins only', async () => {
    expect((await app.inject({ url: '/api/audit' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/audit', headers: as('ops') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/audit', headers: as('viewer') })).statusCode).toBe(403);
  });

  it('merges both tables newest first, every write with who, what, when, before and after', async () => {
    const all = await trail('?limit=1000');
    const times = all.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(new Set(all.map((e) => e.trail))).toEqual(new Set(['audit_log', 'master_audit']));
    // The latest writes come first, the run's creations last.
    expect(all.slice(0, 2).map((e) => e.action)).toEqual(['token.revoke', 'token.create']);
    expect(all.at(-1)).toMatchObject({ trail: 'master_audit', action: 'master.create', actor: 'pipeline-bot', before: null });
    const actions = new Set(all.map((e) => e.action));
    for (const a of ['token.create', 'token.revoke', 'review.accept', 'customer.merge', 'master.create', 'master.merge']) expect(actions, a).toContain(a);
    const merge = all.find((e) => e.action === 'customer.merge')!;
    expect(merge).toMatchObject({ actor: expect.stringMatching(/^api:admin-test \(tok_/), target: survivor, before: { customers: expect.any(Array) }, after: { customer: survivor } });
    // The master's side of the same merge: the retired customer, by the same actor, just before it.
    const retired = all.find((e) => e.action === 'master.merge')!;
    expect(retired).toMatchObject({ actor: merge.actor, after: { status: 'merged', merged_into: survivor }, reason: expect.stringContaining('steward merge') });
    expect(all.indexOf(retired)).toBeGreaterThan(all.indexOf(merge));
    const review = all.find((e) => e.action === 'review.accept')!;
    expect(review).toMatchObject({ actor: expect.stringContaining('ops-test'), target: expect.stringMatching(/^pair:\d+$/), before: { decision: null }, after: { decision: 'accept' } });
    for (const e of all) {
      expect(e.actor).not.toBe('');
      expect(Number.isNaN(Date.parse(e.at))).toBe(false);
      expect('before' in e && 'after' in e).toBe(true);
    }
  });

  it('filters by customer, actor, time and action', async () => {
    const customer = await trail(`?customer=${survivor}`);
    expect(customer.length).toBeGreaterThanOrEqual(3);
    expect(customer.every((e) => e.target === survivor)).toBe(true);
    expect(customer.map((e) => e.action)).toEqual(expect.arrayContaining(['customer.merge', 'master.update', 'master.create']));

    const admin = await trail('?actor=ADMIN-TEST');
    expect(new Set(admin.map((e) => e.trail))).toEqual(new Set(['audit_log', 'master_audit']));
    expect(admin.every((e) => e.actor.includes('admin-test'))).toBe(true);

    const since = await trail(`?since=${encodeURIComponent(afterRun.toISOString())}&limit=1000`);
    expect(since.some((e) => e.actor === 'pipeline-bot')).toBe(false);
    expect(since.map((e) => e.action)).toContain('customer.merge');
    expect((await trail('?until=2000-01-01'))).toEqual([]);

    expect(new Set((await trail('?action=master.*&limit=1000')).map((e) => e.trail))).toEqual(new Set(['master_audit']));
    expect((await trail('?action=token.*')).map((e) => e.action).sort()).toEqual(['token.create', 'token.create', 'token.create', 'token.create', 'token.revoke']);
    expect((await trail('?action=master.retire'))).toEqual([]);
    expect((await app.inject({ url: '/api/audit?since=yesterday', headers: as('admin') })).statusCode).toBe(400);
  });

  it('keeps the sensitive values of master changes encrypted in the table, in clear for admins, masked on request', async () => {
    const stored = (await store.knex('master_audit').where({ action: 'create' }).select('after')) as { after: string }[];
    const withEmail = stored.map((r) => JSON.parse(r.after) as Record<string, unknown>).filter((a) => a.email);
    expect(withEmail.length).toBeGreaterThan(20);
    for (const a of withEmail) {
      expect(String(a.email)).toMatch(/^enc1:/);
      if (a.phone) expect(String(a.phone)).toMatch(/^enc1:/);
    }
    expect(JSON.stringify(stored)).not.toMatch(/[\w.+-]+@[\w-]+\.\w/);
    const row = (await store.knex('master_audit').where({ action: 'create' }).where('after', 'like', '%"email":%').orderBy('id').first('customer_id', 'after')) as { customer_id: string; after: string };
    const email = cipher.decrypt('email', (JSON.parse(row.after) as { email: string }).email);
    expect(email).toMatch(/@/);
    const created = (await trail(`?customer=${row.customer_id}&action=master.create`))[0]!;
    expect((created.after as Record<string, string>).email).toBe(email);
    const masked = (await listAuditTrail(store, { target: row.customer_id, action: 'master.create' }, { mask: true }))[0]!;
    expect((masked.after as Record<string, string>).email).not.toBe(email);
    expect((masked.after as Record<string, string>).email).toMatch(/^.•+[^@]*@.•/u);
  });
});
