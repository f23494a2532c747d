import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { type QueueClient, enqueueRun, openQueue, waitForRun } from '../../../src/jobs/run-flow.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { isolatedQueueUrl } from '../../support/queue.js';
import { type IsolatedStoreUrl, isolatedStoreUrl } from '../../support/stores.js';

/**
 * Workers as a user runs them: `node bin/crm-etl.js worker` processes (npm test builds dist/
 * first), killed with SIGKILL mid-job, and a Redis of the test's own restarted under them.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/crm-etl.js');
const DEMO = path.join(ROOT, 'config/demo.yaml');
const log = createLogger('silent');
const NOW = new Date('2026-11-26T00:00:00Z');

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function start(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

/** A worker process with short locks, so that a killed worker's job is taken over in seconds. */
function startWorker(env: Record<string, string>): Proc {
  return start(process.execPath, [BIN, 'worker', '-c', DEMO, '--lock-duration', '3000', '--stalled-interval', '1000'], env);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** The first job that a worker process has taken, and that process's pid. */
async function activeJob(client: QueueClient): Promise<{ name: string; pid: number }> {
  return until('a job to start', async () => {
    const job = (await client.queue.getActive()).find((j) => j?.processedBy);
    return job ? { name: job.name, pid: Number(job.processedBy!.split(':').pop()) } : undefined;
  });
}

async function masterOf(store: Store): Promise<unknown> {
  const customers = (await store.knex('customers').orderBy('id').select('*')) as Record<string, unknown>[];
  const links = await store.knex('customer_links').orderBy(['source', 'source_key']).select('source', 'source_key', 'customer_id');
  const staged = await store.knex('source_records').count({ n: '*' });
  return { customers: customers.map(({ created_run: _c, updated_run: _u, ...rest }) => rest), links, staged };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('a queued run survives dead workers and a Redis restart', () => {
  const stores: IsolatedStoreUrl[] = [];
  let expected: unknown;
  const procs: Proc[] = [];

  beforeAll(async () => {
    const iso = await isolatedStoreUrl('postgres', 'queue_expected');
    stores.push(iso);
    const store = await openStore(iso.url);
    await store.migrate();
    await runPipeline({ config: await loadConfig(DEMO, { DATABASE_URL: iso.url }), store, log, now: NOW });
    expected = await masterOf(store);
    await store.close();
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const s of stores) await s.cleanup();
  });

  async function setUp(queueUrl: string): Promise<{ config: Config; store: Store; client: QueueClient; env: Record<string, string>; close(): Promise<void> }> {
    const iso = await isolatedStoreUrl('postgres', 'queue_faults');
    stores.push(iso);
    const env = { DATABASE_URL: iso.url, REDIS_URL: queueUrl };
    const config = await loadConfig(DEMO, env);
    const store = await openStore(config.store);
    await store.migrate();
    const client = openQueue(config);
    return {
      config,
      store,
      client,
      env,
      close: async () => {
        await client.queue.obliterate({ force: true }).catch(() => undefined);
        await client.close();
        await store.close();
      },
    };
  }

  it('completes with no record lost or doubled when a worker is killed with SIGKILL mid-job; SIGTERM drains', async () => {
    const t = await setUp(isolatedQueueUrl());
    try {
      const workers = [startWorker(t.env), startWorker(t.env)];
      procs.push(...workers);
      const run = await enqueueRun(t.client, { config: t.config, store: t.store, log, now: NOW });
      const victim = await activeJob(t.client);
      process.kill(victim.pid, 'SIGKILL');
      const summary = await waitForRun(t.client, t.store, t.config, run, undefined, { queueCheckMs: 500 });
      expect(summary.sources.map((s) => [s.source, s.read, s.staged])).toEqual([
        ['erp', 120, 117],
        ['sales', 80, 80],
        ['legacy', 60, 58],
      ]);
      expect(await masterOf(t.store)).toEqual(expected);
      const survivor = workers.find((w) => w.child.pid !== victim.pid)!;
      expect(await workers.find((w) => w.child.pid === victim.pid)!.exited).toBe(null);
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
      expect(survivor.stderr()).toMatch(/SIGTERM, finishing running jobs…\n.*stopped/);
    } finally {
      await t.close();
    }
  });

  it('completes when Redis restarts empty in the middle of the run', async () => {
    const port = await freePort();
    const redis = (): Proc => start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    let server = redis();
    procs.push(server);
    const t = await setUp(isolatedQueueUrl(`redis://127.0.0.1:${port}`));
    try {
      await until('redis to start', async () => t.client.queue.getWaitingCount().then(() => true));
      const worker = startWorker(t.env);
      procs.push(worker);
      const run = await enqueueRun(t.client, { config: t.config, store: t.store, log, now: NOW });
      await activeJob(t.client);
      server.child.kill('SIGKILL');
      await server.exited;
      await new Promise((r) => setTimeout(r, 300));
      server = redis();
      procs.push(server);
      const requeued: string[] = [];
      const summary = await waitForRun(t.client, t.store, t.config, run, (w) => void (w.requeued && requeued.push(w.requeued)), { queueCheckMs: 500 });
      expect(requeued).toEqual([expect.stringMatching(/the queue lost run .* queued them again/)]);
      expect(summary.sources.map((s) => s.read)).toEqual([120, 80, 60]);
      expect(await masterOf(t.store)).toEqual(expected);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await t.close();
      server.child.kill('SIGKILL');
    }
  });

  it('runs from the command line: progress, the summary, deduplicated re-syncs, and a clear refusal of the embedded store', async () => {
    const t = await setUp(isolatedQueueUrl());
    try {
      const cli = (args: string[], env = t.env): Promise<{ code: number | null; out: string; err: string }> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => resolve({ code, out, err }));
        });
      const refused = await cli(['run', '-c', DEMO], { ...t.env, DATABASE_URL: 'pglite://memory' });
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/queue runner needs a database server as store/);

      const first = await cli(['resync', '--source', 'sales', '-c', DEMO]);
      const second = await cli(['resync', '--source', 'sales', '-c', DEMO]);
      expect(first.out).toMatch(/^re-sync of source sales queued as job \d+/);
      expect(second.out).toMatch(/^re-sync of source sales is already pending as job \d+: not queued again/);

      const worker = startWorker(t.env);
      procs.push(worker);
      const run = await cli(['run', '-c', DEMO, '--full']);
      expect(run.code).toBe(0);
      expect(run.err).toMatch(/^run \S+ queued on redis:\/\/.*waiting for workers/);
      expect(run.err).toMatch(/^extract erp 120 ✓, sales 80 ✓, legacy 60 ✓ \| match [\d,]+ ✓ \| load/m);
      expect(run.out).toMatch(/^erp +120 +117 +/m);
      expect(run.out).toMatch(/Customers: \d+ \(\d+ new\)/);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await t.close();
    }
  });
});
