import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/core/logger.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createErpDatabase, type ErpDatabase } from '../support/erp-schema.js';

const log = createLogger('silent');

describe('an ERP database as a source, end to end (PostgreSQL ERP, embedded store)', () => {
  let erp: ErpDatabase;
  let store: Store;
  beforeAll(async () => {
    erp = await createErpDatabase('postgres', 'erp_pipeline', { customers: 120 });
    store = await openStore('pglite://memory');
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await erp?.drop();
  });

  const config = () =>
    parseConfig(
      `sources:
  - name: erp
    kind: sql
    url: ${erp.url}
    schema: ${erp.schema}
    query: "${erp.customerQuery.replace(/\s+/g, ' ')}"
    key: id
    cursor: updated_at
    soft_delete: {column: is_deleted}
    country: AU
    mapping:
      given_name: first_name
      family_name: last_name
      company_name: name
      email: email
      phone: phone
      birth_date: birthday
      address_line1: street
      city: city
      postal_code: postcode
      country: country
      tax_id: tax_id
      source_updated_at: updated_at
`,
      { file: 'erp.yaml' },
    );

  it('stages every row, keeps soft-deleted ones out of the master, then reads only what changed', async () => {
    const cfg = config();
    const first = await runPipeline({ config: cfg, store, log });
    const s = first.sources[0]!;
    expect(s.incremental).toBe(false);
    expect(s.staged + s.malformed).toBe(s.read);
    expect(s.deleted).toBeGreaterThan(0);
    const deletedKeys = ((await store.knex('source_records').where({ source: 'erp', deleted: true }).select('source_key')) as { source_key: string }[]).map((r) => r.source_key);
    expect(deletedKeys.length).toBe(s.deleted);
    const linked = await store.knex('customer_links').whereIn('source_key', deletedKeys).count({ n: '*' });
    expect(Number(linked[0]!.n)).toBe(0);

    const unchanged = await runPipeline({ config: cfg, store, log });
    expect(unchanged.sources[0]).toMatchObject({ incremental: true, read: 0 });

    const target = erp.customers.find((c) => !c.is_deleted && c.updated_at !== null)!;
    await erp.execute(`UPDATE customers SET name = ?, updated_at = now() + interval '1 day' WHERE id = ?`, ['Renamed Pty Ltd', target.id]);
    const changed = await runPipeline({ config: cfg, store, log });
    expect(changed.sources[0]).toMatchObject({ incremental: true, read: 1, staged: 1 });
    const row = (await store.knex('source_records').where({ source: 'erp', source_key: String(target.id) }).first('company_name')) as { company_name: string };
    expect(row.company_name).toBe('Renamed Pty Ltd');
  });
});
