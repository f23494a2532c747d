import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import { type StewardResult, decideReview, mergeCustomers, unmergeRecord } from '../master/steward.js';
import type { RecordRef } from '../master/store-io.js';
import type { Store } from '../store/store.js';
import { writeAudit } from './audit.js';

/**
 * The steward's operations as the API and the command line run them: the master's own change
 * (constraints, rebuilt customers, `master_audit` per customer) plus one `audit_log` entry for the
 * operation, with who asked, what and the state before and after. One code path for both, so a
 * merge from the dashboard and a merge from a terminal leave the same trail.
 */
export interface AuditedStewardEnv {
  store: Store;
  config: Config;
  /** `api:<token> (<id>)`, `cli:<os user>`, or the `--actor` given. */
  actor: string;
  /** Default: now. */
  now?: Date;
}

/** Merges two customers (src/master/steward.ts); audited as `customer.merge` on the survivor. */
export async function mergeCustomersAudited(env: AuditedStewardEnv, a: string, b: string): Promise<StewardResult> {
  const at = env.now ?? new Date();
  const r = await mergeCustomers({ ...env, now: at }, a, b);
  await writeAudit(env.store.knex, { actor: env.actor, action: 'customer.merge', target: r.customerId, before: { customers: [a, b] }, after: { customer: r.customerId, merged: [a, b].filter((id) => id !== r.customerId), load: r.load }, at });
  return r;
}

/** Takes a record out of its customer (src/master/steward.ts); audited as `customer.unmerge` on the record. */
export async function unmergeRecordAudited(env: AuditedStewardEnv, ref: RecordRef): Promise<StewardResult> {
  const at = env.now ?? new Date();
  const r = await unmergeRecord({ ...env, now: at }, ref);
  await writeAudit(env.store.knex, { actor: env.actor, action: 'customer.unmerge', target: `${ref.source}:${ref.key}`.slice(0, 255), before: { customer: r.customerId }, after: { customer: r.detachedTo ?? null, load: r.load }, at });
  return r;
}

/** A decided review pair: the records and the steward's outcome. */
export interface ReviewOutcome extends StewardResult {
  id: number;
  decision: 'accept' | 'reject';
  a: string;
  b: string;
  /** The pair's previous decision, if any (a decision can be changed). */
  previous: string | null;
}

/**
 * Decides a review pair: the master's constraint and rebuild (src/master/steward.ts), then, in one
 * transaction, the decision in `review_decisions` (what the dashboard and API show) and the
 * `review.accept` / `review.reject` entry on `pair:<id>`. NOT_FOUND unless the pair was sent to
 * review.
 */
export async function decideReviewAudited(env: AuditedStewardEnv, pairId: number, decision: 'accept' | 'reject'): Promise<ReviewOutcome> {
  const knex = env.store.knex;
  const at = env.now ?? new Date();
  const p = (await knex('match_pairs').where({ id: pairId }).first('a_source', 'a_key', 'b_source', 'b_key', 'decision')) as Record<string, string> | undefined;
  if (!p || p.decision !== 'review') throw new CrmEtlError('NOT_FOUND', `no review pair ${pairId}; crm-etl review list (or GET /api/review) shows the open ones`);
  const a = `${p.a_source}:${p.a_key}`;
  const b = `${p.b_source}:${p.b_key}`;
  const r = await decideReview({ ...env, now: at }, pairId, decision === 'accept');
  const previous = await env.store.transaction(async (trx) => {
    const last = (await trx('review_decisions')
      .where((q) => q.where({ a_source: p.a_source, a_key: p.a_key, b_source: p.b_source, b_key: p.b_key }).orWhere({ a_source: p.b_source, a_key: p.b_key, b_source: p.a_source, b_key: p.a_key }))
      .orderBy('id', 'desc')
      .first('decision')) as { decision: string } | undefined;
    await trx('review_decisions').insert({ pair_id: pairId, a_source: p.a_source, a_key: p.a_key, b_source: p.b_source, b_key: p.b_key, decision, actor: env.actor.slice(0, 128), at });
    await writeAudit(trx, { actor: env.actor, action: `review.${decision}`, target: `pair:${pairId}`, before: { decision: last?.decision ?? null }, after: { decision, a, b, customer: r.customerId }, at });
    return last?.decision ?? null;
  });
  return { ...r, id: pairId, decision, a, b, previous };
}
