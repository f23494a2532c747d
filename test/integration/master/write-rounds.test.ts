import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { type LoadResult, type MasterPlacement, writeMaster } from '../../../src/pipeline/load-master.js';
import type { MasterRecord } from '../../../src/master/store-io.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { allowInserts, refuseInserts } from '../../support/refuse-inserts.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const SOURCES = ['crm', 'erp'] as const;

/** 40 records, two per person, in two sources; `tweak` changes some values of the second write. */
function records(tweak: boolean): MasterRecord[] {
  const out: MasterRecord[] = [];
  for (const source of SOURCES) {
    for (let i = 0; i < 20; i++) {
      const email = tweak && source === 'erp' && i % 5 === 0 ? `new${i}@example.com` : `p${i}@example.com`;
      out.push({
        source,
        key: String(i),
        line: i + 2,
        values: { given_name: `G${i}`, family_name: `F${i}`, email, birth_date: `1980-01-${String(1 + i).padStart(2, '0')}`, source_updated_at: source === 'crm' ? '2024-01-01' : '2024-02-01' },
        hash: `${source}-${i}-${email}`,
      });
    }
  }
  return out;
}

/**
 * First write: person i's two records together. Second: persons 0 and 1 merge, person 2's erp
 * record leaves for a customer of its own, persons 3 and 4 swap their erp records, and person
 * 5's records are gone (its customer retires).
 */
function placements(): [MasterPlacement, MasterPlacement] {
  const first = records(false);
  const cluster = (r: MasterRecord): number => Number(r.key);
  const second = records(true).filter((r) => r.key !== '5');
  const moved = (r: MasterRecord): number => {
    const i = Number(r.key);
    if (i === 1) return 0;
    if (i === 2 && r.source === 'erp') return 100;
    if ((i === 3 || i === 4) && r.source === 'erp') return 7 - i;
    return i;
  };
  const place = (recs: MasterRecord[], of: (r: MasterRecord) => number): MasterPlacement => ({
    records: recs,
    clusterOf: Int32Array.from(recs.map(of)),
    linkProbability: Float64Array.from(recs.map((r) => (r.source === 'crm' ? Number.NaN : 0.95))),
    scope: 'all',
  });
  return [place(first, cluster), place(second, moved)];
}

/** A table's indexes as the store describes them. */
async function indexesOf(store: Store, table: string): Promise<string[]> {
  if (store.dialect === 'mysql') {
    const [rows] = (await store.knex.raw('show index from ??', [table])) as [{ Key_name: string; Column_name: string; Non_unique: number }[]];
    return rows.map((r) => `${r.Key_name} ${r.Column_name} ${r.Non_unique}`).sort();
  }
  const res = await store.knex.raw('select indexdef from pg_indexes where schemaname = current_schema() and tablename = ?', [table]);
  return (res.rows as { indexdef: string }[]).map((r) => r.indexdef).sort();
}

async function snapshot(store: Store): Promise<unknown> {
  const k = store.knex;
  return {
    customers: await k('customers').orderBy('id').select(),
    links: await k('customer_links').orderBy(['source', 'source_key']).select(),
    consistency: await k('customer_consistency').orderBy(['customer_id', 'source', 'field']).select(),
    audit: await k('master_audit').orderBy('id').select('id', 'customer_id', 'action', 'before', 'after', 'run_id'),
  };
}

describe.each(TEST_DIALECTS)('master written in rounds (%s)', (dialect) => {
  const isos: IsolatedStoreUrl[] = [];
  const stores: Store[] = [];
  let config: Config;

  beforeAll(async () => {
    for (const name of ['rounds-one', 'rounds-many']) {
      const iso = await isolatedStoreUrl(dialect, name);
      isos.push(iso);
      config = parseConfig(
        `store: ${iso.url}\nsources:\n${SOURCES.map((s) => `  - {name: ${s}, kind: csv, path: ${s}.csv, key: id, mapping: {email: email}}\n`).join('')}`,
        { file: 'etl.yaml', baseDir: '/tmp' },
      );
      const store = await openStore(config.store);
      await store.migrate();
      stores.push(store);
    }
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const iso of isos) await iso.cleanup();
  });

  it('writes the same customers, links, consistency pairs and audit log, in the same order, as one round', async () => {
    const [first, second] = placements();
    const results: LoadResult[][] = [[], []];
    for (const [runId, p] of [['20240101T000000Z', first], ['20240201T000000Z', second]] as const) {
      for (const [s, store] of stores.entries()) {
        const audit = { actor: 'test', at: new Date('2024-03-01T00:00:00Z'), runId, reason: `run ${runId}` };
        // Rounds of 3 clusters: every round holds creates, updates or moved links, and the
        // merge, split and retirement cross rounds.
        results[s]!.push(await writeMaster({ store, config, audit, ...(s === 1 ? { roundClusters: 3 } : {}) }, p));
      }
      expect(await snapshot(stores[1]!)).toEqual(await snapshot(stores[0]!));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]![0]).toMatchObject({ newCustomers: 20, linkedRecords: 40, changedLinks: 40 });
    expect(results[0]![1]).toMatchObject({ newCustomers: 1, mergedCustomers: 1, retiredCustomers: 1, detachedRecords: 2 });
    expect(results[0]![1]!.updatedCustomers).toBeGreaterThan(4);
    const audit = (await stores[1]!.knex('master_audit').orderBy('id').select('action')) as { action: string }[];
    expect(audit.map((a) => a.action).slice(-2).sort()).toEqual(['merge', 'retire']);
  });

  it('rolls the whole master back when a round fails to load while the next is being built', async () => {
    const iso = await isolatedStoreUrl(dialect, 'rounds-fail');
    const store = await openStore(iso.url);
    try {
      await store.migrate();
      const [first] = placements();
      const audit = { actor: 'test', at: new Date('2024-03-01T00:00:00Z'), runId: '20240101T000000Z', reason: 'run' };
      // Person 10's links are in the fourth of seven rounds: rounds before it were loaded, the
      // fifth was being built when the store refused.
      await refuseInserts(store, 'customer_links', 'link refused by test', '10');
      await expect(writeMaster({ store, config, audit, roundClusters: 3 }, first)).rejects.toThrow(/link refused by test/);
      expect(await snapshot(store)).toEqual({ customers: [], links: [], consistency: [], audit: [] });
      await allowInserts(store, 'customer_links');
      expect(await writeMaster({ store, config, audit, roundClusters: 3 }, first)).toMatchObject({ newCustomers: 20, linkedRecords: 40 });
    } finally {
      await store.close();
      await iso.cleanup();
    }
  });

  it('keeps the master\'s indexes as migrated after a first write into an empty master (loaded bare, indexed after)', async () => {
    const iso = await isolatedStoreUrl(dialect, 'rounds-first');
    const store = await openStore(iso.url);
    try {
      await store.migrate();
      const tables = ['customers', 'customer_links', 'customer_consistency', 'master_audit'];
      const migrated = await Promise.all(tables.map((t) => indexesOf(store, t)));
      expect(migrated.every((ix) => ix.length > 0)).toBe(true);
      const [first] = placements();
      const audit = { actor: 'test', at: new Date('2024-03-01T00:00:00Z'), runId: '20240101T000000Z', reason: 'run' };
      expect(await writeMaster({ store, config, audit, roundClusters: 3 }, first)).toMatchObject({ newCustomers: 20, linkedRecords: 40 });
      expect(await Promise.all(tables.map((t) => indexesOf(store, t)))).toEqual(migrated);
      // The primary keys are back: a second row under a taken id is refused.
      const row = (await store.knex('customers').first()) as Record<string, unknown>;
      await expect(store.knex('customers').insert(row)).rejects.toThrow();
    } finally {
      await store.close();
      await iso.cleanup();
    }
  });
});
