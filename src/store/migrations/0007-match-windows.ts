import type { Knex } from 'knex';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/**
 * What an incremental run needs to find the same candidates as a full run without reading whole
 * blocks (src/master/incremental.ts):
 * - `blocking_keys.sort_key`: the record's place in name order (the order a full run compares a
 *   large block in), compared byte-wise (`C` collation on PostgreSQL; MySQL tables are binary),
 *   indexed with the key's hash so that a record's neighbours in a block are an index range.
 *   Null where the names are encrypted (then a block is read whole).
 * - `oversized_blocks`: the hashes of the blocks a full run skipped as too large (more than
 *   `matching.max_block_size` records), with their size.
 */
export const matchWindowsSchema: StoreMigration = {
  name: '0007-match-windows',

  async up(knex: Knex): Promise<void> {
    const pg = knex.client.dialect !== 'mysql';
    await knex.schema.alterTable('blocking_keys', (t) => {
      t.dropIndex(['key_hash']);
    });
    if (pg) await knex.raw('alter table blocking_keys add column sort_key varchar(80) collate "C"');
    else await knex.schema.alterTable('blocking_keys', (t) => t.string('sort_key', 80).nullable());
    await knex.schema.alterTable('blocking_keys', (t) => {
      t.index(['key_hash', 'sort_key']);
    });
    await createTable(knex, 'oversized_blocks', (t) => {
      t.string('key_hash', 16).primary();
      t.integer('size').notNullable();
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTableIfExists('oversized_blocks');
    await knex.schema.alterTable('blocking_keys', (t) => {
      t.dropIndex(['key_hash', 'sort_key']);
      t.dropColumn('sort_key');
      t.index(['key_hash']);
    });
  },
};
