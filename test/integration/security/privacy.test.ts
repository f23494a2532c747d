import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { readAudit } from '../../../src/security/audit.js';
import { eraseCustomer, exportSubject } from '../../../src/security/erase.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { rotateKeys } from '../../../src/security/rotate-keys.js';
import { openStore } from '../../../src/store/open-store.js';
import { backupPglite, restorePglite } from '../../../src/store/pglite-backup.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const DEMO = path.resolve(import.meta.dirname, '../../../config/demo.yaml');
const log = createLogger('silent');
const FIELDS = ['email', 'phone', 'birth_date', 'national_id'];
const count = async (store: Store, table: string, where: Record<string, unknown> = {}): Promise<number> =>
  Number(((await store.knex(table).where(where).count({ n: '*' })) as { n: number }[])[0]!.n);

describe.each(TEST_DIALECTS)('personal data: subject export, erasure, key rotation (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let victim: { id: string; records: number };

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'privacy');
    config = await loadConfig(DEMO, { DATABASE_URL: iso.url });
    store = await openStore(config.store, { cipher: new FieldCipher(oldKey, FIELDS) });
    await store.migrate();
    await runPipeline({ config, store, log });
    const row = (await store.knex('customers').where({ status: 'active' }).where('record_count', '>=', 2).whereNotNull('email').orderBy('id').first('id', 'record_count')) as { id: string; record_count: number };
    victim = { id: row.id, records: Number(row.record_count) };
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
  });

  it('exports one person\'s data in clear, with every source record, and audits the export', async () => {
    const data = await exportSubject(store, victim.id, 'dpo');
    expect(data.customer.id).toBe(victim.id);
    expect(data.records).toHaveLength(victim.records);
    expect(String(data.customer.values.email)).toMatch(/@/);
    expect(JSON.stringify(data)).not.toContain('enc1:');
    expect((await readAudit(store.knex, { target: victim.id }))[0]).toMatchObject({ action: 'subject.export', actor: 'dpo' });
  });

  it('erases a person from master and staging, keeps a tombstone without personal data, and does not stage them again', async () => {
    const subject = await exportSubject(store, victim.id, 'dpo');
    const keys = (subject.records as { source: string; key: string }[]).map((r) => ({ source: r.source, source_key: r.key }));
    const r = await eraseCustomer(store, victim.id, 'dpo');
    expect(r.records).toBe(victim.records);
    expect(await count(store, 'customers', { id: victim.id })).toBe(0);
    expect(await count(store, 'customer_links', { customer_id: victim.id })).toBe(0);
    for (const k of keys) expect(await count(store, 'source_records', k)).toBe(0);
    const tomb = (await readAudit(store.knex, { target: victim.id }))[0]!;
    expect(tomb).toMatchObject({ action: 'customer.erase', actor: 'dpo', after: null, before: { records: victim.records } });
    const email = String(subject.customer.values.email);
    expect(JSON.stringify(await store.knex('audit_log'))).not.toContain(email);
    expect(JSON.stringify(await store.knex('erased_records'))).not.toContain(keys[0]!.source_key);
    // A full re-run reads the sources, which still hold the person: they stay erased.
    await runPipeline({ config, store, log, full: true });
    for (const k of keys) expect(await count(store, 'source_records', k)).toBe(0);
    await expect(eraseCustomer(store, victim.id, 'dpo')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rotates the key: every value re-encrypted under the new key, the old key no longer needed', async () => {
    const before = (await store.knex('customers').orderBy('id').select('id', 'email', 'phone')) as Record<string, string>[];
    await store.close();
    store = await openStore(config.store, { cipher: new FieldCipher(newKey, FIELDS, [oldKey]) });
    const rows = await rotateKeys(store, 'ops');
    expect(rows.rows.customers).toBe(before.length);
    await store.close();
    store = await openStore(config.store, { cipher: new FieldCipher(newKey, FIELDS) });
    expect(await store.knex('customers').orderBy('id').select('id', 'email', 'phone')).toEqual(before);
    const oldOnly = await openStore(config.store, { cipher: new FieldCipher(oldKey, FIELDS) });
    try {
      await expect(oldOnly.knex('customers').whereNotNull('email').select('email')).rejects.toMatchObject({ code: 'KEY_INVALID' });
    } finally {
      await oldOnly.close();
    }
  });
});

describe('backup and restore of the embedded store', () => {
  it('restores the store as it was at backup time and keeps the replaced folder aside', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-backup-'));
    try {
      const config = await loadConfig(DEMO, { DATABASE_URL: `pglite://${dir}/db` });
      let store = await openStore(config.store);
      await store.migrate();
      await runPipeline({ config, store, log });
      const customers = await count(store, 'customers');
      const one = (await store.knex('customers').orderBy('id').first('id')) as { id: string };
      await store.close();
      const bytes = await backupPglite(config.store, path.join(dir, 'backup.tgz'));
      expect(bytes).toBeGreaterThan(1000);
      store = await openStore(config.store);
      await eraseCustomer(store, one.id, 'test');
      await store.close();
      const aside = await restorePglite(config.store, path.join(dir, 'backup.tgz'));
      expect(aside).toMatch(/db\.before-restore-/);
      store = await openStore(config.store);
      try {
        expect(await count(store, 'customers')).toBe(customers);
        expect(await count(store, 'customers', { id: one.id })).toBe(1);
      } finally {
        await store.close();
      }
      await expect(backupPglite('postgres://x@localhost/db', 'x')).rejects.toThrow(/pg_dump/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
