import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { CrmEtlError } from '../core/errors.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import type { Store } from '../store/store.js';
import { writeAudit } from './audit.js';
import { listAuditTrail } from './audit-trail.js';
import { decodeProvenance } from '../master/survivorship.js';

/** The tombstone key of an erased record: its source and key, hashed (the key may itself identify the person). */
export function erasedKeyHash(source: string, key: string): string {
  return createHash('sha256').update(`${source}\u0000${key}`).digest('hex');
}

/** Hashes of the erased records of `source`: extract skips them, so an erased person is not staged again. */
export async function erasedKeys(knex: Knex, source: string): Promise<Set<string>> {
  const rows = (await knex('erased_records').where({ source }).select('key_hash')) as { key_hash: string }[];
  return new Set(rows.map((r) => r.key_hash));
}

type Ref = { source: string; source_key: string };

async function linkedRecords(knex: Knex, customerId: string): Promise<Ref[]> {
  const c = await knex('customers').where({ id: customerId }).first('id');
  if (!c) throw new CrmEtlError('NOT_FOUND', `no customer ${customerId}; crm-etl export customers lists the ids`);
  return (await knex('customer_links').where({ customer_id: customerId }).select('source', 'source_key')) as Ref[];
}

/** Rows of `table` whose (`s`, `k`) columns name one of `refs`, in slices small enough for any dialect. */
async function deleteByRefs(trx: Knex.Transaction, table: string, refs: readonly Ref[], s = 'source', k = 'source_key'): Promise<number> {
  let n = 0;
  for (let i = 0; i < refs.length; i += 200) {
    const part = refs.slice(i, i + 200);
    const res: unknown = await trx(table)
      .where((b) => {
        for (const r of part) b.orWhere({ [s]: r.source, [k]: r.source_key });
      })
      .delete();
    // knex-pglite answers a delete with the driver's result object, the others with a count.
    n += typeof res === 'number' ? res : Number((res as { rowCount?: number }).rowCount ?? 0);
  }
  return n;
}

/** Stands for an erased value in the master's audit log. */
export const ERASED = '[erased]';

/**
 * An entry of `master_audit` about an erased customer, emptied of the person: each canonical
 * field's value and each record reference (`source:key`, the key may identify them) becomes
 * {@link ERASED}; counts, statuses and ids stay, so the history still says what happened when.
 */
function scrubMasterJson(json: unknown, refs: ReadonlySet<string>): string | null {
  if (typeof json !== 'string' || json === '') return null;
  const scrub = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => scrub(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x, k)]));
    if (typeof v !== 'string') return v;
    if ((CANONICAL_FIELDS as readonly string[]).includes(key) || key === 'records' || refs.has(v)) return ERASED;
    return v;
  };
  return JSON.stringify(scrub(JSON.parse(json), ''));
}

/** The master's history of these customers with the person's values and record keys removed (see scrubMasterJson). */
async function scrubMasterAudit(trx: Knex.Transaction, customerIds: readonly string[], refs: readonly Ref[]): Promise<void> {
  if (!(await trx.schema.hasTable('master_audit'))) return;
  const names = new Set(refs.map((r) => `${r.source}:${r.source_key}`));
  const rows = (await trx('master_audit').whereIn('customer_id', [...customerIds]).select('id', 'before', 'after', 'reason')) as Record<string, unknown>[];
  for (const r of rows) {
    let reason = String(r.reason);
    for (const n of names) reason = reason.split(n).join(ERASED);
    await trx('master_audit').where({ id: r.id }).update({ before: scrubMasterJson(r.before, names), after: scrubMasterJson(r.after, names), reason });
  }
}

/** What an erasure removed (counts only: the tombstone holds no personal data). */
export interface ErasureResult {
  customerId: string;
  records: number;
  rejects: number;
  pairs: number;
}

/**
 * Erases a person (GDPR art. 17, PIPL art. 47): the customer, its source records, their links,
 * rejects, scored pairs and review decisions, and the master's stored keys for them when the
 * master's tables exist. The master's history of the customer (`master_audit`) keeps its entries
 * (who changed what when) with the person's values and record keys replaced by `[erased]`.
 * What stays: an audit tombstone (who, when, how many records from which sources) and the hashed
 * keys in `erased_records`, so the next run does not stage the same records again from a source
 * that still has them. Erase at the source too.
 */
export async function eraseCustomer(store: Store, customerId: string, actor: string, now: Date = new Date()): Promise<ErasureResult> {
  const refs = await linkedRecords(store.knex, customerId);
  const optional = async (trx: Knex.Transaction, table: string, fn: () => Promise<unknown>): Promise<void> => {
    if (await trx.schema.hasTable(table)) await fn();
  };
  return store.transaction(async (trx) => {
    const records = await deleteByRefs(trx, 'source_records', refs);
    const rejects = await deleteByRefs(trx, 'rejects', refs);
    const pairs = (await deleteByRefs(trx, 'match_pairs', refs, 'a_source', 'a_key')) + (await deleteByRefs(trx, 'match_pairs', refs, 'b_source', 'b_key'));
    await deleteByRefs(trx, 'review_decisions', refs, 'a_source', 'a_key');
    await deleteByRefs(trx, 'review_decisions', refs, 'b_source', 'b_key');
    await optional(trx, 'blocking_keys', () => deleteByRefs(trx, 'blocking_keys', refs));
    await optional(trx, 'master_constraints', async () => {
      await deleteByRefs(trx, 'master_constraints', refs, 'a_source', 'a_key');
      await deleteByRefs(trx, 'master_constraints', refs, 'b_source', 'b_key');
    });
    await deleteByRefs(trx, 'customer_links', refs);
    await optional(trx, 'customer_consistency', () => trx('customer_consistency').where({ customer_id: customerId }).delete());
    const mergedHere = ((await trx('customers').where({ merged_into: customerId }).select('id')) as { id: string }[]).map((c) => c.id);
    await scrubMasterAudit(trx, [customerId, ...mergedHere], refs);
    await trx('customers').where({ id: customerId }).delete();
    // Customers merged into this one resolve to nothing now: they go too (their records moved here).
    await trx('customers').where({ merged_into: customerId }).delete();
    for (const r of refs) {
      const key_hash = erasedKeyHash(r.source, r.source_key);
      await trx('erased_records').where({ source: r.source, key_hash }).delete();
      await trx('erased_records').insert({ source: r.source, key_hash, erased_at: now });
    }
    const sources = [...new Set(refs.map((r) => r.source))].sort();
    await writeAudit(trx, { actor, action: 'customer.erase', target: customerId, before: { records: refs.length, sources }, after: null, at: now });
    return { customerId, records, rejects, pairs };
  });
}

/**
 * One person's data (GDPR art. 15, PIPL art. 45): the golden record with its provenance, every
 * source record with its place and unmapped columns, its rejected values, the scored pairs that
 * involve it, and the audit trail about the customer (operations and the master's changes, see
 * listAuditTrail), everything decrypted. Audited as `subject.export`.
 */
export async function exportSubject(store: Store, customerId: string, actor: string, now: Date = new Date()) {
  const knex = store.knex;
  const refs = await linkedRecords(knex, customerId);
  const c = (await knex('customers').where({ id: customerId }).first()) as Record<string, unknown>;
  const golden: Record<string, string | null> = {};
  for (const f of CANONICAL_FIELDS) golden[f] = (c[f] as string | null) ?? null;
  const records: Record<string, unknown>[] = [];
  const rejects: Record<string, unknown>[] = [];
  const pairs: Record<string, unknown>[] = [];
  for (let i = 0; i < refs.length; i += 200) {
    const part = refs.slice(i, i + 200);
    const where = (s: string, k: string) => (b: Knex.QueryBuilder) => {
      for (const r of part) b.orWhere({ [s]: r.source, [k]: r.source_key });
    };
    for (const r of (await knex('source_records').where(where('source', 'source_key'))) as Record<string, unknown>[]) {
      const values: Record<string, string | null> = {};
      for (const f of CANONICAL_FIELDS) values[f] = (r[f] as string | null) ?? null;
      records.push({ source: r.source, key: r.source_key, location: r.location, line: r.line, values, extra: JSON.parse(String(r.extra)) as unknown, deleted: Boolean(r.deleted) });
    }
    for (const r of (await knex('rejects').where(where('source', 'source_key')).orderBy('id')) as Record<string, unknown>[]) {
      rejects.push({ runId: r.run_id, source: r.source, key: r.source_key, field: r.field, value: r.value, code: r.code, reason: r.reason });
    }
    for (const side of [['a_source', 'a_key'], ['b_source', 'b_key']] as const) {
      for (const p of (await knex('match_pairs').where(where(side[0], side[1])).orderBy('id')) as Record<string, unknown>[]) {
        pairs.push({ id: p.id, runId: p.run_id, a: `${String(p.a_source)}:${String(p.a_key)}`, b: `${String(p.b_source)}:${String(p.b_key)}`, probability: Number(p.probability), decision: p.decision });
      }
    }
  }
  const audit = await listAuditTrail(store, { target: customerId, limit: 10_000 });
  await writeAudit(knex, { actor, action: 'subject.export', target: customerId, before: null, after: { records: records.length }, at: now });
  return {
    exportedAt: now.toISOString(),
    customer: { id: customerId, status: c.status, createdRun: c.created_run, updatedRun: c.updated_run, values: golden, provenance: decodeProvenance(String(c.provenance)) },
    records,
    rejects,
    pairs,
    audit,
  };
}
