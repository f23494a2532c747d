/**
 * Incremental re-sync versus a full run on a generated master.
 *
 *   npx tsx bench/incremental.ts [--records 10000] [--change 0.01] [--store pglite|URL] [--out DIR]
 *
 * 1. writes a 3-source data set (src/generator) and runs the pipeline in full: the full run's time;
 * 2. changes `--change` of all records in the erp export (e-mail, phone and updated_at, as a CRM
 *    edit would) and runs `run --source erp` with erp's cursor cleared: the whole file is re-read
 *    (a full re-sync of one source) but only the changed records are matched against the stored
 *    master and only the customers they touch are rebuilt;
 * 3. appends as many new rows (new keys, duplicates of existing people) and runs again: the
 *    cursor reads only the new rows;
 * 4. runs `--full` on the same data and compares: pairwise agreement of the incremental master
 *    with the full one (precision/recall/F1 of its links, taking the full run as truth).
 * Keep it short on a shared machine: 10–20k records.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/core/logger.js';
import { pairMetrics } from '../src/eval/pair-metrics.js';
import { writeDataset } from '../src/generator/index.js';
import { runPipeline, type RunSummary } from '../src/pipeline/run-pipeline.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    change: { type: 'string', default: '0.01' },
    store: { type: 'string', default: 'pglite' },
    out: { type: 'string' },
  },
});
const records = Number(values.records);
const share = Number(values.change);
const dir = values.out ?? (await mkdtemp(path.join(tmpdir(), 'crm-etl-incr-')));
const dbDir = await mkdtemp(path.join(tmpdir(), 'crm-etl-incr-db-'));
const url = values.store === 'pglite' ? `pglite://${dbDir}` : values.store!;

await writeDataset(dir, { records, seed: 7 });
const config = await loadConfig(path.join(dir, 'config.yaml'), { DATABASE_URL: url });
const store = await openStore(config.store);
await store.migrate();
const log = createLogger('silent');

async function timed(label: string, opts: { sources?: string[]; full?: boolean }): Promise<{ s: RunSummary; ms: number }> {
  const t0 = performance.now();
  const s = await runPipeline({ config, store, log, ...opts });
  const ms = performance.now() - t0;
  const m = s.matching;
  process.stdout.write(
    `${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${m.mode.padEnd(11)} read ${s.sources.reduce((n, x) => n + x.read, 0)}, ` +
      `changed ${m.changedRecords}, matched ${m.records}, customers rebuilt ${m.rebuiltCustomers}; ` +
      (s.master ? `new ${s.master.newCustomers}, updated ${s.master.updatedCustomers}, merged ${s.master.mergedCustomers}\n` : `master not changed (gates)\n`),
  );
  return { s, ms };
}

async function clusters(s: Store): Promise<Map<string, string>> {
  const rows = (await s.knex('customer_links').select('source', 'source_key', 'customer_id')) as { source: string; source_key: string; customer_id: string }[];
  return new Map(rows.map((r) => [`${r.source}\u0000${r.source_key}`, r.customer_id]));
}

try {
  process.stdout.write(`${records} generated records, ${values.store} store, ${(share * 100).toFixed(1)}% changed\n`);
  const full = await timed('full run', {});

  // Edit `share` of all records in the erp export.
  const erpPath = path.join(dir, 'erp.csv');
  const lines = (await readFile(erpPath, 'utf8')).split('\n');
  const header = lines[0]!.split(',');
  const email = header.indexOf('email');
  const phone = header.indexOf('phone');
  const updated = header.indexOf('updated_at');
  const want = Math.round(records * share);
  const step = Math.max(1, Math.floor((lines.length - 2) / want));
  let edited = 0;
  for (let i = 1; i < lines.length && edited < want; i += step) {
    const line = lines[i]!;
    if (!line || line.includes('"')) continue;
    const f = line.split(',');
    if (f[email]) f[email] = `new.${f[email]}`;
    if (f[phone]) f[phone] = f[phone]!.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    f[updated] = '2026-01-01 00:00:00';
    lines[i] = f.join(',');
    edited++;
  }
  await writeFile(erpPath, lines.join('\n'));
  // A CSV that grew looks appended to its cursor: forget it, so erp is re-read in full (a full
  // re-sync of one source, as after a re-export); matching still takes only what changed.
  await store.knex('source_cursors').where({ source: 'erp' }).delete();
  const edit = await timed(`run --source erp (${edited} edited)`, { sources: ['erp'] });

  // Append as many new rows: copies of existing erp rows under new keys (new duplicates).
  const keyCol = header.indexOf('customer_no');
  const appended: string[] = [];
  for (let i = 2; i < lines.length && appended.length < want; i += step) {
    const line = lines[i]!;
    if (!line || line.includes('"')) continue;
    const f = line.split(',');
    f[keyCol] = `N${f[keyCol]}`;
    appended.push(f.join(','));
  }
  await writeFile(erpPath, appended.join('\n') + '\n', { flag: 'a' });
  const append = await timed(`run --source erp (${appended.length} appended)`, { sources: ['erp'] });

  const incremental = await clusters(store);
  const again = await timed('run --full on the same data', { full: true });
  const m = pairMetrics(incremental, await clusters(store));
  process.stdout.write(
    `\nincremental / full: edit ${((edit.ms / full.ms) * 100).toFixed(1)}%, append ${((append.ms / full.ms) * 100).toFixed(1)}% ` +
      `(full re-run ${(again.ms / 1000).toFixed(2)} s)\n` +
      `incremental master vs full re-run (pairs): precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, F1 ${m.f1.toFixed(4)}\n`,
  );
} finally {
  await store.close();
  await rm(dbDir, { recursive: true, force: true });
  if (!values.out) await rm(dir, { recursive: true, force: true });
}
