import knexFactory, { type Knex } from 'knex';
import type { Connection as MysqlConnection, FieldPacket } from 'mysql2';
import type pg from 'pg';
import { CrmEtlError } from '../../core/errors.js';
import type { Statement } from './keyset.js';
import { quoteIdentifier } from './keyset.js';
import { toSqlSourceError, type SqlErrorContext } from './sql-errors.js';
import { sqlConnectionSettings, type SqlDialect } from './sql-url.js';
import { isMysqlTimeType, isPgTimeType, mysqlConverter, pgConverter, type ValueConverter } from './sql-values.js';

/** A result column: its name and how its values become text. */
export interface SqlColumn {
  name: string;
  convert: ValueConverter;
  /** A date or time column (a cursor that `--since` can read from). */
  time: boolean;
}

/** Rows as arrays in column order (so two columns of one name cannot overwrite each other). */
export interface SqlResult {
  columns: SqlColumn[];
  rows: unknown[][];
}

/** One read-only database session: only what the connector calls. */
export interface SqlSession {
  readonly dialect: SqlDialect;
  /** Runs one statement; a driver error becomes a CrmEtlError without the statement's values. */
  run(statement: Statement): Promise<SqlResult>;
  /** Closes the connection; safe to call twice. */
  close(): Promise<void>;
}

// Every PostgreSQL value stays in its text form: exact (numeric, int8, microseconds) and cheap,
// since nothing is parsed only to be turned back into text.
const RAW_TEXT: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value } as pg.CustomTypesConfig;

/**
 * Opens a session on `url` through knex's driver client and makes it read-only before
 * anything else runs: PostgreSQL `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`,
 * MySQL/MariaDB `SET SESSION TRANSACTION READ ONLY`, so every statement (each its own
 * transaction) is refused a write by the server. The session also reads times in UTC.
 * `schema` sets PostgreSQL's search_path or MySQL's default database.
 *
 * The session uses one connection and no pool; close it when done.
 *
 * @throws CrmEtlError `STORE_CONNECT` when the server cannot be reached (a retry may help),
 *   `SOURCE_NOT_FOUND` when the login, database or schema is refused, with the URL masked.
 */
export async function openSqlSession(url: string, opts: { schema?: string | undefined; errors: SqlErrorContext }): Promise<SqlSession> {
  const settings = sqlConnectionSettings(url);
  const knex = knexFactory({ client: settings.client, connection: settings.connection, pool: { min: 0, max: 1 } });
  let raw: unknown;
  try {
    raw = await knex.client.acquireRawConnection();
  } catch (err) {
    await knex.destroy();
    throw toSqlSourceError(err, opts.errors);
  }
  const session = settings.dialect === 'postgres' ? new PgSession(knex, raw as pg.Client, opts.errors) : new MysqlSession(knex, raw as MysqlConnection, opts.errors);
  try {
    await session.setUp(opts.schema);
  } catch (err) {
    await session.close();
    throw toSqlSourceError(err, opts.errors);
  }
  return session;
}

abstract class KnexSession implements SqlSession {
  abstract readonly dialect: SqlDialect;
  private closed = false;

  constructor(
    private readonly knex: Knex,
    private readonly raw: unknown,
    protected readonly errors: SqlErrorContext,
  ) {}

  abstract setUp(schema: string | undefined): Promise<void>;
  protected abstract execute(statement: Statement): Promise<SqlResult>;

  async run(statement: Statement): Promise<SqlResult> {
    try {
      return await this.execute(statement);
    } catch (err) {
      throw toSqlSourceError(err, this.errors, statement);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.knex.client.destroyRawConnection(this.raw);
    } catch {
      // A connection the server already dropped has nothing left to close.
    } finally {
      await this.knex.destroy();
    }
  }

  protected notReadOnly(): CrmEtlError {
    return new CrmEtlError(
      'CONFIG_INVALID',
      `source "${this.errors.source}": the session on ${this.errors.maskedUrl} did not become read-only, so it is not used; ` +
        'connect to the server directly or through a proxy in session mode (a transaction-pooling proxy drops session settings)',
    );
  }
}

class PgSession extends KnexSession {
  readonly dialect = 'postgres' as const;

  constructor(
    knex: Knex,
    private readonly client: pg.Client,
    errors: SqlErrorContext,
  ) {
    super(knex, client, errors);
  }

  override async setUp(schema: string | undefined): Promise<void> {
    const statements = [
      'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
      "SET TIME ZONE 'UTC'",
      'SET DateStyle TO ISO, YMD',
      ...(schema !== undefined ? [`SET search_path TO ${quoteIdentifier('postgres', schema)}`] : []),
    ];
    await this.client.query(statements.join('; '));
    const res = await this.client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
    if (res.rows[0]?.transaction_read_only !== 'on') throw this.notReadOnly();
  }

  protected override async execute(statement: Statement): Promise<SqlResult> {
    // The extended protocol even without parameters: it runs exactly one statement, so text in a
    // query or where option cannot end the SELECT and start another (say, one that undoes READ ONLY).
    const config = { text: statement.text, values: statement.values, rowMode: 'array' as const, types: RAW_TEXT, queryMode: 'extended' };
    const res = await this.client.query<unknown[]>(config);
    return { columns: res.fields.map((f) => ({ name: f.name, convert: pgConverter(f.dataTypeID), time: isPgTimeType(f.dataTypeID) })), rows: res.rows };
  }
}

class MysqlSession extends KnexSession {
  readonly dialect = 'mysql' as const;

  constructor(
    knex: Knex,
    private readonly connection: MysqlConnection,
    errors: SqlErrorContext,
  ) {
    super(knex, connection, errors);
  }

  private query(sql: string): Promise<{ rows: unknown; fields: FieldPacket[] | undefined }> {
    return new Promise((resolve, reject) => {
      // Never with values: mysql2 would substitute every `?` in the text, including the query's own.
      this.connection.query({ sql, rowsAsArray: true }, (err, rows, fields) => (err ? reject(err) : resolve({ rows, fields })));
    });
  }

  override async setUp(schema: string | undefined): Promise<void> {
    await this.query('SET SESSION TRANSACTION READ ONLY');
    await this.query("SET time_zone = '+00:00'");
    if (schema !== undefined) await this.query(`USE ${quoteIdentifier('mysql', schema)}`);
    let flag: unknown;
    try {
      flag = ((await this.query('SELECT @@session.transaction_read_only')).rows as unknown[][])[0]?.[0];
    } catch {
      // MariaDB before 11.1 and MySQL before 5.7.20 name it tx_read_only.
      flag = ((await this.query('SELECT @@session.tx_read_only')).rows as unknown[][])[0]?.[0];
    }
    if (Number(flag) !== 1) throw this.notReadOnly();
  }

  protected override async execute(statement: Statement): Promise<SqlResult> {
    const { rows, fields } = await this.query(statement.text);
    if (!Array.isArray(rows) || fields === undefined) return { columns: [], rows: [] };
    return { columns: fields.map((f) => ({ name: f.name, convert: mysqlConverter(f.columnType ?? 0, f.columnLength ?? 0), time: isMysqlTimeType(f.columnType ?? 0) })), rows: rows as unknown[][] };
  }
}
