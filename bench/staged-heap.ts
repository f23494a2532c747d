/**
 * Heap per staged record as a run's match stage reads them (`loadStagedRecords`), after full
 * collections: what a million records cost the match and load stages to hold.
 *
 *   node --expose-gc --import tsx bench/staged-heap.ts [--records 100000] [--store postgres://…]
 *
 * Stages the generated data set (`.bench/gen-N-seed1`, made if missing) into a schema of its own
 * on PostgreSQL, reads it back three times and drops the schema.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/core/logger.js';
import { writeDataset } from '../src/generator/index.js';
import { extractSource, prepareSources } from '../src/pipeline/extract.js';
import { loadStagedRecords } from '../src/pipeline/match-stage.js';
import { createRunContext, recordRunStart } from '../src/pipeline/run-pipeline.js';
import { openStore } from '../src/store/index.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    store: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (see the header)');
const records = Number(values.records);
const dir = path.resolve('.bench', `gen-${records}-seed1`);
if (!existsSync(path.join(dir, 'truth.csv'))) await writeDataset(dir, { records, seed: 1 });
const schema = `staged_heap_${process.pid}`;
const url = new URL(values.store!);
url.searchParams.set('schema', schema);
const config = await loadConfig(path.join(dir, 'config.yaml'), { ...process.env, DATABASE_URL: url.toString() });
const store = await openStore(config.store);
try {
  await store.migrate();
  const ctx = createRunContext({ config, store, log: createLogger('warn'), full: true });
  const prepared = await prepareSources(ctx);
  await recordRunStart(ctx, 'running');
  for (const p of prepared) await extractSource(ctx, p);
  // One read, measured with what it read still reachable; a function of its own, so that no
  // frame still holds the previous read when the next one is measured.
  const measure = async (): Promise<{ n: number; bytes: number; ms: number }> => {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const t = performance.now();
    const staged = await loadStagedRecords(ctx);
    const ms = performance.now() - t;
    gc();
    gc();
    return { n: staged.length, bytes: process.memoryUsage().heapUsed - before, ms };
  };
  for (let k = 0; k < 3; k++) {
    const { n, bytes, ms } = await measure();
    console.log(`${n.toLocaleString('en-US')} staged records: ${(bytes / n).toFixed(0)} bytes of heap each (${(bytes / 1048576).toFixed(0)} MB), read in ${ms.toFixed(0)} ms`);
  }
} finally {
  await store.close();
  const client = new pg.Client(values.store!);
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}
