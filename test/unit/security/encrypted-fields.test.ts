import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { reencryptJson } from '../../../src/security/rotate-keys.js';
import { decryptJsonFields, decryptResult, encryptJsonFields, encryptRows } from '../../../src/store/encrypted-fields.js';

const cipher = new FieldCipher(randomBytes(32), ['email', 'phone', 'birth_date']);
const REJECT_COLUMNS = ['run_id', 'source', 'source_key', 'location', 'line', 'field', 'value', 'code', 'reason'];

describe('what each table keeps encrypted', () => {
  it('rejects: the value and reason of a sensitive field, the raw row of a malformed one; others in clear', () => {
    const rows = encryptRows(cipher, 'rejects', REJECT_COLUMNS, [
      ['r', 'erp', 'C1', 'f.csv', 2, 'email', 'jane@@example.com', 'EMAIL_INVALID', 'Two @ signs.'],
      ['r', 'erp', 'C2', 'f.csv', 3, 'birth_date', '1990-02-31', 'DATE_INVALID', 'Day 31 does not exist in 1990-02.'],
      ['r', 'erp', null, 'f.csv', 4, null, 'C3,Jane,Doe,jane@example.com,0412 345 678', 'TOO_FEW_FIELDS', 'expected 14 fields, found 5'],
      ['r', 'erp', 'C4', 'f.csv', 5, 'postal_code', '99999', 'POSTCODE_INVALID', 'The postcode does not match.'],
    ]) as unknown[][];
    expect(rows[0]![6]).toMatch(/^enc1:/);
    expect(rows[0]![8]).toMatch(/^enc1:/);
    expect(rows[1]![8]).toMatch(/^enc1:/);
    expect(rows[2]![6]).toMatch(/^enc1:/);
    expect(rows[2]![8]).toBe('expected 14 fields, found 5');
    expect(rows[3]![6]).toBe('99999');
    // Read back under their column names, as the store's postProcessResponse does.
    const back = decryptResult([{ value: rows[0]![6], reason: rows[1]![8] }, { value: rows[2]![6] }], cipher) as Record<string, string>[];
    expect(back).toEqual([{ value: 'jane@@example.com', reason: 'Day 31 does not exist in 1990-02.' }, { value: 'C3,Jane,Doe,jane@example.com,0412 345 678' }]);
  });

  it('source_records: the unmapped columns too, unless there are none', () => {
    const rows = encryptRows(cipher, 'source_records', ['source', 'source_key', 'email', 'extra'], [
      ['erp', 'C1', 'jane@example.com', '{"mobile":"0412 345 678"}'],
      ['erp', 'C2', null, '{}'],
    ]) as unknown[][];
    expect(rows[0]![2]).toMatch(/^enc1:/);
    expect(rows[0]![3]).toMatch(/^enc1:/);
    expect(rows[1]).toEqual(['erp', 'C2', null, '{}']);
  });

  it("master_audit: sensitive fields inside before/after, under their field's name", () => {
    const json = JSON.stringify({ email: 'jane@example.com', family_name: 'Doe', records: ['erp:C1'], record_count: 1 });
    const stored = encryptJsonFields(cipher, json)!;
    expect(stored).not.toContain('jane@example.com');
    expect(stored).toContain('Doe');
    const parsed = JSON.parse(stored) as Record<string, string>;
    expect(parsed.email).toBe(cipher.encrypt('email', 'jane@example.com'));
    expect(decryptJsonFields(cipher, parsed)).toEqual(JSON.parse(json));
    expect(() => decryptJsonFields(null, parsed)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(encryptJsonFields(cipher, '{"status":"retired"}')).toBe('{"status":"retired"}');
    // At any depth, as a reviver would: nested objects and arrays of objects; empty, encrypted
    // and non-string values left; the keys in their order.
    const nested = JSON.stringify({ records: [{ email: 'x@y.org', key: '1' }, 'email'], before: { phone: '+61 412 345 678', email: '' }, email: null, n: 2 });
    const reviver = JSON.stringify(JSON.parse(nested, (k, v: unknown) => (k !== '' && cipher.fields.has(k) && typeof v === 'string' && v !== '' ? cipher.encrypt(k, v) : v)));
    expect(encryptJsonFields(cipher, nested)).toBe(reviver);
    expect(encryptJsonFields(cipher, nested)).not.toContain('x@y.org');
    expect(encryptJsonFields(cipher, reviver)).toBe(reviver);
  });

  it('a rotation re-encrypts audit JSON under the new key and encrypts what was in clear', () => {
    const oldKey = randomBytes(32);
    const old = new FieldCipher(oldKey, ['email', 'phone']);
    const next = new FieldCipher(randomBytes(32), ['email', 'phone'], [oldKey]);
    const stored = JSON.stringify({ email: old.encrypt('email', 'a@b.org'), phone: '+61 412 345 678', city: 'Perth' });
    const rotated = JSON.parse(reencryptJson(next, stored)!) as Record<string, string>;
    expect(rotated.email!.startsWith(`enc1:${next.keyId}:`)).toBe(true);
    expect(next.decrypt('phone', rotated.phone!)).toBe('+61 412 345 678');
    expect(rotated.city).toBe('Perth');
    expect(reencryptJson(next, JSON.stringify(rotated))).toBeNull();
  });
});
