/**
 * Extraction alone (read, map, standardize, stage into PostgreSQL) of the generated data set
 * `npm run bench` uses, its three sources one after the other: all on the main thread; with the
 * thread that encrypts and encodes staged rows for COPY (the default with a key before the staging
 * thread); and as the pipeline runs it, with a staging thread beside the main thread (the
 * default), alternating in one process:
 *
 *   npm run build && npx tsx bench/extract.ts --records 1000000 --runs 2
 *   CRM_ETL_KEY=$(openssl rand -base64 32) npx tsx bench/extract.ts --records 1000000 --runs 2
 *
 * The data set must exist (`npm run bench -- --records N` makes it in .bench/). Each run stages
 * into a new PostgreSQL schema, dropped after.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { libRoot } from './compiled.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '2' },
    store: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    source: { type: 'boolean', default: false },
  },
});
const lib = libRoot(values.source!);
const { loadConfig } = (await import(`${lib}config/load-config.js`)) as typeof import('../src/config/load-config.js');
const { createLogger } = (await import(`${lib}core/logger.js`)) as typeof import('../src/core/logger.js');
const { openStore } = (await import(`${lib}store/index.js`)) as typeof import('../src/store/index.js');
const { prepareSources, extractSource } = (await import(`${lib}pipeline/extract.js`)) as typeof import('../src/pipeline/extract.js');
const { StagingThread } = (await import(`${lib}pipeline/stage-thread.js`)) as typeof import('../src/pipeline/stage-thread.js');
type StagingThread = import('../src/pipeline/stage-thread.js').StagingThread;
const { cipherFromEnv } = (await import(`${lib}security/field-cipher.js`)) as typeof import('../src/security/field-cipher.js');
type RunContext = import('../src/pipeline/context.js').RunContext;

const records = Number(values.records);
const dir = path.resolve('.bench', `gen-${records}-seed${values.seed}`);
if (!existsSync(path.join(dir, 'config.yaml'))) throw new Error(`${dir} is missing: run \`npm run bench -- --records ${records}\` first`);
const keyed = Boolean(process.env.CRM_ETL_KEY);
console.log(`extraction of ${records.toLocaleString('en-US')} records into PostgreSQL${keyed ? ' (CRM_ETL_KEY set)' : ''}`);
for (let run = 0; run < Number(values.runs); run++) {
  const variants = [
    ['on this thread', { threadFrom: Infinity, stagingFrom: Infinity }],
    ['rows encoded in a thread', { threadFrom: 1, stagingFrom: Infinity }],
    ['with a staging thread', {}],
  ] as const;
  for (const [v, [label, opts]] of variants.entries()) {
    const schema = `bench_extract_${process.pid}_${run}_${v}`;
    const url = new URL(values.store!);
    url.searchParams.set('schema', schema);
    const config = await loadConfig(path.join(dir, 'config.yaml'), { ...process.env, DATABASE_URL: url.toString() });
    const store = await openStore(config.store, { cipher: cipherFromEnv(process.env, config.security.sensitive_fields) });
    try {
      await store.migrate();
      const ctx: RunContext = { runId: `bench-${run}`, config, store, log: createLogger('warn'), today: new Date().toISOString().slice(0, 10), sources: [], full: true };
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const per: string[] = [];
      // As the inline runner does: one staging thread for all the sources, started by the first that is large enough.
      let staging: StagingThread | null = null;
      for (const p of await prepareSources(ctx)) {
        const t = performance.now();
        await extractSource(ctx, p, { ...opts, stagingThread: () => (staging ??= new StagingThread(store.cipher)) });
        per.push(`${p.cfg.name} ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
      await (staging as StagingThread | null)?.close();
      const cpu = process.cpuUsage(cpu0);
      console.log(`  ${label.padEnd(26)} ${((performance.now() - t0) / 1000).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s (${per.join(', ')})`);
    } finally {
      await store.knex.raw('drop schema if exists ?? cascade', [schema]);
      await store.close();
    }
  }
}
