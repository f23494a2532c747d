import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { CrmEtlError } from '../core/errors.js';
import { parseStoreUrl } from './store-url.js';

function dataDirOf(url: string, what: string): string {
  const loc = parseStoreUrl(url);
  if (loc.dialect !== 'pglite' || loc.dataDir === null) {
    throw new CrmEtlError(
      'INPUT_INVALID',
      `crm-etl ${what} is for the embedded store in a folder (pglite://DIR); for PostgreSQL use pg_dump/pg_restore, for MySQL/MariaDB mysqldump (README: Backups)`,
    );
  }
  return loc.dataDir;
}

/**
 * Writes the embedded store to `out` as a gzipped tarball (PGlite's dumpDataDir): a consistent
 * copy taken through the database itself, not a copy of files that may be mid-write. Nothing else
 * may have the folder open (PGlite is one process per folder).
 *
 * @returns the size of the backup in bytes.
 */
export async function backupPglite(url: string, out: string): Promise<number> {
  const dir = dataDirOf(url, 'backup');
  if (!existsSync(dir)) throw new CrmEtlError('NOT_FOUND', `no embedded store at ${dir}: nothing to back up`);
  const db = await PGlite.create(dir);
  try {
    const dump = await db.dumpDataDir('gzip');
    const bytes = Buffer.from(await dump.arrayBuffer());
    await writeFile(out, bytes);
    return bytes.length;
  } finally {
    await db.close();
  }
}

/**
 * Restores a backup from {@link backupPglite} into the store's folder. An existing, non-empty
 * folder is kept aside as `DIR.before-restore-<time>` (never deleted); the restored store is
 * opened once to check that it works.
 *
 * @returns the folder the previous store was moved to, if any.
 */
export async function restorePglite(url: string, file: string, now: Date = new Date()): Promise<string | null> {
  const dir = dataDirOf(url, 'restore');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new CrmEtlError('NOT_FOUND', `cannot read backup ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new CrmEtlError('INPUT_INVALID', `${file} is not a crm-etl backup (a gzipped PGlite data folder from crm-etl backup)`);
  let aside: string | null = null;
  if (existsSync(dir) && (await readdir(dir)).length) {
    aside = `${dir}.before-restore-${now.toISOString().replace(/[-:.]/g, '')}`;
    await rename(dir, aside);
  }
  const db = await PGlite.create(dir, { loadDataDir: new Blob([bytes]) });
  try {
    await db.query('select 1');
  } finally {
    await db.close();
  }
  return aside;
}
