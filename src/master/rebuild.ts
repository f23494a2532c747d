import type { Config } from '../config/schema.js';
import { type LoadResult, type MasterWriter, writeMaster } from '../pipeline/load-master.js';
import { type MatchResult, type MatchRecord, matchRecords, toMatchRecord } from '../transforms/match/index.js';
import { type Constraint, constraintIndexPairs, loadConstraintsOf } from './constraints.js';
import { refOf } from './ids.js';
import { loadCompanyWords, loadStoredModel, loadTermFrequencies, storedIndexHash } from './match-index.js';
import { type MasterRecord, type RecordRef, loadLinks, loadRecords } from './store-io.js';

/** What a rebuild of some customers will write: the records in scope and their new clusters. */
export interface RebuildPlan {
  match: MatchResult;
  records: MasterRecord[];
  matchRecords: MatchRecord[];
  /** The customers that were in scope. */
  scope: Set<string>;
  leaving?: ReadonlySet<string>;
}

/** What a rebuild of some customers read and changed. */
export interface Rebuild extends RebuildPlan {
  load: LoadResult;
}

/** Hops along must-links to customers outside the scope before a rebuild stops widening. */
const MAX_WIDEN = 5;

/**
 * Re-matches and re-survives a few customers (and some extra records) with the stored model,
 * leaving the rest of the master untouched: what a steward's decision and an incremental run
 * need. The customers' live records and the extra records are blocked, scored and clustered
 * under every constraint on them (customers must-linked to them join the scope), then written
 * by writeMaster; records of the scope that are no longer live are detached.
 */
export async function rebuildCustomers(
  w: MasterWriter & { config: Config },
  opts: { customers: Iterable<string>; records?: Iterable<RecordRef>; leaving?: ReadonlySet<string> },
): Promise<Rebuild> {
  const plan = await planRebuild(w, opts);
  return { ...plan, load: await applyRebuild(w, plan) };
}

/** The matching half of {@link rebuildCustomers}: reads and clusters, writes nothing. */
export async function planRebuild(
  w: Pick<MasterWriter, 'store'> & { config: Config },
  opts: { customers: Iterable<string>; records?: Iterable<RecordRef>; leaving?: ReadonlySet<string> },
): Promise<RebuildPlan> {
  const { store, config } = w;
  const scope = new Set(opts.customers);
  const extra = [...(opts.records ?? [])];
  let links = await loadLinks(store.knex, scope, extra);
  for (const l of links.values()) scope.add(l.customerId);
  let constraints: Constraint[] = [];
  for (let hop = 0; ; hop++) {
    const refs = [...extra, ...links.values()];
    constraints = await loadConstraintsOf(store, refs);
    const known = new Set(refs.map((r) => refOf(r.source, r.key)));
    const outside = constraints.filter((c) => c.kind === 'must_link').flatMap((c) => [c.a, c.b]).filter((r) => !known.has(refOf(r.source, r.key)));
    if (!outside.length || hop >= MAX_WIDEN) break;
    const more = await loadLinks(store.knex, [], outside);
    const before = scope.size;
    for (const l of more.values()) scope.add(l.customerId);
    if (scope.size === before) break;
    links = await loadLinks(store.knex, scope, extra);
  }
  const records = await loadRecords(store, config, [...extra, ...links.values()]);
  const stored = await loadStoredModel(store);
  const mrs = records.map((r) => toMatchRecord(r.source, r.key, r.values));
  const m = config.matching;
  const indexHash = await storedIndexHash(store);
  const companyWords = await loadCompanyWords(store, stored.runId, mrs, undefined, indexHash);
  const match = await matchRecords(mrs, {
    linkThreshold: m.link_threshold,
    reviewThreshold: m.review_threshold,
    maxBlockSize: m.max_block_size,
    fullBlockSize: m.full_block_size,
    blockWindow: m.block_window,
    uniqueSources: new Set(config.sources.filter((s) => s.unique).map((s) => s.name)),
    model: stored.model,
    termFrequencies: await loadTermFrequencies(store, stored.runId, mrs, indexHash),
    recordCount: stored.recordCount,
    ...(companyWords ? { companyWords } : {}),
    ...constraintIndexPairs(records, constraints),
  });
  return { match, records, matchRecords: mrs, scope, ...(opts.leaving ? { leaving: opts.leaving } : {}) };
}

/** The writing half of {@link rebuildCustomers}. */
export async function applyRebuild(w: MasterWriter, plan: RebuildPlan): Promise<LoadResult> {
  return writeMaster(w, {
    records: plan.records,
    clusterOf: plan.match.clusterOf,
    linkProbability: plan.match.linkProbability,
    scope: plan.scope,
    ...(plan.leaving ? { leaving: plan.leaving } : {}),
  });
}
