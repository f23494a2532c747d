import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '../../../src/cli/export.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { rebuildCustomer } from '../../../src/pipeline/rebuild-customer.js';
import { createRunContext, runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { eraseCustomer, exportSubject } from '../../../src/security/erase.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { rotateKeys } from '../../../src/security/rotate-keys.js';
import { createToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import type { RunTracker } from '../../../src/server/run-tracker.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const DEMO = path.resolve(import.meta.dirname, '../../../config/demo.yaml');
const log = createLogger('silent');
const FIELDS = ['national_id', 'birth_date', 'phone', 'email'];
const EMAIL = /[\w.+-]+@+[\w-]+\.\w/;
const DIALECTS = TEST_DIALECTS.filter((d) => d !== 'mysql');

/**
 * Column values as stored, past the store's decryption: `concat` hides the prefix it looks for.
 * `plain` columns are read as they are (they are never encrypted).
 */
async function stored(store: Store, table: string, columns: string[], where: (q: import('knex').Knex.QueryBuilder) => void = () => {}, plain: string[] = []): Promise<Record<string, string | null>[]> {
  const q = store.knex(table).select('id', ...plain, ...columns.map((c) => store.knex.raw("concat('#', ??) as ??", [c, `raw_${c}`])));
  where(q);
  const rows = (await q.orderBy('id')) as Record<string, unknown>[];
  return rows.map((r) => Object.fromEntries([['id', String(r.id)], ...plain.map((c) => [c, (r[c] as string | null) ?? null]), ...columns.map((c) => [c, r[`raw_${c}`] == null ? null : String(r[`raw_${c}`]).slice(1)])]));
}

describe.each(DIALECTS)('personal data in rejects, staging extras and the master history (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  let app: FastifyInstance;
  let runs: RunTracker;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const tokens: Record<'ops' | 'viewer', string> = { ops: '', viewer: '' };
  const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'rejects-enc');
    config = await loadConfig(DEMO, { DATABASE_URL: iso.url });
    store = await openStore(config.store, { cipher: new FieldCipher(oldKey, FIELDS) });
    await store.migrate();
    await runPipeline({ config, store, log, now: new Date('2026-11-26T00:00:00Z') });
    for (const role of ['ops', 'viewer'] as const) tokens[role] = (await createToken(store.knex, { role, name: role, actor: 'test' })).token;
    ({ app, runs } = await buildServer({ config, store, log }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await runs?.idle();
    await store?.close();
    await iso?.cleanup();
  });

  it('stores rejected sensitive values, their reasons and raw malformed rows as ciphertext', async () => {
    const rows = await stored(store, 'rejects', ['value', 'reason'], () => {}, ['field', 'code']);
    const sensitive = rows.filter((r) => r.field && FIELDS.includes(r.field));
    expect(sensitive.length).toBeGreaterThan(5);
    for (const r of sensitive) {
      if (r.value) expect(r.value, r.code!).toMatch(/^enc1:/);
      expect(r.reason, r.code!).toMatch(/^enc1:/);
    }
    const malformed = rows.filter((r) => r.field === null);
    expect(malformed.map((r) => r.code)).toEqual(expect.arrayContaining(['UNCLOSED_QUOTE', 'TOO_MANY_FIELDS']));
    for (const r of malformed) if (r.value) expect(r.value).toMatch(/^enc1:/);
    // Nothing in the table reads as an e-mail address or a phone number any more.
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(EMAIL);
    expect(dump).not.toContain('test@test.com');
    for (const r of rows) if (r.value && !r.value.startsWith('enc1:')) expect(r.value).not.toMatch(/\d{3}[ -]?\d{3}[ -]?\d{3}/);
    // Unmapped columns (the ERP's `mobile`) are encrypted in staging too; records without any stay `{}`.
    const extras = (await store.knex('source_records').select(store.knex.raw("concat('#', extra) as raw"))) as { raw: string }[];
    const withExtra = extras.filter((e) => e.raw !== '#{}');
    expect(withExtra.length).toBeGreaterThan(50);
    for (const e of withExtra) expect(e.raw).toMatch(/^#enc1:/);
  });

  it('reads them in clear for ops, masked for viewers, and exports them in clear', async () => {
    expect((await app.inject({ url: '/api/rejects' })).statusCode).toBe(401);
    const forOps = (await app.inject({ url: '/api/rejects?field=email', headers: as('ops') })).json() as { value: string; reason: string }[];
    expect(forOps.map((r) => r.value)).toEqual(expect.arrayContaining(['test@test.com', 'john@@gmail.com']));
    const forViewer = await app.inject({ url: '/api/rejects?field=email', headers: as('viewer') });
    expect(forViewer.statusCode).toBe(200);
    expect(forViewer.body).not.toMatch(EMAIL);
    expect((forViewer.json() as { value: string }[]).map((r) => r.value)).toContain('t•••@t•••.c••');
    const dates = (await app.inject({ url: '/api/rejects?field=birth_date', headers: as('viewer') })).json() as { reason: string; value: string }[];
    const clearDates = (await app.inject({ url: '/api/rejects?field=birth_date', headers: as('ops') })).json() as { reason: string; value: string }[];
    expect(dates.length).toBeGreaterThan(0);
    dates.forEach((d, i) => {
      expect(d.reason).not.toMatch(/\d/);
      expect(d.value).not.toBe(clearDates[i]!.value);
    });
    const raw = (await app.inject({ url: '/api/rejects?code=TOO_MANY_FIELDS', headers: as('ops') })).json() as { field: null; value: string; line: number }[];
    expect(raw[0]).toMatchObject({ field: null, line: 17, value: expect.stringContaining('|') });
    const masked = (await app.inject({ url: '/api/rejects?code=TOO_MANY_FIELDS', headers: as('viewer') })).json() as { value: string }[];
    expect(masked[0]!.value).not.toBe(raw[0]!.value);

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeExport(store, 'rejects', 'csv', out);
    const csv = Buffer.concat(chunks).toString('utf8');
    expect(csv).toContain('test@test.com');
    expect(csv).not.toContain('enc1:');
  });

  it('keeps a customer re-synced in place encrypted, and audits the change', async () => {
    const c = (await store.knex('customers').where({ status: 'active' }).whereNotNull('email').orderBy('id').first('id', 'email')) as { id: string; email: string };
    // The golden e-mail lost (as if by an older version): the re-sync rebuilds it from the records.
    await store.knex('customers').where({ id: c.id }).update({ email: null });
    const ctx = createRunContext({ config, store, log, actor: 'resync-bot' });
    await rebuildCustomer(ctx, c.id);
    const [raw] = (await store.knex('customers').where({ id: c.id }).select(store.knex.raw("concat('#', email) as raw"))) as { raw: string }[];
    expect(raw!.raw).toMatch(/^#enc1:/);
    expect(((await store.knex('customers').where({ id: c.id }).first('email')) as { email: string }).email).toBe(c.email);
    const entry = (await store.knex('master_audit').where({ customer_id: c.id, actor: 'resync-bot' }).first('action', 'before', 'after')) as { action: string; before: string; after: string };
    expect(entry.action).toBe('update');
    expect(JSON.parse(entry.before)).toMatchObject({ email: null });
    expect((JSON.parse(entry.after) as { email: string }).email).toMatch(/^enc1:/);
  });

  it("puts a person's rejected values and master history in their subject export, and scrubs them on erasure", async () => {
    const reject = (await store
      .knex('rejects as r')
      .join('customer_links as l', function () {
        this.on('l.source', '=', 'r.source').andOn('l.source_key', '=', 'r.source_key');
      })
      .where('r.field', 'email')
      .orderBy('r.id')
      .first('l.customer_id', 'r.value')) as { customer_id: string; value: string };
    const subject = await exportSubject(store, reject.customer_id, 'dpo');
    expect(subject.rejects.map((r) => r.value)).toContain(reject.value);
    expect(subject.audit.map((e) => e.action)).toContain('master.create');
    expect(JSON.stringify(subject)).not.toContain('enc1:');

    const history = await stored(store, 'master_audit', ['before', 'after', 'reason'], (q) => q.where({ customer_id: reject.customer_id }));
    expect(history.length).toBeGreaterThan(0);
    await eraseCustomer(store, reject.customer_id, 'dpo');
    const after = await stored(store, 'master_audit', ['before', 'after', 'reason'], (q) => q.where({ customer_id: reject.customer_id }));
    // The entries stay (who did what when), emptied of the person.
    expect(after.map((r) => r.id)).toEqual(history.map((r) => r.id));
    const text = JSON.stringify(after);
    expect(text).not.toContain('enc1:');
    expect(text).toContain('[erased]');
    for (const r of subject.records as { key: string }[]) expect(text).not.toContain(r.key);
    expect(Number(((await store.knex('rejects').where({ value: reject.value }).count({ n: '*' })) as { n: number }[])[0]!.n)).toBe(0);
  });

  it('re-encrypts rejects, staged extras and the master history when the key rotates', async () => {
    const before = (await store.knex('rejects').orderBy('id').select('id', 'value', 'reason')) as Record<string, unknown>[];
    await app.close();
    await store.close();
    store = await openStore(config.store, { cipher: new FieldCipher(newKey, FIELDS, [oldKey]) });
    const { rows } = await rotateKeys(store, 'ops');
    expect(rows.rejects).toBeGreaterThan(5);
    expect(rows.master_audit).toBeGreaterThan(20);
    await store.close();
    const next = new FieldCipher(newKey, FIELDS);
    store = await openStore(config.store, { cipher: next });
    expect(await store.knex('rejects').orderBy('id').select('id', 'value', 'reason')).toEqual(before);
    const encrypted = (await stored(store, 'rejects', ['value'])).filter((r) => r.value?.startsWith('enc1:'));
    expect(encrypted.length).toBeGreaterThan(5);
    for (const r of encrypted) expect(r.value!.startsWith(`enc1:${next.keyId}:`)).toBe(true);
    const extras = (await store.knex('source_records').whereNot({ extra: '{}' }).select(store.knex.raw("concat('#', extra) as raw"))) as { raw: string }[];
    for (const e of extras) expect(e.raw.startsWith(`#enc1:${next.keyId}:`)).toBe(true);
    const audit = (await store.knex('master_audit').where('after', 'like', '%"email":"enc1:%').select('after')) as { after: string }[];
    expect(audit.length).toBeGreaterThan(20);
    for (const a of audit) expect((JSON.parse(a.after) as { email: string }).email.startsWith(`enc1:${next.keyId}:`)).toBe(true);
    const oldOnly = await openStore(config.store, { cipher: new FieldCipher(oldKey, FIELDS) });
    try {
      await expect(oldOnly.knex('rejects').whereNotNull('value').select('value')).rejects.toMatchObject({ code: 'KEY_INVALID' });
    } finally {
      await oldOnly.close();
    }
  });
});
