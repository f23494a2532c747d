import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveConfig } from '../../../src/config/live-config.js';
import { createLogger } from '../../../src/core/logger.js';
import { readAudit } from '../../../src/security/audit.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { createToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import type { RunTracker } from '../../../src/server/run-tracker.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const log = createLogger('silent');
// Configuration changes do not depend on the dialect beyond the audit write: the embedded store
// and PostgreSQL (the audit trail's union query runs on MySQL too, in audit-trail.test.ts).
const DIALECTS = TEST_DIALECTS.filter((d) => d !== 'mysql');

describe.each(DIALECTS)('configuration through the API (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let dir: string;
  let file: string;
  let live: LiveConfig;
  let store: Store;
  let app: FastifyInstance;
  let runs: RunTracker;
  const tokens: Record<'admin' | 'ops' | 'viewer', string> = { admin: '', ops: '', viewer: '' };
  const as = (role: keyof typeof tokens, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${tokens[role]}`, ...extra });
  const patch = (body: unknown, role: keyof typeof tokens = 'admin', headers: Record<string, string> = {}) => app.inject({ method: 'PATCH', url: '/api/config', headers: as(role, headers), payload: body as object });

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'config-api');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-config-'));
    file = path.join(dir, 'crm-etl.yaml');
    // The demo configuration, its sources pointing at the fixtures from this folder.
    const demo = await readFile(path.join(ROOT, 'config/demo.yaml'), 'utf8');
    await writeFile(file, demo.replaceAll('../fixtures/', `${path.join(ROOT, 'fixtures')}/`));
    live = await LiveConfig.load(file, { DATABASE_URL: iso.url });
    store = await openStore(live.current.store, { cipher: new FieldCipher(randomBytes(32), live.current.security.sensitive_fields) });
    await store.migrate();
    for (const role of ['admin', 'ops', 'viewer'] as const) tokens[role] = (await createToken(store.knex, { role, name: `${role}-test`, actor: 'test' })).token;
    ({ app, runs } = await buildServer({ config: live.current, live, store, log }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await runs?.idle();
    await store?.close();
    await iso?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('is for admins only: 401 without a token, 403 for ops and viewers, read and write alike', async () => {
    expect((await app.inject({ url: '/api/config' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PATCH', url: '/api/config', payload: { matching: { review_threshold: 0.6 } } })).statusCode).toBe(401);
    for (const role of ['ops', 'viewer'] as const) {
      expect((await app.inject({ url: '/api/config', headers: as(role) })).statusCode).toBe(403);
      expect((await patch({ matching: { review_threshold: 0.6 } }, role)).statusCode).toBe(403);
    }
    expect(live.current.matching.review_threshold).toBe(0.5);
  });

  it('shows the effective configuration with its version and the settings that may change', async () => {
    const r = await app.inject({ url: '/api/config', headers: as('admin') });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { file: string; version: string; changeable: string[]; config: { matching: { link_threshold: number }; sources: { name: string }[] } };
    expect(body.file).toBe(file);
    expect(body.version).toMatch(/^[0-9a-f]{64}$/);
    expect(r.headers.etag).toBe(`"${body.version}"`);
    expect(body.changeable).toEqual(['matching.link_threshold', 'matching.review_threshold', 'survivorship', 'quality']);
    expect(body.config.matching.link_threshold).toBe(0.9);
    expect(body.config.sources.map((s) => s.name)).toEqual(['erp', 'sales', 'legacy']);
  });

  it('refuses a setting outside the runtime ones, or a bad value, with 400 naming the path, and leaves the file alone', async () => {
    const before = await readFile(file, 'utf8');
    const cases: [unknown, RegExp][] = [
      [{ matching: { max_block_size: 5 } }, /^matching\.max_block_size: cannot be changed at runtime/],
      [{ store: 'postgres://elsewhere/db' }, /^store: cannot be changed at runtime/],
      [{ security: { sensitive_fields: [] } }, /^security: cannot be changed at runtime/],
      [{ matching: { review_threshold: 1.5 } }, /- matching\.review_threshold: Too big/],
      [{ matching: { review_threshold: 0.95 } }, /- matching\.review_threshold: must not be above link_threshold \(0\.9\)/],
      [{ survivorship: { source_priority: ['erp', 'nope'] } }, /- survivorship\.source_priority\[1\]: unknown source "nope"/],
      [{ quality: { gates: { sources: { nope: { min_score: 50 } } } } }, /- quality\.gates\.sources\.nope: no source is named "nope"/],
      [{ survivorship: { fields: { email: 'newest' } } }, /- survivorship\.fields\.email/],
      [{}, /an empty change/],
    ];
    for (const [body, message] of cases) {
      const r = await patch(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect((r.json() as { message: string }).message, JSON.stringify(body)).toMatch(message);
    }
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(live.current.matching.review_threshold).toBe(0.5);
    expect((await readAudit(store.knex)).filter((e) => e.action === 'config.change')).toEqual([]);
  });

  it('writes a valid change to the file atomically, keeps its comments, audits it with before and after, and the next run obeys it', async () => {
    const { version } = (await app.inject({ url: '/api/config', headers: as('admin') })).json() as { version: string };
    // A stale If-Match is refused: someone changed the file in between.
    expect((await patch({ matching: { review_threshold: 0.6 } }, 'admin', { 'if-match': `"${'0'.repeat(64)}"` })).statusCode).toBe(412);
    const r = await patch({ matching: { review_threshold: 0.6 }, quality: { gates: { min_overall: 99.9 } }, survivorship: { fields: { email: 'most_recent' } } }, 'admin', { 'if-match': `"${version}"` });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { version: string; changes: { path: string; before: unknown; after: unknown }[] };
    expect(body.changes).toEqual([
      { path: 'matching.review_threshold', before: 0.5, after: 0.6 },
      { path: 'quality.gates.min_overall', before: null, after: 99.9 },
      { path: 'survivorship.fields.email', before: null, after: 'most_recent' },
    ]);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# crm-etl demo configuration');
    expect(text).toContain('${DATABASE_URL:-pglite://./.crm-etl/db}');
    expect(text).toMatch(/review_threshold: 0\.6/);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await live.version()).toBe(body.version);
    // A restart reads the same settings back.
    expect((await LiveConfig.load(file, { DATABASE_URL: iso.url })).current.quality.gates.min_overall).toBe(99.9);

    const audit = (await readAudit(store.knex)).find((e) => e.action === 'config.change')!;
    expect(audit).toMatchObject({
      actor: expect.stringContaining('admin-test'),
      target: `config:${file}`,
      before: { version, settings: { 'matching.review_threshold': 0.5, 'quality.gates.min_overall': null, 'survivorship.fields.email': null } },
      after: { version: body.version, settings: { 'matching.review_threshold': 0.6, 'quality.gates.min_overall': 99.9, 'survivorship.fields.email': 'most_recent' } },
    });
    // The same change again changes nothing and is not audited again.
    expect(((await patch({ matching: { review_threshold: 0.6 } })).json() as { changes: unknown[] }).changes).toEqual([]);
    expect((await readAudit(store.knex)).filter((e) => e.action === 'config.change')).toHaveLength(1);

    // In effect without a restart: a run started now fails the gate just set (and leaves the master alone).
    const started = await app.inject({ method: 'POST', url: '/api/runs', headers: as('admin'), payload: {} });
    expect(started.statusCode).toBe(202);
    await runs.idle();
    const run = (await app.inject({ url: `/api/runs/${(started.json() as { runId: string }).runId}`, headers: as('viewer') })).json() as { status: string; summary: { quality: { gates: { failed: { gate: string }[] } } } };
    expect(run.status).toBe('failed');
    expect(run.summary.quality.gates.failed.map((g) => g.gate)).toContain('quality.gates.min_overall');
    expect(Number(((await store.knex('customers').count({ n: '*' })) as { n: number }[])[0]!.n)).toBe(0);
    // null removes the gate again.
    const removed = (await patch({ quality: { gates: { min_overall: null } } })).json() as { changes: unknown[] };
    expect(removed.changes).toEqual([{ path: 'quality.gates.min_overall', before: 99.9, after: null }]);
    expect(live.current.quality.gates.min_overall).toBeUndefined();
    expect(await readFile(file, 'utf8')).not.toMatch(/min_overall/);
  });
});
