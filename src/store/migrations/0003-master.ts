import type { Knex } from 'knex';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/** Sizes as in 0001, so that composite keys fit MySQL's 3,072-byte index limit. */
const RUN_ID = 40;
const SOURCE = 64;
const SOURCE_KEY = 191;
const CUSTOMER_ID = 32;

/**
 * The customer master as a hub: steward constraints, the audit log, the blocking keys and term
 * frequencies that let an incremental run match changed records without re-reading the base,
 * and the hash of each record as it was when last linked (so a run knows what changed).
 *
 * - `master_constraints`: one row per record pair (stored with `a` < `b`), the latest decision
 *   wins: `must_link` (steward merge, review accepted) or `cannot_link` (unmerge, review rejected).
 * - `master_audit`: append-only; `before`/`after` are JSON of what changed.
 * - `blocking_keys`: per record, a 16-hex hash of each (rule, key); looked up by hash.
 * - `match_term_frequencies`: per comparison, the share of records holding a value (hashed), of
 *   the run that trained the model.
 */
export const masterSchema: StoreMigration = {
  name: '0003-master',

  async up(knex: Knex): Promise<void> {
    const create = (name: string, build: (t: Knex.CreateTableBuilder) => void) => createTable(knex, name, build);
    const json = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'mediumtext');

    await create('master_constraints', (t) => {
      t.increments('id');
      t.string('kind', 16).notNullable();
      t.string('a_source', SOURCE).notNullable();
      t.string('a_key', SOURCE_KEY).notNullable();
      t.string('b_source', SOURCE).notNullable();
      t.string('b_key', SOURCE_KEY).notNullable();
      t.string('origin', 32).notNullable();
      t.string('actor', 128).notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.unique(['a_source', 'a_key', 'b_source', 'b_key']);
    });

    await create('master_audit', (t) => {
      t.increments('id');
      t.datetime('at', { precision: 3 }).notNullable();
      t.string('actor', 128).notNullable();
      t.string('run_id', RUN_ID).nullable();
      t.string('customer_id', CUSTOMER_ID).notNullable();
      t.string('action', 32).notNullable();
      t.text('reason').notNullable();
      json(t, 'before').nullable();
      json(t, 'after').nullable();
      t.index(['customer_id']);
    });

    await create('blocking_keys', (t) => {
      t.increments('id');
      t.string('source', SOURCE).notNullable();
      t.string('source_key', SOURCE_KEY).notNullable();
      t.string('key_hash', 16).notNullable();
      t.index(['key_hash']);
      t.index(['source', 'source_key']);
    });

    await create('match_term_frequencies', (t) => {
      t.string('run_id', RUN_ID).notNullable();
      t.integer('comparison').notNullable();
      t.string('value_hash', 16).notNullable();
      t.double('frequency').notNullable();
      t.primary(['run_id', 'comparison', 'value_hash']);
    });

    await knex.schema.alterTable('customer_links', (t) => {
      // The record as it was when last linked: a live record with another hash has changed.
      t.string('record_hash', 64).nullable();
    });
    await knex.schema.alterTable('customers', (t) => {
      t.index(['merged_into']);
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.alterTable('customers', (t) => t.dropIndex(['merged_into']));
    await knex.schema.alterTable('customer_links', (t) => t.dropColumn('record_hash'));
    for (const table of ['match_term_frequencies', 'blocking_keys', 'master_audit', 'master_constraints']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
