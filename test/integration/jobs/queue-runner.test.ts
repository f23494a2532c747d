import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { type QueueClient, enqueueRun, openQueue, waitForRun } from '../../../src/jobs/run-flow.js';
import { addSchedule, listSchedules, removeSchedule } from '../../../src/jobs/schedules.js';
import { listFailedJobs, resyncCustomer, resyncSource, retryJob } from '../../../src/jobs/triggers.js';
import { type RunningWorker, startWorker } from '../../../src/jobs/worker.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { isolatedQueueUrl } from '../../support/queue.js';
import { type IsolatedStoreUrl, isolatedStoreUrl } from '../../support/stores.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const log = createLogger('silent');
const NOW = new Date('2026-11-26T00:00:00Z');

/** The demo configuration with its sources copied to `dir` (so a test may change them), on `store` and `queue`. */
async function demoConfig(dir: string, store: string, queue: string): Promise<Config> {
  for (const f of ['erp_customers.csv', 'sales_contacts.csv', 'legacy_clients.csv']) await copyFile(path.join(ROOT, 'fixtures/demo', f), path.join(dir, f));
  const text = (await readFile(path.join(ROOT, 'config/demo.yaml'), 'utf8')).replaceAll('../fixtures/demo/', './');
  await writeFile(path.join(dir, 'config.yaml'), text);
  return loadConfig(path.join(dir, 'config.yaml'), { DATABASE_URL: store, REDIS_URL: queue });
}

/**
 * Replaces `file` as an export job would: whole, by rename. A plain write truncates first, and a
 * worker already running the queued run could read the empty file in between.
 */
async function replaceFile(file: string, text: string): Promise<void> {
  await writeFile(`${file}.part`, text);
  await rename(`${file}.part`, file);
}

async function master(store: Store): Promise<{ customers: unknown[]; links: unknown[] }> {
  const customers = await store.knex('customers').orderBy('id').select('*');
  const links = (await store.knex('customer_links').orderBy(['source', 'source_key']).select('source', 'source_key', 'customer_id', 'match_probability')) as Record<string, unknown>[];
  return { customers: customers.map(({ created_run: _c, updated_run: _u, ...rest }) => rest), links: links.map((l) => ({ ...l, match_probability: l.match_probability == null ? null : Number(l.match_probability) })) };
}

describe('the BullMQ runner (real Redis and Postgres)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let dir: string;
  let config: Config;
  let store: Store;
  let client: QueueClient;
  let workers: RunningWorker[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-queue-'));
    const iso = await isolatedStoreUrl('postgres', 'queue_runner');
    cleanups.push(() => iso.cleanup());
    config = await demoConfig(dir, iso.url, isolatedQueueUrl());
    store = await openStore(config.store);
    await store.migrate();
    client = openQueue(config);
    // Two workers share every run, as two processes would.
    workers = [startWorker({ config, store, log, concurrency: 2 }), startWorker({ config, store, log })];
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await client?.queue.obliterate({ force: true }).catch(() => undefined);
    await client?.close();
    await store?.close();
    for (const c of cleanups) await c();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the same customers and links as the inline runner', async () => {
    let inline: IsolatedStoreUrl | undefined;
    let other: Store | undefined;
    try {
      inline = await isolatedStoreUrl('postgres', 'queue_inline');
      other = await openStore(inline.url);
      await other.migrate();
      const expected = await runPipeline({ config, store: other, log, now: NOW });
      const run = await enqueueRun(client, { config, store, log, now: NOW });
      const summary = await waitForRun(client, store, config, run);
      expect(summary.status).toBe('succeeded');
      expect(summary.sources).toEqual(expected.sources);
      expect(summary.master).toEqual(expected.master);
      expect(summary.quality.overall).toBe(expected.quality.overall);
      const got = await master(store);
      expect(got.links).toHaveLength(255);
      expect(got).toEqual(await master(other));
      // The match index too (the load job writes it from the staged records, the inline run from
      // what blocking hashed): the same keys, term frequencies and company-name word counts.
      const index = async (s: Store): Promise<unknown> => ({
        keys: await s.knex('blocking_keys').select('source', 'source_key', 'key_hash', 'sort_key').orderBy(['source', 'source_key', 'key_hash']),
        frequencies: ((await s.knex('match_term_frequencies').select('comparison', 'value_hash', 'frequency').orderBy(['comparison', 'value_hash'])) as Record<string, unknown>[]).map((r) => [Number(r.comparison), r.value_hash, Number(r.frequency)]),
      });
      const stored = (await index(store)) as { frequencies: unknown[] };
      expect(stored.frequencies.length).toBeGreaterThan(255);
      expect(stored).toEqual(await index(other));
      // The run is recorded as the inline runner records it; stage rows say who did what.
      expect(await store.knex('runs').where({ id: run.runId }).first('status')).toEqual({ status: 'succeeded' });
      expect(await store.knex('run_clusters').where({ run_id: run.runId }).count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await other?.close();
      await inline?.cleanup();
    }
  });

  it('fails a run at once on bad data, keeps the failed job, and completes it once retried after the fix', async () => {
    const file = path.join(dir, 'legacy_clients.csv');
    const original = await readFile(file, 'utf8');
    // The export loses a mapped column after the run was queued (it was checked then): no retry
    // can fix that. The workers wait meanwhile, so that none reads the file before it changes.
    await Promise.all(workers.map((w) => w.worker.pause()));
    const run = await enqueueRun(client, { config, store, log, sources: ['legacy'], full: true });
    await replaceFile(file, original.replace('SURNAME|', 'LAST_NAME|'));
    workers.forEach((w) => w.worker.resume());
    const t0 = Date.now();
    await expect(waitForRun(client, store, config, run)).rejects.toThrow(/mapped column\(s\) "SURNAME" not found/);
    expect(Date.now() - t0).toBeLessThan(8000);
    const failed = (await listFailedJobs(client)).filter((f) => f.ref.includes(run.runId));
    const extract = failed.find((f) => f.name === 'extract');
    expect(extract).toMatchObject({ attempts: 1, ref: `run ${run.runId}, source legacy` });
    expect(extract!.reason).toMatch(/SURNAME/);

    await replaceFile(file, original);
    const again = await retryJob(client, config, extract!.id, async (request) => {
      await store.knex('runs').where({ id: request.runId }).update({ status: 'queued', summary: JSON.stringify({ request }) });
    });
    expect(again.runId).toBe(run.runId);
    const summary = await waitForRun(client, store, config, { ...run, rootJobId: again.rootJobId });
    expect(summary.sources.map((s) => [s.source, s.read])).toEqual([['legacy', 60]]);
    expect((await listFailedJobs(client)).filter((f) => f.ref.includes(run.runId))).toEqual([]);
  });

  it('runs a re-sync once when it is asked for twice while pending, and rebuilds one customer', async () => {
    await Promise.all(workers.map((w) => w.worker.pause()));
    const first = await resyncSource(client, config, 'sales', { full: true });
    const second = await resyncSource(client, config, 'sales', { full: true });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ jobId: first.jobId, duplicate: true });
    await expect(resyncSource(client, config, 'sales', { since: new Date() })).rejects.toThrow(/source "sales" \(csv\) keeps no change time per record.*--full/);
    expect(await client.queue.getWaitingCount()).toBe(1);
    workers.forEach((w) => w.worker.resume());
    const job = (await client.queue.getJob(first.jobId))!;
    await expect(job.waitUntilFinished(await queueEvents(client))).resolves.toMatchObject({ read: 80, staged: 80 });

    // One customer's record changes at the source: resync --customer re-reads it and rebuilds the golden record.
    // A customer of one record, in legacy (the first by key: a query without an order is free
    // to return any, and a customer with records in other sources re-reads those too).
    const link = (await store
      .knex('customer_links as l')
      .join('customers as c', 'c.id', 'l.customer_id')
      .where({ 'l.source': 'legacy', 'c.record_count': 1 })
      .orderBy('l.source_key')
      .first('l.source_key as source_key', 'l.customer_id as customer_id')) as { source_key: string; customer_id: string };
    const file = path.join(dir, 'legacy_clients.csv');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const i = lines.findIndex((l) => l.startsWith(`${link.source_key}|`));
    const cells = lines[i]!.split('|');
    cells[6] = '4999';
    lines[i] = cells.join('|');
    await replaceFile(file, lines.join('\n'));
    const t = await resyncCustomer(client, link.customer_id);
    const rebuilt = await (await client.queue.getJob(t.jobId))!.waitUntilFinished(await queueEvents(client));
    expect(rebuilt).toMatchObject({ customerId: link.customer_id, sourcesRead: ['legacy'], status: 'active' });
    const customer = (await store.knex('customers').where({ id: link.customer_id }).first('postal_code', 'provenance')) as { postal_code: string; provenance: string };
    expect(customer.postal_code).toBe('4999');
    await expect(resyncCustomer(client, 'CNOSUCHCUSTOMER')).resolves.toMatchObject({ duplicate: false });
  });

  it('adds, lists with their last run, and removes schedules', async () => {
    await expect(addSchedule(client, config, { name: 'bad', cron: 'every night', sources: [], full: false })).rejects.toThrow(/--cron "every night"/);
    await expect(addSchedule(client, config, { name: 'nightly', cron: '0 2 * * *', tz: 'Mars/Olympus', sources: [], full: false })).rejects.toThrow(/not a time zone/);
    await addSchedule(client, config, { name: 'nightly', cron: '0 2 * * *', tz: 'Asia/Shanghai', sources: ['erp'], full: false });
    // Every second (cron with seconds), so that the test sees a run.
    await addSchedule(client, config, { name: 'often', cron: '* * * * * *', sources: ['erp'], full: true });
    let often;
    for (let i = 0; i < 100 && !often?.last; i++) {
      await new Promise((r) => setTimeout(r, 200));
      often = (await listSchedules(client)).find((s) => s.name === 'often');
    }
    await removeSchedule(client, 'often');
    expect(often?.last).toMatchObject({ status: 'succeeded', result: expect.stringMatching(/^run \S+: 120 read, \d+ customers/) });
    const list = await listSchedules(client);
    expect(list).toEqual([expect.objectContaining({ name: 'nightly', cron: '0 2 * * *', tz: 'Asia/Shanghai', sources: ['erp'], last: null })]);
    // 02:00 in Shanghai is 18:00 UTC.
    expect(list[0]!.next!.getUTCHours()).toBe(18);
    await removeSchedule(client, 'nightly');
    await expect(removeSchedule(client, 'nightly')).rejects.toThrow(/no schedule "nightly"/);
  });
});

async function queueEvents(client: QueueClient) {
  const { QueueEvents } = await import('bullmq');
  const ev = new QueueEvents(client.queue.name, { connection: client.queue.opts.connection, prefix: client.queue.opts.prefix });
  await ev.waitUntilReady();
  setTimeout(() => void ev.close(), 30_000).unref();
  return ev;
}
