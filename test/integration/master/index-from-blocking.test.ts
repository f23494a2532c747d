import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockingIndexRows, indexHashing, matchRecordIndexRows, writeMatchIndex } from '../../../src/master/match-index.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/store.js';
import { encodeRecords, encodedColumn } from '../../../src/transforms/match/encoded.js';
import { type MatchRecord, type MatchResult, computeTermFrequencies, matchRecords } from '../../../src/transforms/match/index.js';
import { blockingIndexKeys, encodedCompanyWords } from '../../../src/transforms/match/match-records.js';
import { generatedMatchRecords } from '../../support/generated-records.js';
import { type IsolatedStoreUrl, TEST_DIALECTS, isolatedStoreUrl } from '../../support/stores.js';

const MAX_BLOCK_SIZE = 12;

type Cipher = FieldCipher | null;

/** The generated records, made once for every dialect (the same seed gave the same records in each). */
let generated: Promise<MatchRecord[]> | undefined;
/**
 * The full match of the records under a cipher's index hashing, computed once per cipher: what it
 * computes does not depend on the store (each dialect's test writes and compares its own rows).
 */
const matched = new Map<Cipher, Promise<{ enc: ReturnType<typeof encodeRecords>; result: MatchResult }>>();
function fullMatch(records: MatchRecord[], cipher: Cipher, hashing: ReturnType<typeof indexHashing>) {
  let m = matched.get(cipher);
  if (!m) {
    const enc = encodeRecords(records);
    m = matchRecords(enc, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: MAX_BLOCK_SIZE, threads: 2, indexKeys: hashing }).then((result) => ({ enc, result }));
    matched.set(cipher, m);
  }
  return m;
}

// The queue runner's load job has no match in its process: it computes the keys as blocking does.
describe('blocking keys without matching', () => {
  it.each([
    ['without a key', null],
    ['with names encrypted', new FieldCipher(randomBytes(32), ['family_name', 'given_name'])],
  ] as const)('are the keys, hashes and oversized blocks a full match hashed, on one thread or two (%s)', async (_, cipher) => {
    const records = await (generated ??= generatedMatchRecords(1200, 21).then((g) => g.records));
    const hashing = indexHashing(cipher);
    const { enc, result } = await fullMatch(records, cipher, hashing);
    const expected = result.indexKeys!;
    expect(expected.oversized.size).toBeGreaterThan(0);
    for (const threads of [1, 2]) {
      const got = await blockingIndexKeys(enc, { maxBlockSize: MAX_BLOCK_SIZE, hashing, companyWords: encodedCompanyWords(enc), threads });
      expect(got.oversized).toEqual(expected.oversized);
      expect(got.keyIds.map((k) => Array.from(k))).toEqual(expected.keyIds.map((k) => Array.from(k)));
      expect(got.hashes.map((h) => Buffer.from(h).toString('hex'))).toEqual(expected.hashes.map((h) => Buffer.from(h).toString('hex')));
    }
  });
});

// A full inline run writes the match index from the keys its blocking hashed (on PostgreSQL and
// PGlite encoded as CSV by a worker thread); an incremental run, a key rotation and the queue
// runner write it from match records. Both must store the same rows.
describe.each(TEST_DIALECTS)('match index from blocking (%s)', (dialect) => {
  let isolated: IsolatedStoreUrl;
  let store: Store;
  let records: MatchRecord[];

  beforeAll(async () => {
    records = await (generated ??= generatedMatchRecords(1200, 21).then((g) => g.records));
    isolated = await isolatedStoreUrl(dialect, 'index-from-blocking');
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await isolated?.cleanup();
  });

  const contents = async (): Promise<{ keys: unknown[]; oversized: unknown[]; frequencies: unknown[] }> => ({
    keys: (await store.knex('blocking_keys').select('source', 'source_key', 'key_hash', 'sort_key').orderBy(['source', 'source_key', 'key_hash'])) as unknown[],
    oversized: (await store.knex('oversized_blocks').select('key_hash', 'size').orderBy('key_hash')) as unknown[],
    frequencies: ((await store.knex('match_term_frequencies').select('comparison', 'value_hash', 'frequency').orderBy(['comparison', 'value_hash'])) as Record<string, unknown>[]).map((r) => [
      Number(r.comparison),
      r.value_hash,
      Number(r.frequency),
    ]),
  });

  it.each([
    ['without a key', null],
    ['with a key', new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date'])],
    ['with names encrypted', new FieldCipher(randomBytes(32), ['family_name', 'given_name'])],
  ] as const)('stores the rows a record-by-record index stores, term frequencies included (%s)', async (_, cipher) => {
    await store?.close();
    store = await openStore(isolated.url, { cipher });
    await store.migrate();
    expect(store.cipher).toBe(cipher);
    const { enc, result } = await fullMatch(records, cipher, indexHashing(store.cipher));
    const names = { family: enc.dicts.family, given: enc.dicts.given, dob: enc.dicts.dob, ids: { family: encodedColumn(enc, 'family'), given: encodedColumn(enc, 'given'), dob: encodedColumn(enc, 'dob') } };
    const keys = result.indexKeys!;
    // The term frequencies as the full run has them (by dictionary entry), and as match records give them.
    await writeMatchIndex(store, 'run', blockingIndexRows(store, records, keys, names), result.termShares!, { blocks: keys.oversized });
    const fromBlocking = await contents();
    await writeMatchIndex(store, 'run', matchRecordIndexRows(store, records), computeTermFrequencies(records), { maxBlockSize: MAX_BLOCK_SIZE });
    const fromRecords = await contents();
    expect(fromBlocking.keys.length).toBeGreaterThan(records.length * 5);
    expect(fromBlocking.oversized.length).toBeGreaterThan(0);
    // A row per value held by two records or more (a value held once is what a missing row means).
    const shared = computeTermFrequencies(records).reduce((n, m) => n + [...(m ?? new Map<string, number>()).values()].filter((p) => p > 0).length, 0);
    expect(shared).toBeGreaterThan(100);
    const valueRows = fromBlocking.frequencies.filter((r) => (r as number[])[0]! >= 0);
    expect(valueRows).toHaveLength(shared);
    expect(valueRows.every((r) => (r as number[])[2]! > 0)).toBe(true);
    expect(fromBlocking).toEqual(fromRecords);
  }, 120_000);
});
