import mysql from 'mysql2';
import type { SqlDialect } from './sql-url.js';
import { decodeCursorValue, encodeCursorValue, isCursorValue, type CursorValue } from './sql-values.js';

/** A statement ready to run, and the same text with `?`/`$n` in place of values, for messages. */
export interface Statement {
  /** What runs: PostgreSQL with `$n` parameters; MySQL with values inlined as escaped literals. */
  text: string;
  values: unknown[];
  /** Every value the statement holds, bound or inlined: scrubbed out of driver messages. */
  params: unknown[];
  /** The statement without its values (they can be customer data), for error messages. */
  shown: string;
}

/**
 * Builds one statement. PostgreSQL gets real parameters. MySQL gets escaped literals, because
 * mysql2's client-side `?` substitution would also replace a `?` inside the source's own query
 * or where text.
 */
class StatementBuilder {
  private text = '';
  private shown = '';
  private readonly values: unknown[] = [];
  private readonly params: unknown[] = [];

  constructor(private readonly dialect: SqlDialect) {}

  sql(part: string): this {
    this.text += part;
    this.shown += part;
    return this;
  }

  param(value: unknown): this {
    this.params.push(value);
    if (this.dialect === 'postgres') {
      this.values.push(value);
      this.sql(`$${this.values.length}`);
    } else {
      this.text += mysql.escape(value as Parameters<typeof mysql.escape>[0]);
      this.shown += '?';
    }
    return this;
  }

  build(): Statement {
    return { text: this.text, values: this.values, params: this.params, shown: this.shown };
  }
}

/** A quoted identifier: `"name"` on PostgreSQL, `` `name` `` on MySQL. */
export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  return dialect === 'postgres' ? `"${name.replace(/"/g, '""')}"` : `\`${name.replace(/`/g, '``')}\``;
}

/** Alias of the computed soft-delete flag column, removed from records. */
export const DELETED_FLAG = '__crm_etl_deleted';
/** The alias of the table or query in every statement. */
const ALIAS = 's';

/** What to read and in which order: the parts of every statement that do not change. */
export interface ReadPlan {
  dialect: SqlDialect;
  /** `table` as configured (`name` or `schema.name`), or undefined for a query. */
  table?: string;
  query?: string;
  where?: string;
  keyColumns: readonly string[];
  cursorColumn?: string;
  softDelete?: { column: string; value: string | number | boolean };
}

/**
 * Where a read stands. Reading goes in two phases when there is a cursor column: rows whose
 * cursor is NULL (in key order), then the others (in cursor, key order). `after` holds the raw
 * values of the order columns of the last row read in that phase, or null at its start.
 */
export interface Position {
  phase: 'null-cursor' | 'main';
  after: readonly unknown[] | null;
  /**
   * A read from a time (`--since`), at the start of the main phase (`after` null): rows whose
   * cursor is at or after `since` (UTC, `YYYY-MM-DD HH:MM:SS.sss`), or after the stored position
   * `orAfter` (main-phase order values) when there is one: whichever starts earlier.
   */
  floor?: { since: string; orAfter: readonly unknown[] | null };
}

/** The columns a phase orders by. */
export function orderColumns(plan: ReadPlan, phase: Position['phase']): string[] {
  return phase === 'main' && plan.cursorColumn !== undefined ? [plan.cursorColumn, ...plan.keyColumns] : [...plan.keyColumns];
}

function column(plan: ReadPlan, name: string): string {
  return `${ALIAS}.${quoteIdentifier(plan.dialect, name)}`;
}

function fromClause(plan: ReadPlan): string {
  // The newline ends a `--` comment the query may finish with, which would swallow the `)`.
  if (plan.query !== undefined) return `(${plan.query}\n) ${ALIAS}`;
  const parts = (plan.table ?? '').split('.');
  return `${parts.map((p) => quoteIdentifier(plan.dialect, p)).join('.')} ${ALIAS}`;
}

function selectClause(plan: ReadPlan, b: StatementBuilder): void {
  b.sql(`SELECT ${ALIAS}.*`);
  if (plan.softDelete) {
    // Compared by the database, so `true` matches a boolean, a TINYINT(1) and a BIT(1) alike.
    b.sql(`, CASE WHEN ${column(plan, plan.softDelete.column)} = `).param(plan.softDelete.value);
    b.sql(` THEN 1 ELSE 0 END AS ${quoteIdentifier(plan.dialect, DELETED_FLAG)}`);
  }
  b.sql(` FROM ${fromClause(plan)}`);
}

/**
 * `(c0, c1, …) > (v0, v1, …)`. PostgreSQL compares row values and walks a btree index on
 * (c0, c1, …) with it. MySQL/MariaDB get the expanded form
 * `c0 >= v0 AND (c0 > v0 OR (c0 = v0 AND (c1 > v1 OR …)))`, whose leading `c0 >= v0` their
 * range optimizer turns into an index range scan.
 */
function afterCondition(plan: ReadPlan, columns: readonly string[], values: readonly unknown[], b: StatementBuilder): void {
  const cols = columns.map((c) => column(plan, c));
  if (plan.dialect === 'postgres') {
    if (cols.length === 1) {
      b.sql(`${cols[0]} > `).param(values[0]);
      return;
    }
    b.sql(`(${cols.join(', ')}) > (`);
    values.forEach((v, i) => {
      if (i > 0) b.sql(', ');
      b.param(v);
    });
    b.sql(')');
    return;
  }
  b.sql(`${cols[0]} >= `).param(values[0]).sql(' AND ');
  const expand = (i: number): void => {
    b.sql(`${cols[i]} > `).param(values[i]);
    if (i + 1 < cols.length) {
      b.sql(` OR (${cols[i]} = `).param(values[i]).sql(' AND (');
      expand(i + 1);
      b.sql('))');
    }
  };
  b.sql('(');
  expand(0);
  b.sql(')');
}

function whereClause(plan: ReadPlan, conditions: ((b: StatementBuilder) => void)[], b: StatementBuilder): void {
  const all = [...(plan.where !== undefined ? [(x: StatementBuilder) => void x.sql(`(${plan.where}\n)`)] : []), ...conditions];
  all.forEach((write, i) => {
    b.sql(i === 0 ? ' WHERE ' : ' AND ');
    write(b);
  });
}

/**
 * The statement for one page: rows after `position` in the phase's order, at most `limit`,
 * rows with a NULL key left out (they cannot be paged past; see {@link missingKeyStatement}).
 * Never OFFSET: each page starts where the last one ended, so every page costs the same.
 */
export function pageStatement(plan: ReadPlan, position: Position, limit: number): Statement {
  const b = new StatementBuilder(plan.dialect);
  selectClause(plan, b);
  const order = orderColumns(plan, position.phase);
  const conditions: ((b: StatementBuilder) => void)[] = [];
  if (plan.cursorColumn !== undefined) {
    const cur = column(plan, plan.cursorColumn);
    conditions.push((x) => void x.sql(position.phase === 'main' ? `${cur} IS NOT NULL` : `${cur} IS NULL`));
  }
  for (const k of plan.keyColumns) conditions.push((x) => void x.sql(`${column(plan, k)} IS NOT NULL`));
  if (position.after !== null) {
    const after = position.after;
    conditions.push((x) => afterCondition(plan, order, after, x));
  } else if (position.phase === 'main' && position.floor) {
    const floor = position.floor;
    conditions.push((x) => floorCondition(plan, floor, x));
  }
  whereClause(plan, conditions, b);
  b.sql(` ORDER BY ${order.map((c) => column(plan, c)).join(', ')} LIMIT ${Math.trunc(limit)}`);
  return b.build();
}

/** `(cursor >= since OR (cursor, key…) > (orAfter…))`: where a read from a time starts. */
function floorCondition(plan: ReadPlan, floor: NonNullable<Position['floor']>, b: StatementBuilder): void {
  b.sql(`(${column(plan, plan.cursorColumn!)} >= `).param(floor.since);
  if (floor.orAfter !== null) {
    b.sql(' OR (');
    afterCondition(plan, orderColumns(plan, 'main'), floor.orAfter, b);
    b.sql(')');
  }
  b.sql(')');
}

/**
 * Rows whose key has a NULL part, to report them as malformed, at most `limit`: those the read
 * covered when it started at `start` (changed after its position, or since its floor's time).
 */
export function missingKeyStatement(plan: ReadPlan, start: Position, limit: number): Statement {
  const b = new StatementBuilder(plan.dialect);
  selectClause(plan, b);
  const conditions: ((b: StatementBuilder) => void)[] = [
    (x) => void x.sql(`(${plan.keyColumns.map((k) => `${column(plan, k)} IS NULL`).join(' OR ')})`),
  ];
  const cur = plan.cursorColumn;
  if (cur !== undefined && start.phase === 'main') {
    const after = start.after ?? start.floor?.orAfter ?? null;
    const since = start.after === null ? start.floor?.since : undefined;
    if (after !== null || since !== undefined) {
      conditions.push((x) => {
        x.sql('(');
        if (after !== null) x.sql(`${column(plan, cur)} > `).param(after[0]);
        if (after !== null && since !== undefined) x.sql(' OR ');
        if (since !== undefined) x.sql(`${column(plan, cur)} >= `).param(since);
        x.sql(')');
      });
    }
  }
  whereClause(plan, conditions, b);
  if (plan.cursorColumn !== undefined) b.sql(` ORDER BY ${column(plan, plan.cursorColumn)}`);
  b.sql(` LIMIT ${Math.trunc(limit)}`);
  return b.build();
}

/** A statement that returns no row but every column: checks the table, query and where. */
export function probeStatement(plan: ReadPlan): Statement {
  const b = new StatementBuilder(plan.dialect);
  selectClause(plan, b);
  whereClause(plan, [(x) => void x.sql('1 = 0')], b);
  b.sql(' LIMIT 0');
  return b.build();
}

/**
 * The cursor a `sql` source yields, as JSON: `cursor` is the last cursor-column value read
 * (null while rows with a NULL cursor are read; absent without a cursor column), `key` the last
 * key values, `order` the columns they belong to (a cursor saved under other columns is
 * refused), `done` whether the read reached the end.
 */
export interface SqlCursor {
  [name: string]: unknown;
  cursor?: CursorValue | null;
  key?: CursorValue[];
  order: string[];
  done: boolean;
}

/** The cursor JSON for a position. */
export function cursorOf(plan: ReadPlan, position: Position, done: boolean): SqlCursor {
  const order = orderColumns(plan, 'main');
  // Nothing read yet: a later read starts from the beginning.
  if (position.after === null) return { order, done };
  const values = position.after.map(encodeCursorValue);
  if (plan.cursorColumn === undefined) return { key: values, order, done };
  if (position.phase === 'null-cursor') return { cursor: null, key: values, order, done };
  return { cursor: values[0]!, key: values.slice(1), order, done };
}

/**
 * The position a saved cursor stands for; `undefined` (or a cursor without `key`) is the start.
 * Returns an error message when the cursor does not fit this source (other columns, wrong shape).
 */
export function positionOf(plan: ReadPlan, cursor: Record<string, unknown> | undefined): Position | string {
  const start: Position = { phase: plan.cursorColumn !== undefined ? 'null-cursor' : 'main', after: null };
  if (cursor === undefined || cursor['key'] === undefined) return start;
  const order = orderColumns(plan, 'main');
  const saved = cursor['order'];
  if (saved !== undefined && (!Array.isArray(saved) || saved.join('\u0000') !== order.join('\u0000'))) {
    return `the saved cursor was taken in order (${Array.isArray(saved) ? saved.join(', ') : String(saved)}), but the source now reads in order (${order.join(', ')})`;
  }
  const key = cursor['key'];
  if (!Array.isArray(key) || key.length !== plan.keyColumns.length || !key.every(isCursorValue)) {
    return `the saved cursor's key does not fit the key (${plan.keyColumns.join(', ')})`;
  }
  const keyValues = key.map(decodeCursorValue);
  if (plan.cursorColumn === undefined) return { phase: 'main', after: keyValues };
  const value = cursor['cursor'];
  if (value === null) return { phase: 'null-cursor', after: keyValues };
  if (!isCursorValue(value)) return `the saved cursor has no value for the cursor column "${plan.cursorColumn}"`;
  return { phase: 'main', after: [decodeCursorValue(value), ...keyValues] };
}
