import { CrmEtlError } from '../core/errors.js';
import { ENCRYPTED_PREFIX, type FieldCipher } from '../security/field-cipher.js';
import type { RowSource } from './store.js';

/** Tables whose sensitive columns are encrypted at rest: the staged records and the master. */
export const ENCRYPTED_TABLES: ReadonlySet<string> = new Set(['source_records', 'customers']);

/** `rows` with the cipher's columns encrypted (null and empty values stay as they are). */
export function encryptRows(cipher: FieldCipher, columns: readonly string[], rows: RowSource): RowSource {
  const idx = columns.flatMap((c, i) => (cipher.fields.has(c) ? [i] : []));
  if (!idx.length) return rows;
  const encrypt = (batch: readonly (readonly unknown[])[]): unknown[][] =>
    batch.map((row) => {
      const out = [...row];
      for (const i of idx) {
        const v = out[i];
        if (typeof v === 'string' && v !== '' && !v.startsWith(ENCRYPTED_PREFIX)) out[i] = cipher.encrypt(columns[i]!, v);
      }
      return out;
    });
  if (Symbol.asyncIterator in rows) {
    const source = rows;
    return (async function* () {
      for await (const batch of source) yield encrypt(batch);
    })();
  }
  return encrypt(rows as readonly (readonly unknown[])[]);
}

function decryptRow(row: Record<string, unknown>, cipher: FieldCipher | null): void {
  for (const k in row) {
    const v = row[k];
    if (typeof v !== 'string' || !v.startsWith(ENCRYPTED_PREFIX)) continue;
    if (!cipher) {
      throw new CrmEtlError('KEY_INVALID', 'the store holds encrypted personal data but CRM_ETL_KEY is not set; set it to the key the data was written with (docs/security.md)');
    }
    row[k] = cipher.decrypt(k, v);
  }
}

/**
 * knex's `postProcessResponse`: decrypts every encrypted value in a result, whatever the query
 * (builder rows, Postgres `{ rows }`, MySQL `[rows, fields]`). Values are decrypted under the
 * column name they are selected as, which is the field they were encrypted for.
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
