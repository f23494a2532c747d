import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Cursor, ReadOptions, SourceConnector } from '../../../src/connectors/connector.js';
import { createConnector } from '../../../src/connectors/registry.js';
import { openSqlSession } from '../../../src/connectors/sql/sql-session.js';
import { CrmEtlError } from '../../../src/core/errors.js';
import type { MalformedRow, RawRecord } from '../../../src/core/record.js';
import { describeConnectorConformance } from '../../support/connector-conformance.js';
import { createErpDatabase, ERP_DIALECTS, NULL_UPDATED_IDS, TIED_IDS, type ErpDatabase } from '../../support/erp-schema.js';

async function readAll(c: SourceConnector, opts: ReadOptions = {}) {
  const records: RawRecord[] = [];
  const malformed: MalformedRow[] = [];
  let cursor: Cursor | undefined;
  let batches = 0;
  for await (const b of c.read(opts)) {
    records.push(...b.records);
    malformed.push(...b.malformed);
    cursor = b.cursor;
    batches++;
  }
  return { records, malformed, cursor: cursor!, batches, keys: records.map((r) => r.key) };
}

async function rejection(p: Promise<unknown>): Promise<CrmEtlError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrmEtlError);
  return err as CrmEtlError;
}

async function drain(c: SourceConnector, opts: ReadOptions = {}): Promise<void> {
  for await (const _ of c.read(opts)) {
    // read to the end
  }
}

const CUSTOMER_COLUMNS = ['id', 'customer_no', 'name', 'tax_id', 'is_deleted', 'updated_at'];

for (const dialect of ERP_DIALECTS) {
  describe(`sql connector on ${dialect}`, () => {
    let db: ErpDatabase;
    beforeAll(async () => {
      db = await createErpDatabase(dialect, 'sql_connector');
    });
    afterAll(async () => {
      await db?.drop();
    });

    /** A connector configured as a user would: parsed from configuration, URL from the environment. */
    const connector = (options: Record<string, unknown>, url = db.url): SourceConnector => {
      const source = {
        name: 'erp',
        kind: 'sql',
        url: '${ERP_DATABASE_URL}',
        ...(dialect === 'postgres' ? { schema: db.schema } : {}),
        mapping: { full_name: 'name' },
        ...options,
      };
      const cfg = parseConfig(JSON.stringify({ sources: [source] }), { file: 'sql.test.json', env: { ERP_DATABASE_URL: url } });
      return createConnector(cfg.sources[0]!);
    };
    const idsOf = (keys: readonly string[]): number[] => keys.map(Number).sort((a, b) => a - b);

    describeConnectorConformance(`sql table (${dialect})`, async () => ({
      connector: async () => connector({ table: 'customers', key: 'customer_no', cursor: 'updated_at', soft_delete: { column: 'is_deleted', value: true } }),
      // Drafts (NULL customer_no) and one blank customer_no are malformed; soft-deleted rows are records.
      expectedKeys: db.customers.map((c) => c.customer_no?.trim() ?? '').filter((k) => k !== ''),
      malformedCount: db.customers.filter((c) => (c.customer_no?.trim() ?? '') === '').length,
      sampleColumn: 'name',
      expectedColumns: CUSTOMER_COLUMNS,
    }));

    describeConnectorConformance(`sql query (${dialect})`, async () => ({
      connector: async () => connector({ query: db.customerQuery, key: 'id', cursor: 'updated_at' }),
      expectedKeys: db.customers.map((c) => String(c.id)),
      malformedCount: 0,
      sampleColumn: 'email',
      expectedColumns: [...CUSTOMER_COLUMNS, 'first_name', 'last_name', 'email', 'phone', 'birthday', 'street', 'city', 'postcode', 'country'],
    }));

    it('turns values into trimmed text: ISO 8601 UTC timestamps, booleans, NULL as empty', async () => {
      const { records } = await readAll(connector({ query: db.customerQuery, key: 'id', cursor: 'updated_at' }), { batchSize: 1000 });
      const byId = new Map(records.map((r) => [Number(r.key), r]));
      for (const c of db.customers) {
        const r = byId.get(c.id)!;
        expect(r.fields['name']).toBe(c.name.trim());
        expect(r.fields['customer_no']).toBe(c.customer_no?.trim() ?? '');
        expect(r.fields['tax_id']).toBe(c.tax_id ?? '');
        expect(r.fields['is_deleted']).toBe(String(c.is_deleted));
        const iso = c.updated_at === null ? '' : `${c.updated_at.replace(' ', 'T').replace(/\.?0+$/, '')}Z`;
        expect(r.fields['updated_at']).toBe(iso);
        expect(r.lineage).toEqual({ location: 'query', page: String(c.id) });
      }
      expect(records.some((r) => /[\u4e00-\u9fff]/.test(r.fields['name']!))).toBe(true);
      expect(records.find((r) => r.key === '3')!.fields['birthday']).toMatch(/^\d{4}-\d\d-\d\d$/);
    });

    it('reads incrementally: after a full read, only the rows changed since (ties, NULL cursor rows and new rows included)', async () => {
      await db.copyTable('customers', 'customers_inc');
      const c = connector({ table: 'customers_inc', key: 'id', cursor: 'updated_at' });
      const full = await readAll(c, { batchSize: 50 });
      expect(full.keys).toHaveLength(db.customers.length);
      expect(full.cursor).toMatchObject({ order: ['updated_at', 'id'], done: true });
      expect((await readAll(c, { cursor: full.cursor })).keys).toEqual([]);

      // Five rows change (one tied, one that had no updated_at, two sharing a new time) and one is added.
      const later = '2025-01-01 00:00:00.500000';
      const changed = [3, NULL_UPDATED_IDS[0], 42, 150, 299];
      await db.execute(`UPDATE customers_inc SET updated_at = ?, name = 'changed' WHERE id IN (${changed.join(', ')})`, [later]);
      await db.execute(`INSERT INTO customers_inc (id, customer_no, name, is_deleted, updated_at) VALUES (1001, 'C001001', '新客户', false, ?)`, ['2025-01-02 08:00:00']);

      const delta = await readAll(c, { cursor: JSON.parse(JSON.stringify(full.cursor)) as Cursor, batchSize: 2 });
      expect(idsOf(delta.keys)).toEqual([...changed, 1001].sort((a, b) => a - b));
      expect(delta.records.filter((r) => r.key !== '1001').every((r) => r.fields['name'] === 'changed')).toBe(true);
      expect(delta.malformed).toEqual([]);
      expect(delta.cursor).toMatchObject({ done: true });
      expect((delta.cursor['key'] as unknown[]).map(String)).toEqual(['1001']);

      // The watermark moved: the same read again finds nothing new.
      expect((await readAll(c, { cursor: delta.cursor })).keys).toEqual([]);
    });

    it('breaks ties on the cursor column by key: every page size and every resume point reads each row once', async () => {
      const c = connector({ table: 'customers', key: 'id', cursor: 'updated_at' });
      const all = idsOf(db.customers.map((x) => String(x.id)));
      for (const batchSize of [1, 7, 60, 61]) {
        const { keys } = await readAll(c, { batchSize });
        expect(new Set(keys).size).toBe(keys.length);
        expect(idsOf(keys)).toEqual(all);
      }
      // Stop inside the group of 60 rows sharing one updated_at, then resume from the cursor.
      const first: string[] = [];
      let cursor: Cursor | undefined;
      for await (const b of c.read({ batchSize: 7 })) {
        first.push(...b.records.map((r) => r.key));
        const key = Number((b.cursor['key'] as string[] | undefined)?.[0]);
        if (key > TIED_IDS.from + 5 && key < TIED_IDS.to - 5) {
          cursor = b.cursor;
          break;
        }
      }
      expect(cursor).toBeDefined();
      expect(String(cursor!['cursor'])).toMatch(/^2024-03-01 09:00:00/);
      const rest = await readAll(c, { cursor: cursor!, batchSize: 5 });
      const stoppedAt = Number((cursor!['key'] as string[])[0]);
      expect(rest.keys.filter((k) => Number(k) >= TIED_IDS.from && Number(k) <= TIED_IDS.to).map(Number)).toEqual(
        Array.from({ length: TIED_IDS.to - stoppedAt }, (_, i) => stoppedAt + 1 + i),
      );
      expect(rest.keys.filter((k) => first.includes(k))).toEqual([]);
      expect(idsOf([...first, ...rest.keys])).toEqual(all);
    });

    it('reads from a time (--since): a change committed behind the cursor is read, the cursor never moves back, nothing after an older cursor is skipped', async () => {
      await db.copyTable('customers', 'customers_since');
      const c = connector({ table: 'customers_since', key: 'id', cursor: 'updated_at' });
      const since = new Date('2024-01-10T00:00:00Z');
      const changedSince = async (): Promise<number[]> =>
        (await db.execute(`SELECT id FROM customers_since WHERE updated_at >= '2024-01-10 00:00:00'`)).map((r) => Number(r['id'])).sort((a, b) => a - b);
      const full = await readAll(c, { batchSize: 50 });
      const stored = JSON.parse(JSON.stringify(full.cursor)) as Cursor;

      // A long transaction commits a change stamped before the newest row already read: the
      // incremental read cannot see it; a read from a time before the change does.
      await db.execute(`UPDATE customers_since SET name = 'late', updated_at = '2024-02-01 00:00:00' WHERE id = 10`);
      expect((await readAll(c, { cursor: stored })).keys).toEqual([]);
      let noted = '';
      const resync = { records: [] as RawRecord[], cursor: undefined as Cursor | undefined };
      for await (const b of c.read({ cursor: stored, since, batchSize: 25 })) {
        if (!noted && b.notes) noted = b.notes[0]!;
        resync.records.push(...b.records);
        resync.cursor = b.cursor;
      }
      const ids = idsOf(resync.records.map((r) => r.key));
      expect(ids).toEqual(await changedSince());
      expect(ids).toContain(10);
      expect(ids).not.toContain(NULL_UPDATED_IDS[0]);
      expect(resync.records.find((r) => r.key === '10')!.fields['name']).toBe('late');
      expect(noted).toContain('2024-01-10T00:00:00.000Z');
      // The newest row is still the one the stored cursor names: the position did not move back.
      expect(resync.cursor).toEqual({ ...stored, done: true });

      // A cursor older than the time: everything after it is read too, so nothing is skipped.
      const pages: Cursor[] = [];
      for await (const b of c.read({ batchSize: 10 })) pages.push(b.cursor);
      const older = JSON.parse(JSON.stringify(pages.find((p) => p['cursor'] !== null && p['cursor'] !== undefined && !p['done'])!)) as Cursor;
      const after = await readAll(c, { cursor: older });
      const fromOlder = await readAll(c, { cursor: older, since });
      expect(idsOf(fromOlder.keys)).toEqual(idsOf(after.keys));
      expect(fromOlder.keys.length).toBeGreaterThan((await changedSince()).length);

      // No stored cursor: only rows stamped at or after the time (rows without a stamp are not).
      const fresh = await readAll(c, { since, batchSize: 7 });
      expect(idsOf(fresh.keys)).toEqual(await changedSince());
      expect(fresh.cursor).toMatchObject({ done: true, order: ['updated_at', 'id'] });
      // Nothing stamped since a time in the future: an empty read that keeps the stored position.
      const none = await readAll(c, { cursor: stored, since: new Date('2030-01-01T00:00:00Z') });
      expect(none.keys).toEqual([]);
      expect(none.cursor).toEqual({ ...stored, done: true });
    });

    it('refuses to read from a time without a date or time cursor column, saying what to do', async () => {
      const since = new Date('2024-01-10T00:00:00Z');
      const byId = await rejection(drain(connector({ table: 'customers', key: 'customer_no', cursor: 'id' }), { since }));
      expect(byId.code).toBe('INPUT_INVALID');
      expect(byId.message).toMatch(/cursor column "id" is not a date or time column.*--full/);
      const none = await rejection(drain(connector({ table: 'customers', key: 'id' }), { since }));
      expect(none.message).toMatch(/no cursor column.*set cursor.*--full/);
    });

    it('keeps the cursor value exact to the microsecond', async () => {
      const c = connector({ table: 'customers', key: 'id', cursor: 'updated_at' });
      const { cursor } = await readAll(c, { batchSize: 500 });
      // The newest rows are one microsecond after the 60 tied ones: a millisecond Date would merge them.
      expect(String(cursor['cursor'])).toContain('2024-03-01 09:00:00.000001');
      expect(cursor['key']).toEqual(dialect === 'postgres' ? ['119'] : [119]);
    });

    it('reads rows without a cursor value in a full read only', async () => {
      const c = connector({ table: 'customers', key: 'id', cursor: 'updated_at' });
      const full = await readAll(c, { batchSize: 100 });
      expect(full.keys.slice(0, NULL_UPDATED_IDS.length)).toEqual(NULL_UPDATED_IDS.map(String));
      const resumed = await readAll(c, { cursor: { cursor: null, key: [NULL_UPDATED_IDS[0]], order: ['updated_at', 'id'] } });
      expect(resumed.keys).toHaveLength(db.customers.length - 1);
    });

    it('marks soft-deleted rows as deleted and reads them like any other', async () => {
      const { records } = await readAll(connector({ table: 'customers', key: 'id', cursor: 'updated_at', soft_delete: { column: 'is_deleted' } }), { batchSize: 40 });
      const deleted = records.filter((r) => r.deleted).map((r) => Number(r.key));
      expect(deleted.sort((a, b) => a - b)).toEqual(db.customers.filter((x) => x.is_deleted).map((x) => x.id));
      expect(deleted.length).toBeGreaterThan(3);
      expect(records.filter((r) => !r.deleted).every((r) => r.deleted === undefined && !('__deleted' in r.fields))).toBe(true);
    });

    it('filters with where and reads without a cursor column in key order', async () => {
      const c = connector({ table: 'customers', key: 'id', where: "name LIKE '%Ltd%' AND id < 200 -- companies only" });
      const { keys, cursor } = await readAll(c, { batchSize: 3 });
      expect(keys.map(Number)).toEqual(db.customers.filter((x) => x.name.includes('Ltd') && x.id < 200).map((x) => x.id));
      expect(cursor).toMatchObject({ order: ['id'], done: true });
      expect(cursor).not.toHaveProperty('cursor');
    });

    it('quarantines rows that repeat the key, with their key', async () => {
      // Every contact, not only the primary one: customers with two contacts come twice.
      const query = 'SELECT c.id, c.name, p.email FROM customers c JOIN contacts p ON p.customer_id = c.id';
      const { keys, malformed } = await readAll(connector({ query, key: 'id' }), { batchSize: 1000 });
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(db.customers.length);
      expect(malformed.length).toBe(db.customers.filter((x) => x.id % 2 === 1).length);
      expect(malformed[0]).toMatchObject({ code: 'DUPLICATE_KEY', lineage: { location: 'query', page: '1' } });
    });

    it('runs on a read-only session: a write is refused by the server', async () => {
      const before = await db.execute('SELECT COUNT(*) AS n FROM customers');
      // Through the connector: a where that calls a function which writes.
      const err = await rejection(drain(connector({ table: 'customers', key: 'id', where: 'touch_customers() = 1' })));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toMatch(/read-only/);
      // And on the session itself: INSERT, UPDATE and DDL fail.
      const session = await openSqlSession(db.url, { schema: db.schema, errors: { source: 'erp', dialect, maskedUrl: db.url, what: 'table customers' } });
      try {
        for (const text of [
          "INSERT INTO customers (id, customer_no, name, is_deleted) VALUES (5000, 'X', 'x', false)",
          'UPDATE customers SET name = name',
          'CREATE TABLE not_allowed (a integer)',
        ]) {
          const e = await rejection(session.run({ text, values: [], params: [], shown: text }));
          expect(e.code).toBe('CONFIG_INVALID');
          expect(e.message).toMatch(/read-only/);
        }
      } finally {
        await session.close();
      }
      expect(await db.execute('SELECT COUNT(*) AS n FROM customers')).toEqual(before);
    });

    it('names a missing column, table or database and what to do', async () => {
      const noKey = await rejection(connector({ table: 'customers', key: 'customer_number' }).check());
      expect(noKey.code).toBe('SOURCE_SCHEMA');
      expect(noKey.message).toContain('key column "customer_number"');
      expect(noKey.message).toContain('customer_no');
      const noCursor = await rejection(drain(connector({ table: 'customers', key: 'id', cursor: 'modified' })));
      expect(noCursor.code).toBe('SOURCE_SCHEMA');
      expect(noCursor.message).toContain('cursor column "modified"');
      const badQuery = await rejection(connector({ query: 'SELECT id, nonexistent FROM customers', key: 'id' }).check());
      expect(badQuery.code).toBe('SOURCE_SCHEMA');
      expect(badQuery.message).toMatch(/nonexistent/);
      const noTable = await rejection(drain(connector({ table: 'kunden', key: 'id' })));
      expect(noTable.code).toBe('SOURCE_NOT_FOUND');
      expect(noTable.message).toMatch(/kunden/);
      const badWhere = await rejection(connector({ table: 'customers', key: 'id', where: 'id >>>> 1' }).check());
      expect(badWhere.code).toBe('CONFIG_INVALID');
      const oldCursor = await rejection(drain(connector({ table: 'customers', key: 'id', cursor: 'updated_at' }), { cursor: { key: ['3'], order: ['id'] } }));
      expect(oldCursor.code).toBe('CONFIG_INVALID');
      expect(oldCursor.message).toMatch(/--full/);
    });

    it('reports an unreachable server or a refused login with the password masked', async () => {
      const scheme = dialect === 'postgres' ? 'postgres' : 'mysql';
      const down = await rejection(connector({ table: 'customers', key: 'id' }, `${scheme}://erp:Sekr3t-Pa55@127.0.0.1:1/erp`).check());
      expect(down.code).toBe('STORE_CONNECT');
      expect(down.retryable).toBe(true);
      expect(down.message).toContain(`${scheme}://erp:***@127.0.0.1:1/erp`);
      expect(down.message).not.toContain('Sekr3t');
      expect(JSON.stringify(down, Object.getOwnPropertyNames(down))).not.toContain('Sekr3t');

      const url = new URL(db.url);
      if (dialect === 'postgres') url.pathname = '/no_such_database_here';
      else url.password = 'Sekr3t-Pa55';
      const refused = await rejection(connector({ table: 'customers', key: 'id' }, url.toString()).check());
      expect(refused.code).toBe('SOURCE_NOT_FOUND');
      expect(refused.retryable).toBe(false);
      expect(refused.message).not.toContain('Sekr3t');
    });

    if (dialect === 'mysql') {
      it('quarantines a row holding a NUL character, which the store could not keep', async () => {
        await db.copyTable('customers', 'customers_nul');
        await db.execute(`UPDATE customers_nul SET name = CONCAT('Li', CHAR(0), 'Na') WHERE id = 9`);
        const { keys, malformed } = await readAll(connector({ table: 'customers_nul', key: 'id', cursor: 'updated_at' }), { batchSize: 25 });
        expect(keys).not.toContain('9');
        expect(malformed).toHaveLength(1);
        expect(malformed[0]).toMatchObject({ code: 'INVALID_TEXT', lineage: { location: 'table customers_nul', page: '9' } });
        expect(malformed[0]!.message).not.toContain('Li');
      });
    }

    it('closes its connection after a read, a read stopped early and a failed read', async () => {
      const c = connector({ table: `${db.schema}.customers`, key: 'id', cursor: 'updated_at' });
      for await (const _ of c.read({ batchSize: 5 })) break;
      await drain(c, { batchSize: 100 });
      await c.check();
      await rejection(drain(connector({ table: `${db.schema}.customers`, key: 'id', where: 'touch_customers() = 1' })));
      const open = async (): Promise<number> => {
        const rows =
          dialect === 'postgres'
            ? await db.execute(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'crm-etl' AND query LIKE ? AND pid <> pg_backend_pid()`, [`%${db.schema}%`])
            : await db.execute(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()`, [db.schema]);
        return Number(rows[0]!['n']);
      };
      // A backend leaves the server's lists a moment after its client hung up.
      let n = await open();
      for (let i = 0; i < 20 && n > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        n = await open();
      }
      expect(n).toBe(0);
    });
  });
}
