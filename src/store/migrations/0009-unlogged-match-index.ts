import type { Knex } from 'knex';
import type { StoreMigration } from './migration-source.js';

/** The match index's tables: derived from the staged records, written again by any full run. */
export const MATCH_INDEX_TABLES = ['blocking_keys', 'oversized_blocks', 'match_term_frequencies'] as const;

/** True when `knex` runs on the embedded PGlite (its connection holds the database object). */
function embedded(knex: Knex): boolean {
  const connection = (knex.client as { config?: { connection?: unknown } }).config?.connection;
  return typeof connection === 'object' && connection !== null && 'pglite' in connection;
}

/**
 * PostgreSQL: the match index's tables are `unlogged`, outside the write-ahead log. A full run
 * at a million records writes about eleven million index rows and builds two indexes over them:
 * a full run of the 1M benchmark wrote 3.3 GB of WAL (under the default `max_wal_size` of 1 GB,
 * with a checkpoint every few seconds), and writes 1.5 GB with these tables unlogged
 * (BENCHMARKS.md, issue #10). The index is a cache of the staged records: what PostgreSQL drops
 * of it after a crash, or leaves out of a replica, costs the next run nothing but time, since an
 * empty index makes it match in full (matchIndexUsable in src/master/match-index.ts), which
 * writes the index again. The customer master, the staged records, the audit log and everything
 * else stay logged.
 *
 * Not on the embedded PGlite, which resets unlogged tables whenever it was not closed cleanly
 * (a killed process): there the index stays logged. MySQL has no such tables.
 */
export const unloggedMatchIndex: StoreMigration = {
  name: '0009-unlogged-match-index',

  async up(knex: Knex): Promise<void> {
    if (knex.client.dialect === 'mysql' || embedded(knex)) return;
    for (const table of MATCH_INDEX_TABLES) await knex.raw('alter table ?? set unlogged', [table]);
  },

  async down(knex: Knex): Promise<void> {
    if (knex.client.dialect === 'mysql' || embedded(knex)) return;
    for (const table of MATCH_INDEX_TABLES) await knex.raw('alter table ?? set logged', [table]);
  },
};
