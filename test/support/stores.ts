import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { STORE_DIALECTS, type StoreDialect } from '../../src/store/index.js';

/** The Postgres server tests use: `PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The MySQL/MariaDB server tests use: `MYSQL_URL`, default `mysql://root@127.0.0.1:3306/test`. */
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * The dialects integration tests run against: `TEST_STORES` (comma-separated), default all three.
 * Narrowing it is for a quick local loop; CI runs them all.
 */
export const TEST_DIALECTS: readonly StoreDialect[] = (() => {
  const wanted = process.env.TEST_STORES?.split(',').map((name) => name.trim());
  if (wanted === undefined || wanted.join('') === '') return STORE_DIALECTS;
  return STORE_DIALECTS.filter((dialect) => wanted.includes(dialect));
})();

/** A store URL nobody else uses, and how to drop what it made. */
export interface IsolatedStoreUrl {
  readonly dialect: StoreDialect;
  readonly url: string;
  /** Drops the folder, schema or database. Close the store first. */
  cleanup(): Promise<void>;
}

/**
 * A fresh, isolated store URL for one dialect: PGlite in a new temporary folder, Postgres on
 * {@link PG_URL} with a new `?schema=t_…` (openStore creates it), MySQL in a new database `t_…`
 * on {@link MYSQL_URL}'s server (created here, `utf8mb4_bin`).
 *
 * @param name a hint for the folder, schema or database name (a test file's name).
 */
export async function isolatedStoreUrl(
  dialect: StoreDialect,
  name: string,
): Promise<IsolatedStoreUrl> {
  const id = isolatedName(name);
  switch (dialect) {
    case 'pglite': {
      const dir = await mkdtemp(path.join(tmpdir(), `crm-etl-${id}-`));
      return {
        dialect,
        url: `pglite://${dir}`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    }
    case 'postgres': {
      const url = new URL(PG_URL);
      url.searchParams.set('schema', id);
      return {
        dialect,
        url: url.toString(),
        cleanup: () => withPg((client) => client.query(`drop schema if exists "${id}" cascade`)),
      };
    }
    case 'mysql': {
      await withMysql((connection) =>
        connection.query(`create database \`${id}\` character set utf8mb4 collate utf8mb4_bin`),
      );
      const url = new URL(MYSQL_URL);
      url.pathname = `/${id}`;
      return {
        dialect,
        url: url.toString(),
        cleanup: () => withMysql((connection) => connection.query(`drop database if exists \`${id}\``)),
      };
    }
    default: {
      const never: never = dialect;
      return never;
    }
  }
}

/**
 * {@link isolatedStoreUrl} for every dialect in {@link TEST_DIALECTS}, with one cleanup for all.
 */
export async function storeUrls(
  name: string,
): Promise<{ urls: Partial<Record<StoreDialect, string>>; cleanup(): Promise<void> }> {
  const isolated = await Promise.all(TEST_DIALECTS.map((dialect) => isolatedStoreUrl(dialect, name)));
  return {
    urls: Object.fromEntries(isolated.map((entry) => [entry.dialect, entry.url])),
    cleanup: async () => {
      await Promise.all(isolated.map((entry) => entry.cleanup()));
    },
  };
}

/** `t_<name>_<random>`, a valid schema/database name of at most 40 characters. */
function isolatedName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 24);
  return `t_${slug}_${randomBytes(5).toString('hex')}`;
}

async function withPg<T>(fn: (client: pg.Client) => Promise<T>): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

async function withMysql<T>(fn: (connection: mysql.Connection) => Promise<T>): Promise<void> {
  const url = new URL(MYSQL_URL);
  const connection = await mysql.createConnection({
    host: url.hostname,
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
  });
  try {
    await fn(connection);
  } finally {
    await connection.end();
  }
}
