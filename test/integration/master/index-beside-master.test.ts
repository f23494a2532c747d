import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { writeMatchIndex } from '../../../src/master/match-index.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import type { Store } from '../../../src/store/store.js';
import { allowInserts, refuseInserts } from '../../support/refuse-inserts.js';
import { type CsvPipeline, csvPipeline } from '../../support/csv-pipeline.js';
import { TEST_DIALECTS } from '../../support/stores.js';

const log = createLogger('silent');
const PEOPLE = [
  '1,Anna,Schmidt,anna.schmidt@example.com,1980-02-03',
  '2,Anna,Schmitt,anna.schmidt@example.com,1980-02-03',
  '3,Bernd,Meyer,b.meyer@example.org,1975-11-30',
  '4,Clara,Wolf,clara.wolf@example.net,1990-07-14',
];

const count = async (store: Store, table: string): Promise<number> => {
  const rows = (await store.knex(table).count({ n: '*' })) as { n: number | string }[];
  return Number(rows[0]!.n);
};

// A full run writes its match index and the master at once on a store with a pool of
// connections (one after the other on PGlite): the master must not commit without its index.
describe.each(TEST_DIALECTS)('match index written beside the master (%s)', (dialect) => {
  let fx: CsvPipeline;
  let store: Store;
  let config: Config;

  beforeAll(async () => {
    fx = await csvPipeline(dialect, 'index-beside-master', 'id,given,family,email,dob\n' + PEOPLE.join('\n') + '\n', { given_name: 'given', family_name: 'family', email: 'email', birth_date: 'dob' });
    ({ store, config } = fx);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('rolls the master back when the index fails, and writes both on the next run', async () => {
    await refuseInserts(store, 'blocking_keys', 'blocking keys refused');
    await expect(runPipeline({ config, store, log, full: true })).rejects.toThrow(/blocking keys refused/);
    expect(await count(store, 'customers')).toBe(0);
    expect(await count(store, 'customer_links')).toBe(0);
    expect(await count(store, 'master_audit')).toBe(0);
    expect(await count(store, 'blocking_keys')).toBe(0);
    const failed = (await store.knex('runs').select('status')) as { status: string }[];
    expect(failed.map((r) => r.status)).toEqual(['failed']);

    await allowInserts(store, 'blocking_keys');
    const summary = await runPipeline({ config, store, log, full: true, now: new Date(Date.now() + 2000) });
    expect(summary.status).toBe('succeeded');
    // Anna's two records are one customer; every record is linked and indexed.
    expect(await count(store, 'customers')).toBe(3);
    expect(await count(store, 'customer_links')).toBe(4);
    const indexed = (await store.knex('blocking_keys').distinct('source_key')) as { source_key: string }[];
    expect(indexed.map((r) => r.source_key).sort()).toEqual(['1', '2', '3', '4']);
    expect(summary.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['load:match index', 'load:master', 'match index:keys']));
  });

  // On a store with a pool the index is written while quality is assessed, and waits for the
  // gates before it commits: a run its gates fail leaves the index as the last run wrote it.
  it('leaves the index as it was when the quality gates fail the run', async () => {
    const indexed = async () => ((await store.knex('blocking_keys').distinct('source_key').orderBy('source_key')) as { source_key: string }[]).map((r) => r.source_key);
    const frequencies = async () => ((await store.knex('match_term_frequencies').distinct('run_id')) as { run_id: string }[]).map((r) => r.run_id);
    const before = { keys: await indexed(), runs: await frequencies(), rows: await count(store, 'blocking_keys') };
    expect(before.keys).toEqual(['1', '2', '3', '4']);
    await writeFile(path.join(fx.dir, 'people.csv'), 'id,given,family,email,dob\n' + [...PEOPLE, '5,Dora,Klein,dora.klein@example.com,1985-04-05'].join('\n') + '\n');
    const strict = { ...config, quality: { ...config.quality, gates: { ...config.quality.gates, min_overall: 100.5 } } };
    const summary = await runPipeline({ config: strict, store, log, full: true, now: new Date(Date.now() + 4000) });
    expect(summary.status).toBe('failed');
    expect(summary.quality.gates.failed.map((f) => f.gate)).toEqual(['quality.gates.min_overall']);
    expect(summary.master).toBeNull();
    expect(await indexed()).toEqual(before.keys);
    expect(await count(store, 'blocking_keys')).toBe(before.rows);
    expect(await frequencies()).toEqual(before.runs);
    expect(await count(store, 'customer_links')).toBe(4);

    // The same records under the configured gates: the index and the master take record 5.
    const next = await runPipeline({ config, store, log, full: true, now: new Date(Date.now() + 6000) });
    expect(next.status).toBe('succeeded');
    expect(await indexed()).toEqual(['1', '2', '3', '4', '5']);
    expect(await count(store, 'customer_links')).toBe(5);
  });

  it('rolls back a write given up while its rows are loading', async () => {
    const keys = await count(store, 'blocking_keys');
    const runs = (await store.knex('match_term_frequencies').distinct('run_id')) as { run_id: string }[];
    let fail = (_why: Error): void => undefined;
    const gates = new Promise<void>((_resolve, reject) => (fail = reject));
    const row = (i: number): unknown[] => ['people', `x${i}`, i.toString(16).padStart(16, '0'), null];
    // Rows keep coming after the gates failed: the write must stop at the next batch, not load them.
    async function* rows(): AsyncGenerator<unknown[][]> {
      yield [row(1), row(2)];
      fail(new Error('given up'));
      yield [row(3)];
      throw new Error('read past the abort');
    }
    async function* csv(): AsyncGenerator<Uint8Array> {
      for await (const batch of rows()) yield Buffer.from(batch.map((r) => `"${r[0]}","${r[1]}","${r[2]}",\n`).join(''));
    }
    const written = writeMatchIndex(store, 'given-up', dialect === 'mysql' ? rows() : { csv: csv() }, [], { blocks: new Map() }, undefined, undefined, gates);
    await expect(written).rejects.toThrow(/given up/);
    expect(await count(store, 'blocking_keys')).toBe(keys);
    expect(Number(((await store.knex('blocking_keys').where('source_key', 'like', 'x%').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(0);
    expect((await store.knex('match_term_frequencies').distinct('run_id')) as { run_id: string }[]).toEqual(runs);
  });
});

// A first load whose quality gates fail: the master and its match index (written beside quality)
// stay empty, the run's scores are kept for the report, and the tables keep their keys.
describe.each(TEST_DIALECTS)('a first load whose quality gates fail (%s)', (dialect) => {
  let fx: CsvPipeline;
  let store: Store;
  let config: Config;

  beforeAll(async () => {
    fx = await csvPipeline(dialect, 'gates-first-load', 'id,given,family,email,dob\n' + PEOPLE.join('\n') + '\n', { given_name: 'given', family_name: 'family', email: 'email', birth_date: 'dob' });
    ({ store, config } = fx);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('loads nothing, keeps the scores, and loads all on the next run', async () => {
    const strict = { ...config, quality: { ...config.quality, gates: { ...config.quality.gates, min_overall: 100.5 } } };
    const summary = await runPipeline({ config: strict, store, log, full: true });
    expect(summary.status).toBe('failed');
    expect(summary.quality.gates.failed.map((f) => f.gate)).toEqual(['quality.gates.min_overall']);
    expect(summary.master).toBeNull();
    for (const table of ['customers', 'customer_links', 'customer_consistency', 'master_audit', 'blocking_keys', 'match_term_frequencies']) expect(await count(store, table)).toBe(0);
    const scored = (await store.knex('quality_scores').distinct('run_id')) as { run_id: string }[];
    expect(scored.map((r) => r.run_id)).toEqual([summary.runId]);
    const runs = (await store.knex('runs').select('status')) as { status: string }[];
    expect(runs.map((r) => r.status)).toEqual(['failed']);

    // The master's tables kept their keys through the rollback: the next run loads into them.
    const next = await runPipeline({ config, store, log, full: true, now: new Date(Date.now() + 2000) });
    expect(next.status).toBe('succeeded');
    expect(next.master?.newCustomers).toBe(3);
    expect(await count(store, 'customers')).toBe(3);
    expect(await count(store, 'customer_links')).toBe(4);
    await expect(store.knex('customer_links').insert({ source: 'people', source_key: '1', customer_id: 'x', match_probability: null, run_id: next.runId })).rejects.toThrow();
  });
});
