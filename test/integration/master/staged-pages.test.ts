import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { CANONICAL_FIELDS } from '../../../src/core/fields.js';
import { loadStagedRecords } from '../../../src/pipeline/match-stage.js';
import { SOURCE_RECORD_COLUMNS } from '../../../src/pipeline/stage-records.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

// Keys that sort differently by case, by digits as text, and past ASCII; one source the
// configuration no longer lists (its records still count, after the configured ones).
const KEYS = ['a', 'B', 'b', '10', '9', '客户-1', 'Ä', 'z z', 'A', '100'];
const SOURCES = ['crm', 'erp', 'retired'];
const config = { sources: [{ name: 'erp' }, { name: 'crm' }] } as unknown as Config;

function row(source: string, key: string, i: number): unknown[] {
  const values: Record<string, unknown> = {
    source,
    source_key: key,
    run_id: 'run-1',
    location: `${source}.csv`,
    line: i + 2,
    extra: '{}',
    // One record without a hash: read whole, as are those below whose values packing cannot hold.
    record_hash: i === 7 ? '' : `h${i}`,
    // Every fifth record is deleted in its source: never read.
    deleted: i % 5 === 4,
  };
  for (const f of CANONICAL_FIELDS) values[f] = null;
  values.family_name = `Family ${i}`;
  values.email = `p${i}@example.com`;
  // Values the store's packing must give back exactly: empty (not null), holding the packing's
  // separator, past ASCII, with quotes and commas.
  values.given_name = i % 6 === 0 ? '' : i % 6 === 1 ? `An\u0001na ${i}` : `Ånna "${i}", 客户`;
  values.city = i % 4 === 0 ? null : `City ${i % 3}`;
  values.source_updated_at = `2026-11-${String(10 + (i % 9)).padStart(2, '0')}`;
  return SOURCE_RECORD_COLUMNS.map((c) => values[c]);
}

describe.each(TEST_DIALECTS)('staged records read a page at a time: %s', (dialect) => {
  let isolated: IsolatedStoreUrl;
  let store: Store;
  const rows: unknown[][] = [];

  beforeAll(async () => {
    isolated = await isolatedStoreUrl(dialect, 'staged-pages');
    store = await openStore(isolated.url);
    await store.migrate();
    let i = 0;
    for (const source of SOURCES) for (const key of KEYS) rows.push(row(source, key, i++));
    await store.insertRows('source_records', SOURCE_RECORD_COLUMNS, rows);
  });

  afterAll(async () => {
    await store?.close();
    await isolated?.cleanup();
  });

  it('reads every live record once, in canonical order, with its values exactly, whatever the page size', async () => {
    const col = (name: string) => SOURCE_RECORD_COLUMNS.indexOf(name as (typeof SOURCE_RECORD_COLUMNS)[number]);
    const live = rows.filter((r) => r[col('deleted')] === false);
    // Canonical order: configured sources first in their order, then others; then by line.
    const rank = (s: string) => ['erp', 'crm'].indexOf(s) >>> 0;
    const expected = [...live]
      .sort((x, y) => rank(x[0] as string) - rank(y[0] as string) || (x[col('line')] as number) - (y[col('line')] as number))
      .map((r) => ({
        source: r[0],
        key: r[1],
        line: r[col('line')],
        hash: r[col('record_hash')] || undefined,
        values: Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, r[col(f)]])),
      }));
    expect(expected.length).toBe(24);
    for (const pageSize of [1, 3, 8, 10, 1000]) {
      const got = await loadStagedRecords({ store, config }, pageSize);
      expect(
        Array.from(got, (r) => ({ source: r.source, key: r.key, line: r.line, hash: r.hash, values: { ...r.values } })),
        `pages of ${pageSize}`,
      ).toEqual(expected);
    }
  });
});
