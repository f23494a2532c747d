import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** `postgres://`, `postgresql://`, `mysql://` or `mariadb://`. */
const SQL_URL = /^(postgres|postgresql|mysql|mariadb):\/\/\S+$/i;
/** A statement a source may read from: a SELECT, possibly behind WITH, possibly in parentheses. */
const SELECT_START = /^[\s(]*(select|with)\b/i;

const identifier = z
  .string()
  .min(1)
  .refine((s) => s.trim() === s, 'a column or table name has no leading or trailing spaces');

/**
 * Options of a `sql` source: one table or one SELECT of an ERP database on PostgreSQL or
 * MySQL/MariaDB, read in keyset pages on a read-only session (see src/connectors/sql/README.md).
 */
export const sqlSourceSchema = z
  .object({
    ...baseSource,
    kind: z.literal('sql'),
    /**
     * The database: `postgres://USER:PASSWORD@HOST:5432/DB` or `mysql://USER:PASSWORD@HOST:3306/DB`
     * (`postgresql://` and `mariadb://` also work). Normally `${ERP_DATABASE_URL}`, so the
     * password stays in the environment; special characters in it must be %-encoded.
     * Messages show it with the password masked. Required.
     */
    url: z.string().regex(SQL_URL, 'use postgres://USER:PASSWORD@HOST:PORT/DB or mysql://USER:PASSWORD@HOST:PORT/DB'),
    /**
     * The table (or view) to read, as the database spells it: `customers`, or `erp.customers` for
     * another PostgreSQL schema or MySQL database. Names are quoted, so case matters. Give
     * exactly one of `table` and `query`.
     */
    table: identifier
      .refine((s) => s.split('.').length <= 2 && s.split('.').every((p) => p !== ''), 'write the table as NAME or SCHEMA.NAME')
      .optional(),
    /**
     * A SELECT (or WITH … SELECT) to read instead of a table, e.g. a join of customers, contacts
     * and addresses. It runs as a subquery (`SELECT … FROM (query) s WHERE … ORDER BY … LIMIT …`),
     * so its output columns need distinct names and `key`, `cursor` and `where` name those
     * columns. A trailing `;` is dropped. Give exactly one of `table` and `query`.
     */
    query: z
      .string()
      .transform((s) => s.trim().replace(/[\s;]+$/, ''))
      .pipe(z.string().regex(SELECT_START, 'a query is a SELECT (or WITH … SELECT) statement'))
      .optional(),
    /**
     * PostgreSQL: the schema unqualified names (in `table` and `query`) resolve in, set as the
     * session's search_path. MySQL/MariaDB: the database to use instead of the URL's.
     * Default: the server's search_path, or the URL's database.
     */
    schema: identifier.optional(),
    /**
     * Column that grows whenever a row changes: an `updated_at` timestamp or an increasing id.
     * When set, rows are read in (cursor, key) order and a read given a saved cursor returns only
     * rows after it, so a run reads only what changed; rows sharing a cursor value are told
     * apart by `key`. Rows whose cursor column is NULL are read by full reads only (first, in
     * key order). Needs an index on (cursor, key columns) to be fast.
     * Default: none (every read is a full read, in key order).
     */
    cursor: identifier.optional(),
    /** Rows per page and per batch; a `read` call's own batch size wins. Default 5000. */
    batch_size: z.number().int().min(1).max(1_000_000).default(5000),
    /**
     * Extra SQL condition on the table's or query's columns, ANDed to every page, e.g.
     * `company_code = 'AU01' AND customer_type <> 'INTERNAL'`. Default: none.
     */
    where: z.string().trim().min(1).optional(),
    /**
     * Rows where `column` equals `value` (compared by the database, so `true` matches a
     * PostgreSQL boolean and a MySQL TINYINT(1) alike) are deleted in the source. They are
     * still read, so an incremental run learns of the deletion, and arrive as records with the
     * field `__deleted` set to `'true'` (live rows have no such field). Default: none.
     */
    soft_delete: z
      .object({
        column: identifier,
        /** The value that marks a deleted row. Default `true`. */
        value: z.union([z.string(), z.number(), z.boolean()]).default(true),
      })
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    if ((cfg.table === undefined) === (cfg.query === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: cfg.table === undefined ? ['table'] : ['query'],
        message: 'give exactly one of "table" (a table or view name) and "query" (a SELECT)',
      });
    }
  });
export type SqlSourceConfig = z.infer<typeof sqlSourceSchema>;
