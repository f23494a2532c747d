import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/core/logger.js';
import { runPipeline, type RunSummary } from '../../src/pipeline/run-pipeline.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../support/stores.js';

const DEMO = path.resolve(import.meta.dirname, '../../config/demo.yaml');
const log = createLogger('silent');

async function demoConfig(store: string): Promise<Config> {
  return loadConfig(DEMO, { DATABASE_URL: store });
}

type Link = { source: string; source_key: string; customer_id: string; match_probability: number | null };

async function links(store: Store): Promise<Link[]> {
  const rows = (await store.knex('customer_links').select('source', 'source_key', 'customer_id', 'match_probability')) as Link[];
  return rows
    .map((r) => ({ ...r, match_probability: r.match_probability == null ? null : Number(r.match_probability) }))
    .sort((a, b) => (a.source + a.source_key < b.source + b.source_key ? -1 : 1));
}

const results = new Map<string, { summary: RunSummary; links: Link[]; customers: unknown[] }>();

describe.each(TEST_DIALECTS)('pipeline on the demo sources (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'pipeline');
    config = await demoConfig(iso.url);
    store = await openStore(config.store);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
  });

  it('stages every record, quarantines malformed rows with their line, and links duplicates', async () => {
    const summary = await runPipeline({ config, store, log, now: new Date('2026-11-26T00:00:00Z') });
    const bySource = Object.fromEntries(summary.sources.map((s) => [s.source, s]));
    // Nothing is lost: every data row is either staged or in the rejects table.
    for (const s of summary.sources) expect(s.staged + s.malformed).toBe(s.read);
    expect(bySource.erp!.read).toBe(120);
    expect(bySource.sales!.read).toBe(80);
    expect(bySource.legacy!.read).toBe(60);
    const malformed = (await store.knex('rejects').whereNull('field').select('source', 'line', 'code')) as { source: string; line: number; code: string }[];
    expect(malformed).toEqual(
      expect.arrayContaining([
        { source: 'legacy', line: 17, code: 'TOO_MANY_FIELDS' },
        { source: 'erp', line: 120, code: 'UNCLOSED_QUOTE' },
      ]),
    );
    // The row after the broken quote is read, not swallowed.
    expect(await store.knex('source_records').where({ source: 'erp', source_key: 'C10438' }).first()).toBeTruthy();
    const badEmails = (await store.knex('rejects').where({ field: 'email' }).select('source_key', 'value', 'code')) as { value: string }[];
    expect(badEmails.map((r) => r.value)).toEqual(expect.arrayContaining(['test@test.com', 'john@@gmail.com']));
    expect(summary.master?.customers).toBeGreaterThan(150);
    expect(summary.matching.duplicatesLinked).toBeGreaterThan(20);
    expect(summary.quality.overall).toBeGreaterThan(50);
    expect(summary.quality.overall).toBeLessThan(100);
    const l = await links(store);
    expect(l).toHaveLength(summary.sources.reduce((n, s) => n + s.staged, 0));
    results.set(dialect, { summary, links: l, customers: await store.knex('customers').where({ status: 'active' }).orderBy('id').select('id', 'given_name', 'family_name', 'email', 'phone') });
  });

  it('keeps every customer id when the same input runs again', async () => {
    const before = await links(store);
    const again = await runPipeline({ config, store, log });
    expect(again.master?.newCustomers).toBe(0);
    expect(await links(store)).toEqual(before);
  });
});

describe('dialects agree', () => {
  it('gives the same customers and links on every store', () => {
    const all = [...results.values()];
    expect(all.length).toBe(TEST_DIALECTS.length);
    for (const r of all.slice(1)) {
      expect(r.links).toEqual(all[0]!.links);
      expect(r.customers).toEqual(all[0]!.customers);
    }
  });
});

describe('errors at start, before anything is written', () => {
  let dir: string;
  // One empty store for both (an embedded store takes seconds to start): each run must leave it
  // empty, so the second test's counts also hold the first's failed run to that.
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-errors-'));
    await writeFile(path.join(dir, 'a.csv'), 'id,name,mail\n1,Ann Lee,ann@example.com\n');
    store = await openStore('pglite://memory');
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (yaml: string) => {
    const config = parseConfig(yaml, { file: 'etl.yaml', baseDir: dir });
    const err = await runPipeline({ config, store, log }).then(() => null, (e: unknown) => e as Error);
    return { err, runs: await store.knex('runs').count({ n: '*' }), staged: await store.knex('source_records').count({ n: '*' }) };
  };

  it('stops on a missing file with its path', async () => {
    const r = await run('sources:\n  - {name: a, kind: csv, path: missing.csv, key: id, mapping: {full_name: name}}\n');
    expect(r.err?.message).toMatch(/source "a": file .*missing\.csv cannot be opened \(ENOENT\); check the source's path/);
    expect(Number(r.runs[0]!.n)).toBe(0);
  });

  it('stops on a mapped column the file does not have, naming it and the columns there are', async () => {
    const r = await run('sources:\n  - {name: a, kind: csv, path: a.csv, key: id, mapping: {full_name: name, email: e_mail}}\n');
    expect(r.err?.message).toMatch(/source "a": mapped column\(s\) "e_mail" not found in .*a\.csv; the source has: id, name, mail/);
    expect(Number(r.staged[0]!.n)).toBe(0);
  });
});


describe('incremental runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-incr-'));
    await writeFile(
      path.join(dir, 'crm.csv'),
      'id,first,last,email,dob\n1,Anna,Lee,anna.lee@gmail.com,1980-02-03\n2,Bob,Stone,bob.stone@outlook.com,1975-06-07\n3,Carla,Diaz,carla.d@gmail.com,1990-11-12\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads only what was appended, keeps ids, and --full reads everything again', async () => {
    const yaml = 'sources:\n  - {name: crm, kind: csv, path: crm.csv, key: id, mapping: {given_name: first, family_name: last, email: email, birth_date: dob}}\n';
    const config = parseConfig(yaml, { file: 'etl.yaml', baseDir: dir });
    const store = await openStore('pglite://memory');
    await store.migrate();
    try {
      const first = await runPipeline({ config, store, log });
      expect(first.sources[0]).toMatchObject({ read: 3, staged: 3, incremental: false });
      const unchanged = await runPipeline({ config, store, log });
      expect(unchanged.sources[0]).toMatchObject({ read: 0, incremental: true });
      expect(unchanged.master?.customers).toBe(3);
      const before = await links(store);
      await writeFile(path.join(dir, 'crm.csv'), '4,Ana,Lee,anna.lee@gmail.com,1980-02-03\n', { flag: 'a' });
      const appended = await runPipeline({ config, store, log });
      expect(appended.sources[0]).toMatchObject({ read: 1, staged: 1, incremental: true });
      const after = await links(store);
      expect(after).toHaveLength(4);
      const anna = after.find((l) => l.source_key === '1')!;
      expect(after.find((l) => l.source_key === '4')!.customer_id).toBe(anna.customer_id);
      for (const l of before) expect(after.find((x) => x.source_key === l.source_key)!.customer_id).toBe(l.customer_id);
      const full = await runPipeline({ config, store, log, full: true });
      expect(full.sources[0]).toMatchObject({ read: 4, incremental: false });
    } finally {
      await store.close();
    }
  });
});

describe('date order detected from the whole column', () => {
  it('reads 03/04/1985 as 3 April when a later row says day first', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-dates-'));
    try {
      const rows = ['id,name,dob'];
      // 6,000 ambiguous dates first (more than one batch), then one that only d/m/y can read.
      for (let i = 1; i <= 6000; i++) rows.push(`${i},Person ${i},0${1 + (i % 9)}/0${1 + (i % 9)}/1985`);
      rows.push('6001,Person Last,25/12/1985');
      rows.push('6002,Person Check,03/04/1985');
      await writeFile(path.join(dir, 'people.csv'), rows.join('\n') + '\n');
      const config = parseConfig('sources:\n  - {name: p, kind: csv, path: people.csv, key: id, country: US, mapping: {full_name: name, birth_date: dob}}\n', { file: 'etl.yaml', baseDir: dir });
      const store = await openStore('pglite://memory');
      await store.migrate();
      try {
        const summary = await runPipeline({ config, store, log });
        expect(summary.sources[0]!.dateOrder).toBe('dmy');
        const r = (await store.knex('source_records').where({ source_key: '6002' }).first('birth_date')) as { birth_date: string };
        expect(r.birth_date).toBe('1985-04-03');
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
