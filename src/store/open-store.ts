import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { TypeCast } from 'mysql2';
import { CrmEtlError } from '../core/errors.js';
import { ArrayRowBatch, COPY_STREAM_CHUNK, CsvRowBatch, copyFromBlob, copyFromStdin, csvChunks, insertInChunks, type BulkTarget } from './bulk-insert.js';
import { guardedClientClass } from './guarded-client.js';
import { MIGRATIONS_TABLE, storeMigrationSource } from './migrations/migration-source.js';
import { toConnectError, type StoreErrorContext } from './store-errors.js';
import { maskStoreUrl, parseStoreUrl, type StoreLocation } from './store-url.js';
import type { RowBatch, RowSource, Store, StoreDialect } from './store.js';
import { type FieldCipher } from '../security/field-cipher.js';
import { KEEP_ENCRYPTED } from './decrypt-thread.js';
import { ENCRYPTED_TABLES, decryptResult, encryptRows, rowEncrypting } from './encrypted-fields.js';

/** How long a query waits for a free connection before failing with `STORE_CONNECT`. */
const ACQUIRE_TIMEOUT_MS = 10_000;
/** How long opening a server connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * CSV characters per `COPY … FROM '/dev/blob'` on PGlite. Measured with bench/store-insert.ts
 * (100k rows x 25 columns of source_records, best of 3, busy 2-core machine): COPY from 1 MB
 * blobs took 2.4 s on disk and 5.6 s in memory; multi-row INSERTs (bound parameters, 10k or 65k
 * per statement) took 9.0 s and 10.3 s, since every parameter crosses the WASM boundary on its
 * own. Blobs of 0.25 to 16 MB were within 30% of each other on disk; 1 MB was among the best in
 * both modes and keeps memory flat.
 */
const PGLITE_BLOB_BYTES = 1024 * 1024;

/** Multi-row INSERT limits on MySQL: a small share of max_allowed_packet, and at most 8 MB. */
const MYSQL_MAX_STATEMENT_BYTES = 8 * 1024 * 1024;
const MYSQL_PACKET_SHARE = 4;

/**
 * Opens a store and checks that it answers.
 *
 * - `pglite://DIR`: embedded PGlite with its data in folder DIR (relative to the working
 *   directory; created when missing); `pglite://memory` keeps everything in memory.
 *   One process at a time per folder: PGlite does not lock it.
 * - `postgres://…` or `postgresql://…`: PostgreSQL; `?schema=NAME` puts every table in that
 *   schema (created when missing; default: the server's search path).
 * - `mysql://…` or `mariadb://…`: MySQL or MariaDB; the database must exist.
 *
 * Across dialects, `bigint` results (such as `count(*)`) are numbers when they are safe integers
 * and strings otherwise; booleans read back as `true`/`false`; instants as `Date`s.
 *
 * @throws CrmEtlError `CONFIG_INVALID` for a URL it cannot use, `STORE_CONNECT` when the database
 *   does not answer (the message names the URL, password masked, and what to do).
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  const context: StoreErrorContext = { dialect: location.dialect, maskedUrl: maskStoreUrl(url) };
  const cipher = options.cipher ?? null;
  const opened = await connect(location, context, cipher);
  const { knex } = opened;
  try {
    // knex connects lazily: make a wrong URL fail here, with a clear message, not mid-run.
    await knex.raw('select 1');
    if (location.dialect === 'postgres' && location.schema !== null) {
      await createSchema(knex, location.schema);
    }
  } catch (error) {
    await opened.close();
    throw toConnectError(error, context);
  }
  return new KnexStore(location.dialect, knex, context, location, opened.close, cipher);
}

/** How to open a store. */
export interface OpenStoreOptions {
  /**
   * Encrypts personal values on {@link Store.insertRows} (the cipher's fields in `source_records`
   * and `customers`, staged `extra` columns, sensitive rejected values, sensitive values in
   * `master_audit`: see ENCRYPTED_TABLES) and decrypts every encrypted value read back
   * (docs/security.md). Default: none; reading an
   * encrypted value without it fails with `KEY_INVALID`.
   */
  cipher?: FieldCipher | null;
}

/**
 * A {@link Store} over knex. Holds what differs between dialects: the bulk path and the
 * migrations table's schema.
 */
class KnexStore implements Store {
  private closed = false;
  private mysqlMaxBytes: number | undefined;

  constructor(
    readonly dialect: StoreDialect,
    readonly knex: Knex,
    private readonly context: StoreErrorContext,
    private readonly location: StoreLocation,
    private readonly closeConnections: () => Promise<void>,
    readonly cipher: FieldCipher | null,
  ) {}

  async migrate(): Promise<void> {
    const schemaName =
      this.location.dialect === 'postgres' && this.location.schema !== null
        ? this.location.schema
        : undefined;
    await this.knex.migrate.latest({
      migrationSource: storeMigrationSource,
      tableName: MIGRATIONS_TABLE,
      ...(schemaName === undefined ? {} : { schemaName }),
    });
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: RowSource,
    trx?: Knex.Transaction,
  ): Promise<number> {
    const target: BulkTarget = { table, columns };
    checkColumns(target);
    rows = encryptRows(this.cipher, table, columns, rows);
    switch (this.dialect) {
      case 'postgres':
      case 'pglite': {
        const counter = { rows: 0 };
        await this.copyCsv(target, csvChunks(rows, target, counter, this.dialect === 'postgres' ? COPY_STREAM_CHUNK : PGLITE_BLOB_BYTES), trx);
        return counter.rows;
      }
      case 'mysql': {
        const maxBytes = await this.mysqlStatementBytes(trx);
        return this.inTransaction(trx, (db) =>
          insertInChunks(db, target, rows, { maxBytes, maxParams: 65_535 }),
        );
      }
      default: {
        const never: never = this.dialect;
        return never;
      }
    }
  }

  async insertCsv(table: string, columns: readonly string[], csv: AsyncIterable<Uint8Array>, trx?: Knex.Transaction, encryptedWith?: string): Promise<void> {
    const target: BulkTarget = { table, columns };
    checkColumns(target);
    if (this.cipher && ENCRYPTED_TABLES.has(table) && encryptedWith !== this.cipher.keyId) throw new CrmEtlError('INPUT_INVALID', `insertCsv into ${table}: its sensitive fields are encrypted; use insertRows`);
    if (this.dialect === 'mysql') throw new CrmEtlError('INPUT_INVALID', `insertCsv into ${table}: MySQL loads rows (insertRows), not CSV`);
    await this.copyCsv(target, csv, trx);
  }

  rowBatch(table: string, columns: readonly string[]): RowBatch {
    checkColumns({ table, columns });
    if (this.dialect === 'mysql') return new ArrayRowBatch(table, columns);
    return new CsvRowBatch(table, columns, this.dialect === 'postgres' ? COPY_STREAM_CHUNK : PGLITE_BLOB_BYTES, rowEncrypting(this.cipher, table, columns));
  }

  async insertBatch(batch: RowBatch, trx?: Knex.Transaction): Promise<number> {
    const rows = batch.rows;
    if (rows === 0) return 0;
    if (batch instanceof ArrayRowBatch) return this.insertRows(batch.table, batch.columns, batch.take(), trx);
    if (!(batch instanceof CsvRowBatch)) throw new CrmEtlError('INPUT_INVALID', `insertBatch into ${batch.table}: the batch was not made by this store's rowBatch`);
    await this.copyCsv({ table: batch.table, columns: batch.columns }, batch.drain(), trx);
    return rows;
  }

  /** CSV chunks into `target` by COPY (PostgreSQL, PGlite): all or nothing. */
  private copyCsv(target: BulkTarget, csv: AsyncIterable<Uint8Array>, trx?: Knex.Transaction): Promise<void> {
    // A single COPY statement is atomic without a transaction of its own; PGlite's blobs are one
    // statement each.
    if (this.dialect === 'postgres') return copyFromStdin(trx ?? this.knex, target, csv, this.context);
    return this.inTransaction(trx, (db) => copyFromBlob(db, target, csv, PGLITE_BLOB_BYTES));
  }

  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(fn);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeConnections();
  }

  private inTransaction<T>(
    trx: Knex.Transaction | undefined,
    fn: (db: Knex.Transaction) => Promise<T>,
  ): Promise<T> {
    return trx === undefined ? this.knex.transaction(fn) : fn(trx);
  }

  private async mysqlStatementBytes(trx: Knex.Transaction | undefined): Promise<number> {
    if (this.mysqlMaxBytes === undefined) {
      const result = (await (trx ?? this.knex).raw('select @@max_allowed_packet as packet')) as [
        { packet: number | string }[],
        unknown,
      ];
      const packet = Number(result[0][0]?.packet ?? 4 * 1024 * 1024);
      this.mysqlMaxBytes = Math.min(MYSQL_MAX_STATEMENT_BYTES, Math.floor(packet / MYSQL_PACKET_SHARE));
    }
    return this.mysqlMaxBytes;
  }
}

interface OpenedKnex {
  knex: Knex;
  /** Destroys the pool and, for PGlite, closes the database even if knex never used it. */
  close(): Promise<void>;
}

async function connect(location: StoreLocation, context: StoreErrorContext, cipher: FieldCipher | null): Promise<OpenedKnex> {
  const common = {
    client: guardedClientClass(location.dialect, context),
    // Encrypted values come back in clear to this process only (docs/security.md).
    // A reader that decrypts its rows itself (DecryptThread) asks for them as stored.
    postProcessResponse: (result: unknown, context: unknown) => (context === KEEP_ENCRYPTED ? result : decryptResult(result, cipher)),
    // Without this, knex inlines the parameters into the error message: customer data.
    compileSqlOnError: false,
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    log: knexLog,
  } satisfies Knex.Config;
  switch (location.dialect) {
    case 'pglite': {
      const pglite = await openPglite(location.dataDir, context);
      const knex = knexFactory({ ...common, connection: { pglite } } as Knex.Config);
      return {
        knex,
        close: async () => {
          await knex.destroy();
          if (!pglite.closed) await pglite.close();
        },
      };
    }
    case 'postgres': {
      const knex = knexFactory({
        ...common,
        connection: {
          connectionString: location.connectionString,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
          types: { getTypeParser: pgTypeParser },
        } as Knex.PgConnectionConfig,
        ...(location.schema === null ? {} : { searchPath: [location.schema] }),
        pool: { min: 0, max: 10 },
      });
      return { knex, close: () => knex.destroy() };
    }
    case 'mysql': {
      const knex = knexFactory({
        ...common,
        connection: {
          host: location.host,
          port: location.port,
          user: location.user,
          password: location.password,
          database: location.database,
          charset: 'utf8mb4',
          // Dates are written and read as UTC, like timestamptz on Postgres.
          timezone: 'Z',
          connectTimeout: CONNECT_TIMEOUT_MS,
          supportBigNumbers: true,
          typeCast: mysqlTypeCast,
        },
        pool: { min: 0, max: 10 },
      });
      return { knex, close: () => knex.destroy() };
    }
    default: {
      const never: never = location;
      return never;
    }
  }
}

async function openPglite(dataDir: string | null, context: StoreErrorContext): Promise<PGlite> {
  const where = dataDir ?? 'memory';
  try {
    if (dataDir !== null) await mkdir(dataDir, { recursive: true });
    // Same bigint rule as Postgres and MySQL: a number when safe, a string otherwise.
    const pglite = new PGlite(dataDir ?? undefined, { parsers: { 20: parseBigint } });
    await pglite.waitReady;
    return pglite;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CrmEtlError(
      'STORE_CONNECT',
      `Cannot open the embedded PGlite database in ${where} (${context.maskedUrl}): ${reason}. ` +
        'Check that the folder is writable and holds a PGlite database (or is empty), and that no other process uses it; move it away to start afresh.',
      { cause: error },
    );
  }
}

async function createSchema(knex: Knex, schema: string): Promise<void> {
  try {
    await knex.raw('create schema if not exists ??', [schema]);
  } catch (error) {
    // Two processes creating it at once: the loser gets unique_violation; the schema is there.
    if (!(error instanceof Error && 'driverCode' in error && error.driverCode === '23505')) {
      throw error;
    }
  }
}

function checkColumns(target: BulkTarget): void {
  if (target.columns.length === 0 || new Set(target.columns).size !== target.columns.length) {
    throw new CrmEtlError(
      'INPUT_INVALID',
      `insertRows into ${target.table}: columns must be a non-empty list of distinct names (got ${target.columns.join(', ') || 'none'}).`,
    );
  }
}

const INT8_OID = 20;

function parseBigint(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

function pgTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return parseBigint;
  // @types/pg overloads getTypeParser per format; the text one is what pg uses here.
  return pg.types.getTypeParser(oid, format as 'text') as (text: string) => unknown;
}

/** MySQL has no boolean type: `tinyint(1)` (what `boolean` becomes) reads back as a boolean. */
const mysqlTypeCast: TypeCast = (field, next) => {
  if (field.type === 'TINY' && field.length === 1) {
    const text = field.string();
    return text === null ? null : text !== '0';
  }
  return next();
};

// knex logs a warning for every failed connection attempt; the STORE_CONNECT error says it all.
const knexLog = {
  warn(message: string): void {
    if (!/^Acquire connection error/.test(message)) console.warn(`knex: ${message}`);
  },
  error(message: string): void {
    console.error(`knex: ${message}`);
  },
  deprecate(method: string, alternative: string): void {
    console.warn(`knex: ${method} is deprecated, use ${alternative}`);
  },
  debug(): void {},
};
