import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, type CanonicalValues } from '../../../src/core/fields.js';
import { blockingKeyHashes, hash16, indexHash } from '../../../src/master/match-index.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { recordHash } from '../../../src/security/record-hash.js';
import { toMatchRecord } from '../../../src/transforms/match/index.js';

const values: CanonicalValues = { given_name: 'Anna', family_name: 'Lee', email: 'anna.lee@gmail.com', phone: '+61412345678', birth_date: '1980-02-03', postal_code: '2000' };
const mr = toMatchRecord('crm', '1', values);
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 16);

describe('match index hashes', () => {
  it('are the unkeyed 16-hex SHA-1 of before without a key', () => {
    expect(indexHash(null)).toBe(hash16);
    expect(indexHash(null)('0412345678')).toBe(sha1('0412345678'));
    const keys = blockingKeyHashes(mr, indexHash(null));
    expect(keys.length).toBeGreaterThan(2);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{16}$/);
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
