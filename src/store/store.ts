import type { Knex } from 'knex';
import type { FieldCipher } from '../security/field-cipher.js';

/** The database behind a {@link Store}. */
export type StoreDialect = 'pglite' | 'postgres' | 'mysql';

/** The store dialects, in the order tests and benchmarks run them. */
export const STORE_DIALECTS: readonly StoreDialect[] = ['pglite', 'postgres', 'mysql'];

/**
 * A value {@link Store.insertRows} accepts. `undefined` is taken as `null`; anything else is an
 * `INPUT_INVALID` error. Booleans are stored as `boolean` on Postgres and `tinyint(1)` on MySQL
 * (read back as `true`/`false` on both); Dates are instants, stored in UTC.
 */
export type StoreValue = string | number | boolean | null | Date;

/** Rows for {@link Store.insertRows}: one array of rows, or a stream of batches of rows. */
export type RowSource =
  | AsyncIterable<readonly (readonly unknown[])[]>
  | readonly (readonly unknown[])[];

/** Rows to load into one table later (see {@link Store.rowBatch}). */
export interface RowBatch {
  readonly table: string;
  readonly columns: readonly string[];
  /** Rows added since the batch was made or last loaded. */
  readonly rows: number;
  /** Adds a row: one {@link StoreValue} per column (a wrong row fails here, as insertRows would). */
  add(row: readonly unknown[]): void;
}

/**
 * The seam between the pipeline and its database: knex for queries, plus the few things knex
 * does not do well across dialects (bulk loading, migrations, clear connection errors).
 *
 * Every query error that goes through {@link Store.knex} or {@link Store.insertRows} is a
 * `CrmEtlError`: `STORE_QUERY` (a `StoreQueryError`, whose message holds the SQL but never the
 * parameters) or `STORE_CONNECT` (the URL with its password masked, and what to do).
 */
export interface Store {
  readonly dialect: StoreDialect;
  /**
   * For queries, cross-dialect through the query builder.
   *
   * PGlite has a single connection: inside {@link Store.transaction}, a query that is not bound
   * to the transaction (`.transacting(trx)` or `trx(...)`) waits for that connection and fails
   * with `STORE_CONNECT` after the acquire timeout (10 s) instead of running.
   */
  readonly knex: Knex;
  /** The cipher sensitive fields are encrypted with, or null when they are stored in clear. */
  readonly cipher: FieldCipher | null;
  /** Brings the schema to the latest migration; does nothing when it is already there. */
  migrate(): Promise<void>;
  /**
   * Loads rows fast: `COPY … FROM STDIN` on PostgreSQL, `COPY … FROM '/dev/blob'` on PGlite,
   * multi-row `INSERT`s sized well under `max_allowed_packet` on MySQL. Each row holds one
   * {@link StoreValue} per column, in the order of `columns`.
   *
   * All or nothing: without `trx` the load runs in its own transaction (one `COPY` statement on
   * PostgreSQL); with `trx` it is part of that transaction.
   *
   * @returns the number of rows inserted.
   */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: RowSource,
    trx?: Knex.Transaction,
  ): Promise<number>;
  /**
   * Loads rows already encoded as CSV, as {@link insertRows} encodes them (`CsvWriter` in
   * src/store/bulk-insert.ts; each chunk ends with a row): rows encoded off the main thread. On
   * PostgreSQL and PGlite; MySQL takes rows only (`INPUT_INVALID`), as do tables with encrypted
   * fields, unless their rows were encrypted as {@link insertRows} would (`rowEncrypting` with
   * this store's cipher, in a thread) and `encryptedWith` names the cipher's key. All or nothing,
   * like {@link insertRows}.
   */
  insertCsv(table: string, columns: readonly string[], csv: AsyncIterable<Uint8Array>, trx?: Knex.Transaction, encryptedWith?: string): Promise<void>;
  /**
   * Rows collected now and loaded later, all at once, by {@link insertBatch}. On PostgreSQL and
   * PGlite each row is checked, encrypted where {@link insertRows} would encrypt it, and encoded
   * as CSV when it is added, so that a caller that makes many rows before writing them holds
   * their bytes rather than the rows (rows kept until a write outlive the young generation and
   * fill the old one with garbage). On MySQL the rows are kept as they are.
   */
  rowBatch(table: string, columns: readonly string[]): RowBatch;
  /** Loads a {@link rowBatch}'s rows as {@link insertRows} would; the batch is empty after. @returns the rows inserted. */
  insertBatch(batch: RowBatch, trx?: Knex.Transaction): Promise<number>;
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /** Closes every connection (and the embedded database). Safe to call twice. */
  close(): Promise<void>;
}
