import type { Knex } from 'knex';
import type { StoreMigration } from './migration-source.js';

/** The match index's columns that are sorted by PostgreSQL when a full run builds the index, and their length. */
const BYTE_ORDER_COLUMNS: readonly (readonly [table: string, column: string, length: number])[] = [
  ['blocking_keys', 'key_hash', 16],
  ['blocking_keys', 'source', 64],
  ['blocking_keys', 'source_key', 191],
  ['oversized_blocks', 'key_hash', 16],
  ['match_term_frequencies', 'value_hash', 16],
];

/**
 * PostgreSQL: the match index's hashes and record identities compare byte-wise (`C` collation),
 * as its sort key already did. They are identifiers, never shown in a language's order, and a
 * full run sorts about ten of them per record to build the index: under a database's default
 * collation (even `C.UTF-8`) PostgreSQL compares each pair through the C library and without
 * abbreviated keys. Building the window index over 10M rows took 21.0 s that way, 9.4 s in byte
 * order (BENCHMARKS.md, issue #10). Equality, the only use of these columns in queries, is the
 * same in both. MySQL tables are binary already.
 */
export const byteOrderHashes: StoreMigration = {
  name: '0008-byte-order-hashes',

  async up(knex: Knex): Promise<void> {
    if (knex.client.dialect === 'mysql') return;
    for (const [table, column, length] of BYTE_ORDER_COLUMNS) {
      await knex.raw(`alter table ?? alter column ?? type varchar(${length}) collate "C"`, [table, column]);
    }
  },

  async down(knex: Knex): Promise<void> {
    if (knex.client.dialect === 'mysql') return;
    for (const [table, column, length] of BYTE_ORDER_COLUMNS) {
      await knex.raw(`alter table ?? alter column ?? type varchar(${length}) collate "default"`, [table, column]);
    }
  },
};
