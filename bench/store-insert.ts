/**
 * Times Store.insertRows for 100k staged records (25 columns of `source_records`) on every
 * dialect, and the alternatives the store decided against, so the choice can be re-checked:
 *
 *   npx tsx bench/store-insert.ts [rows] [repetitions]   (TEST_STORES=pglite,… to narrow)
 *
 * Uses the same servers and isolation as the integration tests (PG_URL, MYSQL_URL).
 */
import { CANONICAL_FIELDS } from '../src/core/fields.js';
import { COPY_STREAM_CHUNK, copyFromBlob, copyFromStdin, csvChunks, insertInChunks, type BulkTarget } from '../src/store/bulk-insert.js';
import { openStore, type Store, type StoreDialect } from '../src/store/index.js';
import { isolatedStoreUrl, TEST_DIALECTS } from '../test/support/stores.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const REPS = Number(process.argv[3] ?? 3);
const TARGET: BulkTarget = {
  table: 'source_records',
  columns: ['source', 'source_key', 'run_id', 'location', 'line', ...CANONICAL_FIELDS, 'extra', 'record_hash', 'deleted'],
};

const GIVEN = ['Anna', 'Björn', 'Chloé', 'Dmitri', 'Emeka', 'Fatima', '伟', 'Grace', "Seán", 'Zoë'];
const FAMILY = ['Smith', "O'Neil", 'Müller', 'García', 'Nguyen', '张', 'Kowalski', 'de la Cruz'];

function makeRows(count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => {
    const given = GIVEN[i % GIVEN.length] ?? '';
    const family = FAMILY[(i * 7) % FAMILY.length] ?? '';
    const canonical: Record<string, string | null> = {
      full_name: `${given} ${family}`,
      given_name: given,
      family_name: family,
      company_name: i % 4 === 0 ? `${family} & Sons, "Ltd"` : null,
      email: `${given}.${family}.${i}@example.com`.toLowerCase(),
      phone: `+61 4${String(i).padStart(8, '0')}`,
      birth_date: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
      gender: i % 2 === 0 ? 'F' : 'M',
      national_id: i % 3 === 0 ? null : String(100_000_000 + i),
      tax_id: i % 5 === 0 ? null : `TX${i}`,
      address_line1: `${i % 300} Long Street`,
      address_line2: i % 6 === 0 ? 'Unit 4,\nRear' : '',
      city: 'Sydney',
      region: 'NSW',
      postal_code: String(2000 + (i % 999)),
      country: 'AU',
      source_updated_at: '2024-05-01T10:00:00Z',
    };
    return [
      'erp',
      `K${i}`,
      'run-bench',
      'exports/customers.csv',
      i + 2,
      ...CANONICAL_FIELDS.map((field) => canonical[field] ?? null),
      `{"segment":"${i % 10}","notes":"bench"}`,
      (i * 2_654_435_761).toString(16).padStart(64, '0').slice(-64),
      i % 50 === 0,
    ];
  });
}

async function* inBatches(rows: readonly unknown[][], size: number): AsyncGenerator<unknown[][]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

interface Variant {
  name: string;
  run(store: Store, rows: unknown[][]): Promise<number>;
}

function variantsFor(dialect: StoreDialect): Variant[] {
  const viaStore: Variant = {
    name: 'Store.insertRows (array)',
    run: (store, rows) => store.insertRows(TARGET.table, TARGET.columns, rows),
  };
  const viaStoreBatches: Variant = {
    name: 'Store.insertRows (5k batches)',
    run: (store, rows) => store.insertRows(TARGET.table, TARGET.columns, inBatches(rows, 5_000)),
  };
  const multiRow = (maxBytes: number, maxParams: number): Variant => ({
    name: `multi-row INSERT ≤${maxBytes / 1024 / 1024} MB, ≤${maxParams} params`,
    run: (store, rows) =>
      store.transaction((trx) => insertInChunks(trx, TARGET, rows, { maxBytes, maxParams })),
  });
  switch (dialect) {
    case 'pglite':
      return [
        viaStore,
        viaStoreBatches,
        ...[0.25, 1, 4, 16].map((mb) => ({
          name: `COPY blob ${mb} MB`,
          run: (store: Store, rows: unknown[][]) =>
            store.transaction(async (trx) => {
              const counter = { rows: 0 };
              await copyFromBlob(trx, TARGET, csvChunks(rows, TARGET, counter, mb * 1024 * 1024), mb * 1024 * 1024);
              return counter.rows;
            }),
        })),
        multiRow(8 * 1024 * 1024, 65_535),
        multiRow(8 * 1024 * 1024, 10_000),
      ];
    case 'postgres':
      return [
        viaStore,
        viaStoreBatches,
        {
          name: 'COPY FROM STDIN in a transaction',
          run: (store, rows) =>
            store.transaction(async (trx) => {
              const counter = { rows: 0 };
              await copyFromStdin(trx, TARGET, csvChunks(rows, TARGET, counter, COPY_STREAM_CHUNK), { dialect, maskedUrl: 'bench' });
              return counter.rows;
            }),
        },
        multiRow(8 * 1024 * 1024, 65_535),
      ];
    case 'mysql':
      return [
        viaStore,
        viaStoreBatches,
        ...[1, 4, 8].map((mb) => multiRow(mb * 1024 * 1024, 65_535)),
      ];
    default: {
      const never: never = dialect;
      return never;
    }
  }
}

async function bench(dialect: StoreDialect, rows: unknown[][], url?: string): Promise<void> {
  const isolated = url === undefined ? await isolatedStoreUrl(dialect, 'bench') : undefined;
  const store = await openStore(url ?? isolated?.url ?? '');
  const label = url?.startsWith('pglite://memory') ? 'pglite (memory)' : dialect;
  try {
    await store.migrate();
    const variants = variantsFor(dialect);
    const times = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
    // Round-robin repetitions: the machine is shared, so load spikes hit every variant alike.
    for (let rep = 0; rep < REPS; rep += 1) {
      for (const variant of variants) {
        await store.knex(TARGET.table).truncate();
        const started = performance.now();
        const inserted = await variant.run(store, rows);
        times.get(variant.name)?.push(performance.now() - started);
        if (inserted !== rows.length) throw new Error(`${variant.name}: inserted ${inserted}`);
      }
    }
    for (const [name, runs] of times) {
      const sorted = [...runs].sort((a, b) => a - b);
      const best = sorted[0] ?? NaN;
      const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
      console.log(
        `${label.padEnd(16)} ${name.padEnd(38)} best ${best.toFixed(0).padStart(6)} ms  median ${median
          .toFixed(0)
          .padStart(6)} ms  ${Math.round((rows.length / best) * 1000)
          .toLocaleString('en')
          .padStart(8)} rows/s`,
      );
    }
  } finally {
    await store.close();
    await isolated?.cleanup();
  }
}

const rows = makeRows(ROWS);
console.log(`${ROWS.toLocaleString("en")} rows x ${TARGET.columns.length} columns, best and median of ${REPS} runs\n`);
for (const dialect of TEST_DIALECTS) {
  await bench(dialect, rows);
  if (dialect === 'pglite') await bench(dialect, rows, 'pglite://memory');
}
