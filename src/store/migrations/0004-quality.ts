import type { Knex } from 'knex';
import type { StoreMigration } from './migration-source.js';

/**
 * Quality over time: what each score is measured over (values, records or comparisons; null for
 * weighted scores), so a report can tell 100 out of 3 from 100 out of 30,000; and an index for
 * reading one source's or field's scores across runs (the trend).
 */
export const qualityHistory: StoreMigration = {
  name: '0004-quality',

  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('quality_scores', (t) => {
      t.integer('measured').nullable();
      t.index(['source', 'field', 'dimension'], 'quality_scores_subject_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.alterTable('quality_scores', (t) => {
      t.dropIndex(['source', 'field', 'dimension'], 'quality_scores_subject_idx');
      t.dropColumn('measured');
    });
  },
};
