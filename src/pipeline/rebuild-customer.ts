import { CANONICAL_FIELDS, type CanonicalValues } from '../core/fields.js';
import { CrmEtlError } from '../core/errors.js';
import type { RunContext } from './context.js';
import { extractSource, prepareSources } from './extract.js';
import { encodeProvenance, storedProvenanceText, survivalPolicy, surviveGolden } from '../master/survivorship.js';
import { type AuditEntry, defaultActor, writeAudit } from '../master/audit.js';
import { encryptValues } from '../store/encrypted-fields.js';
import type { StagedRecord } from './match-stage.js';

/** What a customer rebuild did: counts only. */
export interface RebuildResult {
  customerId: string;
  /** Sources re-read (from their cursors: only what changed). */
  sourcesRead: string[];
  /** Live source records the golden record was built from. */
  records: number;
  status: 'active' | 'retired';
}

/**
 * Re-syncs one customer: re-reads the sources that hold its records (incrementally, from their
 * stored cursors), then rebuilds its golden record from its linked records as now staged.
 * Links are kept as they are: a record that should now join or leave the customer does so at
 * the next run, which re-matches everything. A customer whose records are all deleted at the
 * source is retired.
 *
 * @throws CrmEtlError `NOT_FOUND` when no source record links to the id.
 */
export async function rebuildCustomer(ctx: RunContext, customerId: string): Promise<RebuildResult> {
  const knex = ctx.store.knex;
  const links = (await knex('customer_links').where({ customer_id: customerId }).select('source', 'source_key')) as { source: string; source_key: string }[];
  if (!links.length) throw new CrmEtlError('NOT_FOUND', `customer ${customerId} has no linked source records (unknown id, or retired or merged into another)`);
  const sources = [...new Set(links.map((l) => l.source))].filter((s) => ctx.config.sources.some((c) => c.name === s));
  for (const p of await prepareSources({ ...ctx, sources, full: false })) await extractSource({ ...ctx, full: false }, p);

  const members: StagedRecord[] = [];
  const order = new Map(ctx.config.sources.map((s, i) => [s.name, i]));
  for (const source of sources) {
    const keys = links.filter((l) => l.source === source).map((l) => l.source_key);
    for (let i = 0; i < keys.length; i += 1000) {
      const rows = (await knex('source_records')
        .where({ source, deleted: false })
        .whereIn('source_key', keys.slice(i, i + 1000))
        .select('source', 'source_key', 'line', ...CANONICAL_FIELDS)) as Record<string, unknown>[];
      for (const r of rows) {
        const values: CanonicalValues = {};
        for (const f of CANONICAL_FIELDS) values[f] = (r[f] as string | null) ?? null;
        members.push({ source: String(r.source), key: String(r.source_key), line: r.line == null ? null : Number(r.line), values });
      }
    }
  }
  // The order loadStagedRecords uses, so that ties in survivorship go the same way as in a run.
  members.sort((a, b) => (order.get(a.source) ?? 1e9) - (order.get(b.source) ?? 1e9) || (a.line ?? 0) - (b.line ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const before = (await knex('customers').where({ id: customerId }).first()) as Record<string, unknown> | undefined;
  const audit = { actor: ctx.actor ?? defaultActor(), at: new Date(), runId: ctx.runId, reason: `run ${ctx.runId}: re-sync of customer ${customerId}` };
  if (!members.length) {
    await ctx.store.transaction(async (trx) => {
      await trx('customers').where({ id: customerId }).update({ status: 'retired', updated_run: ctx.runId });
      await writeAudit(ctx.store, audit, [{ customerId, action: 'retire', before: { status: String(before?.status ?? 'active'), record_count: Number(before?.record_count ?? 0) }, after: { status: 'retired' } }], trx);
    });
    return { customerId, sourcesRead: sources, records: 0, status: 'retired' };
  }
  const golden = surviveGolden(members, survivalPolicy(ctx.config));
  const provenance = encodeProvenance(golden.provenance);
  // Only what changed goes to the audit log, as a run writes it (src/pipeline/load-master.ts).
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const f of CANONICAL_FIELDS) {
    const old = (before?.[f] as string | null | undefined) ?? null;
    const now = golden.values[f] ?? null;
    if (old !== now) {
      b[f] = old;
      a[f] = now;
    }
  }
  if (Number(before?.record_count ?? 0) !== members.length) {
    b.record_count = Number(before?.record_count ?? 0);
    a.record_count = members.length;
  }
  if (before?.status !== 'active') {
    b.status = before?.status ?? null;
    a.status = 'active';
  }
  if ((!before || provenance !== storedProvenanceText(String(before.provenance))) && !Object.keys(a).length) a.provenance = 'changed';
  const entries: AuditEntry[] = Object.keys(a).length ? [{ customerId, action: 'update', before: b, after: a }] : [];
  await ctx.store.transaction(async (trx) => {
    // An UPDATE, not insertRows: the sensitive fields are encrypted here, as insertRows would.
    await trx('customers')
      .where({ id: customerId })
      .update({ ...encryptValues(ctx.store.cipher, golden.values), provenance, record_count: members.length, updated_run: ctx.runId, status: 'active' });
    await writeAudit(ctx.store, audit, entries, trx);
  });
  return { customerId, sourcesRead: sources, records: members.length, status: 'active' };
}
