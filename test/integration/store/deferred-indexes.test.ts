import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/store/index.js';
import { dropIndexesWhileEmpty } from '../../../src/store/deferred-indexes.js';
import { isolatedStoreUrl, TEST_DIALECTS, type IsolatedStoreUrl } from '../../support/stores.js';

const LINK = ['source', 'source_key', 'customer_id', 'match_probability', 'run_id', 'record_hash'];

/** Each index of a table as the store describes it (name, columns, uniqueness). */
async function indexesOf(store: Store, db: Store['knex'], table: string): Promise<string[]> {
  if (store.dialect === 'mysql') {
    const [rows] = (await db.raw('show index from ??', [table])) as [{ Key_name: string; Column_name: string; Non_unique: number }[]];
    return rows.map((r) => `${r.Key_name} ${r.Column_name} ${r.Non_unique}`).sort();
  }
  const res = await db.raw('select indexdef from pg_indexes where schemaname = current_schema() and tablename = ?', [table]);
  return (res.rows as { indexdef: string }[]).map((r) => r.indexdef).sort();
}

describe.each(TEST_DIALECTS)('indexes deferred while an empty table loads: %s', (dialect) => {
  let isolated: IsolatedStoreUrl;
  let store: Store;
  let before: { customers: string[]; customer_links: string[] };

  beforeAll(async () => {
    isolated = await isolatedStoreUrl(dialect, 'deferred');
    store = await openStore(isolated.url);
    await store.migrate();
    before = { customers: await indexesOf(store, store.knex, 'customers'), customer_links: await indexesOf(store, store.knex, 'customer_links') };
    expect(before.customer_links.length).toBeGreaterThanOrEqual(2);
    // customers holds a row: it keeps its indexes.
    await store.knex('customers').insert({ id: 'C1', created_run: 'r', updated_run: 'r', provenance: '{}', record_count: 1, status: 'active' });
  });

  afterAll(async () => {
    await store?.close();
    await isolated?.cleanup();
  });

  it('drops the indexes of the empty tables only, and builds the same ones again', async () => {
    await store.transaction(async (trx) => {
      const bare = await dropIndexesWhileEmpty(trx, store.dialect, ['customers', 'customer_links']);
      if (dialect === 'mysql') expect(bare.tables).toEqual([]);
      else {
        expect(bare.tables).toEqual(['customer_links']);
        expect(await indexesOf(store, trx, 'customer_links')).toEqual([]);
      }
      expect(await indexesOf(store, trx, 'customers')).toEqual(before.customers);
      if (dialect === 'postgres') {
        // A table with rows is not locked: a reader outside the transaction still gets through.
        const read = store.knex('customers').count({ n: '*' });
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('customers is locked')), 5_000));
        expect(await Promise.race([read, timeout])).toEqual([{ n: 1 }]);
      }
      await store.insertRows('customer_links', LINK, Array.from({ length: 500 }, (_, i) => ['erp', `K${i}`, `C${i % 7}`, 0.5, 'r', null]), trx);
      await bare.rebuild();
    });
    expect(await indexesOf(store, store.knex, 'customer_links')).toEqual(before.customer_links);
    expect(await indexesOf(store, store.knex, 'customers')).toEqual(before.customers);
    const [n] = await store.knex('customer_links').count({ n: '*' });
    expect(Number(n?.n)).toBe(500);
    await store.knex('customer_links').delete();
  });

  it('fails the load on a duplicate key when the primary key is built again, and puts the indexes back', async () => {
    const load = store.transaction(async (trx) => {
      const bare = await dropIndexesWhileEmpty(trx, store.dialect, ['customer_links']);
      await store.insertRows('customer_links', LINK, [['erp', 'K1', 'C1', 0.5, 'r', null], ['erp', 'K1', 'C2', 0.5, 'r', null]], trx);
      await bare.rebuild();
    });
    await expect(load).rejects.toThrow(/duplicate|unique/i);
    expect(await indexesOf(store, store.knex, 'customer_links')).toEqual(before.customer_links);
    const [n] = await store.knex('customer_links').count({ n: '*' });
    expect(Number(n?.n)).toBe(0);
  });
});
