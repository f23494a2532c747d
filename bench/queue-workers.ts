/**
 * Times one generated run on the queue with 1 and then 2 worker processes, on PostgreSQL, and
 * prints the speed-up.
 *
 *   npm run build && npx tsx bench/queue-workers.ts [--records 50000] [--dir /tmp/gen-50k] [--workers 1,2]
 *
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379) and PostgreSQL (PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test); each timing gets a schema and a queue prefix of its own,
 * dropped after. Workers are `node bin/crm-etl.js worker` processes (concurrency 1 each), started
 * and ready before the clock starts; the time is from queuing the run to its success (--full).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/core/logger.js';
import { writeDataset } from '../src/generator/index.js';
import { enqueueRun, openQueue, waitForRun } from '../src/jobs/run-flow.js';
import { openStore } from '../src/store/open-store.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '50000' }, dir: { type: 'string' }, workers: { type: 'string', default: '1,2' } } });
const records = Number(values.records);
const dir = path.resolve(values.dir ?? `/tmp/crm-etl-bench-${records}`);
const ROOT = path.resolve(import.meta.dirname, '..');
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger('silent');

if (!existsSync(path.join(dir, 'config.yaml'))) {
  process.stderr.write(`generating ${records} records in ${dir}…\n`);
  await writeDataset(dir, { records, seed: 1, notes: false });
}

/** A live process's peak resident memory (VmHWM, Linux), or '?' where it cannot be read. */
function peakRss(pid: number | undefined): string {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? `${Math.round(Number(kb) / 1024)} MB` : '?';
  } catch {
    return '?';
  }
}

async function timeRun(workers: number): Promise<number> {
  const id = `bench_q_${randomBytes(4).toString('hex')}`;
  const store = new URL(PG_URL);
  store.searchParams.set('schema', id);
  const queue = new URL(REDIS);
  queue.searchParams.set('prefix', `{crm-etl-bench-${id}}`);
  const env = { ...process.env, DATABASE_URL: store.toString(), REDIS_URL: queue.toString() };
  const config = await loadConfig(path.join(dir, 'config.yaml'), env);
  const st = await openStore(config.store);
  await st.migrate();
  const client = openQueue(config);
  const procs = Array.from({ length: workers }, () => spawn(process.execPath, [path.join(ROOT, 'bin/crm-etl.js'), 'worker', '-c', path.join(dir, 'config.yaml')], { env, stdio: ['ignore', 'ignore', 'pipe'] }));
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => p.stderr!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()))));
  try {
    const t0 = performance.now();
    const run = await enqueueRun(client, { config, store: st, log, full: true });
    const summary = await waitForRun(client, st, config, run);
    const s = (performance.now() - t0) / 1000;
    const stages = (await st.knex('run_stages').where({ run_id: run.runId }).orderBy('updated_at').select('stage', 'part', 'updated_at')) as { stage: string; part: string; updated_at: Date }[];
    // When each stage finished, from the queuing of the run: where the time goes.
    const at = stages.map((x) => `${x.stage}${x.part ? ` ${x.part}` : ''} ${((new Date(x.updated_at).getTime() - t0 - performance.timeOrigin) / 1000).toFixed(1)}`).join(', ');
    process.stdout.write(`${workers} worker(s): ${s.toFixed(1)} s (${summary.sources.reduce((n, x) => n + x.read, 0)} records read, ${summary.master?.customers ?? 0} customers); stages done at s: ${at}\n`);
    process.stdout.write(`  peak RSS per worker process (the kernel's high-water mark): ${procs.map((p) => peakRss(p.pid)).join(', ')}\n`);
    return s;
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => p.on('exit', r))));
    await client.queue.obliterate({ force: true }).catch(() => undefined);
    await client.close();
    await st.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists "${id}" cascade`);
    await c.end();
  }
}

const counts = values.workers.split(',').map(Number);
const times = new Map<number, number>();
for (const w of counts) times.set(w, await timeRun(w));
const one = times.get(1);
const two = times.get(2);
if (one && two) process.stdout.write(`speed-up with 2 workers: ${(one / two).toFixed(2)}x (bar: 1.6x)\n`);
