import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { stagedChanges } from '../../../src/master/incremental.js';
import { blockingKeyHashes, hash16, indexHash, legacyHash16, loadTermFrequencies, matchIndexUsable } from '../../../src/master/match-index.js';
import { toMasterRecord } from '../../../src/master/store-io.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { recordHash } from '../../../src/security/record-hash.js';
import { rotateKeys } from '../../../src/security/rotate-keys.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { COMPARISONS, type MatchRecord, toMatchRecord, wordStem } from '../../../src/transforms/match/index.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const log = createLogger('silent');
const HEADER = 'id,first,last,email,phone,dob,updated\n';
const PEOPLE = [
  '1,Anna,Lee,anna.lee@gmail.com,0412 345 678,1980-02-03,2024-01-01',
  '2,Bob,Stone,bob.stone@outlook.com,0423 456 789,1975-06-07,2024-01-01',
  '3,Carla,Diaz,carla.d@gmail.com,,1990-11-12,2024-01-01',
  '4,Anna,Lee,anna.lee@gmail.com,0412 345 678,1980-02-03,2024-03-01',
];
const GIVEN = ['Liam', 'Noah', 'Olivia', 'Emma', 'Ava', 'Mia', 'Jack', 'Ruby', 'Oscar', 'Chloe', 'Henry', 'Zoe'];
const FAMILY = ['Nguyen', 'Smith', 'Brown', 'Wilson', 'Taylor', 'Martin', 'Patel', 'Khan', 'Rossi', 'Novak'];
// Distinct people around them, so that the model is trained on a population.
const FILLER = Array.from({ length: 60 }, (_, i) => {
  const g = GIVEN[i % GIVEN.length]!;
  const f = FAMILY[(i * 7) % FAMILY.length]!;
  return `${100 + i},${g},${f},${g.toLowerCase()}.${f.toLowerCase()}${i}@example.com,04${String(10_000_000 + i * 7919).slice(0, 8)},19${50 + (i % 45)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},2024-01-01`;
});
const BOB_AGAIN = '7,Bob,Stone,bob.stone@outlook.com,0423 456 789,1975-06-07,2024-06-01\n';
const EMAIL = COMPARISONS.findIndex((c) => c.name === 'email');

type Row = Record<string, unknown>;
const linkOf = async (store: Store, key: string): Promise<string> =>
  ((await store.knex('customer_links').where({ source: 'crm', source_key: key }).first('customer_id')) as { customer_id: string }).customer_id;
/** The staged record `crm:key` (decrypted by the store) as the matcher sees it, with its stored hashes. */
async function staged(store: Store, key: string): Promise<{ row: Row; mr: MatchRecord }> {
  const row = (await store.knex('source_records').where({ source: 'crm', source_key: key }).first()) as Row;
  const rec = toMasterRecord(row);
  return { row, mr: toMatchRecord(rec.source, rec.key, rec.values) };
}
const storedKeys = async (store: Store, key: string): Promise<string[]> =>
  ((await store.knex('blocking_keys').where({ source: 'crm', source_key: key }).select('key_hash')) as { key_hash: string }[]).map((r) => r.key_hash).sort();
const tfRows = async (store: Store): Promise<{ comparison: number; value_hash: string; frequency: number }[]> =>
  ((await store.knex('match_term_frequencies').where('comparison', '>=', 0).select('comparison', 'value_hash', 'frequency')) as Row[]).map((r) => ({ comparison: Number(r.comparison), value_hash: String(r.value_hash), frequency: Number(r.frequency) }));
const frequencies = (rows: { comparison: number; frequency: number }[]): string[] => rows.map((r) => `${r.comparison}:${r.frequency}`).sort();
const indexKeyRow = async (store: Store): Promise<unknown> => store.knex('match_term_frequencies').where({ comparison: -1 }).first('value_hash');

/**
 * Rewrites the unkeyed index of `store` as a version before the 64-bit hash wrote it: its hashes
 * SHA-1 ({@link legacyHash16}), and no row naming the hashing.
 */
async function toLegacyIndex(store: Store): Promise<void> {
  const rows = (await store.knex('source_records').select()) as Row[];
  const mrs = rows.map((r) => {
    const rec = toMasterRecord(r);
    return toMatchRecord(rec.source, rec.key, rec.values);
  });
  const old = new Map<string, string>();
  for (const mr of mrs) {
    const now = blockingKeyHashes(mr, hash16);
    const then = blockingKeyHashes(mr, legacyHash16);
    now.forEach((h, k) => old.set(h, then[k]!));
    for (const c of COMPARISONS) if (c.tf && mr[c.tf]) old.set(hash16(mr[c.tf]), legacyHash16(mr[c.tf]));
    for (const w of mr.companyWords) old.set(hash16(wordStem(w)), legacyHash16(wordStem(w)));
  }
  await store.transaction(async (trx) => {
    for (const [now, then] of old) {
      await trx('blocking_keys').where({ key_hash: now }).update({ key_hash: then });
      await trx('match_term_frequencies').where({ value_hash: now }).update({ value_hash: then });
    }
    await trx('match_term_frequencies').where({ comparison: -1 }).delete();
  });
}

async function csvConfig(url: string, name: string): Promise<{ config: Config; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), `crm-etl-${name}-`));
  await writeFile(path.join(dir, 'crm.csv'), HEADER + [...PEOPLE, ...FILLER].join('\n') + '\n');
  const config = parseConfig(
    `store: ${url}\nsources:\n  - {name: crm, kind: csv, path: crm.csv, key: id, country: AU, mapping: {given_name: first, family_name: last, email: email, phone: phone, birth_date: dob, source_updated_at: updated}}\n`,
    { file: 'etl.yaml', baseDir: dir },
  );
  return { config, dir };
}

describe.each(TEST_DIALECTS)('keyed hashes in the match index (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let dir: string;
  let config: Config;
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  let cipherA: FieldCipher;
  let cipherB: FieldCipher;
  let before: { tf: { comparison: number; value_hash: string; frequency: number }[]; keys: number };

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'keyed-index');
    ({ config, dir } = await csvConfig(iso.url, 'keyed-index'));
    cipherA = new FieldCipher(keyA, config.security.sensitive_fields);
    cipherB = new FieldCipher(keyB, config.security.sensitive_fields);
    store = await openStore(config.store, { cipher: cipherA });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores blocking keys, term frequencies and record hashes keyed: equal for equal inputs, never the unkeyed hash', async () => {
    const run = await runPipeline({ config, store, log });
    expect(run.matching.mode).toBe('full');
    expect(await linkOf(store, '4')).toBe(await linkOf(store, '1'));
    const anna = await staged(store, '1');
    expect(anna.mr.phone).not.toBe('');
    const keys = await storedKeys(store, '1');
    expect(keys).toEqual(blockingKeyHashes(anna.mr, indexHash(cipherA)).sort());
    const unkeyed = blockingKeyHashes(anna.mr, hash16);
    expect(keys.filter((k) => unkeyed.includes(k))).toEqual([]);
    // Record 4 holds the same values as record 1: the same keys.
    expect(await storedKeys(store, '4')).toEqual(keys);
    const tf = await tfRows(store);
    const email = tf.filter((r) => r.comparison === EMAIL);
    expect(email.find((r) => r.value_hash === indexHash(cipherA)(anna.mr.email))?.frequency).toBeGreaterThan(0);
    expect(email.find((r) => r.value_hash === hash16(anna.mr.email))).toBeUndefined();
    expect(await indexKeyRow(store)).toEqual({ value_hash: cipherA.keyId });
    // The record hash covers the encrypted fields: keyed too, in staging and in the links.
    const values = toMasterRecord(anna.row).values;
    expect(anna.row.record_hash).toBe(recordHash(cipherA, values, String(anna.row.extra)));
    expect(anna.row.record_hash).not.toBe(recordHash(null, values, String(anna.row.extra)));
    expect((await store.knex('customer_links').where({ source: 'crm', source_key: '1' }).first('record_hash'))?.record_hash).toBe(anna.row.record_hash);
    before = { tf, keys: Number(((await store.knex('blocking_keys').count({ n: '*' })) as Row[])[0]!.n) };
  });

  it('rotation to a new key hashes the index and the record hashes again, keeping the term frequencies', async () => {
    await store.close();
    store = await openStore(config.store, { cipher: new FieldCipher(keyB, config.security.sensitive_fields, [keyA]) });
    const r = await rotateKeys(store, 'ops');
    expect(r.matchIndex).toEqual({ status: 'rebuilt', blockingKeys: before.keys, termFrequencies: before.tf.length });
    await store.close();
    store = await openStore(config.store, { cipher: cipherB });
    const anna = await staged(store, '1');
    expect(await storedKeys(store, '1')).toEqual(blockingKeyHashes(anna.mr, indexHash(cipherB)).sort());
    const tf = await tfRows(store);
    expect(frequencies(tf)).toEqual(frequencies(before.tf));
    const old = new Set(before.tf.map((t) => t.value_hash));
    expect(tf.filter((t) => old.has(t.value_hash))).toEqual([]);
    expect(tf.find((t) => t.comparison === EMAIL && t.value_hash === indexHash(cipherB)(anna.mr.email))).toBeDefined();
    expect(await indexKeyRow(store)).toEqual({ value_hash: cipherB.keyId });
    expect(anna.row.record_hash).toBe(recordHash(cipherB, toMasterRecord(anna.row).values, String(anna.row.extra)));
    // Links follow their records: nothing reads as changed.
    expect(await stagedChanges(store)).toMatchObject({ changed: [], vanished: [] });
    // Run again (as after an interruption), the rotation finds everything under the new key.
    expect((await rotateKeys(store, 'ops')).matchIndex.status).toBe('current');
    expect(await storedKeys(store, '1')).toEqual(blockingKeyHashes(anna.mr, indexHash(cipherB)).sort());
  });

  it('an incremental run after the rotation still finds the existing customer', async () => {
    const bob = await linkOf(store, '2');
    await writeFile(path.join(dir, 'crm.csv'), BOB_AGAIN, { flag: 'a' });
    // This master is small: a run would match it in full; the incremental path is what larger ones take.
    const run = await runPipeline({ config, store, log, matchMode: 'incremental' });
    expect(run.matching).toMatchObject({ mode: 'incremental', changedRecords: 1 });
    expect(run.master).toMatchObject({ newCustomers: 0, updatedCustomers: 1 });
    expect(await linkOf(store, '7')).toBe(bob);
    const added = await staged(store, '7');
    expect(await storedKeys(store, '7')).toEqual(blockingKeyHashes(added.mr, indexHash(cipherB)).sort());
  });
});

// One dialect is enough here (the hashing is the same on all): the one quickest to reopen.
const KEYLESS_DIALECT = TEST_DIALECTS.includes('postgres') ? 'postgres' : TEST_DIALECTS[0]!;

describe(`a store that ran without a key (${KEYLESS_DIALECT})`, () => {
  const made: { iso: IsolatedStoreUrl; dir: string }[] = [];
  const stores: Store[] = [];
  const open = async (config: Config, cipher: FieldCipher | null): Promise<Store> => {
    const s = await openStore(config.store, { cipher });
    stores.push(s);
    return s;
  };
  /** A store after one full run without a key. */
  async function keylessStore(): Promise<{ config: Config; dir: string; store: Store }> {
    const iso = await isolatedStoreUrl(KEYLESS_DIALECT, 'keyless-index');
    const { config, dir } = await csvConfig(iso.url, 'keyless-index');
    made.push({ iso, dir });
    const store = await open(config, null);
    await store.migrate();
    await runPipeline({ config, store, log });
    return { config, dir, store };
  }

  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    for (const m of made) {
      await m.iso.cleanup();
      await rm(m.dir, { recursive: true, force: true });
    }
  });

  it('hashes the index unkeyed and says so; `keys rotate` to a first key hashes it under the key', async () => {
    const { config, dir, store: keyless } = await keylessStore();
    const anna = await staged(keyless, '1');
    expect(await storedKeys(keyless, '1')).toEqual(blockingKeyHashes(anna.mr, hash16).sort());
    expect(anna.row.record_hash).toBe(recordHash(null, toMasterRecord(anna.row).values, String(anna.row.extra)));
    expect(await indexKeyRow(keyless)).toEqual({ value_hash: 'unkeyed:64' });
    const tf = await tfRows(keyless);
    await keyless.close();

    const cipher = new FieldCipher(randomBytes(32), config.security.sensitive_fields);
    const store = await open(config, cipher);
    expect((await rotateKeys(store, 'ops')).matchIndex.status).toBe('rebuilt');
    expect(await storedKeys(store, '1')).toEqual(blockingKeyHashes(anna.mr, indexHash(cipher)).sort());
    expect(frequencies(await tfRows(store))).toEqual(frequencies(tf));
    expect(await stagedChanges(store)).toMatchObject({ changed: [], vanished: [] });
    const bob = await linkOf(store, '2');
    await writeFile(path.join(dir, 'crm.csv'), BOB_AGAIN, { flag: 'a' });
    const run = await runPipeline({ config, store, log, matchMode: 'incremental' });
    expect(run.matching).toMatchObject({ mode: 'incremental', changedRecords: 1 });
    expect(await linkOf(store, '7')).toBe(bob);
  });

  it('an index hashed unkeyed with the SHA-1 of before: read by a rebuild and a rotation, matched in full once by the next run', async () => {
    const { config, dir, store } = await keylessStore();
    const model = (await store.knex('match_models').orderBy('run_id', 'desc').first('run_id')) as { run_id: string };
    const mrs = await Promise.all(['1', '2', '3', '4'].map(async (k) => (await staged(store, k)).mr));
    const current = await loadTermFrequencies(store, model.run_id, mrs);
    expect(current[EMAIL]!.get(mrs[0]!.email)).toBeGreaterThan(0);
    await toLegacyIndex(store);
    expect(await indexKeyRow(store)).toBeUndefined();
    expect(await storedKeys(store, '1')).toEqual(blockingKeyHashes(mrs[0]!, legacyHash16).sort());
    expect(await matchIndexUsable(store)).toBe(false);
    // A rebuild (a re-sync of one customer) reads the frequencies through the index's own hash.
    expect(await loadTermFrequencies(store, model.run_id, mrs)).toEqual(current);

    const bob = await linkOf(store, '2');
    await writeFile(path.join(dir, 'crm.csv'), BOB_AGAIN, { flag: 'a' });
    const run = await runPipeline({ config, store, log, matchMode: 'incremental' });
    expect(run.matching.mode).toBe('full');
    expect(await linkOf(store, '7')).toBe(bob);
    expect(await indexKeyRow(store)).toEqual({ value_hash: 'unkeyed:64' });
    expect(await storedKeys(store, '1')).toEqual(blockingKeyHashes(mrs[0]!, hash16).sort());
    expect(await matchIndexUsable(store)).toBe(true);

    // A legacy index rotated to a first key: its frequencies found under the old hash, kept.
    await toLegacyIndex(store);
    const legacyTf = await tfRows(store);
    expect(frequencies(legacyTf)).not.toEqual([]);
    const cipher = new FieldCipher(randomBytes(32), config.security.sensitive_fields);
    const keyed = await open(config, cipher);
    expect((await rotateKeys(keyed, 'ops')).matchIndex.status).toBe('rebuilt');
    expect(frequencies(await tfRows(keyed))).toEqual(frequencies(legacyTf));
    expect(await storedKeys(keyed, '1')).toEqual(blockingKeyHashes(mrs[0]!, indexHash(cipher)).sort());
  });

  it('a key set without rotating: the unkeyed index is not used, the next run matches in full', async () => {
    const { config, dir, store: keyless } = await keylessStore();
    await keyless.close();
    const store = await open(config, new FieldCipher(randomBytes(32), config.security.sensitive_fields));
    const bob = await linkOf(store, '2');
    await writeFile(path.join(dir, 'crm.csv'), BOB_AGAIN, { flag: 'a' });
    const run = await runPipeline({ config, store, log, matchMode: 'incremental' });
    expect(run.matching.mode).toBe('full');
    expect(await linkOf(store, '7')).toBe(bob);
    expect(await indexKeyRow(store)).toEqual({ value_hash: store.cipher!.keyId });
  });
});
