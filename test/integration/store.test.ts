import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmEtlError } from '../../src/core/errors.js';
import { CANONICAL_FIELDS } from '../../src/core/fields.js';
import {
  MIGRATIONS_TABLE,
  openStore,
  STORE_MIGRATIONS,
  StoreQueryError,
  type Store,
  type StoreDialect,
} from '../../src/store/index.js';
import { isolatedStoreUrl, TEST_DIALECTS, type IsolatedStoreUrl } from '../support/stores.js';

const TABLES = [
  'runs',
  'source_records',
  'rejects',
  'customers',
  'customer_links',
  'quality_scores',
  'match_pairs',
];

const RECORD_COLUMNS = [
  'source',
  'source_key',
  'run_id',
  'location',
  'line',
  ...CANONICAL_FIELDS,
  'extra',
  'record_hash',
  'deleted',
] as const;

type RecordRow = Record<(typeof RECORD_COLUMNS)[number], string | number | boolean | null>;

/** Values that break naive CSV, SQL or encoding handling. */
const AWKWARD: readonly string[] = [
  'plain',
  'a,b',
  'say "hi"',
  '"',
  '""',
  ',',
  'line1\nline2',
  'cr\r\nlf',
  '\r',
  'tab\there',
  'back\\slash',
  '\\',
  '\\.',
  '\\N',
  'NULL',
  '',
  ' padded ',
  "O'Brien",
  "it''s",
  '中文名字 张伟',
  '東京都千代田区丸の内',
  '😀 emoji 🏳️‍🌈',
  'Ünïcödé Straße',
  '\u00a0nbsp',
  'semi;colon|pipe',
  "'; drop table runs; --",
  '?',
  '$1',
  ':name',
  '%s',
  'x'.repeat(10_000),
];
const LINES = [1, null, 0, -1, 2_147_483_647, -2_147_483_648];

function recordRow(source: string, i: number): RecordRow {
  const row: Partial<RecordRow> = {
    source,
    // Keys differing only in case are two records on every dialect.
    source_key: i % 2 === 0 ? `key-${i}` : i % 7 === 1 ? `客户,"${i}"` : `KEY-${i - 1}`,
    run_id: 'run-1',
    location: `exports/${AWKWARD[i % AWKWARD.length]}.csv`,
    line: LINES[i % LINES.length] ?? null,
  };
  CANONICAL_FIELDS.forEach((field, f) => {
    const pick = (i + f * 3) % (AWKWARD.length + 2);
    row[field] = pick === AWKWARD.length ? null : (AWKWARD[pick] ?? `value ${i}`);
  });
  row.extra = JSON.stringify({ note: AWKWARD[(i * 5) % AWKWARD.length], i });
  row.record_hash = (i * 2_654_435_761).toString(16).padStart(64, '0').slice(-64);
  row.deleted = i % 3 === 0;
  return row as RecordRow;
}

function toValues(row: RecordRow): unknown[] {
  return RECORD_COLUMNS.map((column) => row[column]);
}

async function* inBatches(rows: readonly unknown[][], size: number): AsyncGenerator<unknown[][]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

async function countWhere(store: Store, table: string, where: Record<string, string>): Promise<unknown> {
  const [result] = await store.knex(table).where(where).count({ n: '*' });
  return result?.n;
}

/** An error of what `promise` rejects with. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A URL of each dialect that cannot work, and a fragment its error message must show. */
async function unreachableUrl(
  dialect: StoreDialect,
): Promise<{ url: string; shows: string; cleanup?: () => Promise<void> }> {
  switch (dialect) {
    case 'pglite': {
      // A regular file where the data folder should be.
      const file = path.join(tmpdir(), `crm-etl-not-a-folder-${process.pid}`);
      await writeFile(file, 'not a database');
      return { url: `pglite://${file}`, shows: file, cleanup: () => rm(file, { force: true }) };
    }
    case 'postgres':
      return { url: 'postgres://postgres:s3cret-pw@127.0.0.1:1/test', shows: '127.0.0.1:1' };
    case 'mysql':
      return { url: 'mysql://root:s3cret-pw@127.0.0.1:1/test', shows: '127.0.0.1:1' };
    default: {
      const never: never = dialect;
      return never;
    }
  }
}

describe.each(TEST_DIALECTS)('store conformance: %s', (dialect) => {
  let isolated: IsolatedStoreUrl;
  let store: Store;

  beforeAll(async () => {
    isolated = await isolatedStoreUrl(dialect, 'store');
    store = await openStore(isolated.url);
  });

  afterAll(async () => {
    await store?.close();
    await isolated?.cleanup();
  });

  it('reports its dialect', () => {
    expect(store.dialect).toBe(dialect);
  });

  it('migrates, and migrating again changes nothing', async () => {
    await store.migrate();
    await store.migrate();
    for (const table of TABLES) expect(await store.knex.schema.hasTable(table)).toBe(true);
    const applied = await store.knex(MIGRATIONS_TABLE).select('name');
    expect(applied.map((row: { name: string }) => row.name)).toEqual(
      STORE_MIGRATIONS.map((migration) => migration.name),
    );
  });

  it('round-trips 5,000 rows of awkward values exactly through insertRows', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => recordRow('erp', i));
    const inserted = await store.insertRows(
      'source_records',
      RECORD_COLUMNS,
      inBatches(rows.map(toValues), 777),
    );
    expect(inserted).toBe(5_000);

    const stored = (await store.knex('source_records').where({ source: 'erp' })) as RecordRow[];
    const byKey = new Map(stored.map((row) => [row.source_key, row]));
    expect(stored).toHaveLength(5_000);
    for (const row of rows) expect(byKey.get(row.source_key as string)).toEqual(row);
  });

  it('takes a plain array of rows, and instants and doubles round-trip', async () => {
    const started = new Date('2024-02-29T23:59:59.987Z');
    const inserted = await store.insertRows(
      'runs',
      ['id', 'started_at', 'finished_at', 'status', 'summary', 'config_hash'],
      [
        ['run-a', started, null, 'running', null, null],
        ['run-b', new Date(0), new Date('2038-01-19T03:14:08.001Z'), 'done', '{"ok":true}', 'f'.repeat(64)],
      ],
    );
    expect(inserted).toBe(2);
    const runs = await store.knex('runs').orderBy('id');
    expect(runs).toEqual([
      { id: 'run-a', started_at: started, finished_at: null, status: 'running', summary: null, config_hash: null },
      {
        id: 'run-b',
        started_at: new Date(0),
        finished_at: new Date('2038-01-19T03:14:08.001Z'),
        status: 'done',
        summary: '{"ok":true}',
        config_hash: 'f'.repeat(64),
      },
    ]);

    const scores = [0.1 + 0.2, 1 / 3, 0, -1.5e-300, 1e300, 123_456_789.123_456_79, 1];
    await store.insertRows(
      'quality_scores',
      ['run_id', 'source', 'field', 'dimension', 'score'],
      scores.map((score, i) => ['run-b', '*', `f${i}`, 'validity', score]),
    );
    const stored = await store.knex('quality_scores').where({ run_id: 'run-b' }).orderBy('field');
    expect(stored.map((row: { score: unknown }) => row.score)).toEqual(scores);
  });

  it('round-trips a value larger than a whole COPY chunk, between ordinary rows', async () => {
    // 3 bytes a character in UTF-8, with quotes: 1.5 MB, more than one chunk of CSV on every dialect.
    const large = `"${'中"'.repeat(250_000)}"`;
    const rows = ['small before', large, 'small after'].map((summary, i) => [`big-${i}`, new Date(0), null, 'done', summary, null]);
    expect(await store.insertRows('runs', ['id', 'started_at', 'finished_at', 'status', 'summary', 'config_hash'], rows)).toBe(3);
    const stored = (await store.knex('runs').whereIn('id', ['big-0', 'big-1', 'big-2']).orderBy('id')) as { summary: string }[];
    expect(stored.map((r) => r.summary)).toEqual(['small before', large, 'small after']);
  });

  it('loads a row batch as insertRows loads the same rows, inside the transaction, and empties it', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => recordRow('batch', i));
    const batch = store.rowBatch('source_records', RECORD_COLUMNS);
    for (const row of rows.slice(0, 2_000)) batch.add(toValues(row));
    expect(batch.rows).toBe(2_000);
    await store.transaction(async (trx) => {
      expect(await store.insertBatch(batch, trx)).toBe(2_000);
      expect(batch.rows).toBe(0);
      // Used again after a load: only the rows added since go in.
      for (const row of rows.slice(2_000)) batch.add(toValues(row));
      expect(await store.insertBatch(batch, trx)).toBe(1_000);
      expect(await store.insertBatch(batch, trx)).toBe(0);
    });
    const stored = (await store.knex('source_records').where({ source: 'batch' })) as RecordRow[];
    const byKey = new Map(stored.map((row) => [row.source_key, row]));
    expect(stored).toHaveLength(3_000);
    for (const row of rows) expect(byKey.get(row.source_key as string)).toEqual(row);

    const rolledBack = store.rowBatch('source_records', RECORD_COLUMNS);
    for (let i = 0; i < 100; i++) rolledBack.add(toValues(recordRow('batch-rollback', i)));
    await expect(
      store.transaction(async (trx) => {
        await store.insertBatch(rolledBack, trx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await countWhere(store, 'source_records', { source: 'batch-rollback' })).toBe(0);
  });

  it('refuses a malformed row when it is added to a row batch, saying which', () => {
    const batch = store.rowBatch('source_records', RECORD_COLUMNS);
    batch.add(toValues(recordRow('x', 1)));
    expect(() => batch.add(toValues(recordRow('x', 2)).slice(1))).toThrow(/row 2 has 24 values, expected 25/);
    expect(() => store.rowBatch('source_records', ['source', 'source_key', 'source'])).toThrow(CrmEtlError);
  });

  it('counts as numbers', async () => {
    expect(await countWhere(store, 'source_records', { source: 'erp' })).toBe(5_000);
  });

  it('leaves nothing behind when the transaction around insertRows rolls back', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => toValues(recordRow('rollback', i)));
    const error = await rejectionOf(
      store.transaction(async (trx) => {
        expect(await store.insertRows('source_records', RECORD_COLUMNS, rows, trx)).toBe(1_000);
        const [inside] = await trx('source_records').where({ source: 'rollback' }).count({ n: '*' });
        expect(inside?.n).toBe(1_000);
        throw new Error('roll back');
      }),
    );
    expect((error as Error).message).toBe('roll back');
    expect(await countWhere(store, 'source_records', { source: 'rollback' })).toBe(0);
  });

  it('commits insertRows with the transaction', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => toValues(recordRow('commit', i)));
    await store.transaction((trx) => store.insertRows('source_records', RECORD_COLUMNS, rows, trx));
    expect(await countWhere(store, 'source_records', { source: 'commit' })).toBe(300);
  });

  it('rejects a malformed row without inserting any row, and stays usable', async () => {
    const rows: unknown[][] = Array.from({ length: 3_000 }, (_, i) => toValues(recordRow('bad', i)));
    rows[2_500] = rows[2_500]?.slice(1) ?? [];
    const error = await rejectionOf(store.insertRows('source_records', RECORD_COLUMNS, rows));
    expect(error).toBeInstanceOf(CrmEtlError);
    expect(error).toMatchObject({ code: 'INPUT_INVALID' });
    expect((error as Error).message).toContain('row 2501');
    expect(await countWhere(store, 'source_records', { source: 'bad' })).toBe(0);

    const objects = [toValues(recordRow('bad', 1)).map((value, i) => (i === 4 ? { line: 1 } : value))];
    await expect(store.insertRows('source_records', RECORD_COLUMNS, objects)).rejects.toThrow(
      /row 1, column line holds a value of type object/,
    );
  });

  describe('a failed query says which statement, never which values', () => {
    const secret = 'SECRET-4711@example.com';

    function expectSafe(error: unknown, sqlFragment: RegExp): void {
      expect(error).toBeInstanceOf(StoreQueryError);
      const { message, code, sql } = error as StoreQueryError;
      expect(code).toBe('STORE_QUERY');
      expect(message).toMatch(sqlFragment);
      expect(sql).toMatch(sqlFragment);
      expect(message).toContain('source_records');
      expect(message).not.toContain(secret);
      expect(message).not.toContain('key-0');
      expect(JSON.stringify(error)).not.toContain(secret);
      expect((error as Error).cause).toBeUndefined();
    }

    it('on a duplicate key through the query builder', async () => {
      const row = { ...recordRow('erp', 0), email: secret };
      const error = await rejectionOf(store.knex('source_records').insert(row));
      expectSafe(error, /insert into/i);
      expect((error as StoreQueryError).driverCode).toMatch(/^(23505|ER_DUP_ENTRY)$/);
    });

    it('on a value of the wrong type', async () => {
      const row = { ...recordRow('erp', 999_999), line: secret };
      const error = await rejectionOf(store.knex('source_records').insert(row));
      expectSafe(error, /insert into/i);
    });

    it('on a duplicate key in insertRows', async () => {
      const rows = [toValues({ ...recordRow('erp', 0), email: secret })];
      const error = await rejectionOf(store.insertRows('source_records', RECORD_COLUMNS, rows));
      expectSafe(error, dialect === 'mysql' ? /insert into/i : /COPY/);
    });

    it('and the store is still usable afterwards', async () => {
      expect(await countWhere(store, 'source_records', { source: 'erp' })).toBe(5_000);
    });
  });

  it('explains an unreachable store: which URL, password masked, and what to do', async () => {
    const { url, shows, cleanup } = await unreachableUrl(dialect);
    const error = await rejectionOf(openStore(url));
    await cleanup?.();
    expect(error).toBeInstanceOf(CrmEtlError);
    expect(error).toMatchObject({ code: 'STORE_CONNECT', retryable: true });
    const { message } = error as Error;
    expect(message).toContain(shows);
    expect(message).not.toContain('s3cret-pw');
    expect(message).toMatch(/start|check/i);
    if (dialect !== 'pglite') expect(message).toContain('***');
  });
});

describe('openStore', () => {
  it('refuses a URL it does not know, naming the schemes it does', async () => {
    const error = await rejectionOf(openStore('sqlite://./data.db'));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(/pglite:\/\/DIR.*postgres:\/\/.*mysql:\/\//);
  });

  it.runIf(TEST_DIALECTS.includes('pglite'))(
    'creates the PGlite folder and keeps the data there across reopenings',
    async () => {
      const isolated = await isolatedStoreUrl('pglite', 'reopen');
      const url = `${isolated.url}/nested/db`;
      try {
        const first = await openStore(url);
        await first.migrate();
        await first.insertRows('runs', ['id', 'started_at', 'status'], [['r1', new Date(), 'done']]);
        await first.close();
        await first.close();

        const second = await openStore(url);
        await second.migrate();
        expect(await countWhere(second, 'runs', { id: 'r1' })).toBe(1);
        await second.close();
      } finally {
        await isolated.cleanup();
      }
    },
  );

  it.runIf(TEST_DIALECTS.includes('postgres'))('puts every table in the ?schema= schema', async () => {
    const isolated = await isolatedStoreUrl('postgres', 'schema');
    const store = await openStore(isolated.url);
    try {
      await store.migrate();
      const schema = new URL(isolated.url).searchParams.get('schema');
      const tables = await store
        .knex('information_schema.tables')
        .where({ table_schema: schema })
        .orderBy('table_name')
        .pluck('table_name');
      expect(tables).toEqual(
        expect.arrayContaining([...TABLES, MIGRATIONS_TABLE, `${MIGRATIONS_TABLE}_lock`]),
      );
      const [row] = (await store.knex.raw('select current_schema() as name')).rows as { name: string }[];
      expect(row?.name).toBe(schema);
    } finally {
      await store.close();
      await isolated.cleanup();
    }
  });
});
