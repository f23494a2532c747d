import type { Knex } from 'knex';
import type { StoreMigration } from './migration-source.js';

/**
 * PostgreSQL (and PGlite): the match index's record index, which finds a record's blocking keys
 * (an incremental run replacing them, an erasure deleting them), leads with the record's key
 * instead of its source: `(source_key, source)`. Its only queries ask for both by equality, which
 * either order answers; but a full run builds it over some ten million rows at a million records,
 * and PostgreSQL sorts them by an abbreviated first column: a source name (three values) let
 * nearly every comparison fall through to the full columns, a key tells most rows apart at once.
 * Built alone over ten million rows shaped like the benchmark's: 5.0–5.5 s source first,
 * 2.9–4.0 s key first (BENCHMARKS.md, issue #10). MySQL sorts no abbreviated keys: its index stays.
 */
export const recordIndexKeyFirst: StoreMigration = {
  name: '0010-record-index-key-first',

  async up(knex: Knex): Promise<void> {
    if (knex.client.dialect === 'mysql') return;
    await knex.schema.alterTable('blocking_keys', (t) => t.dropIndex(['source', 'source_key']));
    await knex.schema.alterTable('blocking_keys', (t) => t.index(['source_key', 'source'], 'blocking_keys_record_index'));
  },

  async down(knex: Knex): Promise<void> {
    if (knex.client.dialect === 'mysql') return;
    await knex.schema.alterTable('blocking_keys', (t) => t.dropIndex(['source_key', 'source'], 'blocking_keys_record_index'));
    await knex.schema.alterTable('blocking_keys', (t) => t.index(['source', 'source_key']));
  },
};
