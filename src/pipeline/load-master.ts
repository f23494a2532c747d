import { createHash } from 'node:crypto';
import { CANONICAL_FIELDS, type CanonicalField } from '../core/fields.js';
import type { RunContext } from './context.js';
import type { MatchStageResult, StagedRecord } from './match-stage.js';

export const CUSTOMER_COLUMNS = ['id', 'created_run', 'updated_run', ...CANONICAL_FIELDS, 'provenance', 'record_count', 'status', 'merged_into'] as const;
export const LINK_COLUMNS = ['source', 'source_key', 'customer_id', 'match_probability', 'run_id'] as const;

/** Where a golden value came from and why it won. */
export interface Provenance {
  source: string;
  key: string;
  rule: 'most_frequent' | 'most_recent' | 'first';
}

/** A deterministic customer id from a record's identity: the same input gives the same ids on any store. */
export function customerIdFor(source: string, key: string, salt = 0): string {
  const h = createHash('sha256').update(`${source}\u0000${key}\u0000${salt}`).digest('hex');
  return `C${h.slice(0, 15).toUpperCase()}`;
}

/**
 * Builds a golden record: per field the most frequent value among the cluster's records, ties
 * to the most recently updated record, then to source order. Every value keeps its provenance.
 */
export function surviveGolden(members: readonly StagedRecord[]): { values: Record<CanonicalField, string | null>; provenance: Partial<Record<CanonicalField, Provenance>> } {
  const values = {} as Record<CanonicalField, string | null>;
  const provenance: Partial<Record<CanonicalField, Provenance>> = {};
  const recency = (r: StagedRecord): string => r.values.source_updated_at ?? '';
  for (const f of CANONICAL_FIELDS) {
    const counts = new Map<string, { n: number; best: StagedRecord }>();
    for (const r of members) {
      const v = r.values[f];
      if (!v) continue;
      const c = counts.get(v);
      if (!c) counts.set(v, { n: 1, best: r });
      else {
        c.n++;
        if (recency(r) > recency(c.best)) c.best = r;
      }
    }
    let win: { v: string; n: number; best: StagedRecord } | undefined;
    for (const [v, c] of counts) {
      if (!win || c.n > win.n || (c.n === win.n && recency(c.best) > recency(win.best))) win = { v, ...c };
    }
    values[f] = win?.v ?? null;
    if (win) {
      const rule: Provenance['rule'] = counts.size === 1 ? 'first' : win.n > 1 ? 'most_frequent' : recency(win.best) ? 'most_recent' : 'first';
      provenance[f] = { source: win.best.source, key: win.best.key, rule };
    }
  }
  return { values, provenance };
}

export interface LoadResult {
  customers: number;
  newCustomers: number;
  linkedRecords: number;
}

/**
 * Writes the master: one golden record per cluster and a link from every source record to its
 * customer. A cluster keeps the id most of its records already had, so ids are stable across
 * runs; a new cluster gets a deterministic id from its first record.
 */
export async function loadMaster(ctx: RunContext, m: MatchStageResult): Promise<LoadResult> {
  const { records, result } = m;
  const knex = ctx.store.knex;
  const previous = new Map<string, string>();
  for (const row of (await knex('customer_links').select('source', 'source_key', 'customer_id')) as { source: string; source_key: string; customer_id: string }[]) {
    previous.set(`${row.source}\u0000${row.source_key}`, row.customer_id);
  }
  const existing = new Map<string, { created_run: string }>();
  for (const row of (await knex('customers').select('id', 'created_run')) as { id: string; created_run: string }[]) existing.set(row.id, row);

  const clusters = new Map<number, number[]>();
  result.clusterOf.forEach((c, i) => {
    let g = clusters.get(c);
    if (!g) clusters.set(c, (g = []));
    g.push(i);
  });
  // Largest clusters choose first, so a split leaves the old id with its larger part.
  const ordered = [...clusters.values()].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  const used = new Set<string>();
  const customerRows: unknown[][] = [];
  const linkRows: unknown[][] = [];
  let newCustomers = 0;
  for (const g of ordered) {
    const votes = new Map<string, number>();
    for (const i of g) {
      const id = previous.get(`${records[i]!.source}\u0000${records[i]!.key}`);
      if (id && !used.has(id)) votes.set(id, (votes.get(id) ?? 0) + 1);
    }
    let id: string | undefined;
    for (const [cand, n] of votes) if (!id || n > votes.get(id)! || (n === votes.get(id)! && cand < id)) id = cand;
    if (!id) {
      const first = records[g[0]!]!;
      for (let salt = 0; !id || used.has(id) || (existing.has(id) && !votes.has(id)); salt++) id = customerIdFor(first.source, first.key, salt);
    }
    used.add(id);
    const isNew = !existing.has(id);
    if (isNew) newCustomers++;
    const golden = surviveGolden(g.map((i) => records[i]!));
    customerRows.push([
      id,
      isNew ? ctx.runId : existing.get(id)!.created_run,
      ctx.runId,
      ...CANONICAL_FIELDS.map((f) => golden.values[f]),
      JSON.stringify(golden.provenance),
      g.length,
      'active',
      null,
    ]);
    for (const i of g) {
      const p = result.linkProbability[i]!;
      linkRows.push([records[i]!.source, records[i]!.key, id, Number.isNaN(p) ? null : Math.round(p * 1e6) / 1e6, ctx.runId]);
    }
  }
  await ctx.store.transaction(async (trx) => {
    await trx('customer_links').delete();
    // Customers no cluster claims any more are retired, not deleted: their ids keep resolving.
    const ids = [...used];
    for (let i = 0; i < ids.length; i += 1000) await trx('customers').whereIn('id', ids.slice(i, i + 1000)).delete();
    await trx('customers').whereNot({ status: 'retired' }).update({ status: 'retired', updated_run: ctx.runId });
    if (customerRows.length) await ctx.store.insertRows('customers', CUSTOMER_COLUMNS, customerRows, trx);
    if (linkRows.length) await ctx.store.insertRows('customer_links', LINK_COLUMNS, linkRows, trx);
  });
  return { customers: customerRows.length, newCustomers, linkedRecords: linkRows.length };
}
