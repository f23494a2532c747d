import { CrmEtlError } from '../core/errors.js';
import { ENCRYPTED_PREFIX, type FieldCipher } from '../security/field-cipher.js';
import type { RowSource } from './store.js';

/**
 * Tables that hold personal values, and what of them is encrypted at rest (docs/security.md):
 * - `source_records`: the sensitive fields, and `extra` (the unmapped columns: the pipeline cannot
 *   know what they hold; the demo's ERP has a `mobile` column there);
 * - `customers`: the sensitive fields;
 * - `rejects`: `value` and `reason` of a rejected sensitive value (a reason may quote part of it,
 *   "Day 31 does not exist in 1990-02"), and `value` of a malformed row (the raw row, any field);
 * - `master_audit`: the sensitive fields inside the `before` and `after` JSON (golden values).
 */
export const ENCRYPTED_TABLES: ReadonlySet<string> = new Set(['source_records', 'customers', 'rejects', 'master_audit']);

/** Unmapped columns of a staged record: `{}` (nothing to hide) stays as it is. */
const EMPTY_EXTRA = '{}';

/** True when a rejects row with this `field` has its value encrypted: a sensitive field, or a malformed row (no field: the raw row). */
export function isSensitiveReject(cipher: FieldCipher, field: string | null | undefined): boolean {
  return field === null || field === undefined || field === '' || cipher.fields.has(field);
}

/** `stored` encrypted under `column`, unless it is empty or already encrypted. */
function encryptCell(cipher: FieldCipher, column: string, v: unknown): unknown {
  return typeof v === 'string' && v !== '' && !v.startsWith(ENCRYPTED_PREFIX) ? cipher.encrypt(column, v) : v;
}

/**
 * A copy of `values` (column → value) with the cipher's fields encrypted, for the rare write
 * that is an UPDATE rather than {@link Store.insertRows} (a customer rebuilt in place).
 */
export function encryptValues<T extends Record<string, unknown>>(cipher: FieldCipher | null, values: T): T {
  if (!cipher) return values;
  const out: Record<string, unknown> = { ...values };
  for (const k of Object.keys(out)) if (cipher.fields.has(k)) out[k] = encryptCell(cipher, k, out[k]);
  return out as T;
}

/**
 * Sensitive fields inside an audit entry's JSON (`{email: …, records: […]}`), encrypted under
 * their field name, as in `customers`: the same value gives the same stored text.
 */
export function encryptJsonFields(cipher: FieldCipher, json: string | null): string | null {
  if (json === null || json === '') return json;
  // Parsed, then walked (a reviver, called back for every value, took twice as long: a full run
  // writes an audit entry per new customer).
  const out = JSON.parse(json) as unknown;
  return encryptInPlace(cipher, out) ? JSON.stringify(out) : json;
}

/** Encrypts, inside parsed JSON, every string under a sensitive field's name; true when one was. */
function encryptInPlace(cipher: FieldCipher, x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  let changed = false;
  if (Array.isArray(x)) {
    for (const el of x) if (encryptInPlace(cipher, el)) changed = true;
    return changed;
  }
  const o = x as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v !== 'string') {
      if (encryptInPlace(cipher, v)) changed = true;
    } else if (v !== '' && cipher.fields.has(k) && !v.startsWith(ENCRYPTED_PREFIX)) {
      o[k] = cipher.encrypt(k, v);
      changed = true;
    }
  }
  return changed;
}

/**
 * Parsed audit JSON with every encrypted value decrypted under its key (a field name).
 *
 * @throws CrmEtlError `KEY_INVALID` when a value is encrypted and there is no (right) key.
 */
export function decryptJsonFields(cipher: FieldCipher | null, value: unknown): unknown {
  const visit = (x: unknown, key: string): unknown => {
    if (typeof x === 'string') {
      if (!x.startsWith(ENCRYPTED_PREFIX)) return x;
      if (!cipher) throw missingKey();
      return cipher.decrypt(key, x);
    }
    if (Array.isArray(x)) return x.map((el) => visit(el, key));
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, visit(v, k)]));
    return x;
  };
  return visit(value, '');
}

type RowEncryptor = (row: unknown[]) => void;

/** How rows of `table` with these `columns` are encrypted, or null when nothing in them is. */
function rowEncryptor(cipher: FieldCipher, table: string, columns: readonly string[]): RowEncryptor | null {
  const at = (c: string): number => columns.indexOf(c);
  switch (table) {
    case 'source_records':
    case 'customers': {
      const idx = columns.flatMap((c, i) => (cipher.fields.has(c) ? [i] : []));
      const extra = table === 'source_records' ? at('extra') : -1;
      if (!idx.length && extra < 0) return null;
      return (row) => {
        for (const i of idx) row[i] = encryptCell(cipher, columns[i]!, row[i]);
        if (extra >= 0 && row[extra] !== EMPTY_EXTRA) row[extra] = encryptCell(cipher, 'extra', row[extra]);
      };
    }
    case 'rejects': {
      const field = at('field');
      const value = at('value');
      const reason = at('reason');
      if (field < 0 || (value < 0 && reason < 0)) return null;
      return (row) => {
        const f = row[field] as string | null | undefined;
        if (!isSensitiveReject(cipher, f)) return;
        if (value >= 0) row[value] = encryptCell(cipher, 'value', row[value]);
        // A parser's message about a malformed row names positions, not values: it stays readable.
        if (reason >= 0 && f) row[reason] = encryptCell(cipher, 'reason', row[reason]);
      };
    }
    case 'master_audit': {
      const idx = [at('before'), at('after')].filter((i) => i >= 0);
      if (!idx.length) return null;
      return (row) => {
        for (const i of idx) row[i] = encryptJsonFields(cipher, row[i] as string | null);
      };
    }
    default:
      return null;
  }
}

/**
 * A row of `table` as the store keeps it: a copy with what the table keeps encrypted encrypted
 * (see {@link ENCRYPTED_TABLES}); null when nothing in these `columns` is.
 */
export function rowEncrypting(cipher: FieldCipher | null, table: string, columns: readonly string[]): ((row: readonly unknown[]) => unknown[]) | null {
  const encryptRow = cipher && ENCRYPTED_TABLES.has(table) ? rowEncryptor(cipher, table, columns) : null;
  if (!encryptRow) return null;
  return (row) => {
    const out = [...row];
    encryptRow(out);
    return out;
  };
}

/** `rows` of `table` with what the table keeps encrypted encrypted (see {@link ENCRYPTED_TABLES}). */
export function encryptRows(cipher: FieldCipher | null, table: string, columns: readonly string[], rows: RowSource): RowSource {
  const encryptRow = rowEncrypting(cipher, table, columns);
  if (!encryptRow) return rows;
  const encrypt = (batch: readonly (readonly unknown[])[]): unknown[][] => batch.map(encryptRow);
  if (Symbol.asyncIterator in rows) {
    const source = rows;
    return (async function* () {
      for await (const batch of source) yield encrypt(batch);
    })();
  }
  return encrypt(rows as readonly (readonly unknown[])[]);
}

function missingKey(): CrmEtlError {
  return new CrmEtlError('KEY_INVALID', 'the store holds encrypted personal data but CRM_ETL_KEY is not set; set it to the key the data was written with (docs/security.md)');
}

function decryptRow(row: Record<string, unknown>, cipher: FieldCipher | null): void {
  for (const k in row) {
    const v = row[k];
    if (typeof v !== 'string' || !v.startsWith(ENCRYPTED_PREFIX)) continue;
    if (!cipher) throw missingKey();
    row[k] = cipher.decrypt(k, v);
  }
}

/**
 * knex's `postProcessResponse`: decrypts every encrypted value in a result, whatever the query
 * (builder rows, Postgres `{ rows }`, MySQL `[rows, fields]`). Values are decrypted under the
 * column name they are selected as, which is the field they were encrypted for. (Sensitive values
 * inside JSON columns, as in `master_audit`, are decrypted by their reader: decryptJsonFields.)
 */
export function decryptResult(result: unknown, cipher: FieldCipher | null): unknown {
  const visit = (x: unknown, depth: number): void => {
    if (depth > 2 || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const el of x) visit(el, depth + 1);
      return;
    }
    const o = x as Record<string, unknown>;
    if (Array.isArray(o.rows)) visit(o.rows, depth + 1);
    else decryptRow(o, cipher);
  };
  visit(result, 0);
  return result;
}
