import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import { CrmEtlError } from '../../core/errors.js';
import { cursorOf, missingKeyStatement, pageStatement, positionOf, probeStatement, type ReadPlan } from './keyset.js';
import { toSqlSourceError } from './sql-errors.js';
import { maskSqlUrl, sqlConnectionSettings } from './sql-url.js';
import { decodeCursorValue, encodeCursorValue, isoTimestamp, mysqlConverter, pgConverter } from './sql-values.js';

const pgPlan: ReadPlan = { dialect: 'postgres', table: 'erp.customers', keyColumns: ['id'], cursorColumn: 'updated_at' };
const myPlan: ReadPlan = { ...pgPlan, dialect: 'mysql', table: 'customers' };

describe('sql values', () => {
  it('writes timestamps as ISO 8601 UTC, one spelling per instant', () => {
    expect(isoTimestamp('2024-03-01 09:30:00.123456+00')).toBe('2024-03-01T09:30:00.123456Z');
    expect(isoTimestamp('2024-03-01 09:30:00.120000')).toBe('2024-03-01T09:30:00.12Z');
    expect(isoTimestamp('2024-03-01 09:30:00.000000')).toBe('2024-03-01T09:30:00Z');
    expect(isoTimestamp('2024-03-01 09:30:00')).toBe('2024-03-01T09:30:00Z');
    expect(isoTimestamp('2024-03-01 09:30:00+05:30')).toBe('2024-03-01T09:30:00+05:30');
    expect(isoTimestamp('infinity')).toBe('infinity');
  });

  it('converts PostgreSQL text and MySQL driver values', () => {
    expect(pgConverter(16)('t')).toBe('true');
    expect(pgConverter(17)('\\x00ff')).toBe('00ff');
    expect(pgConverter(1184)(null)).toBe('');
    expect(pgConverter(1700)('12345678901234567890.123')).toBe('12345678901234567890.123');
    expect(mysqlConverter(12)('0000-00-00 00:00:00')).toBe('');
    expect(mysqlConverter(12)('2024-01-02 03:04:05.000100')).toBe('2024-01-02T03:04:05.0001Z');
    expect(mysqlConverter(10)('2024-01-02')).toBe('2024-01-02');
    expect(mysqlConverter(1, 1)(1)).toBe('true');
    expect(mysqlConverter(1, 4)(7)).toBe('7');
    expect(mysqlConverter(16)(Buffer.from([1, 0]))).toBe('256');
    expect(mysqlConverter(254)(Buffer.from([0xde, 0xad]))).toBe('dead');
  });

  it('keeps keyset values exact through JSON', () => {
    for (const v of ['2024-03-01 09:30:00.123456+00', 42, 'C000001']) {
      expect(decodeCursorValue(JSON.parse(JSON.stringify(encodeCursorValue(v))))).toEqual(v);
    }
    const bin = Buffer.from([0, 1, 254]);
    expect(decodeCursorValue(JSON.parse(JSON.stringify(encodeCursorValue(bin))))).toEqual(bin);
  });
});

describe('keyset statements', () => {
  it('pages PostgreSQL with a row-value comparison, never OFFSET', () => {
    const s = pageStatement(pgPlan, { phase: 'main', after: ['2024-01-01 00:00:00+00', '7'] }, 500);
    expect(s.text).toBe(
      'SELECT s.* FROM "erp"."customers" s WHERE s."updated_at" IS NOT NULL AND s."id" IS NOT NULL AND (s."updated_at", s."id") > ($1, $2) ORDER BY s."updated_at", s."id" LIMIT 500',
    );
    expect(s.values).toEqual(['2024-01-01 00:00:00+00', '7']);
    expect(s.text).not.toMatch(/offset/i);
  });

  it('pages MySQL with the expanded form, values escaped and kept out of the shown text', () => {
    const s = pageStatement({ ...myPlan, where: "country = 'AU'" }, { phase: 'main', after: ['2024-01-01 00:00:00', 7] }, 10);
    expect(s.text).toBe(
      "SELECT s.* FROM `customers` s WHERE (country = 'AU'\n) AND s.`updated_at` IS NOT NULL AND s.`id` IS NOT NULL AND " +
        "s.`updated_at` >= '2024-01-01 00:00:00' AND (s.`updated_at` > '2024-01-01 00:00:00' OR (s.`updated_at` = '2024-01-01 00:00:00' AND (s.`id` > 7))) " +
        'ORDER BY s.`updated_at`, s.`id` LIMIT 10',
    );
    expect(s.shown).not.toContain('2024');
    expect(s.values).toEqual([]);
  });

  it('reads rows without a cursor value first, by key; wraps a query; flags soft deletes in SQL', () => {
    const plan: ReadPlan = { dialect: 'postgres', query: 'SELECT * FROM t', keyColumns: ['a', 'b'], cursorColumn: 'u', softDelete: { column: 'del', value: true } };
    const s = pageStatement(plan, { phase: 'null-cursor', after: null }, 5);
    expect(s.text).toBe(
      'SELECT s.*, CASE WHEN s."del" = $1 THEN 1 ELSE 0 END AS "__crm_etl_deleted" FROM (SELECT * FROM t\n) s WHERE s."u" IS NULL AND s."a" IS NOT NULL AND s."b" IS NOT NULL ORDER BY s."a", s."b" LIMIT 5',
    );
    expect(missingKeyStatement(plan, { phase: 'main', after: ['2024', 'x', 'y'] }, 9).text).toContain('(s."a" IS NULL OR s."b" IS NULL) AND (s."u" > $2) ORDER BY s."u" LIMIT 9');
    // A read from a time: rows at or after the time, or after the stored position when older.
    const floor = { phase: 'main' as const, after: null, floor: { since: '2024-05-01 00:00:00.000', orAfter: ['2024-04-01', 'x', 'y'] } };
    expect(missingKeyStatement(plan, floor, 9).text).toContain('AND (s."u" > $2 OR s."u" >= $3) ORDER BY');
    expect(missingKeyStatement(plan, { phase: 'null-cursor', after: null }, 9).text).not.toContain('s."u" >');
    expect(pageStatement(plan, floor, 5).text).toContain('WHERE s."u" IS NOT NULL AND s."a" IS NOT NULL AND s."b" IS NOT NULL AND (s."u" >= $2 OR ((s."u", s."a", s."b") > ($3, $4, $5))) ORDER BY s."u", s."a", s."b" LIMIT 5');
    expect(pageStatement(plan, { ...floor, floor: { since: '2024-05-01 00:00:00.000', orAfter: null } }, 5).text).toContain('AND (s."u" >= $2) ORDER BY');
    // Once a page was read, the read goes on after it: the floor is behind it.
    expect(pageStatement(plan, { ...floor, after: ['2024-06-01', 'p', 'q'] }, 5).text).not.toContain('>= $');
    expect(probeStatement(plan).text).toMatch(/WHERE 1 = 0 LIMIT 0$/);
  });

  it('turns positions into cursors and back, and refuses a cursor taken over other columns', () => {
    const main = { phase: 'main' as const, after: ['2024-01-01 00:00:00+00', '7'] };
    const cursor = cursorOf(pgPlan, main, false);
    expect(cursor).toEqual({ cursor: '2024-01-01 00:00:00+00', key: ['7'], order: ['updated_at', 'id'], done: false });
    expect(positionOf(pgPlan, JSON.parse(JSON.stringify(cursor)))).toEqual(main);
    expect(positionOf(pgPlan, { cursor: null, key: ['3'], order: ['updated_at', 'id'] })).toEqual({ phase: 'null-cursor', after: ['3'] });
    expect(positionOf(pgPlan, undefined)).toEqual({ phase: 'null-cursor', after: null });
    expect(positionOf({ ...pgPlan, cursorColumn: undefined }, undefined)).toEqual({ phase: 'main', after: null });
    expect(positionOf(pgPlan, { cursor: 'x', key: ['1'], order: ['id'] })).toMatch(/order \(id\).*\(updated_at, id\)/);
    expect(positionOf(pgPlan, { cursor: 'x', key: ['1', '2'], order: ['updated_at', 'id'] })).toMatch(/key/);
  });
});

describe('sql errors and URLs', () => {
  it('masks the password', () => {
    expect(maskSqlUrl('postgres://erp:s3cr%40t@db:5432/erp?sslpassword=x')).toBe('postgres://erp:***@db:5432/erp?sslpassword=***');
    expect(maskSqlUrl('mysql://erp:p@ss@wo rd@db/erp')).toBe('mysql://erp:***@db/erp');
  });

  it('takes MySQL URLs apart for mysql2', () => {
    const s = sqlConnectionSettings('mariadb://erp:p%40ss@db.local:3307/erp?ssl=true');
    expect(s.client).toBe('mysql2');
    expect(s.connection).toMatchObject({ host: 'db.local', port: 3307, user: 'erp', password: 'p@ss', database: 'erp', ssl: {}, dateStrings: true });
  });

  it('classifies driver errors and keeps values and passwords out of messages', () => {
    const ctx = { source: 'erp', dialect: 'postgres' as const, maskedUrl: 'postgres://erp:***@db/erp', what: 'table customers' };
    const refused = toSqlSourceError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }), ctx);
    expect(refused).toBeInstanceOf(CrmEtlError);
    expect(refused.code).toBe('STORE_CONNECT');
    expect(refused.retryable).toBe(true);
    expect(refused.message).toContain('postgres://erp:***@db/erp');
    const statement = { shown: 'SELECT … > ($1)', params: ['Zhang Wei'] };
    const column = toSqlSourceError(Object.assign(new Error('column s.nope does not exist near Zhang Wei'), { code: '42703' }), ctx, statement);
    expect(column.code).toBe('SOURCE_SCHEMA');
    expect(column.message).not.toContain('Zhang Wei');
    expect(column.message).toContain('SELECT … > ($1)');
    const data = toSqlSourceError(Object.assign(new Error('invalid input syntax for type integer: "Li Na"'), { code: '22P02' }), ctx, statement);
    expect(data.message).not.toContain('Li Na');
    expect(String((data.cause as Error).message)).not.toContain('Li Na');
    expect(toSqlSourceError(Object.assign(new Error('x'), { code: '25006' }), ctx, statement).code).toBe('CONFIG_INVALID');
    expect(toSqlSourceError(Object.assign(new Error('x'), { code: '42P01' }), ctx, statement).code).toBe('SOURCE_NOT_FOUND');
    const denied = toSqlSourceError(Object.assign(new Error("Access denied for user 'erp'"), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }), { ...ctx, dialect: 'mysql' });
    expect(denied.code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('sql source configuration', () => {
  const parse = (source: string) => parseConfig(`sources:\n  - {name: erp, kind: sql, key: id, mapping: {}, ${source}}\n`, { file: 'c.yaml', env: { ERP_DATABASE_URL: 'postgres://u:p@h/db' } });

  it('fills the defaults', () => {
    const s = parse('url: "${ERP_DATABASE_URL}", table: customers').sources[0]!;
    expect(s).toMatchObject({ kind: 'sql', table: 'customers', batch_size: 5000 });
  });

  it('wants exactly one of table and query, and a SELECT', () => {
    expect(() => parse('url: "${ERP_DATABASE_URL}"')).toThrow(/exactly one of "table".*"query"/);
    expect(() => parse('url: "${ERP_DATABASE_URL}", table: t, query: "SELECT 1"')).toThrow(/exactly one/);
    expect(() => parse('url: "${ERP_DATABASE_URL}", query: "DELETE FROM t"')).toThrow(/SELECT/);
    expect(parse('url: "${ERP_DATABASE_URL}", query: "select * from t;  "').sources[0]).toMatchObject({ query: 'select * from t' });
    expect(() => parse('url: "sqlite://x", table: t')).toThrow(/postgres:\/\//);
  });

  it('takes soft_delete with a default value of true', () => {
    const s = parse('url: "${ERP_DATABASE_URL}", table: t, soft_delete: {column: is_deleted}').sources[0]!;
    expect(s).toMatchObject({ soft_delete: { column: 'is_deleted', value: true } });
  });
});
