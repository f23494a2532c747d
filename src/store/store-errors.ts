import { CrmEtlError } from '../core/errors.js';
import type { StoreDialect } from './store.js';

/** What a store error may say about where it happened: never the password, never row values. */
export interface StoreErrorContext {
  readonly dialect: StoreDialect;
  /** The store URL with its password masked. */
  readonly maskedUrl: string;
}

/** Longest SQL text kept in a message; multi-row inserts are mostly `(?, ?, …)` after that. */
const MAX_SQL_CHARS = 1_000;

/**
 * A failed statement. Keeps the SQL and the driver's error code, never the parameters: they hold
 * customer data. The driver's message is kept with every quoted token that is not a name from
 * the statement (or a constraint, table or column name the driver reports) replaced by `…`,
 * because drivers quote offending values there (`invalid input syntax for type integer: "…"`,
 * `Duplicate entry '…' for key 'PRIMARY'`). The driver's detail, context and parameters are
 * dropped, and the driver error is not kept as `cause`, since it holds them.
 */
export class StoreQueryError extends CrmEtlError {
  /** The statement, with placeholders; cut after 1,000 characters. */
  readonly sql: string;
  /** SQLSTATE on Postgres and PGlite (`23505`), the error code on MySQL (`ER_DUP_ENTRY`). */
  readonly driverCode: string | undefined;

  constructor(message: string, sql: string, driverCode: string | undefined) {
    super('STORE_QUERY', message);
    this.name = 'StoreQueryError';
    this.sql = sql;
    this.driverCode = driverCode;
  }
}

/**
 * Turns a driver error into a {@link CrmEtlError}: `STORE_CONNECT` when the connection is the
 * problem, else a {@link StoreQueryError}. `CrmEtlError`s pass through unchanged.
 *
 * @param driverMessage the driver's own message when the caller has it (knex prefixes it with
 *   the statement); defaults to the error's message.
 */
export function toStoreError(
  error: unknown,
  sql: string,
  context: StoreErrorContext,
  driverMessage?: string,
): CrmEtlError {
  if (error instanceof CrmEtlError) return error;
  if (isConnectionError(error)) return toConnectError(error, context);
  const fields = fieldsOf(error);
  const message = driverMessage ?? fields.message ?? String(error);
  const safeNames = [fields.constraint, fields.table, fields.column, fields.schema, fields.dataType];
  const shownSql = truncateSql(sql);
  const code = fields.code === undefined ? '' : ` [${fields.code}]`;
  return new StoreQueryError(
    `Store query failed${code}: ${sentence(redactDriverMessage(message, sql, safeNames))} SQL: ${shownSql}`,
    shownSql,
    fields.code,
  );
}

/**
 * A `STORE_CONNECT` error that names the store (password masked), the driver's reason and what
 * to do about it.
 */
export function toConnectError(error: unknown, context: StoreErrorContext): CrmEtlError {
  if (error instanceof CrmEtlError) return error;
  const fields = fieldsOf(error);
  const reason = (fields.message ?? String(error)).replace(/\s+/g, ' ').trim();
  return new CrmEtlError(
    'STORE_CONNECT',
    `Cannot connect to the store ${context.maskedUrl}: ${sentence(reason)} ${connectHint(fields, context)}`,
    { cause: error },
  );
}

/**
 * The driver message with quoted values replaced by `…`. A quoted token survives only when it is
 * a word of the statement, one of `safeNames`, or a fixed phrase drivers use for places.
 */
export function redactDriverMessage(
  message: string,
  sql: string,
  safeNames: readonly (string | undefined)[] = [],
): string {
  const allowed = new Set(FIXED_SAFE_TOKENS);
  for (const word of sql.match(/[\p{L}_][\p{L}\p{N}_$]*/gu) ?? []) allowed.add(word.toLowerCase());
  for (const name of safeNames) if (name !== undefined) allowed.add(name.toLowerCase());
  const isSafe = (token: string): boolean => {
    if (token === '' || allowed.has(token.toLowerCase())) return true;
    // `db.table` / `table.PRIMARY`: fine when it is made of names and ends with a known one.
    const parts = token.split('.');
    const last = parts[parts.length - 1] ?? '';
    return (
      parts.every((part) => /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(part)) &&
      allowed.has(last.toLowerCase())
    );
  };
  return message
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/"((?:[^"]|"")*)"|'((?:[^'\\]|\\.|'')*)'|`((?:[^`]|``)*)`/g, (whole, dq, sq, bq) => {
      const token = (dq ?? sq ?? bq ?? '') as string;
      const quote = whole[0] as string;
      return isSafe(token) ? whole : `${quote}…${quote}`;
    });
}

/** Ends `text` with one full stop, unless it already ends with punctuation. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Cuts long statements (multi-row inserts) for messages. */
export function truncateSql(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_SQL_CHARS) return flat;
  return `${flat.slice(0, MAX_SQL_CHARS)}… (${flat.length - MAX_SQL_CHARS} more characters)`;
}

// Phrases MySQL quotes to say where a name was used; not data.
const FIXED_SAFE_TOKENS = [
  'primary',
  'field list',
  'where clause',
  'on clause',
  'order clause',
  'group statement',
  'having clause',
];

interface DriverErrorFields {
  message?: string;
  code?: string;
  errno?: number;
  name?: string;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  dataType?: string;
}

function fieldsOf(error: unknown): DriverErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const record = error as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  return {
    message: text('message'),
    code: text('code') ?? (typeof record.code === 'number' ? String(record.code) : undefined),
    errno: typeof record.errno === 'number' ? record.errno : undefined,
    name: text('name'),
    constraint: text('constraint'),
    table: text('table'),
    column: text('column'),
    schema: text('schema'),
    dataType: text('dataType'),
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
const AUTH_CODES = new Set(['28000', '28P01', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR']);
const MISSING_DB_CODES = new Set(['3D000', 'ER_BAD_DB_ERROR']);
const TOO_MANY_CODES = new Set(['53300', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS']);

function isConnectionError(error: unknown): boolean {
  const { code, name, message = '' } = fieldsOf(error);
  if (name === 'KnexTimeoutError' && /acquiring a connection/i.test(message)) return true;
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || AUTH_CODES.has(code) || MISSING_DB_CODES.has(code)) return true;
    if (TOO_MANY_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception) and 57P0x (server shutting down or starting).
    if (/^08...$/.test(code) || /^57P0\d$/.test(code)) return true;
  }
  return /^Connection terminated|connection timeout|Connection is closed/i.test(message);
}

function connectHint(fields: DriverErrorFields, context: StoreErrorContext): string {
  const server = context.dialect === 'mysql' ? 'MySQL/MariaDB server' : 'PostgreSQL server';
  const code = fields.code ?? '';
  if (fields.name === 'KnexTimeoutError') {
    return context.dialect === 'pglite'
      ? 'PGlite has a single connection: inside a transaction, run every query on the transaction (trx), or it waits for the connection until this timeout.'
      : 'Every connection is busy: a query inside a transaction may be missing .transacting(trx), or the server is overloaded.';
  }
  if (AUTH_CODES.has(code)) return 'Check the user and password in the store URL (config `store:` or DATABASE_URL).';
  if (MISSING_DB_CODES.has(code)) return 'Create the database, or fix its name in the store URL.';
  if (TOO_MANY_CODES.has(code)) return `The ${server} refuses more connections: close idle clients or raise its connection limit.`;
  const start =
    context.dialect === 'mysql'
      ? '`systemctl start mariadb` or `docker start <container>`'
      : '`pg_ctlcluster <version> main start` or `docker start <container>`';
  return `Check that the ${server} is running and reachable (start it, e.g. ${start}), and that host and port in the store URL (config \`store:\` or DATABASE_URL) are right.`;
}
