import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
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
});
