import type { Knex } from 'knex';
import { createTable } from './create-table.js';
import type { StoreMigration } from './migration-source.js';

/**
 * Access control and accountability for the API and the steward commands (docs/security.md):
 *
 * - `api_tokens`: one row per API token; only the SHA-256 of the token is kept, so a copy of the
 *   database grants nothing. Revoked tokens stay (with `revoked_at`) so the audit log can name them.
 * - `audit_log`: append-only; who (`actor`: a token's name or the OS user), what (`action`,
 *   `target`), when (`at`), and JSON of the state `before` and `after` the write.
 * - `review_decisions`: a steward's accept/reject of a review pair, latest wins.
 * - `erased_records`: the tombstones of erased people (GDPR art. 17, PIPL art. 47): the record's
 *   source and a hash of its key, so that a later run does not stage the same record again.
 *
 * Numbered 0006: 0003–0005 belong to the master, quality and queue work.
 */
export const securitySchema: StoreMigration = {
  name: '0006-security',

  async up(knex: Knex): Promise<void> {
    const create = (name: string, build: (t: Knex.CreateTableBuilder) => void) => createTable(knex, name, build);
    const json = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'mediumtext');

    await create('api_tokens', (t) => {
      t.string('id', 32).primary();
      t.string('name', 128).notNullable();
      t.string('role', 16).notNullable();
      t.string('token_hash', 64).notNullable().unique();
      t.string('created_by', 128).notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('revoked_at', { precision: 3 }).nullable();
      t.datetime('last_used_at', { precision: 3 }).nullable();
    });

    await create('audit_log', (t) => {
      t.increments('id');
      t.datetime('at', { precision: 3 }).notNullable();
      t.string('actor', 128).notNullable();
      t.string('action', 64).notNullable();
      t.string('target', 255).nullable();
      json(t, 'before').nullable();
      json(t, 'after').nullable();
      t.index(['target']);
    });

    await create('review_decisions', (t) => {
      t.increments('id');
      t.integer('pair_id').notNullable();
      t.string('a_source', 64).notNullable();
      t.string('a_key', 191).notNullable();
      t.string('b_source', 64).notNullable();
      t.string('b_key', 191).notNullable();
      t.string('decision', 16).notNullable();
      t.string('actor', 128).notNullable();
      t.datetime('at', { precision: 3 }).notNullable();
      t.index(['pair_id']);
    });

    await create('erased_records', (t) => {
      t.string('source', 64).notNullable();
      t.string('key_hash', 64).notNullable();
      t.datetime('erased_at', { precision: 3 }).notNullable();
      t.primary(['source', 'key_hash']);
    });
  },

  async down(knex: Knex): Promise<void> {
    for (const table of ['erased_records', 'review_decisions', 'audit_log', 'api_tokens']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
