import { CrmEtlError } from '../../core/errors.js';
import { maskUrl } from '../../core/mask-url.js';

/** The database families the `sql` connector reads. */
export type SqlDialect = 'postgres' | 'mysql';

/** How long opening a connection may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The URL with its password (and secret query parameters) replaced by `***`, for messages. */
export function maskSqlUrl(url: string): string {
  return maskUrl(url);
}

/** The dialect a URL names, or `undefined` for another scheme. */
export function dialectOfSqlUrl(url: string): SqlDialect | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql';
  return undefined;
}

/** What knex needs to open a connection: its client name and the driver's settings. */
export interface SqlConnectionSettings {
  dialect: SqlDialect;
  client: 'pg' | 'mysql2';
  connection: Record<string, unknown>;
}

/**
 * Turns a source URL into driver settings. PostgreSQL URLs go to `pg` whole (it reads
 * `sslmode` and friends itself); MySQL URLs are taken apart for `mysql2`, with `?ssl=true`
 * for TLS. Values come back as text where the driver allows it: exact decimals, big integers
 * and timestamps (to the microsecond) without a detour through JavaScript numbers or Dates.
 *
 * @throws CrmEtlError `CONFIG_INVALID` for a URL that does not parse (password masked).
 */
export function sqlConnectionSettings(url: string): SqlConnectionSettings {
  const dialect = dialectOfSqlUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CrmEtlError('CONFIG_INVALID', `database URL ${maskSqlUrl(url)} is not a valid URL; %-encode special characters in the user name and password`);
  }
  if (dialect === 'postgres') {
    return {
      dialect,
      client: 'pg',
      connection: {
        connectionString: url,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: 'crm-etl',
        keepAlive: true,
      },
    };
  }
  if (dialect === 'mysql') {
    const ssl = parsed.searchParams.get('ssl');
    return {
      dialect,
      client: 'mysql2',
      connection: {
        host: parsed.hostname || '127.0.0.1',
        port: parsed.port === '' ? 3306 : Number(parsed.port),
        user: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password),
        ...(parsed.pathname.length > 1 ? { database: decodeURIComponent(parsed.pathname.slice(1)) } : {}),
        ...(ssl === 'true' || ssl === '1' || ssl === 'required' ? { ssl: {} } : {}),
        charset: 'utf8mb4',
        connectTimeout: CONNECT_TIMEOUT_MS,
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        decimalNumbers: false,
        jsonStrings: true,
        multipleStatements: false,
      },
    };
  }
  throw new CrmEtlError('CONFIG_INVALID', `database URL ${maskSqlUrl(url)}: use postgres://… or mysql://…`);
}
