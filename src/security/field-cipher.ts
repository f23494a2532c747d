import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { BoundedMemo } from '../core/bounded-memo.js';
import { CrmEtlError } from '../core/errors.js';

/** Marks an encrypted value in the store: `enc1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`. */
export const ENCRYPTED_PREFIX = 'enc1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One 32-byte key and what is derived from it (HKDF-SHA256, one sub-key per purpose). */
interface DerivedKey {
  /** First 8 hex digits of SHA-256 of the key: names the key in stored values, reveals nothing. */
  id: string;
  enc: Buffer;
  iv: Buffer;
  /** Keyed hashes ({@link FieldCipher.mac}), one sub-key per purpose. */
  mac: Record<MacPurpose, Buffer>;
}

/**
 * What a keyed hash is for; each purpose has its own sub-key, so a hash made for one cannot be
 * compared with one made for another:
 * - `blocking index`: the match index (`blocking_keys.key_hash`, `match_term_frequencies.value_hash`);
 * - `record hash`: a staged record's hash (`source_records.record_hash`, `customer_links.record_hash`).
 */
export type MacPurpose = 'blocking index' | 'record hash';

function derive(key: Buffer): DerivedKey {
  const sub = (info: string): Buffer => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  return {
    id: createHash('sha256').update(key).digest('hex').slice(0, 8),
    enc: sub('crm-etl field encryption'),
    iv: sub('crm-etl synthetic iv'),
    mac: { 'blocking index': sub('crm-etl blocking index'), 'record hash': sub('crm-etl record hash') },
  };
}

/**
 * Parses a key given as base64 (32 bytes, e.g. `openssl rand -base64 32`).
 *
 * @throws CrmEtlError `KEY_INVALID` naming the variable (never the value) when it is not 32 bytes.
 */
export function parseKey(value: string, variable: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) {
    throw new CrmEtlError('KEY_INVALID', `${variable} must be 32 bytes in base64 (it decodes to ${key.length} bytes); make one with: openssl rand -base64 32`);
  }
  return key;
}

/**
 * Encrypts and decrypts sensitive field values at rest with AES-256-GCM.
 *
 * The IV is synthetic: HMAC-SHA256 of the field name and the value under a key of its own (the
 * SIV construction). So the same value in the same field always gives the same stored text: the
 * store can still compare, group and look up values for equality (customer search by e-mail or
 * phone, uniqueness counts) without holding them in clear, and every value is authenticated.
 * The price, documented in docs/security.md: someone who reads the store sees which records
 * share a value, never the value.
 */
/** Stored forms (and values behind them) a cipher keeps at most, each way. */
const CACHED_VALUES = 50_000;

/** A cipher as data, for a worker thread (see {@link FieldCipher.spec}). */
export interface CipherSpec {
  /** The current key, then the old ones (a Buffer, or the Uint8Array a thread receives it as). */
  keys: Uint8Array[];
  fields: string[];
}

export class FieldCipher {
  private readonly current: DerivedKey;
  private readonly byId = new Map<string, DerivedKey>();
  /** Fields (columns) this cipher encrypts. */
  readonly fields: ReadonlySet<string>;
  /** The key, then the old keys, as given: for {@link spec}. */
  private readonly keys: readonly Buffer[];

  /**
   * @param key the key new values are encrypted with (32 bytes);
   * @param fields the canonical fields to encrypt;
   * @param oldKeys keys that may still decrypt stored values (during a rotation).
   */
  constructor(key: Buffer, fields: Iterable<string>, oldKeys: readonly Buffer[] = []) {
    this.keys = [Buffer.from(key), ...oldKeys.map((k) => Buffer.from(k))];
    this.current = derive(key);
    this.byId.set(this.current.id, this.current);
    for (const k of oldKeys) {
      const d = derive(k);
      if (!this.byId.has(d.id)) this.byId.set(d.id, d);
    }
    this.fields = new Set(fields);
  }

  /**
   * What a worker thread of this process needs to make the same cipher ({@link fromSpec}): the
   * keys themselves (copies). Only ever posted to this process's own threads; never stored,
   * logged or sent anywhere.
   */
  spec(): CipherSpec {
    return { keys: this.keys.map((k) => Buffer.from(k)), fields: [...this.fields] };
  }

  /** The cipher {@link spec} describes, in a worker thread. */
  static fromSpec(spec: CipherSpec): FieldCipher {
    const [key, ...old] = spec.keys.map((k) => Buffer.from(k));
    return new FieldCipher(key!, spec.fields, old);
  }

  /** Id of the key new values are encrypted with. */
  get keyId(): string {
    return this.current.id;
  }

  /**
   * Stored forms made lately, by field and value. Encryption is deterministic, and a run encrypts
   * the same value again and again: a customer's golden values for its row and again for its
   * audit entry, a birth date shared by many records. At a million records with a key, the
   * master's golden records took 72 s against 29 s without one, most of it AES-GCM and HMAC
   * objects made per value. Bounded: emptied when full.
   */
  private readonly encrypted = new BoundedMemo<string>(CACHED_VALUES);
  /** Values behind stored forms read lately (see {@link encrypted}). */
  private readonly decrypted = new BoundedMemo<string>(CACHED_VALUES);

  /** The stored form of `value` in `field` (deterministic: same input, same output). */
  encrypt(field: string, value: string): string {
    return this.encrypted.getOrMake(`${field}\u0000${value}`, () => this.encryptNew(field, value));
  }

  private encryptNew(field: string, value: string): string {
    const iv = createHmac('sha256', this.current.iv).update(field).update('\u0000').update(value).digest().subarray(0, IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.current.enc, iv);
    // The field is authenticated data: a value moved to another column does not decrypt.
    c.setAAD(Buffer.from(field));
    const body = Buffer.concat([c.update(value, 'utf8'), c.final()]);
    return `${ENCRYPTED_PREFIX}${this.current.id}:${Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url')}`;
  }

  /** The value behind a stored form; values without the prefix are returned unchanged. */
  decrypt(field: string, stored: string): string {
    if (!stored.startsWith(ENCRYPTED_PREFIX)) return stored;
    // The field is part of the stored form's authentication: cached under both.
    return this.decrypted.getOrMake(`${field}\u0000${stored}`, () => this.decryptNew(field, stored));
  }

  private decryptNew(field: string, stored: string): string {
    const id = stored.slice(ENCRYPTED_PREFIX.length, ENCRYPTED_PREFIX.length + 8);
    const key = this.byId.get(id);
    if (!key) {
      throw new CrmEtlError('KEY_INVALID', `a stored value was encrypted with key ${id}, but CRM_ETL_KEY is key ${this.current.id}; set the right CRM_ETL_KEY (or CRM_ETL_OLD_KEY during a rotation: crm-etl keys rotate)`);
    }
    const raw = Buffer.from(stored.slice(ENCRYPTED_PREFIX.length + 9), 'base64url');
    try {
      const d = createDecipheriv('aes-256-gcm', key.enc, raw.subarray(0, IV_BYTES));
      d.setAAD(Buffer.from(field));
      d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([d.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), d.final()]).toString('utf8');
    } catch (err) {
      throw new CrmEtlError('KEY_INVALID', `a stored ${field} value does not authenticate under key ${id}: it was altered or belongs to another column`, { cause: err });
    }
  }

  /** True when this cipher holds the key `keyId` (the current key or an old one). */
  hasKey(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /**
   * A keyed hash of `data`: HMAC-SHA256 (hex, 64 characters) under the sub-key for `purpose`
   * (HKDF of the key with info `crm-etl <purpose>`). Deterministic, so the store can still look
   * values up by hash, but without the key nobody can hash candidate values (a phone number, a
   * birth date) to find them again.
   *
   * @param keyId the key to hash under: default the current key; an old one during a rotation.
   * @throws CrmEtlError `KEY_INVALID` when this cipher does not hold `keyId`.
   */
  mac(purpose: MacPurpose, data: string, keyId: string = this.current.id): string {
    return createHmac('sha256', this.derived(keyId).mac[purpose]).update(data).digest('hex');
  }

  /**
   * The sub-key {@link mac} hashes under for `purpose` (a copy): for worker threads of this
   * process that hash as {@link mac} does (the matching engine hashing blocking keys for the
   * match index). Never stored, logged or sent anywhere.
   */
  macKey(purpose: MacPurpose, keyId: string = this.current.id): Buffer {
    return Buffer.from(this.derived(keyId).mac[purpose]);
  }

  /** The keys derived from `keyId`; KEY_INVALID when this cipher does not hold it. */
  private derived(keyId: string): DerivedKey {
    const key = this.byId.get(keyId);
    if (!key) throw new CrmEtlError('KEY_INVALID', `key ${keyId} is neither CRM_ETL_KEY (${this.current.id}) nor CRM_ETL_OLD_KEY`);
    return key;
  }

  /** True when `stored` is encrypted with the current key (a rotation skips it). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${ENCRYPTED_PREFIX}${this.current.id}:`);
  }
}

/** The environment variables that hold the keys. */
export const KEY_ENV = 'CRM_ETL_KEY';
export const OLD_KEY_ENV = 'CRM_ETL_OLD_KEY';

/**
 * The cipher the environment configures: CRM_ETL_KEY (and, during a rotation, CRM_ETL_OLD_KEY),
 * or null when CRM_ETL_KEY is unset or empty: sensitive fields are then stored in clear, and
 * `crm-etl run` says so.
 */
export function cipherFromEnv(env: Readonly<Record<string, string | undefined>>, fields: Iterable<string>): FieldCipher | null {
  const key = env[KEY_ENV];
  const old = env[OLD_KEY_ENV];
  if (!key) {
    if (old) throw new CrmEtlError('KEY_INVALID', `${OLD_KEY_ENV} is set but ${KEY_ENV} is not; set ${KEY_ENV} to the new key`);
    return null;
  }
  return new FieldCipher(parseKey(key, KEY_ENV), fields, old ? [parseKey(old, OLD_KEY_ENV)] : []);
}
