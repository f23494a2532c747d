import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, type CanonicalValues } from '../../../src/core/fields.js';
import { BLOCKING_KEY_COLUMNS, indexCsvChunks } from '../../../src/master/index-rows.js';
import { CsvWriter } from '../../../src/store/bulk-insert.js';
import { blockingKeyHashes, hash16, indexHash, indexHashing, legacyHash16, indexRowBatches, indexRowsJob, matchRecordIndexRows } from '../../../src/master/match-index.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { recordHash } from '../../../src/security/record-hash.js';
import { encodeRecords, encodedColumn } from '../../../src/transforms/match/encoded.js';
import { matchRecords, toMatchRecord } from '../../../src/transforms/match/index.js';
import { generatedMatchRecords } from '../../support/generated-records.js';

const values: CanonicalValues = { given_name: 'Anna', family_name: 'Lee', email: 'anna.lee@gmail.com', phone: '+61412345678', birth_date: '1980-02-03', postal_code: '2000' };
const mr = toMatchRecord('crm', '1', values);
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 16);

describe('match index hashes', () => {
  it('are a 64-bit hash in 16 hex without a key, the same from one version to the next', () => {
    expect(indexHash(null)).toBe(hash16);
    // Stored indexes hold these: a change of the hash must come with a new mark of the index's
    // hashing (UNKEYED_INDEX in src/master/match-index.ts), or incremental runs find nothing.
    expect(['', 'a', '0412345678', 'email\u0000anna.lee@gmail.com', '王小明'].map(hash16)).toEqual(['c561b9fb9f0cb1ce', '23608f0bc7207f70', '5bdd214fea505d66', '21a5f1dd740d78dd', 'adf40a7353bd8faa']);
    const keys = blockingKeyHashes(mr, indexHash(null));
    expect(keys.length).toBeGreaterThan(2);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{16}$/);
    // The index written before it: SHA-1, read again by rebuilds and rotations.
    expect(legacyHash16('0412345678')).toBe(sha1('0412345678'));
  });

  it('spread keys that differ little over all 64 bits, without collisions', () => {
    const seen = new Set<string>();
    const ones = new Array<number>(64).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const h = hash16(`phone\u0000+614${String(i).padStart(8, '0')}`);
      seen.add(h);
      const b = BigInt(`0x${h}`);
      for (let j = 0; j < 64; j++) if ((b >> BigInt(j)) & 1n) ones[j]!++;
    }
    expect(seen.size).toBe(n);
    // Each bit is set in about half of the hashes (binomial: ±0.5 % is over four deviations).
    for (const c of ones) expect(Math.abs(c / n - 0.5)).toBeLessThan(0.006);
    // One code unit more, or one changed, is another hash (the length and every unit count).
    expect(hash16('ab')).not.toBe(hash16('ab\u0000'));
    expect(hash16('abc')).not.toBe(hash16('abd'));
  });

  it('are HMACs with a key: same width, stable for equal inputs, different from the unkeyed ones and per key', () => {
    const cipher = new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date', 'national_id']);
    const keyed = indexHash(cipher);
    const keys = blockingKeyHashes(mr, keyed);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(blockingKeyHashes(toMatchRecord('erp', '9', { ...values }), keyed)).toEqual(keys);
    const unkeyed = new Set(blockingKeyHashes(mr, hash16));
    expect(keys.filter((k) => unkeyed.has(k))).toEqual([]);
    expect(keyed(mr.phone)).not.toBe(sha1(mr.phone));
    const other = indexHash(new FieldCipher(randomBytes(32), []));
    expect(blockingKeyHashes(mr, other).filter((k) => keys.includes(k))).toEqual([]);
  });
});

describe('record hashes', () => {
  it('are the SHA-256 of before without a key, and keyed HMACs with one', () => {
    const h = createHash('sha256');
    for (const f of CANONICAL_FIELDS) h.update(`${values[f] ?? ''}\u0000`);
    h.update('{}');
    expect(recordHash(null, values, '{}')).toBe(h.digest('hex'));
    const cipher = new FieldCipher(randomBytes(32), []);
    const keyed = recordHash(cipher, values, '{}');
    expect(keyed).toMatch(/^[0-9a-f]{64}$/);
    expect(keyed).not.toBe(recordHash(null, values, '{}'));
    expect(recordHash(cipher, { ...values }, '{}')).toBe(keyed);
    expect(recordHash(cipher, { ...values, birth_date: '1980-02-04' }, '{}')).not.toBe(keyed);
  });
});

describe('match index rows from blocking', () => {
  it('are the rows of the records keyed and hashed one by one, with the oversized blocks counted the same (1 and 2 threads, keyed or not)', async () => {
    const { records } = await generatedMatchRecords(1200, 11);
    const maxBlockSize = 12;
    const cipher = new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date']);
    const stores = [{ cipher: null }, { cipher }, { cipher: new FieldCipher(randomBytes(32), ['family_name']) }];
    for (const store of stores) {
      const expected = await rowsOf(matchRecordIndexRows(store, records));
      for (const threads of [1, 2]) {
        const enc = encodeRecords(records);
        const result = await matchRecords(enc, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize, threads, indexKeys: indexHashing(store.cipher) });
        const names = { family: enc.dicts.family, given: enc.dicts.given, dob: enc.dicts.dob, ids: { family: encodedColumn(enc, 'family'), given: encodedColumn(enc, 'given'), dob: encodedColumn(enc, 'dob') } };
        const job = indexRowsJob(store, records, result.indexKeys!, names);
        const got = await rowsOf(indexRowBatches(job));
        expect(got).toEqual(expected);
        // The CSV the index's thread writes for COPY is these rows as the store encodes rows.
        expect(Buffer.concat([...indexCsvChunks(job)]).toString()).toBe(csvOf(expected));
        // What the store counts after the rows are in (writeMatchIndex with a maxBlockSize).
        const sizes = new Map<string, number>();
        for (const r of expected) sizes.set(r[2] as string, (sizes.get(r[2] as string) ?? 0) + 1);
        const oversized = new Map([...sizes].filter(([, n]) => n > maxBlockSize));
        expect(oversized.size).toBeGreaterThan(0);
        expect(result.indexKeys!.oversized).toEqual(oversized);
      }
      // Sort keys unless names are encrypted.
      expect(expected.every((r) => (store.cipher?.fields.has('family_name') ? r[3] === null : typeof r[3] === 'string'))).toBe(true);
    }
  }, 120_000);
});

describe('match index rows as CSV', () => {
  it('are encoded as the store encodes rows: quotes doubled, UTF-8, no sort key as an empty field', () => {
    const hashes = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67]);
    const job = { sources: ['erp "alt"'], sourceOf: Int32Array.of(0, 0), keys: ['K"1', 'Kü2'], keyIds: [Int32Array.of(1, 1), Int32Array.of(0, 1)], hashes: [hashes, hashes], names: null, hashing: {} };
    const rows = [
      ['erp "alt"', 'K"1', 'deadbeef01234567', null],
      ['erp "alt"', 'Kü2', 'deadbeef01234567', null],
      ['erp "alt"', 'Kü2', 'deadbeef01234567', null],
    ];
    expect(Buffer.concat([...indexCsvChunks(job)]).toString()).toBe(csvOf(rows));
    expect(csvOf(rows).split('\n')[0]).toBe('"erp ""alt""","K""1","deadbeef01234567",');
  });
});

/** Rows as CsvWriter encodes them for COPY into blocking_keys. */
function csvOf(rows: unknown[][]): string {
  const w = new CsvWriter(1 << 30);
  rows.forEach((r, i) => w.row(r, { table: 'blocking_keys', columns: BLOCKING_KEY_COLUMNS }, i + 1));
  return w.take().toString();
}

async function rowsOf(rows: AsyncIterable<unknown[][]>): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const batch of rows) out.push(...batch);
  return out;
}
