import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { writeDataset } from '../../../src/generator/index.js';
import { extractSource, prepareSources } from '../../../src/pipeline/extract.js';
import { type MatchStageResult, runMatchStage } from '../../../src/pipeline/match-stage.js';
import { createRunContext } from '../../../src/pipeline/run-pipeline.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const log = createLogger('silent');

/** What a match stage decided, by record identity. */
function outcome(m: MatchStageResult): unknown {
  const ref = (i: number): string => `${m.records.source(i)}:${m.records.key(i)}`;
  return {
    order: Array.from(m.records, (r) => `${r.source}:${r.key}`),
    clusters: Array.from(m.result.clusterOf, (c) => ref(c)),
    pairs: m.result.pairs.map((p) => [ref(p.a), ref(p.b), p.probability.toFixed(9), p.decision]),
    model: m.result.model,
  };
}

// The match stage with its match records made in the encoding threads (as from 20,000 records)
// against made on the calling thread.
describe.each(TEST_DIALECTS)('match stage with the encoding threads (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'encode_stage');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-encode-stage-'));
    await writeDataset(dir, { records: 1500, seed: 5 });
    config = await loadConfig(path.join(dir, 'config.yaml'), { DATABASE_URL: iso.url });
    store = await openStore(config.store);
    await store.migrate();
    const ctx = createRunContext({ config, store, log });
    for (const p of await prepareSources(ctx)) await extractSource(ctx, p);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds the same pairs, clusters and model as matching on one thread', async () => {
    const match = async (encodeThreadRecords: number) => outcome(await runMatchStage(createRunContext({ config, store, log }), { encodeThreadRecords }));
    const expected = await match(Number.MAX_SAFE_INTEGER);
    expect((expected as { order: string[] }).order.length).toBe(1500);
    expect((expected as { pairs: unknown[] }).pairs.length).toBeGreaterThan(100);
    expect(await match(1)).toEqual(expected);
  }, 60_000);
});
