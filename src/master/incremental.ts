import { lapTimer } from '../core/lap-timer.js';
import type { RunContext } from '../pipeline/context.js';
import type { LoadResult } from '../pipeline/load-master.js';
import { MATCH_PAIR_COLUMNS } from '../pipeline/match-stage.js';
import type { Store } from '../store/store.js';
import { COMPARISONS, type MatchRecord, PairScorer, toMatchRecord } from '../transforms/match/index.js';
import { defaultActor } from './audit.js';
import { refOf } from './ids.js';
import { loadCompanyWords, loadStoredModel, loadTermFrequencies, matchIndexUsable, replaceBlockingKeys, storeRecordIndex, storedIndexHash, type StoredModel } from './match-index.js';
import { type RebuildPlan, applyRebuild, planRebuild } from './rebuild.js';
import { type RecordRef, loadLinks, loadRecords, lookupChunk, recordPages, whereAny } from './store-io.js';

/**
 * Above this share of the master changed, a run matches everything again: re-scoring most of the
 * base piecemeal costs more than one full pass. Masters under {@link INCREMENTAL_MIN_LINKS}
 * records are matched in full too: it is quick, and a model trained on a few records (few or no
 * duplicates seen) is too weak to be reused. `matchMode: 'incremental'` lifts both limits.
 */
export const INCREMENTAL_MAX_CHANGED_SHARE = 0.2;
export const INCREMENTAL_MIN_LINKS = 1000;

/** What changed in the staged data since the master was last written. */
export interface StagedChanges {
  /** Live records never linked, or staged again with another hash. */
  changed: RecordRef[];
  /** Linked records gone from their source (a full re-sync without them) or deleted there. */
  vanished: RecordRef[];
  /** Links in the master. */
  linked: number;
}

/**
 * Compares the staged records with the master's links by record hash: the store does the work
 * (two anti-joins), the base is not read into memory.
 */
export async function stagedChanges(store: Store): Promise<StagedChanges> {
  const knex = store.knex;
  // Independent: asked at once, on two connections (the store works on both cores).
  const [changed, vanished, n] = (await Promise.all([
    knex('source_records as sr')
    .leftJoin('customer_links as cl', (j) => j.on('cl.source', 'sr.source').andOn('cl.source_key', 'sr.source_key'))
    .where('sr.deleted', false)
    .andWhere((q) => q.whereNull('cl.record_hash').orWhereRaw('?? <> ??', ['cl.record_hash', 'sr.record_hash']))
    .select('sr.source', 'sr.source_key'),
    knex('customer_links as cl')
    .leftJoin('source_records as sr', (j) => j.on('sr.source', 'cl.source').andOn('sr.source_key', 'cl.source_key'))
    .where((q) => q.whereNull('sr.source').orWhere('sr.deleted', true))
    .select('cl.source', 'cl.source_key'),
    knex('customer_links').count({ n: '*' }),
  ])) as [{ source: string; source_key: string }[], { source: string; source_key: string }[], { n: number | string }[]];
  const ref = (r: { source: string; source_key: string }): RecordRef => ({ source: r.source, key: r.source_key });
  return { changed: changed.map(ref), vanished: vanished.map(ref), linked: Number(n[0]!.n) };
}

/** The matching figures of an incremental run, shaped like a full run's. */
export interface IncrementalMatching {
  records: number;
  candidatePairs: number;
  links: number;
  reviewPairs: number;
  refusedMerges: number;
  changedRecords: number;
  vanishedRecords: number;
  rebuiltCustomers: number;
  /** Wall time of each step, in ms (finding changes, candidates, scoring, the rebuild plan). */
  phases: Record<string, number>;
}

/** A stored record in a block, with its place in name order (null where names are encrypted). */
interface Member {
  source: string;
  key: string;
  sortKey: string | null;
}

/** One block lookup: a changed record's blocking key and its sort key. */
interface WindowQuery {
  hash: string;
  sortKey: string | null;
}

/**
 * A changed record's neighbours in one block: the stored members just before its sort key
 * (nearest first) and from it on (nearest first, equal keys included). `complete`: the lists
 * hold the whole block. `ordered` false: the block has no order (names encrypted), every
 * member is a neighbour.
 */
interface Neighbours {
  before: Member[];
  after: Member[];
  complete: boolean;
  ordered: boolean;
}

/** The hashes among `hashes` of blocks the full run skipped as larger than `matching.max_block_size`. */
async function oversizedOf(store: Store, hashes: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const db = store.knex;
  const chunk = lookupChunk(db);
  for (let i = 0; i < hashes.length; i += chunk) {
    const rows = (await whereAny(db, db('oversized_blocks').select('key_hash'), 'key_hash', hashes.slice(i, i + chunk))) as { key_hash: string }[];
    for (const r of rows) out.add(r.key_hash);
  }
  return out;
}

/** Window queries per statement on PostgreSQL (each is two short index range scans). */
const WINDOW_BATCH = 5_000;

/**
 * Up to `limit` stored members on each side of each query's sort key in its block. On
 * PostgreSQL, two index range scans per query on (key_hash, sort_key), batched through
 * LATERAL: a record's place in a block of a thousand costs what it costs in a block of ten.
 * Elsewhere (MySQL, or names encrypted: no sort keys), the blocks are read whole and cut here.
 */
async function neighbours(store: Store, qs: readonly WindowQuery[], limit: number): Promise<Neighbours[]> {
  const out: Neighbours[] = qs.map(() => ({ before: [], after: [], complete: true, ordered: true }));
  const db = store.knex;
  const sorted = qs.every((q) => q.sortKey !== null);
  if (db.client.dialect !== 'mysql' && sorted) {
    // Batches two at a time, on two connections: the store uses both cores.
    const batchAt = async (i: number): Promise<void> => {
      const batch = qs.slice(i, i + WINDOW_BATCH);
      const res = (await db.raw(
        // Members come back nearest first on each side; their sort keys are not needed here.
        `select q.i, b.source, b.source_key, b.before
           from unnest(?::text[], ?::text[]) with ordinality as q(h, s, i)
           cross join lateral (
             (select source, source_key, true as before from blocking_keys
               where key_hash = q.h and sort_key < q.s collate "C" order by sort_key desc limit ${limit})
             union all
             (select source, source_key, false as before from blocking_keys
               where key_hash = q.h and sort_key >= q.s collate "C" order by sort_key limit ${limit})
           ) b`,
        [batch.map((q) => q.hash), batch.map((q) => q.sortKey as string)],
      )) as { rows: { i: string | number; source: string; source_key: string; before: boolean }[] };
      for (const r of res.rows) {
        const n = out[i + Number(r.i) - 1]!;
        (r.before ? n.before : n.after).push({ source: r.source, key: r.source_key, sortKey: null });
      }
    };
    for (let i = 0; i < qs.length; i += 2 * WINDOW_BATCH) await Promise.all([batchAt(i), ...(i + WINDOW_BATCH < qs.length ? [batchAt(i + WINDOW_BATCH)] : [])]);
    for (const n of out) n.complete = n.before.length < limit && n.after.length < limit;
    return out;
  }
  const blocks = new Map<string, Member[]>();
  const hashes = [...new Set(qs.map((q) => q.hash))];
  const chunk = lookupChunk(db);
  for (let i = 0; i < hashes.length; i += chunk) {
    const q = db('blocking_keys').select('source', 'source_key', 'key_hash', 'sort_key');
    for (const r of (await whereAny(db, q, 'key_hash', hashes.slice(i, i + chunk))) as { source: string; source_key: string; key_hash: string; sort_key: string | null }[]) {
      let l = blocks.get(r.key_hash);
      if (!l) blocks.set(r.key_hash, (l = []));
      l.push({ source: r.source, key: r.source_key, sortKey: r.sort_key });
    }
  }
  const byte = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  for (const l of blocks.values()) if (l.every((m) => m.sortKey !== null)) l.sort((a, b) => byte(a.sortKey!, b.sortKey!));
  qs.forEach((q, i) => {
    const l = blocks.get(q.hash) ?? [];
    const n = out[i]!;
    if (q.sortKey === null || l.some((m) => m.sortKey === null)) {
      n.before = l;
      n.ordered = false;
      return;
    }
    let at = l.findIndex((m) => byte(m.sortKey!, q.sortKey!) >= 0);
    if (at < 0) at = l.length;
    n.before = l.slice(0, at).reverse();
    n.after = l.slice(at);
  });
  return out;
}

/**
 * The stored records a changed record is compared with in one block, as a full run would
 * compare it: the whole block when it holds at most `fullBlockSize` records (the changed one
 * included), otherwise the `window` nearest on each side in name order.
 */
function pickNeighbours(n: Neighbours, self: string, fullBlockSize: number, window: number): Member[] {
  const before = n.before.filter((m) => refOf(m.source, m.key) !== self);
  const after = n.after.filter((m) => refOf(m.source, m.key) !== self);
  if (!n.ordered || (n.complete && before.length + after.length + 1 <= fullBlockSize)) return [...before, ...after];
  return [...before.slice(0, window), ...after.slice(0, window)];
}

/** An incremental run's matching, computed but not yet written (the quality gates decide). */
export interface IncrementalPlan {
  matching: IncrementalMatching;
  changes: StagedChanges;
  /** Null when nothing changed: nothing to write. */
  rebuild: RebuildPlan | null;
  changedMrs: MatchRecord[];
  changedRefs: Set<string>;
}

/**
 * The match stage of an incremental run: only the records that changed since the master was
 * written are matched, against candidates found through the stored blocking keys and scored with
 * the stored model; the customers they link to (and those they or vanished records leave) are
 * re-clustered. Nothing is written: {@link applyIncremental} does, once the quality gates pass.
 *
 * @returns null when the run must match everything: `--full`, no model or master yet, a master
 *   under {@link INCREMENTAL_MIN_LINKS} records, or more than {@link INCREMENTAL_MAX_CHANGED_SHARE} of it changed.
 */
export async function planIncremental(ctx: RunContext): Promise<IncrementalPlan | null> {
  if (ctx.full) return null;
  const store = ctx.store;
  let stored: StoredModel;
  try {
    stored = await loadStoredModel(store);
  } catch {
    return null;
  }
  // The model's run must have stored its blocking keys (a master older than them: match in full
  // once), hashed under the store's key (a key set without `crm-etl keys rotate`: the same).
  if (!(await matchIndexUsable(store))) {
    // Also what follows a PostgreSQL crash: the index's tables are unlogged (migration 0009).
    ctx.log.warn('the match index is empty, older than the master, or hashed under another key or with the hash of an older version: matching every record, which writes it again');
    return null;
  }
  const phases: Record<string, number> = {};
  const lap = lapTimer(phases);
  const changes = await stagedChanges(store);
  lap('changes');
  const share = (changes.changed.length + changes.vanished.length) / Math.max(changes.linked, 1);
  if (!changes.linked) return null;
  if (ctx.matchMode !== 'incremental' && (changes.linked < INCREMENTAL_MIN_LINKS || share > INCREMENTAL_MAX_CHANGED_SHARE)) return null;
  const cfg = ctx.config.matching;
  const matching: IncrementalMatching = { records: 0, candidatePairs: 0, links: 0, reviewPairs: 0, refusedMerges: 0, changedRecords: changes.changed.length, vanishedRecords: changes.vanished.length, rebuiltCustomers: 0, phases };
  if (!changes.changed.length && !changes.vanished.length) return { matching, changes, rebuild: null, changedMrs: [], changedRefs: new Set() };

  // 1. The changed records against the records sharing a blocking key with them.
  const changed = await loadRecords(store, ctx.config, changes.changed);
  const changedRefs = new Set(changed.map((r) => refOf(r.source, r.key)));
  const changedMrs = changed.map((r) => toMatchRecord(r.source, r.key, r.values));
  const index = storeRecordIndex(store);
  const indexOf = changedMrs.map(index);
  const keysOf = indexOf.map((x) => x.hashes);
  // Blocks the full run skipped stay skipped; in the others, the neighbours a full run would pair.
  const oversized = await oversizedOf(store, [...new Set(keysOf.flat())]);
  const queries: WindowQuery[] = [];
  const queryOf: number[] = [];
  indexOf.forEach((x, i) => {
    for (const hash of x.hashes) {
      if (oversized.has(hash)) continue;
      queries.push({ hash, sortKey: x.sortKey });
      queryOf.push(i);
    }
  });
  const fullBlockSize = cfg.full_block_size;
  const window = cfg.block_window;
  const found = await neighbours(store, queries, Math.max(fullBlockSize, window) + 1);
  // Records by number: the changed ones first (0 … C-1), then each candidate once.
  const C = changedMrs.length;
  const indexOfRef = new Map<string, number>();
  changedMrs.forEach((m, i) => indexOfRef.set(refOf(m.source, m.key), i));
  const candidateRefs: RecordRef[] = [];
  const neighboursOf: number[][] = changedMrs.map(() => []);
  found.forEach((n, q) => {
    const i = queryOf[q]!;
    const self = refOf(changedMrs[i]!.source, changedMrs[i]!.key);
    for (const m of pickNeighbours(n, self, fullBlockSize, window)) {
      const ref = refOf(m.source, m.key);
      let x = indexOfRef.get(ref);
      if (x === undefined) {
        indexOfRef.set(ref, (x = C + candidateRefs.length));
        candidateRefs.push({ source: m.source, key: m.key });
      }
      // Another changed record: compared below by its new keys.
      if (x >= C) neighboursOf[i]!.push(x);
    }
  });
  lap('blocks');
  // Term frequencies adjust agreeing values only, and an agreeing candidate holds the changed
  // record's value: the changed records' values are all the lookups needed.
  // Company-name word counts likewise, for the changed records' words now and each page of candidates' as it arrives.
  const indexHash = await storedIndexHash(store);
  const companyWords = await loadCompanyWords(store, stored.runId, changedMrs, undefined, indexHash);
  const scorer = new PairScorer(stored.model, await loadTermFrequencies(store, stored.runId, changedMrs, indexHash), stored.recordCount, companyWords ? { companyWords } : {});
  lap('term frequencies');
  const unique = new Set(ctx.config.sources.filter((s) => s.unique).map((s) => s.name));
  const linkedTo: RecordRef[] = [];
  const score = (a: MatchRecord, b: MatchRecord): void => {
    if (a.source === b.source && unique.has(a.source)) return;
    matching.candidatePairs++;
    if (scorer.probability(a, b) >= cfg.link_threshold) linkedTo.push({ source: b.source, key: b.key });
  };
  // Changed records among themselves: by their new keys, in memory (their stored keys are stale).
  const changedByKey = new Map<string, number[]>();
  keysOf.forEach((ks, i) => {
    for (const k of ks) {
      if (oversized.has(k)) continue;
      let l = changedByKey.get(k);
      if (!l) changedByKey.set(k, (l = []));
      l.push(i);
    }
  });
  const seen = new Set<number>();
  for (const l of changedByKey.values()) {
    for (let x = 0; x < l.length; x++) {
      for (let y = x + 1; y < l.length; y++) {
        const pair = l[x]! * C + l[y]!;
        if (seen.has(pair)) continue;
        seen.add(pair);
        score(changedMrs[l[x]!]!, changedMrs[l[y]!]!);
      }
    }
  }
  // Each candidate's changed partners, each pair once.
  const partners: number[][] = candidateRefs.map(() => []);
  neighboursOf.forEach((js, i) => {
    for (const j of new Set(js)) partners[j - C]!.push(i);
  });
  // Candidates are scored page by page as they arrive, the next page already asked for: the
  // store reads while this process compares.
  for await (const page of recordPages(store, candidateRefs)) {
    const candidates: { j: number; b: MatchRecord }[] = [];
    for (const r of page) {
      const j = indexOfRef.get(refOf(r.source, r.key));
      if (j !== undefined && j >= C) candidates.push({ j, b: toMatchRecord(r.source, r.key, r.values) });
    }
    if (companyWords) await loadCompanyWords(store, stored.runId, candidates.map((c) => c.b), companyWords, indexHash);
    for (const { j, b } of candidates) for (const i of partners[j - C]!) score(changedMrs[i]!, b);
  }
  lap('candidates and scoring');
  // 2. The customers touched: those the changed records link to, and those they (or vanished records) leave.
  const links = await loadLinks(store.knex, [], [...linkedTo, ...changes.changed, ...changes.vanished]);
  const touched = new Set([...links.values()].map((l) => l.customerId));
  const rebuild = await planRebuild({ store, config: ctx.config }, { customers: touched, records: changed });
  lap('rebuild plan');
  matching.records = rebuild.records.length;
  matching.rebuiltCustomers = rebuild.scope.size;
  matching.refusedMerges = rebuild.match.refusedMerges;
  matching.candidatePairs += rebuild.match.candidatePairs;
  for (const p of rebuild.match.pairs) if (involves(rebuild, p, changedRefs)) p.decision === 'link' ? matching.links++ : matching.reviewPairs++;
  ctx.log.info({ changed: changes.changed.length, vanished: changes.vanished.length, rebuiltCustomers: matching.rebuiltCustomers }, 'incremental matching done');
  return { matching, changes, rebuild, changedMrs, changedRefs };
}

function involves(plan: RebuildPlan, p: { a: number; b: number }, refs: ReadonlySet<string>): boolean {
  const a = plan.records[p.a]!;
  const b = plan.records[p.b]!;
  return refs.has(refOf(a.source, a.key)) || refs.has(refOf(b.source, b.key));
}

/**
 * Writes an incremental plan: the touched customers (only what changed, audited), the pairs of
 * the changed records worth a look (review queue, explanations), and their blocking keys.
 */
export async function applyIncremental(ctx: RunContext, plan: IncrementalPlan, phases: Record<string, number> = {}): Promise<LoadResult> {
  const store = ctx.store;
  if (!plan.rebuild) {
    const [n] = (await store.knex('customers').where({ status: 'active' }).count({ n: '*' })) as { n: number | string }[];
    return { customers: Number(n!.n), newCustomers: 0, updatedCustomers: 0, mergedCustomers: 0, retiredCustomers: 0, linkedRecords: 0, changedLinks: 0, detachedRecords: 0 };
  }
  const r = plan.rebuild;
  const audit = { actor: ctx.actor ?? defaultActor(), at: new Date(), runId: ctx.runId, reason: `run ${ctx.runId}: incremental matching and survivorship` };
  const lap = lapTimer(phases, 'load:');
  const load = await applyRebuild({ store, config: ctx.config, audit }, r);
  lap('customers');
  const F = COMPARISONS.length;
  const rows = r.match.pairs
    .map((p, x) => ({ p, x }))
    .filter(({ p }) => involves(r, p, plan.changedRefs))
    .map(({ p, x }) => {
      const a = r.matchRecords[p.a]!;
      const b = r.matchRecords[p.b]!;
      const ex = r.match.scorer.explainStored(a, b, r.match.pairLevels, x * F).stored;
      return [ctx.runId, a.source, a.key, b.source, b.key, p.probability, p.decision, JSON.stringify(ex)];
    });
  await store.transaction(async (trx) => {
    if (rows.length) await store.insertRows('match_pairs', MATCH_PAIR_COLUMNS, rows, trx);
    lap('pairs');
    await replaceBlockingKeys(store, trx, plan.changes.vanished, plan.changedMrs);
    lap('blocking keys');
  });
  return load;
}
