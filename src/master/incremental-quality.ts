import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { type ClusterTallies, LARGEST_CLUSTERS, LARGEST_MEMBERS, type QualityTallies, type SourceDelivery, Tally, dayOf, measureClusters, measureConsistency, postcodeAccuracy } from '../quality/scores.js';
import type { Store } from '../store/store.js';
import type { RebuildPlan } from './rebuild.js';
import { type RecordRef, lookupChunk, whereAny } from './store-io.js';

/**
 * Quality tallies of an incremental run, counted by the store instead of read into memory: what
 * {@link tallyRecords} (src/quality/scores.ts) computes over every live staged record with its
 * planned cluster, here as
 * - per-record figures (completeness, timeliness, postcode accuracy) of the delivered sources,
 *   aggregated in SQL over their live staged records (grouped by value where scoring needs the
 *   value: days of `source_updated_at`, postcode and region);
 * - per-cluster figures (uniqueness, consistency, cluster sizes, largest clusters) as the
 *   customers the plan leaves untouched, counted in SQL from the stored links, plus the plan's
 *   clusters, counted in memory.
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
  const mysql = db.client.dialect === 'mysql';
  const touched = [...(plan?.scope ?? [])];
  const planRecords = plan?.records ?? [];
  const planClusterOf = plan?.match.clusterOf ?? new Int32Array(0);
  // `customer_id` of a customer the plan leaves alone.
  const untouched = (column: string): { sql: string; bindings: Knex.RawBinding[] } =>
    mysql ? (touched.length ? { sql: `${column} not in (${touched.map(() => '?').join(', ')})`, bindings: touched } : { sql: '1 = 1', bindings: [] }) : { sql: `${column} <> all(?)`, bindings: [touched] };

  const sources: QualityTallies['sources'] = new Map();
  for (const d of deliveries) {
    const fields = d.fields.filter((f) => (CANONICAL_FIELDS as readonly string[]).includes(f));
    const live = () => db('source_records').where({ source: d.source, deleted: false });
    const [counts] = (await live().select(db.raw(['count(*) as n', ...fields.map((f, i) => `count(nullif(??, '')) as p${i}`)].join(', '), fields))) as Record<string, number | string>[];
    const present: Record<string, number> = {};
    fields.forEach((f, i) => (present[f] = Number(counts![`p${i}`])));
    // Days of source_updated_at: the value's first ten characters, or the whole value when it is encrypted.
    const encrypted = (f: string): boolean => !!store.cipher?.fields.has(f);
    const dayExpr = encrypted('source_updated_at') ? 'source_updated_at' : 'substr(source_updated_at, 1, 10)';
    const days = (await live().whereNotNull('source_updated_at').select(db.raw(`${dayExpr} as d`)).count({ n: '*' }).groupByRaw(dayExpr)) as { d: string; n: number | string }[];
    const updatedDays = new Map<string, number>();
    for (const r of days) {
      const day = dayOf(r.d);
      if (day) updatedDays.set(day, (updatedDays.get(day) ?? 0) + Number(r.n));
    }
    const accuracy = new Tally();
    const places = (await live()
      .whereNotNull('postal_code')
      .whereNotNull('region')
      .select('postal_code', 'region', 'country')
      .count({ n: '*' })
      .groupBy('postal_code', 'region', 'country')) as { postal_code: string; region: string; country: string | null; n: number | string }[];
    for (const r of places) {
      const agrees = postcodeAccuracy(r, d.country);
      if (agrees !== undefined) accuracy.add(agrees ? Number(r.n) : 0, Number(r.n));
    }
    sources.set(d.source, { records: Number(counts!.n), present, updatedDays, accuracy, clusters: 0, consistency: new Map() });
  }

  // Uniqueness: customers among each delivered source's records.
  const names = deliveries.map((d) => d.source);
  if (names.length) {
    const u = untouched('customer_id');
    const rows = (await whereAny(db, db('customer_links').select('source'), 'source', names)
      .whereRaw(u.sql, u.bindings)
      .countDistinct({ c: 'customer_id' })
      .count({ n: '*' })
      .groupBy('source')) as { source: string; c: number | string; n: number | string }[];
    const linked = new Map(rows.map((r) => [r.source, { customers: Number(r.c), records: Number(r.n) }]));
    const planned = new Map<string, { clusters: Set<number>; records: number }>();
    planRecords.forEach((r, i) => {
      let p = planned.get(r.source);
      if (!p) planned.set(r.source, (p = { clusters: new Set(), records: 0 }));
      p.clusters.add(planClusterOf[i]!);
      p.records++;
    });
    for (const [source, t] of sources) {
      const l = linked.get(source) ?? { customers: 0, records: 0 };
      const p = planned.get(source) ?? { clusters: new Set(), records: 0 };
      t.clusters = l.customers + p.clusters.size + Math.max(0, t.records - l.records - p.records);
    }
  }

  // Consistency: pairs across sources in untouched customers (SQL), and in the plan's clusters.
  const fields = config.quality.consistency_fields.filter((f) => (CANONICAL_FIELDS as readonly string[]).includes(f));
  if (fields.length && names.length) {
    const order = config.sources.map((s) => s.name);
    const u = untouched('customer_id');
    const key = mysql ? 'cl.source_key' : 'cl.source_key collate "C"';
    const src = mysql ? 'cl.source' : 'cl.source collate "C"';
    const sums = fields.flatMap((f, i) => [
      `sum(case when a.${f} <> '' and b.${f} <> '' then 1 else 0 end) as m${i}`,
      `sum(case when a.${f} <> '' and b.${f} <> '' and a.${f} = b.${f} then 1 else 0 end) as g${i}`,
    ]);
    const res = await db.raw(
      `with multi as (
         select customer_id from customer_links where ${u.sql} group by customer_id having count(distinct source) > 1
       ), m as (
         select cl.customer_id, cl.source, case cl.source ${order.map(() => 'when ? then ?').join(' ')} else ? end as so,
                coalesce(sr.line, 0) as line, ${key} as k, ${src} as s, ${fields.map((f) => `sr.${f}`).join(', ')}
           from multi join customer_links cl on cl.customer_id = multi.customer_id
           join source_records sr on sr.source = cl.source and sr.source_key = cl.source_key
          where sr.deleted = false
       ), p as (
         select m.*, row_number() over (partition by customer_id order by so, s, line, k) as pos from m
       )
       select a.source as sa, b.source as sb, ${sums.join(', ')}
         from p a join p b on b.customer_id = a.customer_id and b.pos > a.pos and b.pos <= a.pos + ${CONSISTENCY_CAP} and b.source <> a.source
        group by a.source, b.source`,
      [...u.bindings, ...order.flatMap((name, i) => [name, i]), 1e9],
    );
    const rows = (mysql ? (res as unknown[][])[0] : (res as { rows: unknown[] }).rows) as Record<string, string | number>[];
    const tally = (source: string, f: string): Tally | undefined => {
      const t = sources.get(source);
      if (!t) return undefined;
      let x = t.consistency.get(f);
      if (!x) t.consistency.set(f, (x = new Tally()));
      return x;
    };
    for (const r of rows) {
      fields.forEach((f, i) => {
        const measured = Number(r[`m${i}`]);
        if (!measured) return;
        const good = Number(r[`g${i}`]);
        tally(String(r.sa), f)?.add(good, measured);
        tally(String(r.sb), f)?.add(good, measured);
      });
    }
    const inPlan = measureConsistency({ records: planRecords, clusterOf: planClusterOf }, fields);
    for (const [source, byField] of inPlan) for (const [f, t] of byField) tally(source, f)?.add(t.good, t.measured);
  }

  return { sources, clusters: await clusterTallies(store, config, touched, planRecords, planClusterOf, untouched) };
}

/** Members a consistency comparison pairs each record with (see measureConsistency). */
const CONSISTENCY_CAP = 100;

/** Cluster sizes and the largest clusters: untouched customers from the store, with the plan's clusters. */
async function clusterTallies(
  store: Store,
  config: Pick<Config, 'sources'>,
  touched: readonly string[],
  planRecords: RebuildPlan['records'],
  planClusterOf: Int32Array,
  untouched: (column: string) => { sql: string; bindings: Knex.RawBinding[] },
): Promise<ClusterTallies> {
  const db = store.knex;
  const u = untouched('id');
  const active = () => db('customers').where({ status: 'active' }).whereRaw(u.sql, u.bindings);
  const sizes = (await active().select('record_count').count({ n: '*' }).groupBy('record_count')) as { record_count: number | string; n: number | string }[];
  const clusterSizes: Record<string, number> = {};
  const add = (size: number, n: number): void => {
    if (size > 0) clusterSizes[String(size)] = (clusterSizes[String(size)] ?? 0) + n;
  };
  let linked = 0;
  for (const r of sizes) {
    add(Number(r.record_count), Number(r.n));
    linked += Number(r.record_count) * Number(r.n);
  }
  const plan = measureClusters({ records: planRecords, clusterOf: planClusterOf });
  for (const [size, n] of Object.entries(plan.clusterSizes)) add(Number(size), n);
  // Live records neither in an untouched customer nor in the plan: one customer each.
  const [all] = (await db('source_records').where({ deleted: false }).count({ n: '*' })) as { n: number | string }[];
  add(1, Math.max(0, Number(all!.n) - linked - planRecords.length));

  // The largest: untouched customers at least as large as the tenth largest, with the plan's.
  const [tenth] = (await active().where('record_count', '>', 1).orderBy('record_count', 'desc').offset(LARGEST_CLUSTERS - 1).limit(1).select('record_count')) as { record_count: number | string }[];
  const floor = Math.max(2, Number(tenth?.record_count ?? 2));
  const big = (await active().where('record_count', '>=', floor).orderBy('record_count', 'desc').limit(MAX_TIED).select('id')) as { id: string }[];
  const order = new Map(config.sources.map((s, i) => [s.name, i]));
  type Member = { source: string; key: string; line: number };
  const canonical = (a: Member, b: Member): number =>
    (order.get(a.source) ?? 1e9) - (order.get(b.source) ?? 1e9) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || a.line - b.line || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const groups = new Map<string, Member[]>();
  const ids = big.map((b) => b.id);
  const chunk = lookupChunk(db);
  for (let i = 0; i < ids.length; i += chunk) {
    const q = db('customer_links as cl')
      .join('source_records as sr', (j) => j.on('sr.source', 'cl.source').andOn('sr.source_key', 'cl.source_key'))
      .where('sr.deleted', false)
      .select('cl.customer_id', 'cl.source', 'cl.source_key', 'sr.line');
    for (const r of (await whereAny(db, q, 'cl.customer_id', ids.slice(i, i + chunk))) as { customer_id: string; source: string; source_key: string; line: number | null }[]) {
      let g = groups.get(r.customer_id);
      if (!g) groups.set(r.customer_id, (g = []));
      g.push({ source: r.source, key: r.source_key, line: Number(r.line ?? 0) });
    }
  }
  const candidates: Member[][] = [...groups.values()].map((g) => g.sort(canonical));
  const planned = new Map<number, Member[]>();
  planRecords.forEach((r, i) => {
    let g = planned.get(planClusterOf[i]!);
    if (!g) planned.set(planClusterOf[i]!, (g = []));
    g.push({ source: r.source, key: r.key, line: r.line ?? 0 });
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
