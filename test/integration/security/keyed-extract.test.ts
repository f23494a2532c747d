import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import type { RunContext } from '../../../src/pipeline/context.js';
import { extractSource, prepareSources } from '../../../src/pipeline/extract.js';
import { loadStagedRecords } from '../../../src/pipeline/match-stage.js';
import { KEEP_ENCRYPTED } from '../../../src/store/decrypt-thread.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { peopleCsv } from '../../support/people-csv.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

/** Two batches of the CSV connector (5,000 rows each), the second short. */
const ROWS = 6_789;

// With a key, extraction hands its rows to a thread that encrypts them and encodes them for COPY
// (src/store/csv-thread.ts): what lands in the store, and what the run counts, must be exactly
// what encrypting and loading them on the main thread gives. (MySQL loads rows, not CSV: no thread.)
describe.each(TEST_DIALECTS.filter((d) => d !== 'mysql'))('extraction and reading with a key, rows encrypted and decrypted in threads (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let dir: string;
  let store: Store;
  let config: Config;
  const cipher = new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date', 'national_id']);

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'keyed-extract');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-keyed-extract-'));
    await writeFile(path.join(dir, 'people.csv'), peopleCsv(ROWS, 6_001, (i) => (i === 5_500 ? 'broken,"unterminated' : null)));
    config = parseConfig(
      `store: ${iso.url}\nsources:\n  - {name: people, kind: csv, path: people.csv, key: id, country: GB, mapping: {given_name: given, family_name: family, email: email, phone: phone, birth_date: birth, city: city}}\n`,
      { file: 'etl.yaml', baseDir: dir },
    );
    store = await openStore(config.store, { cipher });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const extractWith = async (threadFrom: number) => {
    const ctx: RunContext = { runId: `run-${threadFrom}`, config, store, log: createLogger('silent'), today: '2026-11-27', sources: [], full: true };
    const [prepared] = await prepareSources(ctx);
    const stats = await extractSource(ctx, prepared!, { threadFrom });
    const rows = (await store.knex('source_records').orderBy('source_key').select()) as Record<string, unknown>[];
    const rejects = (await store.knex('rejects').where({ run_id: ctx.runId }).orderBy(['source_key', 'field', 'code']).select('source_key', 'location', 'line', 'field', 'value', 'code', 'reason')) as Record<string, unknown>[];
    const encrypted = Number(((await store.knex('source_records').where('email', 'like', 'enc1:%').count({ n: '*' })) as { n: number | string }[])[0]!.n);
    return { stats, rows: rows.map(({ run_id: _, ...r }) => r), rejects, encrypted };
  };

  it('stores, encrypts and counts every record as the main thread does', async () => {
    const here = await extractWith(Infinity);
    const threaded = await extractWith(0);
    expect(here.stats).toMatchObject({ read: ROWS + 1, staged: ROWS, malformed: 1 });
    expect(here.stats.rejectedValues).toBeGreaterThan(200);
    expect(threaded.stats).toEqual(here.stats);
    expect(threaded.rows).toHaveLength(ROWS);
    expect(threaded.rows).toEqual(here.rows);
    expect(threaded.rejects).toEqual(here.rejects);
    // Every e-mail kept is stored encrypted, whichever thread encrypted it (values read back in clear).
    const emails = here.rows.filter((r) => r.email !== null).length;
    expect(emails).toBeGreaterThan(ROWS - 100);
    expect(threaded.encrypted).toBe(emails);
    expect(here.encrypted).toBe(emails);
    expect(threaded.rows.find((r) => r.source_key === '7')).toMatchObject({ email: 'p7@postmail.de', city: 'London' });
  });

  it('reads staged records back the same when a thread decrypts them', async () => {
    await extractWith(0);
    // Pages of 1,000: the first decrypted as the store reads it, the others in the thread.
    const paged = await loadStagedRecords({ store, config }, 1_000);
    const whole = await loadStagedRecords({ store, config }, 100_000);
    expect(paged.length).toBe(ROWS);
    const all = (t: typeof paged) => Array.from({ length: t.length }, (_, i) => t.at(i));
    expect(all(paged)).toEqual(all(whole));
    expect(paged.at(6).values.email).toMatch(/^p\d+@postmail\.de$/);
    // What the thread is given: the values as stored.
    const stored = (await store.knex('source_records').select('email').whereNotNull('email').limit(3).queryContext(KEEP_ENCRYPTED)) as { email: string }[];
    expect(stored.map((r) => r.email.slice(0, 5))).toEqual(['enc1:', 'enc1:', 'enc1:']);
  });

  it('refuses CSV for an encrypted table unless it was encrypted with the store’s key', async () => {
    const csv = (async function* () {
      yield Buffer.from('"x","1"\n');
    })();
    await expect(store.insertCsv('source_records', ['source', 'source_key'], csv)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const other = new FieldCipher(randomBytes(32), ['email']);
    await expect(store.insertCsv('source_records', ['source', 'source_key'], csv, undefined, other.keyId)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('a cipher made again in a worker thread', () => {
  it('encrypts, decrypts and hashes as the original, old keys included', () => {
    const old = new FieldCipher(randomBytes(32), ['email']);
    const cipher = new FieldCipher(randomBytes(32), ['email', 'phone'], [randomBytes(32)]);
    const rotating = new FieldCipher(randomBytes(32), ['email'], [randomBytes(32)]);
    const again = FieldCipher.fromSpec(structuredClone(cipher.spec()));
    expect(again.keyId).toBe(cipher.keyId);
    expect([...again.fields]).toEqual(['email', 'phone']);
    expect(again.encrypt('email', 'a@b.c')).toBe(cipher.encrypt('email', 'a@b.c'));
    expect(again.mac('record hash', 'x')).toBe(cipher.mac('record hash', 'x'));
    expect(again.decrypt('phone', cipher.encrypt('phone', '+4420'))).toBe('+4420');
    expect(again.hasKey(old.keyId)).toBe(false);
    const r = FieldCipher.fromSpec(structuredClone(rotating.spec()));
    expect(r.keyId).toBe(rotating.keyId);
    expect(rotating.spec().keys).toHaveLength(2);
    expect(r.spec().keys.map((k) => Buffer.from(k).toString('hex'))).toEqual(rotating.spec().keys.map((k) => Buffer.from(k).toString('hex')));
  });
});
