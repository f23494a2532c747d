import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/core/logger.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import type { Store } from '../../src/store/store.js';
import { allowInserts, refuseInserts } from '../support/refuse-inserts.js';
import { type CsvPipeline, csvPipeline } from '../support/csv-pipeline.js';
import { TEST_DIALECTS } from '../support/stores.js';

const log = createLogger('silent');
/** Two batches of the CSV connector (5,000 rows each), the second short. */
const ROWS = 6_789;
/** A key in the second batch, which the store refuses while the trigger is on. */
const REFUSED = '5555';

// Extraction writes a batch while it reads and standardizes the next: a failed write must still
// fail the run (and keep the source's cursor where it was), and a clean run stages every row once.
describe.each(TEST_DIALECTS)('staging while the next batch is read (%s)', (dialect) => {
  let fx: CsvPipeline;
  let store: Store;
  let config: Config;

  beforeAll(async () => {
    const lines = Array.from({ length: ROWS }, (_, i) => `${i + 1},Given${i},Family${i % 50},p${i}@example.com`);
    fx = await csvPipeline(dialect, 'extract-writes', 'id,given,family,email\n' + lines.join('\n') + '\n', { given_name: 'given', family_name: 'family', email: 'email' });
    ({ store, config } = fx);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('fails the run on a refused batch without saving the cursor, then stages every row once', async () => {
    await refuseInserts(store, 'source_records', 'record refused', REFUSED);
    await expect(runPipeline({ config, store, log })).rejects.toThrow(/record refused/);
    expect(await store.knex('source_cursors').where({ source: 'people' }).first()).toBeUndefined();
    expect(await store.knex('customers').first()).toBeUndefined();

    await allowInserts(store, 'source_records');
    const summary = await runPipeline({ config, store, log, now: new Date(Date.now() + 2000) });
    expect(summary.sources[0]).toMatchObject({ read: ROWS, staged: ROWS, malformed: 0 });
    const counts = (await store.knex('source_records').count({ n: '*' }).countDistinct({ keys: 'source_key' })) as { n: number | string; keys: number | string }[];
    expect(Number(counts[0]!.n)).toBe(ROWS);
    expect(Number(counts[0]!.keys)).toBe(ROWS);
    expect(await store.knex('source_cursors').where({ source: 'people' }).first()).toBeDefined();
  });
});
