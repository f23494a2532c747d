import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/store/index.js';
import { COPY_STREAM_CHUNK } from '../../../src/store/bulk-insert.js';
import { bufferPool } from '../../../src/store/copy-buffers.js';
import { isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const LINK = ['source', 'source_key', 'customer_id', 'match_probability', 'run_id', 'record_hash'];

/** Rows of about 250 bytes of CSV each, every one different, some with quotes and non-ASCII text. */
function links(from: number, n: number): unknown[][] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return ['erp', `K${i}-${'x'.repeat(120 + (i % 50))}`, `C${i % 977}`, (i % 1000) / 1000, `run "${i % 3}"`, `hash-${i}-ä€`];
  });
}

describe('COPY chunks: their buffers are used again once sent (PostgreSQL)', () => {
  let isolated: IsolatedStoreUrl;
  let store: Store;

  beforeAll(async () => {
    isolated = await isolatedStoreUrl('postgres', 'copybuf');
    store = await openStore(isolated.url);
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await isolated?.cleanup();
  });

  it('loads every row as written while a few buffers carry all the chunks', async () => {
    const pool = bufferPool(COPY_STREAM_CHUNK + 4096);
    const allocatedBefore = pool.allocated;
    // Streamed rows (insertRows) and collected ones (a row batch, as the master's rounds write them).
    const streamed = links(0, 40_000);
    async function* batches(): AsyncGenerator<unknown[][]> {
      for (let i = 0; i < streamed.length; i += 1_000) yield streamed.slice(i, i + 1_000);
    }
    await store.insertRows('customer_links', LINK, batches());
    for (let round = 0; round < 3; round++) {
      const batch = store.rowBatch('customer_links', LINK);
      for (const r of links(100_000 + round * 10_000, 10_000)) batch.add(r);
      await store.insertBatch(batch);
    }
    // About 10 MB of CSV in 256 KB chunks: some 40 chunks streamed and 10 per round.
    const chunks = Math.floor((40_000 + 30_000) * 230 / COPY_STREAM_CHUNK);
    expect(chunks).toBeGreaterThan(50);
    expect(pool.allocated - allocatedBefore).toBeLessThan(chunks / 2);
    expect(pool.available).toBeGreaterThan(0);

    const expected = [...streamed, ...links(100_000, 30_000)];
    const rows = (await store.knex('customer_links').select(LINK).orderBy('source_key')) as Record<string, unknown>[];
    const got = rows.map((r) => [r.source, r.source_key, r.customer_id, Number(r.match_probability), r.run_id, r.record_hash]);
    expect(got.length).toBe(expected.length);
    const byKey = new Map(expected.map((r) => [r[1] as string, r]));
    for (const r of got) expect(r).toEqual(byKey.get(r[1] as string));
  });
});
