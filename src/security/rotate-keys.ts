import type { Knex } from 'knex';
import { CrmEtlError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { writeAudit } from './audit.js';

/** Tables and their keys that hold encrypted fields. */
const TABLES = [
  { table: 'source_records', pk: ['source', 'source_key'] },
  { table: 'customers', pk: ['id'] },
] as const;

/** Rows re-encrypted per transaction. */
const PAGE = 500;

/**
 * Re-encrypts every sensitive value under the store's current key (CRM_ETL_KEY): values under
 * the old key (CRM_ETL_OLD_KEY) and values still in clear (a store that ran without a key) alike.
 * Reading decrypts with either key; writing re-encrypts with the new one. Page by page, each in a
 * transaction, so an interrupted rotation can simply run again (both keys still decrypt).
 *
 * @returns rows rewritten per table.
 */
export async function rotateKeys(store: Store, actor: string): Promise<Record<string, number>> {
  const cipher = store.cipher;
  if (!cipher) throw new CrmEtlError('KEY_INVALID', 'crm-etl keys rotate needs the new key in CRM_ETL_KEY (and the old one in CRM_ETL_OLD_KEY)');
  const fields = [...cipher.fields];
  const out: Record<string, number> = {};
  for (const { table, pk } of TABLES) {
    let n = 0;
    let after: Record<string, unknown> | null = null;
    for (;;) {
      const q = store.knex(table).select(...pk, ...fields).orderBy([...pk]).limit(PAGE);
      if (after) {
        const last = after;
        // Keyset paging: rows after the last one, by primary key.
        if (pk.length === 1) q.where(pk[0], '>', last[pk[0]] as string);
        else q.where((b: Knex.QueryBuilder) => b.where(pk[0], '>', last[pk[0]] as string).orWhere((c) => c.where(pk[0], last[pk[0]] as string).andWhere(pk[1]!, '>', last[pk[1]!] as string)));
      }
      const rows = (await q) as Record<string, unknown>[];
      if (!rows.length) break;
      await store.transaction(async (trx) => {
        for (const r of rows) {
          const update: Record<string, string | null> = {};
          for (const f of fields) {
            const v = r[f];
            update[f] = typeof v === 'string' && v !== '' ? cipher.encrypt(f, v) : (v as null);
          }
          await trx(table).where(Object.fromEntries(pk.map((k) => [k, r[k]]))).update(update);
        }
      });
      n += rows.length;
      after = rows[rows.length - 1]!;
    }
    out[table] = n;
  }
  await writeAudit(store.knex, { actor, action: 'keys.rotate', target: `key:${cipher.keyId}`, before: null, after: { keyId: cipher.keyId, fields, rows: out } });
  return out;
}
