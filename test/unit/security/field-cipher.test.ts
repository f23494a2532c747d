import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldCipher, cipherFromEnv, parseKey } from '../../../src/security/field-cipher.js';
import { maskPersonal, roleAllows } from '../../../src/security/roles.js';

const key = randomBytes(32);

describe('FieldCipher', () => {
  const cipher = new FieldCipher(key, ['email']);

  it('round-trips, deterministically per field, and hides the value', () => {
    const a = cipher.encrypt('email', 'jane.doe@example.com');
    expect(a).toMatch(/^enc1:[0-9a-f]{8}:/);
    expect(a).not.toContain('jane');
    expect(cipher.encrypt('email', 'jane.doe@example.com')).toBe(a);
    expect(cipher.encrypt('phone', 'jane.doe@example.com')).not.toBe(a);
    expect(cipher.decrypt('email', a)).toBe('jane.doe@example.com');
    expect(cipher.decrypt('email', 'plain')).toBe('plain');
  });

  it('refuses a value moved to another column, altered, or under an unknown key', () => {
    const a = cipher.encrypt('email', 'x@y.org');
    expect(() => cipher.decrypt('phone', a)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    expect(() => cipher.decrypt('email', tampered)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    const other = new FieldCipher(randomBytes(32), ['email']);
    expect(() => other.decrypt('email', a)).toThrow(/CRM_ETL_KEY/);
    // During a rotation the old key still decrypts.
    expect(new FieldCipher(randomBytes(32), ['email'], [key]).decrypt('email', a)).toBe('x@y.org');
  });

  it('gives the same stored forms and values from its cache as without it, and still refuses a value read under another column after reading it under its own', () => {
    const c = new FieldCipher(key, ['email', 'phone']);
    // Past the cache's bound (50,000 each way), so that it is emptied on the way.
    const values = Array.from({ length: 60_000 }, (_, i) => `p${i % 55_000}@example.org`);
    const stored = values.map((v) => c.encrypt('email', v));
    const fresh = new FieldCipher(key, ['email', 'phone']);
    for (const i of [0, 1, 54_999, 55_000, 59_999]) expect(stored[i]).toBe(fresh.encrypt('email', values[i]!));
    expect(stored[55_000]).toBe(stored[0]);
    expect(stored.map((s) => c.decrypt('email', s))).toEqual(values);
    expect(c.decrypt('email', stored[3]!)).toBe(values[3]);
    expect(() => c.decrypt('phone', stored[3]!)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    const tampered = stored[3]!.slice(0, -2) + (stored[3]!.endsWith('A') ? 'BB' : 'AA');
    expect(() => c.decrypt('email', tampered)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('makes keyed hashes: HMAC-SHA256 under a sub-key per purpose, stable, per key, and under an old key on request', () => {
    const h = cipher.mac('blocking index', '0412345678');
    const sub = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'crm-etl blocking index', 32));
    expect(h).toBe(createHmac('sha256', sub).update('0412345678').digest('hex'));
    expect(cipher.mac('blocking index', '0412345678')).toBe(h);
    expect(cipher.mac('record hash', '0412345678')).not.toBe(h);
    expect(new FieldCipher(key, []).mac('blocking index', '0412345678')).toBe(h);
    const next = new FieldCipher(randomBytes(32), ['email'], [key]);
    expect(next.mac('blocking index', '0412345678')).not.toBe(h);
    expect(next.hasKey(cipher.keyId)).toBe(true);
    expect(next.mac('blocking index', '0412345678', cipher.keyId)).toBe(h);
    expect(() => cipher.mac('blocking index', 'x', next.keyId)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('reads keys from the environment, and names the variable (not the value) when one is bad', () => {
    expect(cipherFromEnv({}, ['email'])).toBeNull();
    expect(cipherFromEnv({ CRM_ETL_KEY: key.toString('base64') }, ['email'])?.keyId).toBe(cipher.keyId);
    expect(() => parseKey('c2hvcnQ=', 'CRM_ETL_KEY')).toThrow(/CRM_ETL_KEY must be 32 bytes/);
    expect(() => cipherFromEnv({ CRM_ETL_OLD_KEY: key.toString('base64') }, [])).toThrow(/CRM_ETL_KEY is not/);
  });
});

describe('roles', () => {
  it('orders viewer < ops < admin and masks personal fields for viewers only', () => {
    expect(roleAllows('admin', 'ops')).toBe(true);
    expect(roleAllows('ops', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'ops')).toBe(false);
    const v = { email: 'jane@example.com', city: 'Sydney', family_name: 'Doe' };
    expect(maskPersonal(v, true)).toEqual({ email: 'j•••@e••••••.c••', city: 'Sydney', family_name: 'D••' });
    expect(maskPersonal(v, false)).toBe(v);
  });
});
