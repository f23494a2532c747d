import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/core/logger.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { openQueue, type QueueClient } from '../../src/jobs/run-flow.js';
import { resyncSource } from '../../src/jobs/triggers.js';
import { startWorker, type RunningWorker } from '../../src/jobs/worker.js';
import { createErpDatabase, type ErpDatabase } from '../support/erp-schema.js';
import { isolatedQueueUrl } from '../support/queue.js';
import { isolatedStoreUrl, type IsolatedStoreUrl } from '../support/stores.js';

const log = createLogger('silent');

/** The ERP as a sql source with a cursor column, as a user would configure it; `extra` is appended (store, queue). */
function erpConfig(erp: ErpDatabase, extra = '') {
  return parseConfig(
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
${extra}`,
    { file: 'erp.yaml' },
  );
}

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

  const config = () => erpConfig(erp);

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

describe('re-sync from a time through the queue (PostgreSQL ERP and store, real Redis)', () => {
  let erp: ErpDatabase;
  let iso: IsolatedStoreUrl;
  let store: Store;
  let client: QueueClient;
  let worker: RunningWorker;
  beforeAll(async () => {
    erp = await createErpDatabase('postgres', 'erp_since', { customers: 120 });
    iso = await isolatedStoreUrl('postgres', 'erp_since_store');
    store = await openStore(iso.url);
    await store.migrate();
  });
  afterAll(async () => {
    await worker?.close();
    await client?.queue.obliterate({ force: true }).catch(() => undefined);
    await client?.close();
    await store?.close();
    await iso?.cleanup();
    await erp?.drop();
  });

  it('picks up a change committed behind the cursor, which an incremental run misses, and detaches nothing', async () => {
    const cfg = erpConfig(erp, `store: ${iso.url}\nqueue: ${isolatedQueueUrl()}\n`);
    await runPipeline({ config: cfg, store, log });
    const cursorBefore = (await store.knex('source_cursors').where({ source: 'erp' }).first('cursor')) as { cursor: string };
    const linksBefore = Number((await store.knex('customer_links').count({ n: '*' }))[0]!.n);

    // A long ERP transaction commits a rename stamped a day before the newest row already read.
    const target = erp.customers.find((c) => !c.is_deleted && c.customer_no?.trim() && c.updated_at !== null && c.updated_at < '2024-02-01')!;
    await erp.execute(`UPDATE customers SET name = 'Late Commit Pty Ltd', updated_at = ? WHERE id = ?`, ['2024-02-29 09:00:00', target.id]);
    const missed = await runPipeline({ config: cfg, store, log });
    expect(missed.sources[0]).toMatchObject({ incremental: true, read: 0 });

    client = openQueue(cfg);
    const since = new Date('2024-02-29T00:00:00Z');
    const first = await resyncSource(client, cfg, 'erp', { since });
    const again = await resyncSource(client, cfg, 'erp', { since });
    expect(again).toEqual({ jobId: first.jobId, duplicate: true });
    await expect(resyncSource(client, cfg, 'erp', { since, full: true })).rejects.toThrow(/--since and --full/);
    worker = startWorker({ config: cfg, store, log });
    const { QueueEvents } = await import('bullmq');
    const events = new QueueEvents(client.queue.name, { connection: client.queue.opts.connection, prefix: client.queue.opts.prefix });
    try {
      const result = (await (await client.queue.getJob(first.jobId))!.waitUntilFinished(events)) as { read: number; staged: number };
      const stamped = erp.customers.filter((c) => c.id === target.id || (c.updated_at !== null && c.updated_at >= '2024-02-29 00:00:00')).length;
      expect(result.read).toBe(stamped);
      expect(stamped).toBeGreaterThanOrEqual(81); // the 60 tied rows, the 20 after them and the late one
    } finally {
      await events.close();
    }
    const row = (await store.knex('source_records').where({ source: 'erp', source_key: String(target.id) }).first('company_name')) as { company_name: string };
    expect(row.company_name).toBe('Late Commit Pty Ltd');
    const link = (await store.knex('customer_links').where({ source: 'erp', source_key: String(target.id) }).first('customer_id')) as { customer_id: string };
    const golden = (await store.knex('customers').where({ id: link.customer_id }).first('company_name')) as { company_name: string };
    expect(golden.company_name).toBe('Late Commit Pty Ltd');
    // A partial read is no snapshot: every record keeps its link, and the cursor did not move back.
    expect(Number((await store.knex('customer_links').count({ n: '*' }))[0]!.n)).toBe(linksBefore);
    const cursorAfter = (await store.knex('source_cursors').where({ source: 'erp' }).first('cursor')) as { cursor: string };
    expect(JSON.parse(cursorAfter.cursor)).toEqual(JSON.parse(cursorBefore.cursor));
  });
});
