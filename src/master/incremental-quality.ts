import type { Config } from '../config/schema.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { type ClusterTallies, LARGEST_CLUSTERS, LARGEST_MEMBERS, type QualityTallies, type SourceDelivery, Tally, dayOf, measureClusters, measureConsistency, postcodeAccuracy } from '../quality/scores.js';
import type { Store } from '../store/store.js';
import type { RebuildPlan } from './rebuild.js';
import { type RecordPlace, type RecordRef, canonicalOrder, lookupChunk, whereAny } from './store-io.js';

/**
 * Quality tallies of an incremental run, counted by the store instead of read into memory: what
 * {@link tallyRecords} (src/quality/scores.ts) computes over every live staged record with its
 * planned cluster, here as
 * - per-record figures (completeness, timeliness, postcode accuracy) of the delivered sources,
 *   aggregated in SQL over their live staged records (grouped by value where scoring needs the
 *   value: days of `source_updated_at`, postcode and region);
 * - per-cluster figures (uniqueness, consistency, cluster sizes, largest clusters) of the
 *   customers the plan leaves untouched, as the store's figures of all customers (links,
 *   `customers.record_count`, `customer_consistency`) less those of the touched customers, plus
 *   the plan's clusters, counted in memory.
 * Untouched customers hold only live records: a record that changed, vanished or was deleted
 * puts its customer in the plan. A live record neither linked nor in the plan (none after a
 * successful run) counts as a customer of its own, as in a full run's view.
 */
export async function incrementalQualityTallies(
  store: Store,
  config: Pick<Config, 'sources' | 'quality'>,
  plan: RebuildPlan | null,
  deliveries: readonly SourceDelivery[],
): Promise<QualityTallies> {
  const db = store.knex;
  const chunk = lookupChunk(db);
  const touched = [...(plan?.scope ?? [])];
  const planRecords = plan?.records ?? [];
  const planClusterOf = plan?.match.clusterOf ?? new Int32Array(0);
  const sources: QualityTallies['sources'] = new Map();
  // The sources' counts are independent queries: asked at once (the store has two cores).
  const perSource = deliveries.map(async (d) => {
    const fields = d.fields.filter((f) => (CANONICAL_FIELDS as readonly string[]).includes(f));
    const live = () => db('source_records').where({ source: d.source, deleted: false });
    const encrypted = (f: string): boolean => !!store.cipher?.fields.has(f);
    const dayExpr = encrypted('source_updated_at') ? 'source_updated_at' : 'substr(source_updated_at, 1, 10)';
    const [[counts], days, places] = (await Promise.all([
      live().select(db.raw(['count(*) as n', ...fields.map((_, i) => `count(nullif(??, '')) as p${i}`)].join(', '), fields)),
      // Days of source_updated_at: the value's first ten characters, or the whole value when it is encrypted.
      live().whereNotNull('source_updated_at').select(db.raw(`${dayExpr} as d`)).count({ n: '*' }).groupByRaw(dayExpr),
      live().whereNotNull('postal_code').whereNotNull('region').select('postal_code', 'region', 'country').count({ n: '*' }).groupBy('postal_code', 'region', 'country'),
    ])) as [Record<string, number | string>[], { d: string; n: number | string }[], { postal_code: string; region: string; country: string | null; n: number | string }[]];
    const present: Record<string, number> = {};
    fields.forEach((f, i) => (present[f] = Number(counts![`p${i}`])));
    const updatedDays = new Map<string, number>();
    for (const r of days) {
      const day = dayOf(r.d);
      if (day) updatedDays.set(day, (updatedDays.get(day) ?? 0) + Number(r.n));
    }
    const accuracy = new Tally();
    for (const r of places) {
      const agrees = postcodeAccuracy(r, d.country);
      if (agrees !== undefined) accuracy.add(agrees ? Number(r.n) : 0, Number(r.n));
    }
    return [d.source, { records: Number(counts!.n), present, updatedDays, accuracy, clusters: 0, consistency: new Map() }] as const;
  });
  for (const [source, t] of await Promise.all(perSource)) sources.set(source, t);

  // Uniqueness: customers among each delivered source's records. The untouched customers' are
  // all stored links less the touched customers' (a subtraction: `not in` a long list is slow).
  const names = deliveries.map((d) => d.source);
  const uniqueness = async (): Promise<void> => {
    if (!names.length) return;
    const count = async (ids: readonly string[] | null): Promise<Map<string, { customers: number; records: number }>> => {
      let q = whereAny(db, db('customer_links').select('source'), 'source', names);
      if (ids) q = whereAny(db, q, 'customer_id', ids);
      const rows = (await q.countDistinct({ c: 'customer_id' }).count({ n: '*' }).groupBy('source')) as { source: string; c: number | string; n: number | string }[];
      return new Map(rows.map((r) => [r.source, { customers: Number(r.c), records: Number(r.n) }]));
    };
    const all = await count(null);
    const inTouched = new Map<string, { customers: number; records: number }>();
    for (let i = 0; i < touched.length; i += chunk) {
      for (const [source, x] of await count(touched.slice(i, i + chunk))) {
        const t = inTouched.get(source) ?? { customers: 0, records: 0 };
        inTouched.set(source, { customers: t.customers + x.customers, records: t.records + x.records });
      }
    }
    const planned = new Map<string, { clusters: Set<number>; records: number }>();
    planRecords.forEach((r, i) => {
      let p = planned.get(r.source);
      if (!p) planned.set(r.source, (p = { clusters: new Set(), records: 0 }));
      p.clusters.add(planClusterOf[i]!);
      p.records++;
    });
    for (const [source, t] of sources) {
      const a = all.get(source) ?? { customers: 0, records: 0 };
      const x = inTouched.get(source) ?? { customers: 0, records: 0 };
      const p = planned.get(source) ?? { clusters: new Set(), records: 0 };
      const linked = a.records - x.records;
      t.clusters = a.customers - x.customers + p.clusters.size + Math.max(0, t.records - linked - p.records);
    }
  };

  // Consistency: the untouched customers' stored pairs (all stored less the touched ones'), and
  // the plan's clusters compared here.
  const fields = config.quality.consistency_fields.filter((f) => (CANONICAL_FIELDS as readonly string[]).includes(f));
  const consistency = async (): Promise<void> => {
    if (!fields.length || !names.length) return;
    const tally = (source: string, f: string): Tally | undefined => {
      const t = sources.get(source);
      if (!t || !(fields as readonly string[]).includes(f)) return undefined;
      let x = t.consistency.get(f);
      if (!x) t.consistency.set(f, (x = new Tally()));
      return x;
    };
    const sums = async (ids: readonly string[] | null, sign: number): Promise<void> => {
      let q = whereAny(db, db('customer_consistency').select('source', 'field'), 'source', names);
      if (ids) q = whereAny(db, q, 'customer_id', ids);
      const rows = (await q.sum({ good: 'good' }).sum({ measured: 'measured' }).groupBy('source', 'field')) as { source: string; field: string; good: number | string; measured: number | string }[];
      for (const r of rows) tally(r.source, r.field)?.add(sign * Number(r.good), sign * Number(r.measured));
    };
    await sums(null, 1);
    for (let i = 0; i < touched.length; i += chunk) await sums(touched.slice(i, i + chunk), -1);
    const inPlan = measureConsistency({ records: planRecords, clusterOf: planClusterOf }, fields);
    for (const [source, byField] of inPlan) for (const [f, t] of byField) tally(source, f)?.add(t.good, t.measured);
    for (const t of sources.values()) for (const [f, x] of t.consistency) if (!x.measured) t.consistency.delete(f);
  };

  // Independent of one another: asked at once.
  const [, , clusters] = await Promise.all([uniqueness(), consistency(), clusterTallies(store, config, touched, planRecords, planClusterOf)]);
  return { sources, clusters };
}

/** Cluster sizes and the largest clusters: untouched customers from the store, with the plan's clusters. */
async function clusterTallies(store: Store, config: Pick<Config, 'sources'>, touched: readonly string[], planRecords: RebuildPlan['records'], planClusterOf: Int32Array): Promise<ClusterTallies> {
  const db = store.knex;
  const chunk = lookupChunk(db);
  const active = () => db('customers').where({ status: 'active' });
  const clusterSizes: Record<string, number> = {};
  const add = (size: number, n: number): void => {
    if (size <= 0 || !n) return;
    const k = String(size);
    clusterSizes[k] = (clusterSizes[k] ?? 0) + n;
    if (!clusterSizes[k]) delete clusterSizes[k];
  };
  let linked = 0;
  for (const r of (await active().select('record_count').count({ n: '*' }).groupBy('record_count')) as { record_count: number | string; n: number | string }[]) {
    add(Number(r.record_count), Number(r.n));
    linked += Number(r.record_count) * Number(r.n);
  }
  // The touched customers as stored leave the count; the plan's clusters take their place.
  const touchedSet = new Set(touched);
  for (let i = 0; i < touched.length; i += chunk) {
    for (const r of (await whereAny(db, active().select('record_count'), 'id', touched.slice(i, i + chunk))) as { record_count: number | string }[]) {
      add(Number(r.record_count), -1);
      linked -= Number(r.record_count);
    }
  }
  const plan = measureClusters({ records: planRecords, clusterOf: planClusterOf });
  for (const [size, n] of Object.entries(plan.clusterSizes)) add(Number(size), n);
  // Live records neither in an untouched customer nor in the plan: one customer each.
  const [all] = (await db('source_records').where({ deleted: false }).count({ n: '*' })) as { n: number | string }[];
  add(1, Math.max(0, Number(all!.n) - linked - planRecords.length));

  // The largest: untouched customers at least as large as the tenth largest of them, with the plan's.
  const [floorRow] = (await active().where('record_count', '>', 1).orderBy('record_count', 'desc').offset(LARGEST_CLUSTERS - 1 + touched.length).limit(1).select('record_count')) as { record_count: number | string }[];
  const floor = Math.max(2, Number(floorRow?.record_count ?? 2));
  const big = ((await active().where('record_count', '>=', floor).orderBy('record_count', 'desc').limit(MAX_TIED + touched.length).select('id')) as { id: string }[]).filter((b) => !touchedSet.has(b.id));
  type Member = RecordPlace;
  const canonical = canonicalOrder(config);
  const groups = new Map<string, Member[]>();
  const ids = big.map((b) => b.id);
  for (let i = 0; i < ids.length; i += chunk) {
    const q = db('customer_links as cl')
      .join('source_records as sr', (j) => j.on('sr.source', 'cl.source').andOn('sr.source_key', 'cl.source_key'))
      .where('sr.deleted', false)
      .select('cl.customer_id', 'cl.source', 'cl.source_key', 'sr.line');
    for (const r of (await whereAny(db, q, 'cl.customer_id', ids.slice(i, i + chunk))) as { customer_id: string; source: string; source_key: string; line: number | null }[]) {
      let g = groups.get(r.customer_id);
      if (!g) groups.set(r.customer_id, (g = []));
      g.push({ source: r.source, key: r.source_key, line: r.line === null ? null : Number(r.line) });
    }
  }
  const candidates: Member[][] = [...groups.values()].map((g) => g.sort(canonical));
  const planned = new Map<number, Member[]>();
  planRecords.forEach((r, i) => {
    let g = planned.get(planClusterOf[i]!);
    if (!g) planned.set(planClusterOf[i]!, (g = []));
    g.push({ source: r.source, key: r.key, line: r.line });
  });
  for (const g of planned.values()) if (g.length > 1) candidates.push(g.sort(canonical));
  const largest = candidates
    .sort((a, b) => b.length - a.length || canonical(a[0]!, b[0]!))
    .slice(0, LARGEST_CLUSTERS)
    .map((g) => ({ size: g.length, members: g.slice(0, LARGEST_MEMBERS).map((m): RecordRef => ({ source: m.source, key: m.key })) }));
  return { clusterSizes, largestClusters: largest };
}

/** Untouched customers read as candidates for the largest clusters (ties at the tenth size beyond it are cut). */
const MAX_TIED = 2000;
