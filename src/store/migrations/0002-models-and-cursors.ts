import type { Knex } from 'knex';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/**
 * The trained match model of each run (to explain and show links later without retraining),
 * and each source's read cursor (watermark) for incremental runs.
 */
export const modelsAndCursors: StoreMigration = {
  name: '0002-models-and-cursors',

  async up(knex: Knex): Promise<void> {
    const create = (name: string, build: (t: Knex.CreateTableBuilder) => void) => createTable(knex, name, build);
    await create('match_models', (t) => {
      t.string('run_id', 40).primary();
      t.text('model', 'mediumtext').notNullable();
    });
    await create('source_cursors', (t) => {
      t.string('source', 64).primary();
      t.text('cursor').notNullable();
      t.string('run_id', 40).notNullable();
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTableIfExists('source_cursors');
    await knex.schema.dropTableIfExists('match_models');
  },
};
