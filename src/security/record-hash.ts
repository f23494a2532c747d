import { hash } from 'node:crypto';
import { CANONICAL_FIELDS, type CanonicalValues } from '../core/fields.js';
import type { FieldCipher } from './field-cipher.js';

/**
 * The hash a staged record is compared by (`source_records.record_hash`, and
 * `customer_links.record_hash` as it was when linked): a run re-matches a record whose hash
 * changed. It covers every canonical value and the unmapped columns (`extra`, as stored: JSON).
 *
 * With a key it is HMAC-SHA256 under the key's `record hash` sub-key: the values it covers are
 * mostly readable in the store (names, addresses) and the rest often guessable (a birth date is
 * one of some 40,000), so a plain hash would give away the encrypted fields of a record by trying
 * them. Without a key it is SHA-256, as before keys (the fields are then in clear anyway).
 * `crm-etl keys rotate` recomputes it under the new key.
 *
 * @param keyId with a cipher: the key to hash under (default its current key).
 */
export function recordHash(cipher: FieldCipher | null, values: CanonicalValues, extra: string, keyId?: string): string {
  let data = '';
  for (const f of CANONICAL_FIELDS) data += `${values[f] ?? ''}\u0000`;
  data += extra;
  // The one-shot crypto.hash: a Hash object per record was a third of this function's time.
  return cipher ? cipher.mac('record hash', data, keyId) : hash('sha256', data, 'hex');
}
