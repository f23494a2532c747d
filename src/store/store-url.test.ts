import { describe, expect, it } from 'vitest';
import { maskStoreUrl, parseStoreUrl } from './store-url.js';

describe('parseStoreUrl', () => {
  it('resolves a PGlite folder against the working directory, and knows memory', () => {
    expect(parseStoreUrl('pglite://./.crm-etl/db', '/srv/app')).toEqual({
      dialect: 'pglite',
      dataDir: '/srv/app/.crm-etl/db',
    });
    expect(parseStoreUrl('pglite:///var/lib/crm', '/srv/app')).toEqual({
      dialect: 'pglite',
      dataDir: '/var/lib/crm',
    });
    expect(parseStoreUrl('pglite://memory')).toEqual({ dialect: 'pglite', dataDir: null });
  });

  it('takes ?schema= off a Postgres URL and keeps the other parameters', () => {
    expect(parseStoreUrl('postgresql://u:p@db:5433/crm?sslmode=require&schema=staging')).toEqual({
      dialect: 'postgres',
      connectionString: 'postgresql://u:p@db:5433/crm?sslmode=require',
      schema: 'staging',
    });
    expect(() => parseStoreUrl('postgres://db/crm?schema=a;drop')).toThrow(/plain identifier/);
  });

  it('reads a MySQL URL, decoding the password', () => {
    expect(parseStoreUrl('mariadb://crm:p%40ss@db/crm')).toEqual({
      dialect: 'mysql',
      host: 'db',
      port: 3306,
      user: 'crm',
      password: 'p@ss',
      database: 'crm',
    });
    expect(() => parseStoreUrl('mysql://root@db')).toThrow(/names no database/);
  });

  it('refuses other schemes with a CONFIG_INVALID error that hides the password', () => {
    expect(() => parseStoreUrl('sqlite://u:hunter2@x')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.not.stringContaining('hunter2') }),
    );
  });
});

describe('maskStoreUrl', () => {
  it('masks passwords in the authority and in parameters', () => {
    expect(maskStoreUrl('postgres://u:hunter2@db/crm?sslpassword=x&application_name=etl')).toBe(
      'postgres://u:***@db/crm?sslpassword=***&application_name=etl',
    );
    expect(maskStoreUrl('mysql://root@db/crm')).toBe('mysql://root@db/crm');
    expect(maskStoreUrl('postgres://u:hun ter@2@')).toBe('postgres://u:***@');
  });
});
