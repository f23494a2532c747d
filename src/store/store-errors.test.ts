import { describe, expect, it } from 'vitest';
import { CrmEtlError } from '../core/errors.js';
import { redactDriverMessage, StoreQueryError, toStoreError, truncateSql } from './store-errors.js';

const context = { dialect: 'postgres', maskedUrl: 'postgres://u:***@db/crm' } as const;

describe('redactDriverMessage', () => {
  it('keeps names from the statement and hides quoted values', () => {
    const sql = 'insert into "runs" ("id", "started_at") values ($1, $2)';
    expect(redactDriverMessage('invalid input syntax for type timestamp: "Jane Doe"', sql)).toBe(
      'invalid input syntax for type timestamp: "…"',
    );
    expect(redactDriverMessage('column "started_at" of relation "runs" does not exist', sql)).toBe(
      'column "started_at" of relation "runs" does not exist',
    );
    expect(
      redactDriverMessage("Duplicate entry 'erp-jane@example.com' for key 'runs.PRIMARY'", sql),
    ).toBe("Duplicate entry '…' for key 'runs.PRIMARY'");
    expect(
      redactDriverMessage('duplicate key value violates unique constraint "runs_pkey"', sql, ['runs_pkey']),
    ).toBe('duplicate key value violates unique constraint "runs_pkey"');
  });
});

describe('toStoreError', () => {
  it('keeps the SQL and the code, not the detail, the parameters or the driver error', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "x"'), {
      code: '23505',
      detail: 'Key (email)=(jane@example.com) already exists.',
      params: ['jane@example.com'],
    });
    const error = toStoreError(driverError, 'insert into "t" ("email") values ($1)', context);
    expect(error).toBeInstanceOf(StoreQueryError);
    expect(error.message).toBe(
      'Store query failed [23505]: duplicate key value violates unique constraint "…". SQL: insert into "t" ("email") values ($1)',
    );
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('jane');
  });

  it('turns a refused connection into STORE_CONNECT with the masked URL and a hint', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const error = toStoreError(refused, 'select 1', context);
    expect(error.code).toBe('STORE_CONNECT');
    expect(error.message).toMatch(/^Cannot connect to the store postgres:\/\/u:\*\*\*@db\/crm: connect ECONNREFUSED/);
    expect(error.message).toMatch(/running and reachable/);
  });

  it('passes CrmEtlErrors through', () => {
    const own = new CrmEtlError('INPUT_INVALID', 'bad row');
    expect(toStoreError(own, 'copy', context)).toBe(own);
  });

  it('cuts long statements', () => {
    const sql = `insert into t values ${'(?, ?), '.repeat(1_000)}`;
    expect(truncateSql(sql)).toMatch(/… \(\d+ more characters\)$/);
    expect(truncateSql(sql).length).toBeLessThan(1_100);
  });
});
