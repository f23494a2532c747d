import path from 'node:path';
import { CrmEtlError } from '../core/errors.js';
import { maskUrl } from '../core/mask-url.js';
import type { StoreDialect } from './store.js';

/** Where a store lives, parsed from its URL. */
export type StoreLocation =
  | {
      dialect: 'pglite';
      /** Absolute data folder, or `null` for an in-memory database (`pglite://memory`). */
      dataDir: string | null;
    }
  | {
      dialect: 'postgres';
      /** The URL without the `schema` parameter, for `pg`. */
      connectionString: string;
      /** `?schema=NAME`: the search path, created when missing; `null` for the server default. */
      schema: string | null;
    }
  | {
      dialect: 'mysql';
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
    };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Parses a store URL: `pglite://DIR` (relative to `cwd`; `pglite://memory` for in-memory),
 * `postgres://…` or `postgresql://…` (optional `?schema=NAME`), `mysql://…` or `mariadb://…`.
 *
 * @throws CrmEtlError `CONFIG_INVALID` for an unknown scheme or a malformed URL.
 */
export function parseStoreUrl(url: string, cwd: string = process.cwd()): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'pglite': {
      // Not parsed as a URL: DIR is a plain path (`pglite://./.crm-etl/db`, `pglite:///var/db`).
      const dir = url.slice('pglite://'.length);
      if (dir === '') throw invalid(url, 'it names no folder (use pglite://DIR or pglite://memory)');
      return { dialect: 'pglite', dataDir: dir === 'memory' ? null : path.resolve(cwd, dir) };
    }
    case 'postgres':
    case 'postgresql': {
      const parsed = parseUrl(url);
      const schema = parsed.searchParams.get('schema');
      if (schema !== null && !SCHEMA_NAME.test(schema)) {
        throw invalid(url, `schema "${schema}" is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)`);
      }
      parsed.searchParams.delete('schema');
      return { dialect: 'postgres', connectionString: parsed.toString(), schema };
    }
    case 'mysql':
    case 'mariadb': {
      const parsed = parseUrl(url);
      const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
      if (database === '') throw invalid(url, 'it names no database (mysql://user@host:3306/DB)');
      return {
        dialect: 'mysql',
        host: parsed.hostname || '127.0.0.1',
        port: parsed.port === '' ? 3306 : Number(parsed.port),
        user: decodeURIComponent(parsed.username) || 'root',
        password: decodeURIComponent(parsed.password),
        database,
      };
    }
    default:
      throw invalid(url, 'use pglite://DIR, postgres://… or mysql://…');
  }
}

/** The dialect a store URL names, without validating the rest. */
export function dialectOfUrl(url: string): StoreDialect | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'pglite') return 'pglite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql';
  return undefined;
}

/** The URL with its password (and password-like parameters) replaced by `***`, for messages. */
export function maskStoreUrl(url: string): string {
  if (/^pglite:\/\//i.test(url)) return url;
  return maskUrl(url);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw invalid(url, 'it is not a valid URL (special characters in the password must be %-encoded)');
  }
}

function invalid(url: string, why: string): CrmEtlError {
  return new CrmEtlError('CONFIG_INVALID', `Invalid store URL ${maskStoreUrl(url)}: ${why}.`);
}
