import type { Knex } from 'knex';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/**
 * What the queue runner hands from one job to the next through the store, never through Redis
 * (job payloads and results are references and counts; these rows hold customer keys):
 * - `run_stages`: each stage and partition of a run (`extract`/source, `match`, `load`), its
 *   status, records done and total, and its result (per-source counts for the summary);
 * - `run_clusters`: the match stage's answer for a run: each staged record's cluster and the
 *   probability of the link that put it there, which the load stage turns into the master.
 * Both are keyed by run and partition, so that a stage run twice (a retry, a worker killed
 * mid-job) replaces its rows instead of adding to them.
 */
export const jobsSchema: StoreMigration = {
  name: '0005-jobs',

  async up(knex: Knex): Promise<void> {
    const create = (name: string, build: (t: Knex.CreateTableBuilder) => void) => createTable(knex, name, build);
    await create('run_stages', (t) => {
      t.string('run_id', 40).notNullable();
      t.string('stage', 16).notNullable();
      // The source for extract; '' for the stages that see the whole run.
      t.string('part', 64).notNullable();
      t.string('status', 16).notNullable();
      t.integer('done').notNullable().defaultTo(0);
      t.integer('total').nullable();
      t.text('result', 'mediumtext').nullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
      t.primary(['run_id', 'stage', 'part']);
    });
    await create('run_clusters', (t) => {
      t.string('run_id', 40).notNullable();
      t.string('source', 64).notNullable();
      t.string('source_key', 191).notNullable();
      t.integer('cluster').notNullable();
      t.double('probability').nullable();
      t.primary(['run_id', 'source', 'source_key']);
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTableIfExists('run_clusters');
    await knex.schema.dropTableIfExists('run_stages');
  },
};
