import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { CrmEtlError } from '../../../src/core/errors.js';
import { parseQueueUrl } from '../../../src/jobs/connection.js';
import { toJobError } from '../../../src/jobs/retry.js';

describe('which job failures are retried', () => {
  it('retries transient store and network errors, fails configuration and data errors at once', () => {
    expect(toJobError(new CrmEtlError('STORE_CONNECT', 'db down'))).not.toBeInstanceOf(UnrecoverableError);
    expect(toJobError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).not.toBeInstanceOf(UnrecoverableError);
    const bad = toJobError(new CrmEtlError('SOURCE_SCHEMA', 'source "erp": mapped column(s) "email" not found'));
    expect(bad).toBeInstanceOf(UnrecoverableError);
    expect(bad.message).toBe('source "erp": mapped column(s) "email" not found');
    expect(toJobError(new CrmEtlError('CONFIG_INVALID', 'x'))).toBeInstanceOf(UnrecoverableError);
  });
});

describe('the queue setting', () => {
  it('reads host, port, database, password and a hash-tagged prefix, and masks the password', () => {
    const q = parseQueueUrl('redis://:s3cret@cache.internal:6380/2?prefix={crm-etl-prod}');
    expect(q.connection).toMatchObject({ host: 'cache.internal', port: 6380, db: 2, password: 's3cret', maxRetriesPerRequest: null });
    expect(q.prefix).toBe('{crm-etl-prod}');
    expect(q.maskedUrl).not.toContain('s3cret');
    expect(parseQueueUrl('redis://127.0.0.1').prefix).toBe('{crm-etl}');
    expect(() => parseQueueUrl('amqp://rabbit')).toThrow(/not supported; write redis:\/\/host:6379/);
  });
});
