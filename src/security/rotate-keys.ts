import type { Knex } from 'knex';
import { CrmEtlError } from '../core/errors.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { type RekeyResult, rekeyMatchIndex } from '../master/match-index.js';
import { toMasterRecord } from '../master/store-io.js';
import { isSensitiveReject } from '../store/encrypted-fields.js';
import type { Store } from '../store/store.js';
import { writeAudit } from './audit.js';
import { ENCRYPTED_PREFIX, type FieldCipher } from './field-cipher.js';
import { recordHash } from './record-hash.js';

/**
 * One table to re-encrypt: its key (for keyset paging), what to read, and the update of a row
 * (null: nothing to write). Values read are already decrypted (the store's postProcessResponse),
 * except inside JSON columns.
 */
interface Rotation {
  table: string;
  pk: readonly string[];
  select(knex: Knex): (string | Knex.Raw)[];
  rewrite(row: Record<string, unknown>): Record<string, unknown> | null;
  /** What else changes with a rewritten row, in the same transaction. */
  also?(trx: Knex.Transaction, row: Record<string, unknown>, update: Record<string, unknown>): Promise<void>;
}

/** Rows re-encrypted per transaction. */
const PAGE = 500;

const encrypt = (cipher: FieldCipher, column: string, v: unknown): unknown => (typeof v === 'string' && v !== '' ? cipher.encrypt(column, v) : v);

/**
 * Audit JSON with every encrypted value re-encrypted under the current key and every clear value
 * of a sensitive field encrypted; null when nothing in it changes.
 */
export function reencryptJson(cipher: FieldCipher, json: unknown): string | null {
  if (typeof json !== 'string' || json === '') return null;
  const out = JSON.stringify(
    JSON.parse(json, (k, v: unknown) => {
      if (k === '' || typeof v !== 'string' || v === '') return v;
      if (v.startsWith(ENCRYPTED_PREFIX)) return cipher.encrypt(k, cipher.decrypt(k, v));
      return cipher.fields.has(k) ? cipher.encrypt(k, v) : v;
    }),
  );
  return out === json ? null : out;
}

function rotations(cipher: FieldCipher): Rotation[] {
  const fields = [...cipher.fields];
  return [
    {
      table: 'source_records',
      pk: ['source', 'source_key'],
      select: () => ['source', 'source_key', ...CANONICAL_FIELDS, 'extra', 'record_hash'],
      // The record hash is keyed too (src/security/record-hash.ts): computed again under the new key.
      rewrite: (r) => ({
        ...Object.fromEntries(fields.map((f) => [f, encrypt(cipher, f, r[f])])),
        extra: r.extra === '{}' ? r.extra : encrypt(cipher, 'extra', r.extra),
        record_hash: recordHash(cipher, toMasterRecord(r).values, String(r.extra)),
      }),
      // A link holds the hash of its record as linked: the staged hash when the record has not
      // changed since, else an older one nothing can recompute. The first follows the record
      // under the new key; the second becomes null, which still reads as changed.
      also: async (trx, r, update) => {
        const [old, now] = [String(r.record_hash), String(update.record_hash)];
        if (old === now) return;
        await trx('customer_links')
          .where({ source: r.source, source_key: r.source_key })
          .update({ record_hash: trx.raw('case when record_hash = ? then ? else null end', [old, now]) });
      },
    },
    {
      table: 'customers',
      pk: ['id'],
      select: () => ['id', ...fields],
      rewrite: (r) => Object.fromEntries(fields.map((f) => [f, encrypt(cipher, f, r[f])])),
    },
    {
      table: 'rejects',
      pk: ['id'],
      // `was_encrypted`: a value encrypted when its field was sensitive stays encrypted after the
      // field left security.sensitive_fields (under the new key: the old one is about to go).
      select: (knex) => ['id', 'field', 'value', 'reason', knex.raw("case when value like 'enc1:%' or reason like 'enc1:%' then 1 else 0 end as was_encrypted")],
      rewrite: (r) => {
        const field = (r.field as string | null) ?? null;
        if (!isSensitiveReject(cipher, field) && Number(r.was_encrypted) !== 1) return null;
        return { value: encrypt(cipher, 'value', r.value), ...(field ? { reason: encrypt(cipher, 'reason', r.reason) } : {}) };
      },
    },
    {
      table: 'master_audit',
      pk: ['id'],
      select: () => ['id', 'before', 'after'],
      rewrite: (r) => {
        const before = reencryptJson(cipher, r.before);
        const after = reencryptJson(cipher, r.after);
        return before === null && after === null ? null : { ...(before === null ? {} : { before }), ...(after === null ? {} : { after }) };
      },
    },
  ];
}

/** What a rotation did. */
export interface RotationResult {
  /** Rows re-encrypted per table. */
  rows: Record<string, number>;
  /** The match index, hashed again under the new key. */
  matchIndex: RekeyResult;
}

/**
 * Re-encrypts every personal value the store keeps encrypted (src/store/encrypted-fields.ts:
 * staged and golden sensitive fields, staged unmapped columns, sensitive rejected values and raw
 * malformed rows, sensitive values in the master's audit log) under the store's current key
 * (CRM_ETL_KEY): values under the old key (CRM_ETL_OLD_KEY) and values still in clear (a store
 * that ran without a key) alike. Reading decrypts with either key; writing re-encrypts with the
 * new one. Page by page, each in a transaction, so an interrupted rotation can simply run again
 * (both keys still decrypt).
 *
 * The keyed hashes follow the key: the staged records' hashes (and their links' where the record
 * has not changed since it was linked), then the match index (blocking keys and term
 * frequencies, {@link rekeyMatchIndex}), so that the next incremental run finds the same
 * candidates as before the rotation.
 */
export async function rotateKeys(store: Store, actor: string): Promise<RotationResult> {
  const cipher = store.cipher;
  if (!cipher) throw new CrmEtlError('KEY_INVALID', 'crm-etl keys rotate needs the new key in CRM_ETL_KEY (and the old one in CRM_ETL_OLD_KEY)');
  const out: Record<string, number> = {};
  for (const { table, pk, select, rewrite, also } of rotations(cipher)) {
    let n = 0;
    let after: Record<string, unknown> | null = null;
    for (;;) {
      const q = store.knex(table).select(...select(store.knex)).orderBy([...pk]).limit(PAGE);
      if (after) {
        const last = after;
        // Keyset paging: rows after the last one, by primary key.
        if (pk.length === 1) q.where(pk[0]!, '>', last[pk[0]!] as string);
        else q.where((b: Knex.QueryBuilder) => b.where(pk[0]!, '>', last[pk[0]!] as string).orWhere((c) => c.where(pk[0]!, last[pk[0]!] as string).andWhere(pk[1]!, '>', last[pk[1]!] as string)));
      }
      const rows = (await q) as Record<string, unknown>[];
      if (!rows.length) break;
      await store.transaction(async (trx) => {
        for (const r of rows) {
          const update = rewrite(r);
          if (!update) continue;
          await trx(table).where(Object.fromEntries(pk.map((k) => [k, r[k]]))).update(update);
          await also?.(trx, r, update);
          n++;
        }
      });
      after = rows[rows.length - 1]!;
    }
    out[table] = n;
  }
  const matchIndex = await rekeyMatchIndex(store);
  await writeAudit(store.knex, { actor, action: 'keys.rotate', target: `key:${cipher.keyId}`, before: null, after: { keyId: cipher.keyId, fields: [...cipher.fields], rows: out, matchIndex } });
  return { rows: out, matchIndex };
}
