import type { Knex } from 'knex';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/**
 * What an incremental run needs to find the same candidates as a full run without reading whole
 * blocks (src/master/incremental.ts):
 * - `blocking_keys.sort_key`: the record's place in name order (the order a full run compares a
 *   large block in), compared byte-wise (`C` collation on PostgreSQL; MySQL tables are binary),
 *   indexed with the key's hash (and, on PostgreSQL, covering the record's identity) so that a
 *   record's neighbours in a block are one index range.
 *   Null where the names are encrypted (then a block is read whole).
 * - `blocking_keys.id` goes: nothing looks a row up by it.
 * - `customer_consistency`: per customer with records of several sources, per source and
 *   consistency field, the pairs compared and agreeing (src/quality/scores.ts): the quality of
 *   an incremental run sums the customers it leaves untouched instead of comparing them again.
 * - `oversized_blocks`: the hashes of the blocks a full run skipped as too large (more than
 *   `matching.max_block_size` records), with their size.
 */
export const matchWindowsSchema: StoreMigration = {
  name: '0007-match-windows',

  async up(knex: Knex): Promise<void> {
    const pg = knex.client.dialect !== 'mysql';
    // The serial id served nothing (rows are found by hash or by record) and cost an index of
    // its own on the largest table a full run writes (about ten rows per record).
    await knex.schema.alterTable('blocking_keys', (t) => {
      t.dropIndex(['key_hash']);
      t.dropColumn('id');
    });
    if (pg) {
      await knex.raw('alter table blocking_keys add column sort_key varchar(80) collate "C"');
      // Covering: a window is read from the index alone, without a visit to the table per row.
      await knex.raw('create index blocking_keys_window_index on blocking_keys (key_hash, sort_key) include (source, source_key)');
    } else {
      await knex.schema.alterTable('blocking_keys', (t) => t.string('sort_key', 80).nullable());
      await knex.schema.alterTable('blocking_keys', (t) => t.index(['key_hash', 'sort_key'], 'blocking_keys_window_index'));
    }
    await createTable(knex, 'customer_consistency', (t) => {
      t.string('customer_id', 32).notNullable();
      t.string('source', 64).notNullable();
      t.string('field', 64).notNullable();
      t.integer('good').notNullable();
      t.integer('measured').notNullable();
      t.index(['customer_id']);
    });
    await createTable(knex, 'oversized_blocks', (t) => {
      t.string('key_hash', 16).primary();
      t.integer('size').notNullable();
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTableIfExists('oversized_blocks');
    await knex.schema.dropTableIfExists('customer_consistency');
    await knex.schema.alterTable('blocking_keys', (t) => {
      t.dropIndex(['key_hash', 'sort_key'], 'blocking_keys_window_index');
      t.dropColumn('sort_key');
      t.index(['key_hash']);
    });
    await knex.schema.alterTable('blocking_keys', (t) => t.increments('id'));
  },
};
