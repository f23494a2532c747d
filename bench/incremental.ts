/**
 * Incremental re-sync versus a full run on a generated master, on PostgreSQL.
 *
 *   npm run build && npx tsx bench/incremental.ts [--records 1000000] [--change 0.01]
 *                    [--store postgres://…/postgres] [--rebuild] [--verify] [--source]
 *
 * It runs the compiled dist/ that `crm-etl` runs (`--source`: the TypeScript through tsx).
 *
 * 1. writes a 3-source data set (src/generator, seed 1, kept in .bench/ like `npm run bench`); the
 *    ERP source is loaded into a table of its own (`erp_src.customers`, as an ERP database would
 *    hold it) and read as a `sql` source with an `updated_at` cursor, the two others are CSV
 *    files. Runs the pipeline in full into database `crm_etl_incr_<records>`: the full run's
 *    time. That database is kept as the base of later runs (`--rebuild` runs the full run again),
 *    vacuumed and analysed after the full run (what autovacuum would do), outside the timings;
 * 2. copies the base (CREATE DATABASE … TEMPLATE) and the CSV files, updates `--change` of all
 *    records in the ERP table (e-mail, phone and updated_at, as an edit in the ERP would) and runs
 *    `run --source erp`: the cursor reads only the changed rows, which are matched against the
 *    stored master, and only the customers they touch are rebuilt;
 * 3. appends as many new rows to the legacy export (new keys, duplicates of existing people) and
 *    runs `run --source legacy`: the file's cursor reads only the new rows;
 * 4. with `--verify`, runs `--full` on the same data and compares: pairwise agreement of the
 *    incremental master with the full one (precision/recall/F1 of its links, the full run as truth).
 *
 * Prints per run the wall time, the process CPU time and each stage's wall time.
 */
import { createReadStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { RunSummary } from '../src/pipeline/run-pipeline.js';
import type { Store } from '../src/store/store.js';
import { libRoot } from './compiled.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    change: { type: 'string', default: '0.01' },
    store: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    rebuild: { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
    // The TypeScript sources through tsx instead of the compiled dist/ that `crm-etl` runs.
    source: { type: 'boolean', default: false },
  },
});
const lib = libRoot(values.source!);
const { loadConfig } = (await import(`${lib}config/load-config.js`)) as typeof import('../src/config/load-config.js');
const { createLogger } = (await import(`${lib}core/logger.js`)) as typeof import('../src/core/logger.js');
const { pairMetrics } = (await import(`${lib}eval/pair-metrics.js`)) as typeof import('../src/eval/pair-metrics.js');
const { writeDataset } = (await import(`${lib}generator/index.js`)) as typeof import('../src/generator/index.js');
const { runPipeline } = (await import(`${lib}pipeline/run-pipeline.js`)) as typeof import('../src/pipeline/run-pipeline.js');
const { openStore } = (await import(`${lib}store/open-store.js`)) as typeof import('../src/store/open-store.js');
const records = Number(values.records!.replace(/[_k]/g, (c) => (c === 'k' ? '000' : '')));
const share = Number(values.change);
const SEED = 1;
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const admin = new pg.Client({ connectionString: values.store });
await admin.connect();
const baseDb = `crm_etl_incr_${records}`;
const trialDb = `crm_etl_incr_${records}_trial`;
const urlOf = (db: string): string => {
  const u = new URL(values.store!);
  u.pathname = `/${db}`;
  return u.toString();
};
const log = createLogger('silent');

const dataDir = path.resolve('.bench', `gen-${records}-seed${SEED}`);
if (!existsSync(path.join(dataDir, 'truth.csv'))) {
  process.stderr.write(`generating ${records} records in ${dataDir} …\n`);
  await writeDataset(dataDir, { records, seed: SEED });
}
// The runs append to legacy.csv: they work on a copy. erp is read from a table instead of its file.
const dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-incr-'));
for (const f of ['crm.csv', 'legacy.csv', 'truth.csv']) await copyFile(path.join(dataDir, f), path.join(dir, f));
const erpCsv = path.join(dataDir, 'erp.csv');
const erpHeader = (await readFile(erpCsv, 'utf8')).slice(0, 4096).split('\n')[0]!.split(',');
const generated = await readFile(path.join(dataDir, 'config.yaml'), 'utf8');
const csvErp = /  - name: erp\n    kind: csv\n    path: \.\/erp\.csv\n    delimiter: ","\n/;
if (!csvErp.test(generated)) throw new Error('the generated config.yaml no longer starts erp as expected: update bench/incremental.ts');
await writeFile(
  path.join(dir, 'config.yaml'),
  generated.replace(csvErp, '  - name: erp\n    kind: sql\n    url: "${ERP_DATABASE_URL}"\n    table: erp_src.customers\n    cursor: updated_at\n'),
);

/** The ERP table in database `db`: erp.csv as it is, with an index on (cursor, key) as the sql source asks. */
async function loadErpTable(db: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlOf(db) });
  await client.connect();
  try {
    await client.query('create schema erp_src');
    await client.query(`create table erp_src.customers (${erpHeader.map((c) => `"${c}" text`).join(', ')}, primary key (customer_no))`);
    const copy = client.query(copyFrom(`copy erp_src.customers from stdin with (format csv, header true)`));
    await pipeline(createReadStream(erpCsv), copy);
    await client.query('create index on erp_src.customers (updated_at, customer_no)');
    await client.query('analyze erp_src.customers');
  } finally {
    await client.end();
  }
}

async function withStore<T>(db: string, fn: (store: Store, config: Awaited<ReturnType<typeof loadConfig>>) => Promise<T>): Promise<T> {
  const config = await loadConfig(path.join(dir, 'config.yaml'), { ...process.env, DATABASE_URL: urlOf(db), ERP_DATABASE_URL: urlOf(db) });
  const store = await openStore(config.store);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

async function timed(store: Store, config: Awaited<ReturnType<typeof loadConfig>>, label: string, opts: { sources?: string[]; full?: boolean }): Promise<{ s: RunSummary; ms: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await runPipeline({ config, store, log, ...opts });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const m = s.matching;
  process.stdout.write(
    `${label.padEnd(34)} ${sec(ms).padStart(9)} wall, ${sec((cpu.user + cpu.system) / 1000).padStart(9)} CPU  ${m.mode.padEnd(11)} read ${s.sources.reduce((n, x) => n + x.read, 0)}, ` +
      `changed ${m.changedRecords}, matched ${m.records}, candidate pairs ${m.candidatePairs}, customers rebuilt ${m.rebuiltCustomers}; ` +
      (s.master ? `new ${s.master.newCustomers}, updated ${s.master.updatedCustomers}, merged ${s.master.mergedCustomers}\n` : `master not changed (gates)\n`),
  );
  process.stdout.write(`    ${s.stages.map((st) => `${st.stage} ${sec(st.ms)}`).join(', ')}\n`);
  return { s, ms };
}

async function clusters(s: Store): Promise<Map<string, string>> {
  const rows = (await s.knex('customer_links').select('source', 'source_key', 'customer_id')) as { source: string; source_key: string; customer_id: string }[];
  return new Map(rows.map((r) => [`${r.source}\u0000${r.source_key}`, r.customer_id]));
}

async function dbExists(db: string): Promise<boolean> {
  return (await admin.query('select 1 from pg_database where datname = $1', [db])).rowCount === 1;
}

try {
  process.stdout.write(`${records} generated records, PostgreSQL, ${(share * 100).toFixed(1)}% changed; ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  let fullMs: number;
  if (values.rebuild || !(await dbExists(baseDb))) {
    await admin.query(`drop database if exists "${baseDb}" with (force)`);
    await admin.query(`create database "${baseDb}"`);
    await loadErpTable(baseDb);
    fullMs = await withStore(baseDb, async (store, config) => {
      await store.migrate();
      const full = await timed(store, config, 'full run', {});
      await store.knex.raw('create table bench_full (ms double precision, at timestamptz)');
      await store.knex('bench_full').insert({ ms: full.ms, at: new Date() });
      return full.ms;
    });
    // What autovacuum does to a master in the hours after a full run (visibility map, hint bits,
    // statistics), done now and outside the timings, so that the re-syncs run against a master
    // in its ordinary state rather than one written a second ago.
    const base = new pg.Client({ connectionString: urlOf(baseDb) });
    await base.connect();
    await base.query('vacuum analyze');
    await base.end();
  } else {
    fullMs = await withStore(baseDb, async (store) => {
      const [row] = (await store.knex('bench_full').select('ms', 'at')) as { ms: number; at: Date }[];
      process.stdout.write(`full run (base ${baseDb}, measured ${row!.at.toISOString()}) ${sec(row!.ms)}\n`);
      return row!.ms;
    });
  }

  await admin.query(`drop database if exists "${trialDb}" with (force)`);
  await admin.query(`create database "${trialDb}" template "${baseDb}"`);
  await withStore(trialDb, async (store, config) => {
    // Edit `share` of all records in the ERP table, as users of the ERP would.
    const want = Math.round(records * share);
    const updated = await store.knex.raw(
      `update erp_src.customers set email = 'new.' || email,
         phone = case when phone ~ '[0-9]$' then left(phone, -1) || ((right(phone, 1)::int + 1) % 10)::text else phone end,
         updated_at = '2026-11-26 00:00:00'
       where customer_no in (select customer_no from erp_src.customers where email is not null order by md5(customer_no) limit ?)`,
      [want],
    );
    const edit = await timed(store, config, `run --source erp (${(updated as { rowCount: number }).rowCount} updated)`, { sources: ['erp'] });

    // Append as many new rows to the legacy export: copies of its rows under new keys (new duplicates).
    const legacyPath = path.join(dir, 'legacy.csv');
    const lines = (await readFile(legacyPath, 'utf8')).split('\r\n');
    const step = Math.max(1, Math.floor((lines.length - 2) / want));
    const appended: string[] = [];
    for (let i = 1; i < lines.length && appended.length < want; i += step) {
      const f = lines[i]!.split('|');
      if (f.length < 2) continue;
      f[0] = `N${f[0]!.slice(1)}`;
      appended.push(f.join('|'));
    }
    await writeFile(legacyPath, appended.join('\r\n') + '\r\n', { flag: 'a' });
    const append = await timed(store, config, `run --source legacy (${appended.length} appended)`, { sources: ['legacy'] });

    process.stdout.write(`\nincremental / full: edit ${((edit.ms / fullMs) * 100).toFixed(1)}%, append ${((append.ms / fullMs) * 100).toFixed(1)}% of the full run (${sec(fullMs)})\n`);
    if (values.verify) {
      const incremental = await clusters(store);
      const again = await timed(store, config, 'run --full on the same data', { full: true });
      const m = pairMetrics(incremental, await clusters(store));
      process.stdout.write(
        `incremental master vs full re-run (pairs): precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, F1 ${m.f1.toFixed(4)} (full re-run ${sec(again.ms)})\n`,
      );
    }
  });
} finally {
  await admin.query(`drop database if exists "${trialDb}" with (force)`).catch(() => undefined);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
