import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load-config.js';
import { REDACT_PATHS } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { createToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import { openStore } from '../../../src/store/open-store.js';
import { TEST_DIALECTS, isolatedStoreUrl } from '../../support/stores.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A logger like the CLI's (same redaction), at debug level, into memory. */
function capturingLogger(): { log: pino.Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString('utf8'));
      cb();
    },
  });
  return { log: pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink), text: () => chunks.join('') };
}

describe('no personal value reaches a log line', () => {
  it('a full run of the demo and API calls log no e-mail address or phone number of the fixtures', async () => {
    const iso = await isolatedStoreUrl('pglite', 'log-scan');
    const { log, text } = capturingLogger();
    const config = await loadConfig(path.join(ROOT, 'config/demo.yaml'), { DATABASE_URL: iso.url });
    const store = await openStore(config.store, { cipher: new FieldCipher(randomBytes(32), config.security.sensitive_fields) });
    try {
      await store.migrate();
      await runPipeline({ config, store, log });
      const { token } = await createToken(store.knex, { role: 'ops', name: 'scan', actor: 'test' });
      const { app, runs } = await buildServer({ config, store, log });
      const first = (await store.knex('source_records').whereNotNull('email').whereNotNull('phone').first('email', 'phone')) as { email: string; phone: string };
      for (const url of [`/api/customers?email=${encodeURIComponent(first.email)}`, `/api/customers?phone=${encodeURIComponent(first.phone)}`, '/api/review', '/api/customers/nope']) {
        await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      }
      await app.close();
      await runs.idle();
      const logged = text();
      expect(logged).toContain('source extracted');
      expect(logged).toContain('"path":"/api/customers"');
      const files = ['erp_customers.csv', 'sales_contacts.csv', 'legacy_clients.csv'].map((f) => path.join(ROOT, 'fixtures/demo', f));
      const raw = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
      const emails = [...new Set(raw.match(/[^\s,;|"<>]+@[^\s,;|"<>]+\.[a-z]{2,}/gi) ?? [])];
      const phones = [...new Set((raw.match(/\+?\(?\d[\d ()-]{7,}\d/g) ?? []).map((p) => p.replace(/\D/g, '')).filter((d) => d.length >= 8 && !/^(19|20)\d{6}$/.test(d)))];
      const staged = (await store.knex('source_records').whereNotNull('phone').select('phone')) as { phone: string }[];
      expect(emails.length).toBeGreaterThan(100);
      expect(phones.length).toBeGreaterThan(100);
      const digitsOfLog = logged.replace(/[^\d\n]/g, '');
      const lower = logged.toLowerCase();
      expect(emails.filter((e) => lower.includes(e.toLowerCase()))).toEqual([]);
      expect(phones.filter((p) => digitsOfLog.includes(p))).toEqual([]);
      expect(staged.filter((s) => logged.includes(s.phone))).toEqual([]);
    } finally {
      await store.close();
      await iso.cleanup();
    }
  });
});

describe.each(TEST_DIALECTS)('hostile names and values (%s)', (dialect) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-hostile-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a hostile source name in the configuration, naming the path', () => {
    expect(() => parseConfig(`sources: [{name: "erp'; drop table customers; --", kind: csv, path: x.csv, key: id, mapping: {}}]`, { file: 'c.yaml' })).toThrow(/sources\[0\]\.name/);
  });

  it('stages quotes, SQL fragments and control characters as data under a hostile column name, and rejects a 100k-character value', async () => {
    const col = `na"me'); DROP TABLE customers; --`;
    const long = 'x'.repeat(100_000);
    const rows: string[][] = [
      ['1', `Robert'); DROP TABLE source_records; --`, 'bobby@example.com'],
      ['2', 'O\'Brien "the \\ tester"', 'ob@example.com'],
      ['3', 'Tab\tand\u0007bell\u001b[31m and \u202e', 'ctl@example.com'],
      ['4', long, 'long@example.com'],
      ['5', `%_\\ like wildcards`, "x'@example.com"],
    ];
    const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
    await writeFile(path.join(dir, 'hostile.csv'), [['id', col, 'email'].map(q).join(','), ...rows.map((r) => r.map(q).join(','))].join('\n') + '\n');
    const iso = await isolatedStoreUrl(dialect, 'hostile');
    const config = parseConfig(
      JSON.stringify({ store: iso.url, sources: [{ name: 'hostile', kind: 'csv', path: 'hostile.csv', key: 'id', mapping: { full_name: col, email: 'email' } }] }),
      { file: 'hostile.json', baseDir: dir },
    );
    const store = await openStore(config.store);
    try {
      await store.migrate();
      const s = await runPipeline({ config, store, log: pino({ level: 'silent' }) });
      expect(s.sources[0]!.read).toBe(5);
      expect(s.sources[0]!.staged).toBe(5);
      // Completeness counts the too-long name as a value present, and as rejected.
      expect(s.sources[0]!.fieldCounts.full_name).toEqual({ present: 5, rejected: 1 });
      const names = (await store.knex('source_records').orderBy('source_key').select('source_key', 'full_name')) as { source_key: string; full_name: string | null }[];
      expect(names).toHaveLength(5);
      // 100,000 characters is no name: rejected with its place, the record still staged.
      expect(await store.knex('rejects').where({ code: 'VALUE_TOO_LONG' }).select('source_key', 'field')).toEqual([{ source_key: '4', field: 'full_name' }]);
      // Standardized like any name (case, punctuation), but stored as data: the table is still there.
      expect(names[0]!.full_name).toMatch(/drop table/i);
      expect(await store.knex.schema.hasTable('customers')).toBe(true);
      // Searches with wildcards and quotes are literal.
      const { token } = await createToken(store.knex, { role: 'ops', name: "o'; --", actor: 'test' });
      const { app } = await buildServer({ config, store, log: pino({ level: 'silent' }) });
      // "%" is a character to find, not a wildcard that matches all five customers.
      const like = (await app.inject({ url: `/api/customers?q=${encodeURIComponent('%')}`, headers: { authorization: `Bearer ${token}` } })).json() as unknown[];
      expect(like.length).toBeLessThan(2);
      const all = (await app.inject({ url: `/api/customers?q=e`, headers: { authorization: `Bearer ${token}` } })).json() as unknown[];
      expect(all.length).toBeGreaterThan(1);
      const sql = await app.inject({ url: `/api/customers?q=${encodeURIComponent("' or '1'='1")}`, headers: { authorization: `Bearer ${token}` } });
      expect(sql.statusCode).toBe(200);
      expect(sql.json()).toEqual([]);
      const longQ = await app.inject({ url: `/api/customers?q=${'y'.repeat(5000)}`, headers: { authorization: `Bearer ${token}` } });
      expect(longQ.statusCode).toBe(200);
      await app.close();
    } finally {
      await store.close();
      await iso.cleanup();
    }
  });
});
