import type { Knex } from 'knex';
import { initialSchema } from './0001-initial-schema.js';
import { modelsAndCursors } from './0002-models-and-cursors.js';
import { qualityHistory } from './0004-quality.js';
import { jobsSchema } from './0005-jobs.js';
import { masterSchema } from './0003-master.js';
import { securitySchema } from './0006-security.js';
import { matchWindowsSchema } from './0007-match-windows.js';
import { byteOrderHashes } from './0008-byte-order-hashes.js';
import { unloggedMatchIndex } from './0009-unlogged-match-index.js';
import { recordIndexKeyFirst } from './0010-record-index-key-first.js';

/** One schema change, as a module rather than a file knex looks up by name. */
export interface StoreMigration {
  /** Recorded in the migrations table: never rename a released migration. */
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, oldest first. Append new ones; never reorder or edit released ones. */
// 0003-master and 0006-security were written alongside 0004-quality and 0005-jobs and landed
// after them: appended, not slotted in, so stores that already applied those apply them next.
export const STORE_MIGRATIONS: readonly StoreMigration[] = [initialSchema, modelsAndCursors, qualityHistory, jobsSchema, masterSchema, securitySchema, matchWindowsSchema, byteOrderHashes, unloggedMatchIndex, recordIndexKeyFirst];

/** Name of the table knex records applied migrations in (and of its `_lock` table). */
export const MIGRATIONS_TABLE = 'crm_etl_migrations';

/**
 * A knex migration source over {@link STORE_MIGRATIONS}: the same list from `src/` (tsx, vitest)
 * and `dist/` (node), since nothing depends on file names or extensions.
 */
export const storeMigrationSource: Knex.MigrationSource<StoreMigration> = {
  getMigrations: () => Promise.resolve([...STORE_MIGRATIONS]),
  getMigrationName: (migration) => migration.name,
  getMigration: (migration) => Promise.resolve(migration),
};
