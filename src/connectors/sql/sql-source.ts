import type { SqlSourceConfig } from '../../config/sources/sql.js';
import { CrmEtlError } from '../../core/errors.js';
import type { Lineage, MalformedRow, RawRecord } from '../../core/record.js';
import type { ReadOptions, SourceBatch, SourceConnector } from '../connector.js';
import {
  cursorOf,
  DELETED_FLAG,
  missingKeyStatement,
  orderColumns,
  pageStatement,
  positionOf,
  probeStatement,
  type Position,
  type ReadPlan,
} from './keyset.js';
import type { SqlErrorContext } from './sql-errors.js';
import { openSqlSession, type SqlResult, type SqlSession } from './sql-session.js';
import { dialectOfSqlUrl, maskSqlUrl } from './sql-url.js';
import { sameCursorValue, sqlUtcTime } from './sql-values.js';

/**
 * The field that marks a row the source has soft-deleted (see the `soft_delete` option): `'true'`
 * on such records, absent on live ones.
 */

/** The raw values of the order columns on a page's last row: where the next page starts. */
function lastOrderValues(result: SqlResult, order: readonly string[]): unknown[] {
  const row = result.rows[result.rows.length - 1]!;
  return order.map((name) => row[result.columns.findIndex((c) => c.name === name)]);
}

/** Rows with a NULL key reported per read; more are summed up in the last one's message. */
const MAX_MISSING_KEY_ROWS = 1000;

/**
 * Reads one table or SELECT of a PostgreSQL or MySQL/MariaDB database (through knex) on a
 * read-only session, in keyset pages ordered by (cursor column, key columns): each page starts
 * after the last row of the one before (`WHERE (cursor, key) > (…)`, never OFFSET), so memory
 * holds one page and every page costs the same. Values arrive as trimmed text (timestamps in
 * ISO 8601 UTC, NULL as ''); lineage is the table (or `query`) and the record's key. The cursor
 * after each batch is the last (cursor, key) read: a read given it returns only rows after it,
 * which is how an incremental run reads only what changed. A row that cannot become a record
 * (empty key, a key repeated, a NUL character) is yielded as malformed with its key or position.
 */
export class SqlSource implements SourceConnector {
  private readonly plan: ReadPlan;
  private readonly location: string;
  private readonly errors: SqlErrorContext;

  constructor(private readonly cfg: SqlSourceConfig) {
    const dialect = dialectOfSqlUrl(cfg.url);
    if (dialect === undefined) {
      throw new CrmEtlError('CONFIG_INVALID', `source "${cfg.name}": url ${maskSqlUrl(cfg.url)} is not postgres://… or mysql://…`);
    }
    this.plan = {
      dialect,
      ...(cfg.table !== undefined ? { table: cfg.table } : {}),
      ...(cfg.query !== undefined ? { query: cfg.query } : {}),
      ...(cfg.where !== undefined ? { where: cfg.where } : {}),
      keyColumns: typeof cfg.key === 'string' ? [cfg.key] : [...cfg.key],
      ...(cfg.cursor !== undefined ? { cursorColumn: cfg.cursor } : {}),
      ...(cfg.soft_delete !== undefined ? { softDelete: { column: cfg.soft_delete.column, value: cfg.soft_delete.value } } : {}),
    };
    const table = cfg.table !== undefined && cfg.schema !== undefined && !cfg.table.includes('.') ? `${cfg.schema}.${cfg.table}` : cfg.table;
    this.location = table !== undefined ? `table ${table}` : 'query';
    this.errors = { source: cfg.name, dialect, maskedUrl: maskSqlUrl(cfg.url), what: table !== undefined ? `table ${table}` : 'the query' };
  }

  private open(): Promise<SqlSession> {
    return openSqlSession(this.cfg.url, { schema: this.cfg.schema, errors: this.errors });
  }

  /** The source's columns, checked against the key, cursor and soft-delete options. */
  private async columns(session: SqlSession, opts: { since?: Date } = {}): Promise<string[]> {
    const { columns } = await session.run(probeStatement(this.plan));
    const names = columns.map((c) => c.name).filter((n) => n !== DELETED_FLAG);
    const fail = (problem: string, fix: string): never => {
      throw new CrmEtlError('SOURCE_SCHEMA', `source "${this.cfg.name}": ${problem} in ${this.errors.what}; its columns are: ${names.join(', ')}. ${fix}`);
    };
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) fail(`column "${n}" appears twice`, 'Give the columns of the query distinct names (… AS other_name).');
      seen.add(n);
    }
    for (const k of this.plan.keyColumns) if (!seen.has(k)) fail(`key column "${k}" is not`, "Fix the source's key.");
    const cur = this.plan.cursorColumn;
    if (cur !== undefined && !seen.has(cur)) fail(`cursor column "${cur}" is not`, "Fix the source's cursor.");
    if (opts.since !== undefined) {
      if (cur === undefined) {
        throw new CrmEtlError('INPUT_INVALID', `source "${this.cfg.name}" has no cursor column, so it cannot be read from a time: set cursor to the column holding the update time, or re-read it with --full`);
      }
      if (!columns.find((c) => c.name === cur)!.time) {
        throw new CrmEtlError('INPUT_INVALID', `source "${this.cfg.name}": its cursor column "${cur}" is not a date or time column, so it cannot be read from a time; re-read the source with --full`);
      }
    }
    const del = this.plan.softDelete?.column;
    if (del !== undefined && !seen.has(del)) fail(`soft_delete column "${del}" is not`, "Fix the source's soft_delete.column.");
    return names;
  }

  /** Connects, runs the table or query for no row, and returns its columns. */
  async check(): Promise<{ columns: string[] }> {
    const session = await this.open();
    try {
      return { columns: await this.columns(session) };
    } finally {
      await session.close();
    }
  }

  /**
   * Streams the rows after `cursor` (all rows without one) in batches of `batchSize` (default:
   * the source's `batch_size`); the last batch has `cursor.done` true and carries the rows with a
   * NULL key as malformed.
   *
   * @throws CrmEtlError `CONFIG_INVALID` for a cursor saved under other columns, and the
   *   session's and statements' errors (see README.md).
   */
  async *read(opts: ReadOptions = {}): AsyncIterable<SourceBatch> {
    const batchSize = Math.max(1, Math.trunc(opts.batchSize ?? this.cfg.batch_size));
    const stored = positionOf(this.plan, opts.cursor);
    if (typeof stored === 'string') {
      throw new CrmEtlError('CONFIG_INVALID', `source "${this.cfg.name}": ${stored}; run a full read of the source (crm-etl run --full) to start over`);
    }
    const { start, notes } = this.startOf(stored, opts.since);
    const session = await this.open();
    try {
      await this.columns(session, opts.since ? { since: opts.since } : {});
      const fetch = (position: Position): Promise<SqlResult> => {
        const pending = session.run(pageStatement(this.plan, position, batchSize));
        // A read stopped early leaves a page in flight; its failure (the session closing) is moot.
        pending.catch(() => {});
        return pending;
      };
      // The position a yielded cursor stands for: the last row read in whichever phase.
      let reached: Position = start;
      const phases: Position['phase'][] = start.phase === 'null-cursor' ? ['null-cursor', 'main'] : ['main'];
      for (const phase of phases) {
        const order = orderColumns(this.plan, phase);
        let next: Promise<SqlResult> | undefined = fetch(phase === start.phase ? start : { phase, after: null });
        while (next !== undefined) {
          const result: SqlResult = await next;
          if (result.rows.length === 0) break;
          const last = lastOrderValues(result, order);
          // Ask for the next page before converting this one: the database works on it while
          // this page is converted and the consumer handles the batch.
          next = result.rows.length === batchSize ? fetch({ phase, after: last }) : undefined;
          const page = this.convertPage(result, order);
          reached = { phase, after: last };
          yield { records: page.records, malformed: page.malformed, cursor: cursorOf(this.plan, reached, false), ...(notes.length ? { notes: notes.splice(0) } : {}) };
        }
      }
      const malformed = await this.missingKeys(session, start);
      // A read from a time that found nothing newer keeps the stored position (never moves back).
      const end = reached.after === null && stored.after !== null ? stored : reached;
      yield { records: [], malformed, cursor: cursorOf(this.plan, end, true), ...(notes.length ? { notes } : {}) };
    } finally {
      await session.close();
    }
  }

  /** Turns one page into records and malformed rows. */
  private convertPage(result: SqlResult, order: readonly string[]): { records: RawRecord[]; malformed: MalformedRow[] } {
    const { columns, rows } = result;
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const orderIdx = order.map((name) => index.get(name)!);
    const keyNames = this.plan.keyColumns;
    const flagIdx = index.get(DELETED_FLAG);
    // The hot loop (every row of every page) works on flat arrays and allocates only the record.
    const dataIdx = columns.map((_, i) => i).filter((i) => i !== flagIdx);
    const names = dataIdx.map((i) => columns[i]!.name);
    const converters = dataIdx.map((i) => columns[i]!.convert);
    const width = dataIdx.length;
    const source = this.cfg.name;
    const location = this.location;
    const records: RawRecord[] = [];
    const malformed: MalformedRow[] = [];
    let previous: unknown[] | undefined;
    for (const row of rows) {
      const fields: Record<string, string> = {};
      let nulColumn = -1;
      for (let j = 0; j < width; j++) {
        const value = converters[j]!(row[dataIdx[j]!]).trim();
        if (nulColumn < 0 && value.indexOf('\u0000') !== -1) nulColumn = j;
        fields[names[j]!] = value;
      }
      let key = fields[keyNames[0]!]!;
      let emptyKey = key === '';
      for (let k = 1; k < keyNames.length; k++) {
        const part = fields[keyNames[k]!]!;
        emptyKey ||= part === '';
        key += `|${part}`;
      }
      let repeated = previous !== undefined;
      for (let k = 0; repeated && k < orderIdx.length; k++) repeated = sameCursorValue(row[orderIdx[k]!], previous![orderIdx[k]!]);
      previous = row;
      if (emptyKey) {
        malformed.push(this.malformed(fields, 'MISSING_KEY', `the key (${keyNames.join(', ')}) is empty`));
      } else if (repeated) {
        malformed.push(this.malformed(fields, 'DUPLICATE_KEY', `key "${key}" appears on more than one row; the key must identify one row of ${this.errors.what}`, key));
      } else if (nulColumn >= 0) {
        malformed.push(this.malformed(fields, 'INVALID_TEXT', `column "${names[nulColumn]}" holds a NUL character, which a text value cannot hold`, key));
      } else {
        const deleted = flagIdx !== undefined && Number(row[flagIdx]) === 1;
        records.push({ source, key, fields, lineage: { location, page: key }, ...(deleted ? { deleted: true as const } : {}) });
      }
    }
    return { records, malformed };
  }

  private malformed(fields: Record<string, string>, code: string, message: string, key?: string): MalformedRow {
    const cursor = this.plan.cursorColumn;
    // Without a key, the row is found by its cursor value (a time or an id, not personal data).
    const page = key ?? (cursor !== undefined && fields[cursor] ? `no key; ${cursor} ${fields[cursor]}` : 'no key');
    const lineage: Lineage = { location: this.location, page };
    return { source: this.cfg.name, lineage, code, message, raw: JSON.stringify(fields) };
  }

  /**
   * Where a read starts: the stored position, or with `since` the rows changed at or after that
   * time and (when the stored position is older) everything after it. A read stopped among the
   * rows without a cursor value goes on from there: every row after it is unread anyway.
   */
  private startOf(stored: Position, since: Date | undefined): { start: Position; notes: string[] } {
    if (since === undefined || this.plan.cursorColumn === undefined) return { start: stored, notes: [] };
    const at = since.toISOString();
    if (stored.phase === 'null-cursor' && stored.after !== null) {
      return { start: stored, notes: [`the last read of this source stopped before its end, so it goes on from there: every row after it is read, including those changed since ${at}`] };
    }
    const orAfter = stored.phase === 'main' ? stored.after : null;
    const notes = [
      orAfter === null
        ? `read the rows whose ${this.plan.cursorColumn} is at or after ${at}; rows without one are not read (a run with --full reads them)`
        : `read the rows whose ${this.plan.cursorColumn} is at or after ${at}, and every row after the stored cursor if that is older`,
    ];
    return { start: { phase: 'main', after: null, floor: { since: sqlUtcTime(since), orAfter } }, notes };
  }

  /** Rows whose key has a NULL part cannot be paged past: reported here, after the pages. */
  private async missingKeys(session: SqlSession, start: Position): Promise<MalformedRow[]> {
    const result = await session.run(missingKeyStatement(this.plan, start, MAX_MISSING_KEY_ROWS + 1));
    const { columns } = result;
    const dataIdx = columns.map((_, i) => i).filter((i) => columns[i]!.name !== DELETED_FLAG);
    const out: MalformedRow[] = [];
    for (const row of result.rows.slice(0, MAX_MISSING_KEY_ROWS)) {
      const fields: Record<string, string> = {};
      for (const i of dataIdx) fields[columns[i]!.name] = columns[i]!.convert(row[i]).trim();
      out.push(this.malformed(fields, 'MISSING_KEY', `the key (${this.plan.keyColumns.join(', ')}) is NULL`));
    }
    if (result.rows.length > MAX_MISSING_KEY_ROWS && out.length > 0) {
      const last = out[out.length - 1]!;
      last.message += `; more than ${MAX_MISSING_KEY_ROWS} rows have a NULL key, only the first ${MAX_MISSING_KEY_ROWS} are reported`;
    }
    return out;
  }
}
