import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { clusterMembers, groupClusters } from '../core/cluster-groups.js';
import { collectGarbage } from '../core/collect-garbage.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { lapTimer } from '../core/lap-timer.js';
import { type AuditContext, type AuditEntry, auditBatch, defaultActor, writeAudit } from '../master/audit.js';
import { type SortKeyNames, blockingIndexRows, indexHashing, writeMatchIndex } from '../master/match-index.js';
import { type PairScorer, type TermFrequencies, type TermShares, type WordCounts, termSharesOf } from '../transforms/match/index.js';
import { type IndexKeys, MIN_RECORDS_FOR_WORKERS, blockingIndexKeys, encodedCompanyWords } from '../transforms/match/match-records.js';
import type { RunContext } from './context.js';
import { type MatchStageResult, encodeStaged, sortKeyNames } from './match-stage.js';
import { type ClusterToPlace, type IdAssignment, assignCustomerIds, customerIdFor, refOf } from '../master/ids.js';
import { type MasterRecord, type StoredLink, loadAllLinks, loadLinks, lookupChunk, refChunks, whereAny } from '../master/store-io.js';
import { type RecordList, type RefList, listOf } from '../master/record-table.js';
import { type GoldenValues, encodeProvenance, storedProvenanceText, survivalPolicy, surviveGolden } from '../master/survivorship.js';
import { dropIndexesWhileEmpty } from '../store/deferred-indexes.js';
import type { RowBatch, Store } from '../store/store.js';
import { type Tally, addConsistency } from '../quality/scores.js';

export { customerIdFor } from '../master/ids.js';
export { surviveGolden, type Provenance } from '../master/survivorship.js';

export const CUSTOMER_COLUMNS = ['id', 'created_run', 'updated_run', ...CANONICAL_FIELDS, 'provenance', 'record_count', 'status', 'merged_into'] as const;
export const LINK_COLUMNS = ['source', 'source_key', 'customer_id', 'match_probability', 'run_id', 'record_hash'] as const;
const CONSISTENCY_COLUMNS = ['customer_id', 'source', 'field', 'good', 'measured'] as const;
/** The tables writeMaster writes rows into. */
const MASTER_TABLES = ['customers', 'customer_links', 'customer_consistency', 'master_audit'];

/** What a load changed in the master. */
export interface LoadResult {
  /** Active customers in the master after the load. */
  customers: number;
  newCustomers: number;
  /** Customers whose golden values or records changed. */
  updatedCustomers: number;
  /** Customers whose records joined an older customer (their id now resolves to it). */
  mergedCustomers: number;
  /** Customers left without records. */
  retiredCustomers: number;
  /** Records placed by this load (all of them on a full run; the touched ones otherwise). */
  linkedRecords: number;
  /** Links written (new or moved records, changed probabilities). */
  changedLinks: number;
  /** Records detached from the master: gone from their source or deleted there. */
  detachedRecords: number;
}

/** Clusters of records to place, from a full or a scoped match. */
export interface MasterPlacement {
  /** In canonical order (see sortRecords). */
  records: readonly MasterRecord[] | RecordList;
  clusterOf: Int32Array;
  linkProbability: Float64Array;
  /**
   * `all`: these records are the whole master (every link not among them is detached). Else the
   * customers that may change: their records not among `records` are detached, other customers
   * stay untouched.
   */
  scope: 'all' | ReadonlySet<string>;
  /** Records a steward is taking out of their customer: among equal parts, theirs gives up the id. */
  leaving?: ReadonlySet<string>;
}

/** Who writes and why, and the configuration (survivorship rules, source order). */
export interface MasterWriter {
  store: Store;
  config: Pick<Config, 'sources' | 'survivorship' | 'quality'>;
  audit: AuditContext;
  /** Clusters placed per round of writes (default {@link WRITE_CLUSTERS}, 20,000); smaller in tests. */
  roundClusters?: number;
  /** Where writeMaster adds its phases' wall times (ms), as `master:<phase>`. */
  phases?: Record<string, number>;
  /**
   * Awaited inside the master's transaction once its rows are written, before it commits: a
   * rejection rolls the master back (a full run writes its match index beside the master).
   */
  beforeCommit?: () => Promise<void>;
}

interface CustomerRow {
  id: string;
  created_run: string;
  status: string;
  values: GoldenValues;
  provenance: string;
  record_count: number;
}

async function loadCustomers(db: Knex, ids: readonly string[] | 'active'): Promise<Map<string, CustomerRow>> {
  const out = new Map<string, CustomerRow>();
  const read = (rows: Record<string, unknown>[]) => {
    for (const r of rows) {
      const values = {} as GoldenValues;
      for (const f of CANONICAL_FIELDS) values[f] = (r[f] as string | null) ?? null;
      out.set(String(r.id), { id: String(r.id), created_run: String(r.created_run), status: String(r.status), values, provenance: storedProvenanceText(String(r.provenance)), record_count: Number(r.record_count) });
    }
  };
  if (ids === 'active') read((await db('customers').where({ status: 'active' })) as Record<string, unknown>[]);
  else {
    const chunk = lookupChunk(db);
    for (let i = 0; i < ids.length; i += chunk) read((await whereAny(db, db('customers').select(), 'id', ids.slice(i, i + chunk))) as Record<string, unknown>[]);
  }
  return out;
}

/**
 * A sortable age per customer: the id of its `create` audit entry (increasing, unlike run ids,
 * which only have second resolution), then its creating run. Customers created before the audit
 * log existed count as oldest.
 */
async function ageKeys(db: Knex, customers: Map<string, CustomerRow>): Promise<Map<string, string>> {
  const first = new Map<string, number>();
  const ids = [...customers.keys()];
  const chunk = lookupChunk(db);
  for (let i = 0; i < ids.length; i += chunk) {
    const q = db('master_audit').select('customer_id').min({ first: 'id' }).where({ action: 'create' });
    const rows = (await whereAny(db, q, 'customer_id', ids.slice(i, i + chunk)).groupBy('customer_id')) as { customer_id: string; first: number | string }[];
    for (const r of rows) first.set(r.customer_id, Number(r.first));
  }
  return new Map([...customers.values()].map((c) => [c.id, `${String(first.get(c.id) ?? 0).padStart(15, '0')}|${c.created_run}`]));
}

async function existingIds(db: Knex, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  // A first load: no id is taken, and hundreds of lookups of thousands of ids each can be spared.
  if ((await db('customers').first('id')) === undefined) return out;
  const chunk = lookupChunk(db);
  for (let i = 0; i < ids.length; i += chunk) {
    for (const r of (await whereAny(db, db('customers').select('id'), 'id', ids.slice(i, i + chunk))) as { id: string }[]) out.add(r.id);
  }
  return out;
}

const roundProbability = (p: number): number | null => (Number.isNaN(p) ? null : Math.round(p * 1e6) / 1e6);
const refName = (r: { source: string; key: string }): string => `${r.source}:${r.key}`;

/** Clusters placed per round of writes: a round's rows are built, written and dropped before the next. */
const WRITE_CLUSTERS = 20_000;
/** Rounds of writes between two garbage collections (see writeMaster). */
const COLLECT_ROUNDS = 8;
/**
 * Clusters placed between two turns of the event loop (a few milliseconds). The store's COPY
 * streams (the previous round's rows, and on a full run the match index's) move on only in those
 * turns, when the socket has taken what it could: with a turn every 1,000 clusters (30–40 ms),
 * PostgreSQL waited for data most of the time, and at a million records each round then waited
 * for the writes of the one before (`master:writes` 11–13 s; 0.1 s so, and quality + load at
 * 1.78 cores instead of 1.69).
 */
const YIELD_CLUSTERS = 100;

/** The clusters of a placement, in order of their first record (see writeMaster); a cluster's records are read as it is placed. */
function clustersOf(p: MasterPlacement): ClusterToPlace[] {
  const groups = groupClusters(p.clusterOf);
  const out = new Array<ClusterToPlace>(groups.count);
  for (let c = 0; c < groups.count; c++) out[c] = { idx: clusterMembers(groups, c, (i) => i), firstId: undefined };
  return out;
}

/**
 * assignCustomerIds with the store's ids: new ids must not collide with any id in the store (a
 * retired or merged id is never reused). The unsalted ids are checked first; a salted one is
 * tried (and checked here) only where its unsalted id was taken.
 */
async function assignStoreIds(
  db: Knex,
  clusters: readonly ClusterToPlace[],
  refs: RefList,
  prevIds: ReadonlyMap<string, string>,
  createdRun: ReadonlyMap<string, string>,
  scope: ReadonlySet<string>,
  leaving: ReadonlySet<string> | undefined,
): Promise<IdAssignment> {
  const candidates: string[] = [];
  for (const c of clusters) {
    if (prevIds.size && c.idx.some((i) => prevIds.has(refOf(refs.source(i), refs.key(i))))) continue;
    candidates.push((c.firstId = customerIdFor(refs.source(c.idx[0]!), refs.key(c.idx[0]!), 0)));
  }
  const taken = await existingIds(db, candidates);
  const checked = new Set(candidates);
  let assignment = assignCustomerIds(clusters, refs, prevIds, createdRun, scope, taken, leaving);
  for (;;) {
    const unchecked = assignment.ids.filter((id, i) => assignment.isNew[i] && !checked.has(id));
    if (!unchecked.length) break;
    const more = await existingIds(db, unchecked);
    for (const id of unchecked) checked.add(id);
    if (!more.size) break;
    for (const id of more) taken.add(id);
    assignment = assignCustomerIds(clusters, refs, prevIds, createdRun, scope, taken, leaving);
  }
  return assignment;
}

/**
 * The rows one round of writeMaster writes, encoded as they are made (see Store.rowBatch): at a
 * million records, rounds of rows kept as objects until their write were promoted to the old
 * generation, and their garbage doubled the heap before each full collection.
 */
interface MasterRows {
  /** Customers whose row is replaced (deleted, then inserted again as in `customers`). */
  rewrite: string[];
  customers: RowBatch;
  /** Records whose stored link is replaced by one in `links`. */
  relink: MasterRecord[];
  links: RowBatch;
  consistency: RowBatch;
  entries: { add(e: AuditEntry): void; batch: RowBatch };
}

/**
 * Writes the master from clusters: ids kept (see assignCustomerIds), one golden record per
 * cluster under the configured survivorship, one link per record. Only what changed is written:
 * an unchanged customer or link keeps its row (and its `updated_run`), and every change is in the
 * audit log with its before and after. Customers that lose their id are `merged` into the
 * customer that took most of their records (their id still resolves) or `retired`.
 *
 * The rows are built and written `w.roundClusters` clusters at a time, all in one
 * transaction: only a round's customer, link, consistency and audit rows are held at once (at a
 * million records, the whole set filled most of the default heap).
 */
export async function writeMaster(w: MasterWriter, p: MasterPlacement): Promise<LoadResult> {
  const { store, audit } = w;
  const knex = store.knex;
  const policy = survivalPolicy(w.config);
  const full = p.scope === 'all';
  const lap = lapTimer(w.phases, 'master:');

  const previous: Map<string, StoredLink> = full ? await loadAllLinks(knex) : await loadLinks(knex, p.scope as ReadonlySet<string>, p.records);
  const existing = await loadCustomers(knex, full ? 'active' : [...new Set([...(p.scope as ReadonlySet<string>), ...[...previous.values()].map((l) => l.customerId)])]);
  const scope = new Set<string>(full ? existing.keys() : [...(p.scope as ReadonlySet<string>), ...[...previous.values()].map((l) => l.customerId)]);
  for (const id of [...scope]) if (existing.get(id)?.status !== 'active') scope.delete(id);

  const list = listOf(p.records);
  const clusters = clustersOf(p);
  const prevIds = new Map<string, string>();
  for (const [ref, l] of previous) prevIds.set(ref, l.customerId);
  lap('stored master');
  const assignment = await assignStoreIds(knex, clusters, list, prevIds, await ageKeys(knex, existing), scope, p.leaving);
  // A full run's first rounds start from a heap holding the garbage of the match stage's last
  // phases, of quality and of the ids: V8 let it grow to 800–840 MB over ~650 live and collected
  // only during the first round, beside the match index's thread (1M records: the run's peak,
  // 1,391 MB; with a key 1,420 MB). Not compacting: the passing copy of 650 MB live raised the
  // kernel's high-water mark to 1,466 MB. (A run of one round or less has nothing to gain.)
  if (full && clusters.length >= WRITE_CLUSTERS) collectGarbage();
  lap('ids');

  const result: LoadResult = { customers: 0, newCustomers: 0, updatedCustomers: 0, mergedCustomers: 0, retiredCustomers: 0, linkedRecords: 0, changedLinks: 0, detachedRecords: 0 };
  // Records of stored links placed again (the others are detached).
  const placed = new Set<string>();
  const membersBefore = new Map<string, string[]>();
  for (const l of previous.values()) {
    let m = membersBefore.get(l.customerId);
    if (!m) membersBefore.set(l.customerId, (m = []));
    m.push(refName(l));
  }

  // Per customer of several sources, its consistency pairs (what an incremental run's quality
  // sums for the customers it leaves untouched: src/master/incremental-quality.ts).
  const consistencyFields = w.config.quality.consistency_fields;
  const place = (ci: number, out: MasterRows): void => {
    const c = clusters[ci]!;
    const id = assignment.ids[ci]!;
    // The members whole, for this cluster only: a full run's are unpacked from its table here.
    const records = c.idx.map((i) => list.at(i));
    const tallies = new Map<string, Map<string, Tally>>();
    addConsistency(tallies, records, consistencyFields);
    for (const [source, byField] of tallies) for (const [field, t] of byField) out.consistency.add([id, source, field, t.good, t.measured]);
    const golden = surviveGolden(records, policy);
    const provenance = encodeProvenance(golden.provenance);
    const old = existing.get(id);
    const members = records.map(refName);
    // Members that joined and left: a new customer (most of a first load) had none before.
    const had = membersBefore.get(id);
    const before = had ? new Set(had) : null;
    const added = before ? members.filter((m) => !before.has(m)) : members;
    const now = before ? new Set(members) : null;
    const removed = before ? [...before].filter((m) => !now!.has(m)) : [];
    if (!old || old.status !== 'active') {
      result.newCustomers += old ? 0 : 1;
      out.entries.add({ customerId: id, action: 'create', before: old ? { status: old.status } : null, after: { ...stripNulls(golden.values), record_count: members.length, records: members } });
    } else {
      const changed = CANONICAL_FIELDS.filter((f) => golden.values[f] !== old.values[f]);
      if (!changed.length && provenance === old.provenance && old.record_count === members.length && !added.length && !removed.length) return placeLinks();
      result.updatedCustomers++;
      const b: Record<string, unknown> = {};
      const a: Record<string, unknown> = {};
      for (const f of changed) {
        b[f] = old.values[f];
        a[f] = golden.values[f];
      }
      if (old.record_count !== members.length) {
        b.record_count = old.record_count;
        a.record_count = members.length;
      }
      if (removed.length) b.records = removed;
      if (added.length) a.records = added;
      if (provenance !== old.provenance && !changed.length) a.provenance = 'changed';
      out.entries.add({ customerId: id, action: 'update', before: b, after: a });
    }
    out.rewrite.push(id);
    out.customers.add([id, old?.created_run ?? audit.runId, audit.runId, ...CANONICAL_FIELDS.map((f) => golden.values[f]), provenance, members.length, 'active', null]);
    placeLinks();

    function placeLinks(): void {
      for (let k = 0; k < c.idx.length; k++) {
        const r = records[k]!;
        const ref = refOf(r.source, r.key);
        const prev = previous.get(ref);
        if (prev) placed.add(ref);
        result.linkedRecords++;
        const prob = roundProbability(p.linkProbability[c.idx[k]!]!);
        if (prev && prev.customerId === id && prev.probability === prob && prev.hash === (r.hash ?? null)) continue;
        result.changedLinks++;
        if (prev) out.relink.push(r);
        out.links.add([r.source, r.key, id, prob, audit.runId, r.hash ?? null]);
      }
    }
  };

  const fateRows: { id: string; status: string; merged_into: string | null }[] = [];
  const fateEntries: AuditEntry[] = [];
  for (const [id, fate] of assignment.fates) {
    const old = existing.get(id);
    if (!old) continue;
    if (fate.status === 'merged') result.mergedCustomers++;
    else result.retiredCustomers++;
    fateRows.push({ id, status: fate.status, merged_into: fate.status === 'merged' ? fate.mergedInto : null });
    fateEntries.push({
      customerId: id,
      action: fate.status === 'merged' ? 'merge' : 'retire',
      before: { status: 'active', record_count: old.record_count },
      after: fate.status === 'merged' ? { status: 'merged', merged_into: fate.mergedInto } : { status: 'retired' },
    });
  }

  await store.transaction(async (trx) => {
    const chunk = lookupChunk(trx);
    // A first full load: the master's tables are loaded bare and indexed after.
    const bare = full ? await dropIndexesWhileEmpty(trx, store.dialect, MASTER_TABLES) : null;
    const fromEmpty = bare?.tables.includes('customers') ?? false;
    if (full) await trx('customer_consistency').delete();
    else {
      const ids = [...new Set([...scope, ...assignment.ids, ...assignment.fates.keys()])];
      for (let i = 0; i < ids.length; i += chunk) await whereAny(trx, trx('customer_consistency'), 'customer_id', ids.slice(i, i + chunk)).delete();
    }
    // Each customer and record is in one round, and the audit entries keep their order (the
    // clusters', then the fates'): the rounds write what one batch of the same rows would.
    const round = Math.max(1, w.roundClusters ?? WRITE_CLUSTERS);
    const newRows = (): MasterRows => ({
      rewrite: [],
      customers: store.rowBatch('customers', CUSTOMER_COLUMNS),
      relink: [],
      links: store.rowBatch('customer_links', LINK_COLUMNS),
      consistency: store.rowBatch('customer_consistency', CONSISTENCY_COLUMNS),
      entries: auditBatch(store, audit),
    });
    const write = async (rows: MasterRows): Promise<void> => {
      // Into an empty table, each customer is written once: there is no row to replace (and no
      // index yet to find one by).
      if (!fromEmpty) for (let i = 0; i < rows.rewrite.length; i += chunk) await whereAny(trx, trx('customers'), 'id', rows.rewrite.slice(i, i + chunk)).delete();
      await store.insertBatch(rows.customers, trx);
      for (const { source, keys } of refChunks(rows.relink, chunk)) await whereAny(trx, trx('customer_links').where({ source }), 'source_key', keys).delete();
      await store.insertBatch(rows.links, trx);
      await store.insertBatch(rows.consistency, trx);
      await store.insertBatch(rows.entries.batch, trx);
    };
    // Two sets of rows, taking turns: a round is built while the store loads the one before
    // (the writes of a round follow the writes of the one before, in order, on this transaction).
    const sets = [newRows(), newRows()];
    let writing: Promise<void> | null = null;
    try {
      for (let start = 0, r = 0; start < clusters.length; start += round, r++) {
        const rows = sets[r % 2]!;
        rows.rewrite = [];
        rows.relink = [];
        for (let ci = start; ci < Math.min(clusters.length, start + round); ci++) {
          place(ci, rows);
          // A turn for timers and I/O now and then: the previous round's writes and, on a full
          // run, the match index beside the master are fed from this thread (a round is a second or more).
          if ((ci - start) % YIELD_CLUSTERS === YIELD_CLUSTERS - 1) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        lap('golden records');
        if (writing) await writing;
        lap('writes');
        writing = write(rows);
        // Awaited before the next round's writes or after the last round; settled here too, so
        // that a failure while the next round is built is not an unhandled rejection.
        writing.catch(() => undefined);
        // Every COLLECT_ROUNDS rounds, while the store loads this one: a round's rows outlive the
        // awaits of their writes and are promoted, and the old generation grew to some 900 MB
        // over 640 live before V8 collected (1M records: the load stage's peak, 1,466 MB). Since
        // the COPY buffers are used again (src/store/copy-buffers.ts), V8 collects even later:
        // without these, a 1M run without a key peaked the same (1,348 MB) but one with a key,
        // whose rows are encrypted copies, at 1,657 MB instead of 1,420.
        if (r % COLLECT_ROUNDS === COLLECT_ROUNDS - 1) collectGarbage();
      }
      if (writing) await writing;
    } finally {
      // A round that failed to build lets the writes in flight end before the transaction rolls back.
      await writing?.catch(() => undefined);
    }
    lap('writes');
    if (bare) {
      await bare.rebuild();
      lap('indexes');
    }
    for (const f of fateRows) await trx('customers').where({ id: f.id }).update({ status: f.status, merged_into: f.merged_into, record_count: 0, updated_run: audit.runId });
    // Links of the scope not placed again: records gone from their source or deleted there.
    const detached = [...previous.entries()].filter(([ref]) => !placed.has(ref)).map(([, l]) => l);
    result.detachedRecords = detached.length;
    for (const { source, keys } of refChunks(detached, chunk)) await whereAny(trx, trx('customer_links').where({ source }), 'source_key', keys).delete();
    await writeAudit(store, audit, fateEntries, trx);
    lap('writes');
    if (w.beforeCommit) {
      await w.beforeCommit();
      lap('waiting for the match index');
    }
  });
  lap('commit');
  const count = (await knex('customers').where({ status: 'active' }).count({ n: '*' })) as { n: number | string }[];
  result.customers = Number(count[0]!.n);
  return result;
}

/** What the match index is written from: the records' hashed blocking keys and sort-key names, their term frequencies and company-name word counts. */
interface IndexInputs {
  keys: IndexKeys;
  sortNames: SortKeyNames;
  tf: TermFrequencies | TermShares;
  companyWords: WordCounts | undefined;
}

/**
 * A full match in this process (the inline runner) has them all: blocking hashed the keys, and
 * its scorer holds the term frequencies and company-name word counts of exactly these records.
 * The queue runner's load job gets the clusters without them, and computes them again from the
 * records encoded in columns, the keys on both cores as matching computes them. (A million match
 * records held as objects for the counts took that worker process to 2.7 GB; the index written
 * from match records computed again a record at a time, on the thread that also builds the
 * master, kept that job's index and master at ~115 s at a million records, against ~65 s inline.)
 */
async function indexInputs(ctx: RunContext, m: MatchStageResult): Promise<IndexInputs> {
  const scorer = m.result.scorer as PairScorer | undefined;
  if (scorer && m.result.indexKeys && m.sortNames) {
    return { keys: m.result.indexKeys, sortNames: m.sortNames, tf: m.result.termShares ?? scorer.termFrequencies, companyWords: scorer.companyWords };
  }
  // The encoding thread's heap (~650 MB at a million records) comes on top of this one's, left
  // committed at its high mark by reading the records and their clusters (800 MB, 480 used):
  // that sum was the queue worker's peak (1.85 GB). Compacted first, while this thread is alone.
  if (m.records.length >= MIN_RECORDS_FOR_WORKERS) collectGarbage({ compact: true });
  const enc = await encodeStaged(m.records);
  const companyWords = encodedCompanyWords(enc);
  const keys = await blockingIndexKeys(enc, { maxBlockSize: ctx.config.matching.max_block_size, hashing: indexHashing(ctx.store.cipher), companyWords });
  return { keys, sortNames: sortKeyNames(enc), tf: termSharesOf(enc), companyWords };
}

/**
 * Starts writing a full run's match index (see {@link loadMaster}) on a store with a pool of
 * connections, before the quality gates are known: the inline runner has the index's inputs in
 * hand, and the store ingests its ten million rows (at a million records) while this thread
 * scores quality. It commits only once `gates` resolves; once they fail, it rolls back at its
 * next step. Null on PGlite (one connection: the quality stage's queries would wait
 * behind the index's transaction) and where the inputs must be computed again (the queue runner's
 * load job, whose encoding threads are its memory's peak: not beside quality's as well).
 */
export function startMatchIndex(ctx: RunContext, m: MatchStageResult, phases: Record<string, number>, gates: Promise<void>): Promise<void> | null {
  if (ctx.store.dialect === 'pglite' || !m.result.indexKeys || !m.sortNames) return null;
  const started = performance.now();
  const written = indexInputs(ctx, m).then((index) => writeIndex(ctx, m, index, started, phases, gates));
  // Settled here too: a rolled-back or failing index is not an unhandled rejection while its
  // caller is busy (whoever awaits it sees the failure).
  written.catch(() => undefined);
  return written;
}

async function writeIndex(ctx: RunContext, m: MatchStageResult, index: IndexInputs, started: number, phases: Record<string, number>, gates?: Promise<void>): Promise<void> {
  await writeMatchIndex(ctx.store, ctx.runId, blockingIndexRows(ctx.store, m.records, index.keys, index.sortNames), index.tf, { blocks: index.keys.oversized }, index.companyWords, phases, gates);
  phases['load:match index'] = Math.round(performance.now() - started);
}

/**
 * The master stage of a full run: stores the blocking keys and term frequencies an incremental
 * run will match against (or takes the write {@link startMatchIndex} began, `indexWrite`), and
 * places every live record (see writeMaster). On a store with a pool of connections both are
 * written at once, in two transactions: the store ingests and indexes one while this process
 * builds the rows of the other (at a million records each took about a minute, much of it the
 * store's). The master commits only after the index has: a failure of the index rolls the master
 * back; a failure of the master can leave the index a step ahead, as when they were written one
 * after the other (the next run finds the same records changed, their links unchanged, and
 * matches them again).
 */
export async function loadMaster(ctx: RunContext, m: MatchStageResult, phases: Record<string, number> = {}, indexWrite: Promise<void> | null = null): Promise<LoadResult> {
  let written = indexWrite;
  if (!written) {
    const started = performance.now();
    const index = await indexInputs(ctx, m);
    // PGlite has one connection: a second transaction would wait for the first to end.
    if (ctx.store.dialect === 'pglite') await writeIndex(ctx, m, index, started, phases);
    else written = writeIndex(ctx, m, index, started, phases);
  }
  // Settled here too, so that a failing index is not an unhandled rejection while the master
  // is still building its rows (the master's transaction awaits it and fails with it).
  written?.catch(() => undefined);
  const mark = performance.now();
  try {
    const result = await writeMaster(
      {
        store: ctx.store,
        config: ctx.config,
        audit: { actor: ctx.actor ?? defaultActor(), at: new Date(), runId: ctx.runId, reason: `run ${ctx.runId}: matching and survivorship` },
        phases,
        ...(written ? { beforeCommit: () => written } : {}),
      },
      { records: m.records, clusterOf: m.result.clusterOf, linkProbability: m.result.linkProbability, scope: 'all' },
    );
    phases['load:master'] = Math.round(performance.now() - mark);
    return result;
  } finally {
    // The master failed first: the index still ends (committed or rolled back) before the run does.
    await written?.catch(() => undefined);
  }
}

function stripNulls(v: GoldenValues): Partial<GoldenValues> {
  const out: Partial<GoldenValues> = {};
  for (const f of CANONICAL_FIELDS) if (v[f] !== null) out[f] = v[f];
  return out;
}
