import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { matchIndexUsable } from '../../../src/master/match-index.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { MATCH_INDEX_TABLES } from '../../../src/store/migrations/0009-unlogged-match-index.js';
import type { Store } from '../../../src/store/store.js';
import { type CsvPipeline, csvPipeline } from '../../support/csv-pipeline.js';
import { TEST_DIALECTS } from '../../support/stores.js';

const PEOPLE = [
  '1,Anna,Schmidt,anna.schmidt@example.com,1980-02-03',
  '2,Anna,Schmitt,anna.schmidt@example.com,1980-02-03',
  '3,Bernd,Meyer,b.meyer@example.org,1975-11-30',
  '4,Clara,Wolf,clara.wolf@example.net,1990-07-14',
];

/** Per table, `p` (logged) or `u` (unlogged), in the store's schema. */
async function persistence(store: Store, tables: readonly string[]): Promise<Record<string, string>> {
  const res = (await store.knex.raw(
    `select c.relname, c.relpersistence from pg_class c
      where c.relname = any(?) and c.relkind = 'r' and c.relnamespace = (select oid from pg_namespace where nspname = current_schema())`,
    [[...tables]],
  )) as { rows: { relname: string; relpersistence: string }[] };
  return Object.fromEntries(res.rows.map((r) => [r.relname, r.relpersistence]));
}

/** Each record's customer, by source key. */
async function links(store: Store): Promise<Record<string, string>> {
  const rows = (await store.knex('customer_links').select('source_key', 'customer_id')) as { source_key: string; customer_id: string }[];
  return Object.fromEntries(rows.map((r) => [r.source_key, r.customer_id]));
}

// The match index is a cache of the staged records: on PostgreSQL its tables are unlogged (the
// 1M benchmark: 3.3 → 1.5 GB of WAL), so a crash empties them; the next run must then match in
// full and write the index again, and say why.
describe.each(TEST_DIALECTS)('match index outside the write-ahead log (%s)', (dialect) => {
  let fx: CsvPipeline;
  let store: Store;
  let config: Config;

  beforeAll(async () => {
    fx = await csvPipeline(dialect, 'unlogged-index', 'id,given,family,email,dob\n' + PEOPLE.join('\n') + '\n', { given_name: 'given', family_name: 'family', email: 'email', birth_date: 'dob' });
    ({ store, config } = fx);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('keeps only the match index unlogged, and on PostgreSQL alone', async () => {
    if (dialect === 'mysql') {
      // MySQL has no unlogged tables: the migration leaves its tables as they are (InnoDB).
      const rows = (await store.knex.raw('select engine from information_schema.tables where table_schema = database() and table_name in (?, ?, ?)', [...MATCH_INDEX_TABLES])) as [{ engine?: string; ENGINE?: string }[]];
      expect(rows[0].map((r) => r.engine ?? r.ENGINE)).toEqual(['InnoDB', 'InnoDB', 'InnoDB']);
      return;
    }
    const tables = [...MATCH_INDEX_TABLES, 'customers', 'customer_links', 'master_audit', 'source_records'];
    const got = await persistence(store, tables);
    // The embedded PGlite resets unlogged tables after any unclean exit: there they stay logged.
    const index = dialect === 'postgres' ? 'u' : 'p';
    expect(got).toEqual({ blocking_keys: index, oversized_blocks: index, match_term_frequencies: index, customers: 'p', customer_links: 'p', master_audit: 'p', source_records: 'p' });
  });

  it('matches in full and writes the index again when a crash emptied it', async () => {
    const first = await runPipeline({ config, store, log: pino({ level: 'silent' }), full: true });
    expect(first.status).toBe('succeeded');
    const before = await links(store);
    expect(Object.keys(before).sort()).toEqual(['1', '2', '3', '4']);
    expect(before['1']).toBe(before['2']);
    expect(await matchIndexUsable(store)).toBe(true);

    // What PostgreSQL's crash recovery does to an unlogged table.
    for (const table of MATCH_INDEX_TABLES) await store.knex(table).delete();
    expect(await matchIndexUsable(store)).toBe(false);

    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(chunk.toString())) });
    const again = await runPipeline({ config, store, log: pino({ level: 'warn' }, sink), matchMode: 'incremental', now: new Date(Date.now() + 2000) });
    expect(again.status).toBe('succeeded');
    expect(again.matching.mode).not.toBe('incremental');
    expect(again.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['match', 'load:match index']));
    expect(lines.join('')).toContain('the match index is empty');
    // The same customers, each record with its id, and the index back.
    expect(await links(store)).toEqual(before);
    expect(await matchIndexUsable(store)).toBe(true);
    const indexed = (await store.knex('blocking_keys').distinct('source_key')) as { source_key: string }[];
    expect(indexed.map((r) => r.source_key).sort()).toEqual(['1', '2', '3', '4']);
  });

  // An incremental run replaces a changed record's keys and an erasure deletes them, by source and
  // key: through an index, not a scan of some ten million rows. On PostgreSQL the index leads with
  // the key, which its full-run build sorts far faster than a source name (migration 0010).
  it("finds a record's keys through the record index", async () => {
    const byRecord = store.knex('blocking_keys').where({ source: 'crm' }).whereIn('source_key', ['1', '2']);
    if (dialect === 'mysql') {
      const [plan] = (await store.knex.raw(`explain ${byRecord.clone().select('key_hash').toString()}`)) as [{ key: string | null }[]];
      expect(plan[0]!.key).toBe('blocking_keys_source_source_key_index');
      return;
    }
    const plan = await store.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      const res = (await trx.raw(`explain (format json) ${byRecord.clone().delete().toString()}`)) as { rows: { 'QUERY PLAN': unknown }[] };
      return JSON.stringify(res.rows[0]!['QUERY PLAN']);
    });
    expect(plan).toContain('"Index Name":"blocking_keys_record_index"');
    const columns = (await store.knex.raw(
      `select a.attname from pg_index x join pg_class i on i.oid = x.indexrelid
         join pg_attribute a on a.attrelid = x.indrelid and a.attnum = any(x.indkey)
        where i.relname = 'blocking_keys_record_index' and i.relnamespace = (select oid from pg_namespace where nspname = current_schema())
        order by array_position(x.indkey::int2[], a.attnum)`,
    )) as { rows: { attname: string }[] };
    expect(columns.rows.map((r) => r.attname)).toEqual(['source_key', 'source']);
  });
});
