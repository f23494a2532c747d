import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/core/logger.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { extractSource, prepareSources } from '../../src/pipeline/extract.js';
import { StagingThread } from '../../src/pipeline/stage-thread.js';
import { FieldCipher } from '../../src/security/field-cipher.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { allowInserts, refuseInserts } from '../support/refuse-inserts.js';
import { peopleCsv } from '../support/people-csv.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../support/stores.js';

/** Three batches of the CSV connector (5,000 rows each), a malformed row in each. */
const ROWS = 12_345;

// A staging thread stages batches of a large source beside the main thread (src/pipeline/stage-thread.ts):
// whichever thread staged a batch, the store must hold, and the run count, exactly what staging
// every batch on the main thread gives, with and without a key. (MySQL loads rows: no thread.)
describe.each(TEST_DIALECTS.filter((d) => d !== 'mysql'))('extraction with a staging thread (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'staging-thread');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-staging-thread-'));
    await writeFile(path.join(dir, 'people.csv'), peopleCsv(ROWS, 11_001, (i) => (i % 4_001 === 0 ? `broken${i},too,few` : null)));
    config = parseConfig(
      `store: ${iso.url}\nsources:\n  - {name: people, kind: csv, path: people.csv, key: id, country: GB, mapping: {given_name: given, family_name: family, email: email, phone: phone, birth_date: birth, city: city}}\n`,
      { file: 'etl.yaml', baseDir: dir },
    );
  });
  afterAll(async () => {
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const extractWith = async (store: Store, stagingFrom: number, runId: string, thread?: StagingThread) => {
    const ctx: RunContext = { runId, config, store, log: createLogger('silent'), today: '2026-11-28', sources: [], full: true };
    const [prepared] = await prepareSources(ctx);
    const stats = await extractSource(ctx, prepared!, { stagingFrom, ...(thread ? { stagingThread: () => thread } : {}) });
    const rows = (await store.knex('source_records').orderBy('source_key').select()) as Record<string, unknown>[];
    const rejects = (await store.knex('rejects').where({ run_id: runId }).orderBy(['source_key', 'line', 'field', 'code']).select('source_key', 'location', 'line', 'field', 'value', 'code', 'reason')) as Record<string, unknown>[];
    return { stats, rows: rows.map(({ run_id: _, ...r }) => r), rejects };
  };

  it.each([
    ['without a key', false],
    ['with a key', true],
  ])('stores and counts every record as the main thread does (%s)', async (_, keyed) => {
    const cipher = keyed ? new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date']) : null;
    const store = await openStore(config.store, cipher ? { cipher } : {});
    try {
      await store.migrate();
      const here = await extractWith(store, Infinity, 'run-here');
      const threaded = await extractWith(store, 0, 'run-thread');
      // A thread shared by the caller (the inline runner's) is left open for the next source.
      const shared = new StagingThread(cipher);
      const again = await extractWith(store, 1, 'run-shared', shared);
      expect(shared.free).toBe(true);
      await shared.close();
      expect(here.stats).toMatchObject({ read: ROWS + 3, staged: ROWS, malformed: 3 });
      expect(here.stats.rejectedValues).toBeGreaterThan(350);
      expect(threaded.stats).toEqual(here.stats);
      expect(again.stats).toEqual(here.stats);
      expect(threaded.rows).toHaveLength(ROWS);
      expect(threaded.rows).toEqual(here.rows);
      expect(again.rows).toEqual(here.rows);
      expect(threaded.rejects).toEqual(here.rejects);
      expect(again.rejects).toEqual(here.rejects);
      expect(here.rows.find((r) => r.source_key === '7')).toMatchObject({ email: 'p7@postmail.de', city: 'London', deleted: false });
    } finally {
      await store.close();
    }
  });

  it('fails on a refused batch staged by the thread, and stages every row once when run again', async () => {
    const store = await openStore(config.store);
    try {
      await store.migrate();
      await refuseInserts(store, 'source_records', 'record refused', '10555');
      await expect(extractWith(store, 0, 'run-refused')).rejects.toThrow(/record refused/);
      await allowInserts(store, 'source_records');
      const ok = await extractWith(store, 0, 'run-after');
      expect(ok.rows).toHaveLength(ROWS);
      expect(new Set(ok.rows.map((r) => r.source_key)).size).toBe(ROWS);
    } finally {
      await store.close();
    }
  });
});
