import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { readAudit } from '../../../src/security/audit.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { createToken, listTokens, revokeToken, verifyToken } from '../../../src/security/tokens.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const DEMO = path.resolve(import.meta.dirname, '../../../config/demo.yaml');
const log = createLogger('silent');

describe.each(TEST_DIALECTS)('tokens, audit and encryption at rest (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  const cipher = new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date', 'national_id']);

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'store-security');
    config = await loadConfig(DEMO, { DATABASE_URL: iso.url });
    store = await openStore(config.store, { cipher });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
  });

  it('grants a token its role until it is revoked, keeps only its hash, and audits both', async () => {
    const { token, info } = await createToken(store.knex, { role: 'ops', name: "o'brien; drop table x", actor: 'test' });
    expect(await verifyToken(store.knex, token)).toEqual({ tokenId: info.id, name: "o'brien; drop table x", role: 'ops' });
    expect(await verifyToken(store.knex, token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a'))).toBeNull();
    expect(await verifyToken(store.knex, 'not a token')).toBeNull();
    const stored = (await store.knex('api_tokens').select('token_hash')) as { token_hash: string }[];
    expect(JSON.stringify(stored)).not.toContain(token.slice(8));
    await revokeToken(store.knex, info.id, 'test');
    expect(await verifyToken(store.knex, token)).toBeNull();
    expect((await listTokens(store.knex))[0]?.revokedAt).not.toBeNull();
    const audit = await readAudit(store.knex, { target: info.id });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['token.revoke', 'test'],
      ['token.create', 'test'],
    ]);
    expect(audit[0]).toMatchObject({ before: { revoked: false }, after: { revoked: true } });
    await expect(revokeToken(store.knex, 'tok_nope', 'test')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stores sensitive fields encrypted, reads them back in clear, and still finds duplicates', async () => {
    const summary = await runPipeline({ config, store, log, now: new Date('2026-11-26T00:00:00Z') });
    expect(summary.matching.duplicatesLinked).toBeGreaterThan(20);
    const enc = async (table: string, col: string): Promise<number> =>
      Number(((await store.knex(table).where(col, 'like', 'enc1:%').count({ n: '*' })) as { n: number }[])[0]!.n);
    const clear = async (table: string, col: string): Promise<number> =>
      Number(((await store.knex(table).whereNotNull(col).andWhere(col, 'not like', 'enc1:%').count({ n: '*' })) as { n: number }[])[0]!.n);
    for (const table of ['source_records', 'customers']) {
      for (const col of ['email', 'phone', 'birth_date']) {
        expect(await enc(table, col), `${table}.${col}`).toBeGreaterThan(50);
        expect(await clear(table, col), `${table}.${col}`).toBe(0);
      }
      // Not sensitive by default: stays searchable in clear.
      expect(await clear(table, 'family_name')).toBeGreaterThan(50);
    }
    const row = (await store.knex('source_records').where({ source: 'erp' }).whereNotNull('email').first('email')) as { email: string };
    expect(row.email).toMatch(/^[^@\s]+@[^@\s]+$/);
    // Without the key the store refuses to hand out ciphertext as if it were data.
    const keyless = await openStore(config.store);
    try {
      await expect(keyless.knex('customers').select('email')).rejects.toMatchObject({ code: 'KEY_INVALID' });
    } finally {
      await keyless.close();
    }
  });
});
