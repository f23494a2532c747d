import type { Config } from '../config/schema.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { CrmEtlError } from '../core/errors.js';
import { newRunId } from '../pipeline/context.js';
import type { LoadResult } from '../pipeline/load-master.js';
import type { Store } from '../store/store.js';
import { type AuditContext, defaultActor } from './audit.js';
import { type ConstraintOrigin, addConstraints, dropMustLinksOf } from './constraints.js';
import { refOf } from './ids.js';
import { rebuildCustomers } from './rebuild.js';
import { type RecordRef, loadLinks, sortRecords } from './store-io.js';
import { type GoldenProvenance, type GoldenValues, decodeProvenance } from './survivorship.js';

/** Where a steward operation runs: the store, the configuration and who acts. */
export interface StewardEnv {
  store: Store;
  config: Config;
  /** Default: the OS user. */
  actor?: string;
  /** Default: now. */
  now?: Date;
}

/** Hops along `merged_into` before giving up (a cycle would be a bug; this keeps it from hanging). */
const MAX_HOPS = 100;

/** A customer as stored, with the ids it was reached through. */
export interface ResolvedCustomer {
  /** The id asked for. */
  requested: string;
  /** The id it resolves to (itself unless merged). */
  id: string;
  /** Every id on the way, the requested first: more than one when it was merged. */
  chain: string[];
  status: string;
  values: GoldenValues;
  provenance: GoldenProvenance;
  recordCount: number;
  createdRun: string;
  updatedRun: string;
}

/**
 * Resolves a customer id, following `merged_into` from a retired-by-merge id to the customer
 * that holds its records now. NOT_FOUND when no customer ever had the id.
 */
export async function resolveCustomer(store: Store, id: string): Promise<ResolvedCustomer> {
  const chain = [id];
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const row = (await store.knex('customers').where({ id: chain[chain.length - 1] }).first()) as Record<string, unknown> | undefined;
    if (!row) throw new CrmEtlError('NOT_FOUND', `no customer ${chain[chain.length - 1]}${chain.length > 1 ? ` (reached from ${id})` : ''}; crm-etl export customers lists the ids`);
    if (row.status === 'merged' && row.merged_into) {
      chain.push(String(row.merged_into));
      continue;
    }
    const values = {} as GoldenValues;
    for (const f of CANONICAL_FIELDS) values[f] = (row[f] as string | null) ?? null;
    return {
      requested: id,
      id: String(row.id),
      chain,
      status: String(row.status),
      values,
      provenance: decodeProvenance(String(row.provenance)),
      recordCount: Number(row.record_count),
      createdRun: String(row.created_run),
      updatedRun: String(row.updated_run),
    };
  }
  throw new CrmEtlError('NOT_FOUND', `customer ${id}: merged_into does not end after ${MAX_HOPS} hops`);
}

/** The source records of a customer, in canonical order. */
export async function customerRecords(store: Store, config: Pick<Config, 'sources'>, id: string): Promise<(RecordRef & { probability: number | null })[]> {
  const links = [...(await loadLinks(store.knex, [id], [])).values()].map((l) => ({ source: l.source, key: l.key, probability: l.probability, line: null, values: {} }));
  return sortRecords(config, links).map((l) => ({ source: l.source, key: l.key, probability: l.probability }));
}

function auditOf(env: StewardEnv, reason: string): AuditContext {
  const at = env.now ?? new Date();
  return { actor: env.actor ?? defaultActor(), at, runId: newRunId(at), reason };
}

/** The outcome of a steward operation. */
export interface StewardResult {
  /** The customer the operation leaves the records in (the survivor of a merge). */
  customerId: string;
  /** For an unmerge: the customer the record now belongs to. */
  detachedTo?: string;
  load: LoadResult;
}

async function activeCustomer(store: Store, id: string): Promise<string> {
  const c = await resolveCustomer(store, id);
  if (c.status !== 'active') throw new CrmEtlError('INPUT_INVALID', `customer ${id} is ${c.status}: it has no records to merge`);
  return c.id;
}

/**
 * Merges two customers: every record of both is must-linked (to the first record of the
 * survivor), so later runs keep them together; the master is rebuilt for both at once. The older
 * customer keeps its id; the other becomes `merged` into it and still resolves.
 */
export async function mergeCustomers(env: StewardEnv, a: string, b: string): Promise<StewardResult> {
  const ia = await activeCustomer(env.store, a);
  const ib = await activeCustomer(env.store, b);
  if (ia === ib) throw new CrmEtlError('INPUT_INVALID', `${a} and ${b} are already one customer (${ia})`);
  const audit = auditOf(env, `steward merge of ${ia} and ${ib}`);
  const records = [...(await customerRecords(env.store, env.config, ia)), ...(await customerRecords(env.store, env.config, ib))];
  const anchor = records[0]!;
  await env.store.transaction((trx) =>
    addConstraints(trx, records.slice(1).map((r) => ({ kind: 'must_link', a: anchor, b: r })), { origin: 'merge', actor: audit.actor, at: audit.at }),
  );
  const r = await rebuildCustomers({ store: env.store, config: env.config, audit }, { customers: [ia, ib] });
  return { customerId: (await resolveCustomer(env.store, ia)).id, load: r.load };
}

/**
 * Takes one record out of its customer: cannot-links between it and every other record of the
 * customer (later runs keep them apart), its must-links dropped, and the customer rebuilt. The
 * rest keeps the customer's id; the record gets a customer of its own (or joins another).
 */
export async function unmergeRecord(env: StewardEnv, ref: RecordRef): Promise<StewardResult> {
  const link = (await loadLinks(env.store.knex, [], [ref])).get(refOf(ref.source, ref.key));
  if (!link) throw new CrmEtlError('NOT_FOUND', `record ${ref.source}:${ref.key} is not in the master; check the source name and key (crm-etl export links lists them)`);
  const others = (await customerRecords(env.store, env.config, link.customerId)).filter((r) => !(r.source === ref.source && r.key === ref.key));
  if (!others.length) throw new CrmEtlError('INPUT_INVALID', `record ${ref.source}:${ref.key} is alone in customer ${link.customerId}: nothing to unmerge`);
  const audit = auditOf(env, `steward unmerge of ${ref.source}:${ref.key} from ${link.customerId}`);
  await env.store.transaction(async (trx) => {
    await dropMustLinksOf(trx, ref);
    await addConstraints(trx, others.map((o) => ({ kind: 'cannot_link', a: ref, b: o })), { origin: 'unmerge', actor: audit.actor, at: audit.at });
  });
  const r = await rebuildCustomers({ store: env.store, config: env.config, audit }, { customers: [link.customerId], leaving: new Set([refOf(ref.source, ref.key)]) });
  const now = (await loadLinks(env.store.knex, [], [ref])).get(refOf(ref.source, ref.key));
  return { customerId: link.customerId, ...(now ? { detachedTo: now.customerId } : {}), load: r.load };
}

/** A pair of records the model could not decide on (between the review and link thresholds). */
export interface ReviewPair {
  /** `match_pairs.id`: what `review accept|reject` take. */
  id: number;
  runId: string;
  a: RecordRef & { customerId: string | null };
  b: RecordRef & { customerId: string | null };
  probability: number;
}

/**
 * The review queue: pairs in the review band scored since the latest full match (an incremental
 * run adds the pairs of the records it matched), latest score per pair, without the pairs a
 * steward already decided and those whose records left the master.
 */
export async function listReview(store: Store, opts: { limit?: number } = {}): Promise<ReviewPair[]> {
  const base = (await store.knex('match_models').max({ run: 'run_id' })) as { run: string | null }[];
  if (!base[0]?.run) return [];
  const rows = (await store
    .knex('match_pairs')
    .select('id', 'run_id', 'a_source', 'a_key', 'b_source', 'b_key', 'probability', 'decision')
    .where('run_id', '>=', base[0].run)
    .orderBy('id', 'desc')) as Record<string, unknown>[];
  const latest = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const k = pairKey({ source: String(r.a_source), key: String(r.a_key) }, { source: String(r.b_source), key: String(r.b_key) });
    if (!latest.has(k)) latest.set(k, r);
  }
  const candidates = [...latest.values()].filter((r) => r.decision === 'review');
  const decided = new Set(
    ((await store.knex('master_constraints').select('a_source', 'a_key', 'b_source', 'b_key')) as Record<string, string>[]).map((c) =>
      pairKey({ source: c.a_source!, key: c.a_key! }, { source: c.b_source!, key: c.b_key! }),
    ),
  );
  const open = candidates.filter((r) => !decided.has(pairKey({ source: String(r.a_source), key: String(r.a_key) }, { source: String(r.b_source), key: String(r.b_key) })));
  const refs = open.flatMap((r) => [{ source: String(r.a_source), key: String(r.a_key) }, { source: String(r.b_source), key: String(r.b_key) }]);
  const links = await loadLinks(store.knex, [], refs);
  const out: ReviewPair[] = [];
  for (const r of open.sort((x, y) => Number(y.probability) - Number(x.probability) || Number(x.id) - Number(y.id))) {
    const a = { source: String(r.a_source), key: String(r.a_key) };
    const b = { source: String(r.b_source), key: String(r.b_key) };
    const la = links.get(refOf(a.source, a.key));
    const lb = links.get(refOf(b.source, b.key));
    if (!la || !lb) continue;
    out.push({ id: Number(r.id), runId: String(r.run_id), a: { ...a, customerId: la.customerId }, b: { ...b, customerId: lb.customerId }, probability: Number(r.probability) });
    if (opts.limit && out.length >= opts.limit) break;
  }
  return out;
}

function pairKey(a: RecordRef, b: RecordRef): string {
  const x = refOf(a.source, a.key);
  const y = refOf(b.source, b.key);
  return x <= y ? `${x}\u0001${y}` : `${y}\u0001${x}`;
}

/**
 * Decides a review pair: accept → must-link (the two records become one customer), reject →
 * cannot-link (never one customer). The decision is a constraint, so it survives every re-run;
 * the customers of both records are rebuilt now.
 */
export async function decideReview(env: StewardEnv, pairId: number, accept: boolean): Promise<StewardResult> {
  const row = (await env.store.knex('match_pairs').where({ id: pairId }).first('a_source', 'a_key', 'b_source', 'b_key')) as Record<string, string> | undefined;
  if (!row) throw new CrmEtlError('NOT_FOUND', `no review pair ${pairId}; crm-etl review list shows the open ones`);
  const a = { source: row.a_source!, key: row.a_key! };
  const b = { source: row.b_source!, key: row.b_key! };
  const links = await loadLinks(env.store.knex, [], [a, b]);
  const ca = links.get(refOf(a.source, a.key))?.customerId;
  const cb = links.get(refOf(b.source, b.key))?.customerId;
  if (!ca || !cb) throw new CrmEtlError('INPUT_INVALID', `review pair ${pairId}: a record of it is no longer in the master`);
  const origin: ConstraintOrigin = accept ? 'review_accept' : 'review_reject';
  const audit = auditOf(env, `steward ${accept ? 'accepted' : 'rejected'} review pair ${pairId} (${a.source}:${a.key} ~ ${b.source}:${b.key})`);
  await env.store.transaction(async (trx) => {
    if (!accept) {
      // Apart from now on: a must-link between them (or via a merge anchor) would contradict.
      await trx('master_constraints')
        .where({ kind: 'must_link' })
        .andWhere((q) => q.where({ a_source: a.source, a_key: a.key, b_source: b.source, b_key: b.key }).orWhere({ a_source: b.source, a_key: b.key, b_source: a.source, b_key: a.key }))
        .delete();
    }
    await addConstraints(trx, [{ kind: accept ? 'must_link' : 'cannot_link', a, b }], { origin, actor: audit.actor, at: audit.at });
  });
  const r = await rebuildCustomers({ store: env.store, config: env.config, audit }, { customers: [ca, cb], ...(accept ? {} : { leaving: new Set([refOf(b.source, b.key)]) }) });
  const after = (await loadLinks(env.store.knex, [], [a])).get(refOf(a.source, a.key));
  return { customerId: after?.customerId ?? ca, load: r.load };
}
