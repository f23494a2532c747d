import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { readClusters } from '../../../src/jobs/run-stages.js';
import { loadStagedRecords } from '../../../src/pipeline/match-stage.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import type { RecordTable } from '../../../src/master/record-table.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { type IsolatedStoreUrl, TEST_DIALECTS, isolatedStoreUrl } from '../../support/stores.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const RUN = 'run-clusters-test';

// The queue runner's load job reads the clusters the match job stored, a page at a time by
// source and key; every staged record must get its own row's cluster, and a record with no row
// (or a row with no record) must stop the load rather than load a partial master.
describe.each(TEST_DIALECTS)('the clusters a load job reads (%s)', (dialect) => {
  let isolated: IsolatedStoreUrl;
  let store: Store;
  let records: RecordTable;

  beforeAll(async () => {
    isolated = await isolatedStoreUrl(dialect, 'run_clusters');
    const config: Config = await loadConfig(path.join(ROOT, 'config/demo.yaml'), { DATABASE_URL: isolated.url });
    store = await openStore(config.store);
    await store.migrate();
    await runPipeline({ config, store, log: createLogger('silent'), now: new Date('2026-11-26T00:00:00Z') });
    records = await loadStagedRecords({ store, config });
  });
  afterAll(async () => {
    await store?.close();
    await isolated?.cleanup();
  });

  /** Stores a cluster and probability for every record but those in `skip`: cluster 3i+1, probability i/n (none for every fifth). */
  const storeClusters = async (skip: ReadonlySet<number> = new Set()): Promise<void> => {
    await store.knex('run_clusters').where({ run_id: RUN }).delete();
    const rows = [];
    for (let i = 0; i < records.length; i++) {
      if (!skip.has(i)) rows.push([RUN, records.source(i), records.key(i), 3 * i + 1, i % 5 === 0 ? null : i / records.length]);
    }
    await store.insertRows('run_clusters', ['run_id', 'source', 'source_key', 'cluster', 'probability'], rows);
  };

  it('gives each record its own cluster and probability, across pages and sources', async () => {
    expect(new Set(Array.from({ length: records.length }, (_, i) => records.source(i))).size).toBe(3);
    await storeClusters();
    // 7 rows a page: every source takes several pages, and ends on a full one or a partial one.
    for (const pageSize of [7, records.length]) {
      const { clusterOf, linkProbability } = await readClusters({ runId: RUN, store }, records, pageSize);
      for (let i = 0; i < records.length; i++) {
        expect(clusterOf[i]).toBe(3 * i + 1);
        if (i % 5 === 0) expect(linkProbability[i]).toBeNaN();
        else expect(linkProbability[i]).toBeCloseTo(i / records.length, 12);
      }
    }
  });

  it('stops on a staged record the match stage did not cluster, and on a clustered record no longer staged', async () => {
    await storeClusters(new Set([4, 100]));
    await expect(readClusters({ runId: RUN, store }, records, 7)).rejects.toThrow(/2 staged record\(s\) were not matched between matching and loading.*start the run again/);
    await storeClusters();
    await store.insertRows('run_clusters', ['run_id', 'source', 'source_key', 'cluster', 'probability'], [[RUN, records.source(0), 'no-such-key', 1, null]]);
    await expect(readClusters({ runId: RUN, store }, records, 7)).rejects.toThrow(/matched records are no longer staged between matching and loading/);
  });
});
