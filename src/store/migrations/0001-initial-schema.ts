import type { Knex } from 'knex';
import { CANONICAL_FIELDS } from '../../core/fields.js';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/** Sizes shared by every table, chosen so that composite keys fit MySQL's 3,072-byte limit. */
const RUN_ID = 40;
const SOURCE = 64;
const SOURCE_KEY = 191;
const CUSTOMER_ID = 32;

/**
 * The first schema: runs, staged source records, rejects, golden customers, their links, quality
 * scores and match pairs. Columns are NOT NULL unless stated; `runs.summary` is nullable so that
 * a run can be recorded before it has a summary.
 *
 * Dialect differences (decided here, not left to the drivers):
 * - MySQL tables are `utf8mb4` with the `utf8mb4_bin` collation, so that keys and comparisons are
 *   case- and accent-sensitive like Postgres (`'ABC'` and `'abc'` are two source keys). Its
 *   collations still ignore trailing spaces in comparisons; values are trimmed upstream.
 * - JSON columns are `mediumtext` on MySQL (16 MB) because `text` stops at 64 KB there.
 * - Instants are `timestamptz(3)` on Postgres and `datetime(3)` in UTC on MySQL (`timestamp`
 *   would stop in 2038 and, on older servers, update itself on every write).
 */
export const initialSchema: StoreMigration = {
  name: '0001-initial-schema',

  async up(knex: Knex): Promise<void> {
    const create = (name: string, build: (t: Knex.CreateTableBuilder) => void) => createTable(knex, name, build);
    const json = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'mediumtext');
    const canonical = (t: Knex.CreateTableBuilder) => {
      for (const field of CANONICAL_FIELDS) t.text(field).nullable();
    };

    await create('runs', (t) => {
      t.string('id', RUN_ID).primary();
      t.datetime('started_at', { precision: 3 }).notNullable();
      t.datetime('finished_at', { precision: 3 }).nullable();
      t.string('status', 20).notNullable();
      json(t, 'summary').nullable();
      t.string('config_hash', 64).nullable();
    });

    await create('source_records', (t) => {
      t.string('source', SOURCE).notNullable();
      t.string('source_key', SOURCE_KEY).notNullable();
      t.string('run_id', RUN_ID).notNullable();
      t.text('location').notNullable();
      t.integer('line').nullable();
      canonical(t);
      json(t, 'extra').notNullable();
      t.string('record_hash', 64).notNullable();
      t.boolean('deleted').notNullable().defaultTo(false);
      t.primary(['source', 'source_key']);
    });

    await create('rejects', (t) => {
      t.increments('id');
      t.string('run_id', RUN_ID).notNullable();
      t.string('source', SOURCE).notNullable();
      t.string('source_key', SOURCE_KEY).nullable();
      t.text('location').notNullable();
      t.integer('line').nullable();
      t.string('field', 64).nullable();
      t.text('value').nullable();
      t.string('code', 64).notNullable();
      t.text('reason').notNullable();
      t.index(['run_id', 'source']);
    });

    await create('customers', (t) => {
      t.string('id', CUSTOMER_ID).primary();
      t.string('created_run', RUN_ID).notNullable();
      t.string('updated_run', RUN_ID).notNullable();
      canonical(t);
      json(t, 'provenance').notNullable();
      t.integer('record_count').notNullable();
      t.string('status', 16).notNullable().defaultTo('active');
      t.string('merged_into', CUSTOMER_ID).nullable();
    });

    await create('customer_links', (t) => {
      t.string('source', SOURCE).notNullable();
      t.string('source_key', SOURCE_KEY).notNullable();
      t.string('customer_id', CUSTOMER_ID).notNullable();
      t.double('match_probability').nullable();
      t.string('run_id', RUN_ID).notNullable();
      t.primary(['source', 'source_key']);
      t.index(['customer_id']);
    });

    await create('quality_scores', (t) => {
      t.string('run_id', RUN_ID).notNullable();
      t.string('source', SOURCE).notNullable();
      t.string('field', 64).notNullable();
      t.string('dimension', 32).notNullable();
      t.double('score').notNullable();
      t.primary(['run_id', 'source', 'field', 'dimension']);
    });

    await create('match_pairs', (t) => {
      // A surrogate key: managed MySQL (sql_require_primary_key) refuses tables without one.
      t.increments('id');
      t.string('run_id', RUN_ID).notNullable();
      t.string('a_source', SOURCE).notNullable();
      t.string('a_key', SOURCE_KEY).notNullable();
      t.string('b_source', SOURCE).notNullable();
      t.string('b_key', SOURCE_KEY).notNullable();
      t.double('probability').notNullable();
      t.string('decision', 16).notNullable();
      json(t, 'explanation').notNullable();
      t.index(['run_id']);
    });
  },

  async down(knex: Knex): Promise<void> {
    for (const table of [
      'match_pairs',
      'quality_scores',
      'customer_links',
      'customers',
      'rejects',
      'source_records',
      'runs',
    ]) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
