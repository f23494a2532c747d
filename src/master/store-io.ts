import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { CANONICAL_FIELDS, type CanonicalField, type CanonicalValues } from '../core/fields.js';
import type { Store } from '../store/store.js';
import { refOf } from './ids.js';

/** Rows per `whereIn`: well under every dialect's limit on bound parameters. */
export const CHUNK = 1000;

/** Values per `= any(?)` on PostgreSQL: one array parameter, so only the statement's size limits it. */
const PG_CHUNK = 20_000;

const isMysql = (db: Knex | Knex.Transaction): boolean => db.client.dialect === 'mysql';

/** Values per lookup in `db`'s dialect: {@link CHUNK} for MySQL's parameter lists, more for PostgreSQL's arrays. */
export function lookupChunk(db: Knex | Knex.Transaction): number {
  return isMysql(db) ? CHUNK : PG_CHUNK;
}

/**
 * `column IN (values)`: on PostgreSQL as `column = any(?)` with one array parameter, which plans
 * and binds in one step however many values there are; on MySQL as a list. Chunk `values` with
 * {@link lookupChunk}.
 */
export function whereAny<Q extends Knex.QueryBuilder>(db: Knex | Knex.Transaction, q: Q, column: string, values: readonly string[]): Q {
  return (isMysql(db) ? q.whereIn(column, values as string[]) : q.whereRaw('?? = any(?)', [column, values as string[]])) as Q;
}

/** A staged source record as the master reads it. */
export interface MasterRecord {
  source: string;
  key: string;
  line: number | null;
  values: CanonicalValues;
  /** The staged version's hash (`source_records.record_hash`). */
  hash?: string;
}

/** A record's identity. */
export interface RecordRef {
  source: string;
  key: string;
}

/**
 * The canonical order of records: sources in configuration order, then line, then key. Every
 * path (full run, incremental run, steward rebuild) orders records this way, so the same
 * members give the same clusters, first records and ids.
 */
export function sortRecords<T extends MasterRecord>(config: Pick<Config, 'sources'>, recs: T[]): T[] {
  return recs.sort(canonicalOrder(config));
}

/** The canonical order ({@link sortRecords}) as a comparator of record identities and lines. */
export function canonicalOrder(config: Pick<Config, 'sources'>): (a: RecordPlace, b: RecordPlace) => number {
  const order = new Map(config.sources.map((s, i) => [s.name, i]));
  return (a, b) =>
    (order.get(a.source) ?? 1e9) - (order.get(b.source) ?? 1e9) ||
    (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** What the canonical order looks at. */
export interface RecordPlace extends RecordRef {
  line: number | null;
}

/** Groups refs by source, in chunks: one `where source = ? and key in (…)` each. */
export function* refChunks(refs: Iterable<RecordRef>, chunk = CHUNK): Generator<{ source: string; keys: string[] }> {
  const by = new Map<string, string[]>();
  for (const r of refs) {
    let l = by.get(r.source);
    if (!l) by.set(r.source, (l = []));
    l.push(r.key);
  }
  for (const [source, keys] of by) for (let i = 0; i < keys.length; i += chunk) yield { source, keys: keys.slice(i, i + chunk) };
}

/** Live (not deleted) staged records among `refs`, in canonical order. */
export async function loadRecords(store: Store, config: Pick<Config, 'sources'>, refs: Iterable<RecordRef>): Promise<MasterRecord[]> {
  const out: MasterRecord[] = [];
  const seen = new Set<string>();
  for await (const page of recordPages(store, refs)) {
    for (const r of page) {
      const ref = refOf(r.source, r.key);
      if (seen.has(ref)) continue;
      seen.add(ref);
      out.push(r);
    }
  }
  return sortRecords(config, out);
}

/**
 * Live (not deleted) staged records among `refs`, a page per lookup, in no particular order;
 * the next page is already asked for while the caller works on this one.
 */
export async function* recordPages(store: Store, refs: Iterable<RecordRef>): AsyncGenerator<MasterRecord[]> {
  const db = store.knex;
  const read = ({ source, keys }: { source: string; keys: string[] }): Promise<Record<string, unknown>[]> =>
    whereAny(db, db('source_records').select('source', 'source_key', 'line', 'record_hash', ...CANONICAL_FIELDS).where({ source, deleted: false }), 'source_key', keys) as Promise<Record<string, unknown>[]>;
  const pages = refChunks(refs, lookupChunk(db));
  let page = pages.next();
  let next = page.done ? null : read(page.value);
  const toRecord = recordReader();
  while (next) {
    const rows = await next;
    page = pages.next();
    next = page.done ? null : read(page.value);
    yield rows.map(toRecord);
  }
}

/** A `source_records` row (with the canonical fields) as a {@link MasterRecord}. */
export function toMasterRecord(r: Record<string, unknown>): MasterRecord {
  return readRecord(r, unshared);
}

const unshared = (s: string): string => s;

/**
 * Reads many `source_records` rows as {@link MasterRecord}s that share their repeated strings:
 * the driver makes a string per value, and across a million records most given names, family
 * names, places, genders, countries and dates are repeats. Each distinct value is kept once
 * (the table of distinct values is dropped with the reader); unique values (keys, hashes) are
 * not looked up.
 */
export function recordReader(): (r: Record<string, unknown>) => MasterRecord {
  const seen = new Map<string, string>();
  const intern = (s: string): string => {
    const had = seen.get(s);
    if (had !== undefined) return had;
    seen.set(s, s);
    return s;
  };
  return (r) => readRecord(r, intern);
}

/** A row's own value of field `f`, and a value of `f` through `shared`. */
const own = (r: Record<string, unknown>, f: CanonicalField): string | null => (r[f] as string | null | undefined) ?? null;
const rep = (r: Record<string, unknown>, f: CanonicalField, shared: (s: string) => string): string | null => {
  const v = r[f] as string | null | undefined;
  return v == null ? null : shared(v);
};

/**
 * Reads a row into a record. Fields whose values repeat from customer to customer (name parts,
 * places, genders, countries, birth dates) go through `shared`: at 100k generated records each
 * distinct given name, family name, city or postcode stood for 8 to 20 records, a birth date for
 * 3. Interning names, e-mails, phones and addresses too (1.3 to 1.6 records per value) saved
 * another 50 bytes a record for a third more reading time, and is not done. The values are one
 * object literal, which keeps every field in the object itself (built field by field, they
 * spilled into a second array: 32 bytes more a record). Heap per record at 100k: 716 bytes
 * before, 520 after (the record itself one literal too: 552 with its hash added afterwards).
 */
function readRecord(r: Record<string, unknown>, shared: (s: string) => string): MasterRecord {
  const values: CanonicalValues = {
    full_name: own(r, 'full_name'),
    given_name: rep(r, 'given_name', shared),
    family_name: rep(r, 'family_name', shared),
    company_name: own(r, 'company_name'),
    email: own(r, 'email'),
    phone: own(r, 'phone'),
    birth_date: rep(r, 'birth_date', shared),
    gender: rep(r, 'gender', shared),
    national_id: own(r, 'national_id'),
    tax_id: own(r, 'tax_id'),
    address_line1: own(r, 'address_line1'),
    address_line2: own(r, 'address_line2'),
    city: rep(r, 'city', shared),
    region: rep(r, 'region', shared),
    postal_code: rep(r, 'postal_code', shared),
    country: rep(r, 'country', shared),
    source_updated_at: own(r, 'source_updated_at'),
  } satisfies Record<CanonicalField, string | null>;
  const source = shared(String(r.source));
  const key = String(r.source_key);
  const line = r.line == null ? null : Number(r.line);
  // Literals again: a property added afterwards would go to a second array of its own.
  return r.record_hash ? { source, key, line, values, hash: String(r.record_hash) } : { source, key, line, values };
}

/** A link as stored. */
export interface StoredLink {
  source: string;
  key: string;
  customerId: string;
  probability: number | null;
  hash: string | null;
  runId: string;
}

const toLink = (r: Record<string, unknown>): StoredLink => ({
  source: String(r.source),
  key: String(r.source_key),
  customerId: String(r.customer_id),
  probability: r.match_probability == null ? null : Number(r.match_probability),
  hash: (r.record_hash as string | null) ?? null,
  runId: String(r.run_id),
});

const LINK_SELECT = ['source', 'source_key', 'customer_id', 'match_probability', 'record_hash', 'run_id'];

/** Links of these customers and of these records (either), by record ref. */
export async function loadLinks(db: Knex | Knex.Transaction, customerIds: Iterable<string>, refs: Iterable<RecordRef>): Promise<Map<string, StoredLink>> {
  const out = new Map<string, StoredLink>();
  const ids = [...customerIds];
  const chunk = lookupChunk(db);
  for (let i = 0; i < ids.length; i += chunk) {
    for (const r of (await whereAny(db, db('customer_links').select(LINK_SELECT), 'customer_id', ids.slice(i, i + chunk))) as Record<string, unknown>[]) {
      const l = toLink(r);
      out.set(refOf(l.source, l.key), l);
    }
  }
  for (const { source, keys } of refChunks(refs, chunk)) {
    for (const r of (await whereAny(db, db('customer_links').select(LINK_SELECT).where({ source }), 'source_key', keys)) as Record<string, unknown>[]) {
      const l = toLink(r);
      out.set(refOf(l.source, l.key), l);
    }
  }
  return out;
}

/** Every link, by record ref. */
export async function loadAllLinks(db: Knex | Knex.Transaction): Promise<Map<string, StoredLink>> {
  const out = new Map<string, StoredLink>();
  for (const r of (await db('customer_links').select(LINK_SELECT)) as Record<string, unknown>[]) {
    const l = toLink(r);
    out.set(refOf(l.source, l.key), l);
  }
  return out;
}
