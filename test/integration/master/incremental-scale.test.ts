import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { pairMetrics } from '../../../src/eval/pair-metrics.js';
import { writeDataset } from '../../../src/generator/index.js';
import { refOf } from '../../../src/master/ids.js';
import { applyIncremental, planIncremental } from '../../../src/master/incremental.js';
import { incrementalQualityTallies } from '../../../src/master/incremental-quality.js';
import { extractSource, prepareSources } from '../../../src/pipeline/extract.js';
import { loadStagedRecords } from '../../../src/pipeline/match-stage.js';
import { createRunContext, runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { type QualityTallies, type SourceDelivery, tallyRecords } from '../../../src/quality/scores.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const log = createLogger('silent');

async function clusters(store: Store): Promise<Map<string, string>> {
  const rows = (await store.knex('customer_links').select('source', 'source_key', 'customer_id')) as { source: string; source_key: string; customer_id: string }[];
  return new Map(rows.map((r) => [`${r.source}\u0000${r.source_key}`, r.customer_id]));
}

/** Tallies as a plain object, numbers rounded (a sum of fractions may differ in the last bits). */
function plain(t: QualityTallies): unknown {
  return {
    sources: Object.fromEntries(
      [...t.sources].map(([s, x]) => [
        s,
        {
          records: x.records,
          present: x.present,
          updatedDays: Object.fromEntries([...x.updatedDays].sort()),
          accuracy: [x.accuracy.good, x.accuracy.measured],
          clusters: x.clusters,
          consistency: Object.fromEntries([...x.consistency].filter(([, c]) => c.measured).map(([f, c]) => [f, [c.good, c.measured]]).sort()),
        },
      ]),
    ),
    clusters: t.clusters,
  };
}

/** Edits `n` rows of a generated erp.csv (e-mail, phone, updated_at) and appends `n` copies under new keys. */
async function editErp(dir: string, n: number): Promise<number> {
  const file = path.join(dir, 'erp.csv');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const header = lines[0]!.split(',');
  const [email, phone, updated, key] = ['email', 'phone', 'updated_at', 'customer_no'].map((c) => header.indexOf(c)) as [number, number, number, number];
  const step = 13;
  const added: string[] = [];
  for (let i = 1, done = 0; i < lines.length && done < n; i += step) {
    if (!lines[i] || lines[i]!.includes('"')) continue;
    const f = lines[i]!.split(',');
    const copy = [...f];
    copy[key] = `N${f[key]}`;
    added.push(copy.join(','));
    if (f[email]) f[email] = `new.${f[email]}`;
    if (f[phone]) f[phone] = f[phone]!.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    f[updated] = '2026-01-01 00:00:00';
    lines[i] = f.join(',');
    done++;
  }
  await writeFile(file, lines.filter((l, i) => l || i < lines.length - 1).join('\n') + '\n' + added.join('\n') + '\n');
  return added.length;
}

describe.each(TEST_DIALECTS)('incremental re-sync at scale (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'incr_scale');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-incr-scale-'));
    await writeDataset(dir, { records: 2500, seed: 11 });
    config = await loadConfig(path.join(dir, 'config.yaml'), { DATABASE_URL: iso.url });
    store = await openStore(config.store);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('matches changed records against their neighbours in the stored blocks and agrees with a full re-run; its quality tallies, counted by the store, equal those of the records in memory', async () => {
    const full = await runPipeline({ config, store, log });
    expect(full.matching.mode).toBe('full');
    const edited = await editErp(dir, 40);
    expect(edited).toBe(40);
    await store.knex('source_cursors').where({ source: 'erp' }).delete();

    // The run's steps by hand, to hold the quality tallies of the plan before it is written.
    const ctx = createRunContext({ config, store, log, sources: ['erp'] });
    const deliveries: SourceDelivery[] = [];
    for (const p of await prepareSources(ctx)) {
      const s = await extractSource(ctx, p);
      const cfg = config.sources.find((c) => c.name === s.source)!;
      deliveries.push({ source: s.source, country: cfg.country, fields: Object.keys(s.fieldCounts), read: s.read, malformed: s.malformed, rowsWithRejects: 0, incremental: s.incremental, rejectedValues: {} });
    }
    const plan = await planIncremental(ctx);
    expect(plan).not.toBeNull();
    expect(plan!.matching.changedRecords).toBe(80);
    // Neighbours, not whole blocks: about as many pairs per changed record as a full run compares.
    expect(plan!.matching.candidatePairs / 80).toBeLessThan((2 * full.matching.candidatePairs) / full.matching.records + 20);
    const counted = await incrementalQualityTallies(store, config, plan!.rebuild, deliveries);
    await applyIncremental(ctx, plan!);

    // The same tallies from every live record in memory, with the customers as now stored.
    const records = await loadStagedRecords(ctx);
    const links = await clusters(store);
    const ids = new Map<string, number>();
    const clusterOf = Int32Array.from(records, (r) => {
      const c = links.get(`${r.source}\u0000${r.key}`) ?? `single ${refOf(r.source, r.key)}`;
      if (!ids.has(c)) ids.set(c, ids.size);
      return ids.get(c)!;
    });
    const expected = tallyRecords({ deliveries, records, clusterOf }, config.quality);
    // (what is compared is not trivially empty: duplicates across sources, compared fields)
    expect([...expected.sources.get('erp')!.consistency.values()].some((t) => t.measured > 20)).toBe(true);
    expect(expected.clusters.largestClusters.length).toBe(10);
    expect(expected.sources.get('erp')!.clusters).toBeLessThan(expected.sources.get('erp')!.records);
    expect(plain(counted)).toEqual(plain(expected));
    // And without a plan (nothing touched): the store's counts alone.
    expect(plain(await incrementalQualityTallies(store, config, null, deliveries))).toEqual(plain(expected));

    const incremental = await clusters(store);
    const again = await runPipeline({ config, store, log, full: true });
    expect(again.matching.mode).toBe('full');
    const m = pairMetrics(incremental, await clusters(store));
    expect(m.f1).toBeGreaterThan(0.99);
  });
});

describe.each(TEST_DIALECTS)('incremental candidates in a large block (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let dir: string;
  let config: Config;
  const GIVEN = ['Aaron', 'Abel', 'Ada', 'Adam', 'Alan', 'Alba', 'Ali', 'Amos', 'Ann', 'Ari', 'Axel', 'Ben', 'Bea', 'Carl', 'Cleo', 'Dan', 'Dora', 'Eli', 'Ema', 'Finn', 'Gus', 'Hana', 'Ian', 'Ivy', 'Jon', 'Kai', 'Lea', 'Max', 'Nia', 'Otto', 'Pia', 'Rex', 'Sam', 'Tia', 'Uma', 'Vic', 'Wes', 'Xia', 'Yan', 'Zoe'];

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'incr_block');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-incr-block-'));
    // 40 Smiths in one postcode (a block a full run compares through its window), born in
    // different years, with 1,200 other people around them so that the master is incremental.
    const rows = GIVEN.map((g, i) => `s${i},${g},Smith,${g.toLowerCase()}.smith${i}@example.com,${1940 + i}-0${1 + (i % 9)}-1${i % 10},2000`);
    for (let i = 0; i < 1200; i++) rows.push(`p${i},Given${i},Family${i % 400},p${i}@example.org,${1950 + (i % 50)}-0${1 + (i % 9)}-2${i % 10},${3000 + (i % 300)}`);
    await writeFile(path.join(dir, 'crm.csv'), 'id,first,last,email,dob,pc\n' + rows.join('\n') + '\n');
    config = parseConfig(
      `store: ${iso.url}\nsources:\n  - {name: crm, kind: csv, path: crm.csv, key: id, country: AU, mapping: {given_name: first, family_name: last, email: email, birth_date: dob, postal_code: pc}}\n`,
      { file: 'etl.yaml', baseDir: dir },
    );
    store = await openStore(config.store);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pairs a new record with the window of its neighbours in name order, not the whole block', async () => {
    await runPipeline({ config, store, log });
    await writeFile(path.join(dir, 'crm.csv'), 'new1,Mia,Smith,mia.smith@example.net,1999-12-31,2000\n', { flag: 'a' });
    const run = await runPipeline({ config, store, log });
    expect(run.matching.mode).toBe('incremental');
    expect(run.matching.changedRecords).toBe(1);
    // The block of 41 Smiths in 2000 gives 2 × block_window (4) neighbours; the other rules'
    // blocks (phonetic names with the birth year, e-mail, …) hold a few more at most.
    expect(run.matching.candidatePairs).toBeGreaterThanOrEqual(8);
    expect(run.matching.candidatePairs).toBeLessThan(20);
  });
});
