import { setImmediate as nextTurn } from 'node:timers/promises';
import { type ClusterGroups, clusterMembers, clusterSize, groupClusters } from '../core/cluster-groups.js';
import type { CanonicalField, CanonicalValues } from '../core/fields.js';
import { PACKED_AT, PACK_SEP } from '../core/packed-values.js';
import { type RecordList, type RecordTable, listOf } from '../master/record-table.js';
import { DIMENSIONS, type Dimension, type QualityConfig } from './quality-config.js';
import type { DedupeStats, DimensionScores, FieldQuality, Measure, QualityScores, SourceQuality } from './quality-report.js';
import { postcodeAgreesWithRegion } from './reference.js';

/** One source of the run: what this run read from it, and what its staged records carry. */
export interface SourceDelivery {
  source: string;
  /** The source's default country (ISO2), for records that carry none. */
  country?: string | undefined;
  /** The canonical fields the source maps. */
  fields: readonly string[];
  /** Rows read in this run. */
  read: number;
  /** Rows of this run that could not be read at all. */
  malformed: number;
  /** Rows of this run staged with at least one rejected value. */
  rowsWithRejects: number;
  incremental: boolean;
  /**
   * Per field: how many of the source's live staged records had their value rejected (the
   * staged value is then null), whichever run staged them.
   */
  rejectedValues: Readonly<Record<string, number>>;
}

/** One live staged record (standardized values) and the cluster matching put it in. */
export interface ScoredRecord {
  source: string;
  key: string;
  values: CanonicalValues;
}

/** Scored records by index: an array, or a full run's table (which unpacks a record when read). */
export type ScoredRecords = readonly ScoredRecord[] | RecordList<ScoredRecord>;

/** Everything a run is scored from; no I/O happens while scoring. */
export interface QualityInput {
  /** The run's date, yyyy-mm-dd (timeliness is measured against it, never against a clock). */
  today: string;
  /** The sources of this run, in configuration order. */
  deliveries: readonly SourceDelivery[];
  /** Every live staged record (all sources), parallel to `clusterOf`. */
  records: ScoredRecords;
  clusterOf: ArrayLike<number>;
  probabilityHistogram?: readonly number[] | undefined;
  linkThreshold: number;
  reviewThreshold: number;
}

/**
 * What scoring needs of one source's live staged records: counts, never the records. Built from
 * records in memory ({@link tallyRecords}, a full run) or counted by the store (an incremental
 * run, src/master/incremental-quality.ts); both give the same figures for the same data.
 */
export interface SourceTallies {
  /** Live staged records. */
  records: number;
  /** Per field: records holding a (valid) value. */
  present: Record<string, number>;
  /** Per day (yyyy-mm-dd) of `source_updated_at`: records (values that are no date left out). */
  updatedDays: Map<string, number>;
  /** Postcodes checked against their region where reference data exists. */
  accuracy: Tally;
  /** Customers (clusters) the records belong to. */
  clusters: number;
  /** Per consistency field: pairs with another source's record in the same customer. */
  consistency: Map<string, Tally>;
}

/** The cluster figures of the whole run (every source): sizes and the largest clusters. */
export type ClusterTallies = Pick<DedupeStats, 'clusterSizes' | 'largestClusters'>;

/** Tallies of every delivered source, and the clusters. */
export interface QualityTallies {
  sources: Map<string, SourceTallies>;
  clusters: ClusterTallies;
}

/** A running ratio: good out of measured. */
export class Tally {
  good = 0;
  measured = 0;
  add(good: number, measured = 1): void {
    this.good += good;
    this.measured += measured;
  }
  measure(): Measure | undefined {
    return this.measured ? { score: round1((this.good / this.measured) * 100), measured: this.measured } : undefined;
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Weighted mean of the dimensions present; undefined when none is (or all weigh 0). */
function weighted(dims: DimensionScores, weights: QualityConfig['weights']): number | undefined {
  let sum = 0;
  let w = 0;
  for (const d of DIMENSIONS) {
    const m = dims[d];
    if (!m || !weights[d]) continue;
    sum += m.score * weights[d];
    w += weights[d];
  }
  return w ? round1(sum / w) : undefined;
}

/** Days from yyyy-mm-dd `a` to yyyy-mm-dd `b`. */
function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

const ISO_DATE = /^(\d{4}-\d{2}-\d{2})/;

/**
 * Timeliness of one record: 1 up to `fresh_days` old, 0 from `stale_days`, linear in between.
 * A date after the run date (a clock ahead) counts as fresh: its validity is the standardizer's
 * business. Undefined when the value is not a date.
 */
export function timelinessOf(updatedAt: string, today: string, t: QualityConfig['timeliness']): number | undefined {
  const m = ISO_DATE.exec(updatedAt);
  if (!m) return undefined;
  const age = daysBetween(m[1]!, today);
  if (Number.isNaN(age)) return undefined;
  if (age <= t.fresh_days) return 1;
  if (age >= t.stale_days) return 0;
  return 1 - (age - t.fresh_days) / (t.stale_days - t.fresh_days);
}

/** Per source and field, the comparisons of a consistency field across sources. */
export function measureConsistency(input: Pick<QualityInput, 'records' | 'clusterOf'>, fields: readonly string[], groups = groupClusters(input.clusterOf)): Map<string, Map<string, Tally>> {
  return finish(consistencySteps(input, fields, groups));
}

function* consistencySteps(input: Pick<QualityInput, 'records' | 'clusterOf'>, fields: readonly string[], groups: ClusterGroups): Generator<void, Map<string, Map<string, Tally>>> {
  const out = new Map<string, Map<string, Tally>>();
  const list = listOf(input.records);
  const record = (i: number): ScoredRecord => list.at(i);
  // A full run's table: each member's values read from its packed parts, and only for a cluster
  // of several sources (the others compare nothing). Unpacked into objects, a million records'
  // members were some 200 MB of garbage (quality run after the master's rounds, V8 put them
  // straight into the old generation, where the master's unpacked records had lived long), and
  // quality took 4.1-5.0 s instead of ~3.
  const table = 'packedAt' in input.records ? (input.records as RecordTable) : null;
  const places = packedPlaces(fields);
  const packed = table !== null && places.every((at) => at >= 0) ? new PackedMembers(table, places) : null;
  for (let c = 0; c < groups.count; c++) {
    if (clusterSize(groups, c) > 1) {
      if (packed) packed.addConsistency(out, groups, c, fields);
      else addConsistency(out, clusterMembers(groups, c, record), fields);
    }
    if (c % STEP_RECORDS === STEP_RECORDS - 1) yield;
  }
  return out;
}

/** The consistency fields' values of a cluster's members, read from a record table's packed parts (see consistencySteps). */
class PackedMembers {
  /** Member k's value of field x at `values[k * fields + x]` ('' for none). */
  private values: string[] = [];

  constructor(
    private readonly table: RecordTable,
    /** Per consistency field, its place in a packed record's parts. */
    private readonly places: readonly number[],
  ) {}

  /** {@link addConsistency} of cluster `c`'s members. */
  addConsistency(out: Map<string, Map<string, Tally>>, groups: ClusterGroups, c: number, fields: readonly string[]): void {
    const { table, places } = this;
    const from = groups.start[c]!;
    const n = groups.start[c + 1]! - from;
    const sourceOf = (k: number): string => table.source(groups.order[from + k]!);
    // Its members' values are read only for a customer they give something to compare.
    if (oneSource(n, sourceOf)) return;
    const F = places.length;
    const values = this.values;
    values.length = n * F;
    for (let k = 0; k < n; k++) {
      const i = groups.order[from + k]!;
      const p = table.packedAt(i);
      if (p === undefined) {
        const v = table.at(i).values;
        for (let x = 0; x < F; x++) values[k * F + x] = v[fields[x] as CanonicalField] ?? '';
      } else {
        const parts = p.split(PACK_SEP);
        for (let x = 0; x < F; x++) values[k * F + x] = parts[places[x]!]!;
      }
    }
    addConsistencyOf(out, n, fields, sourceOf, (k, x) => values[k * F + x]!);
  }
}

/**
 * Records (or clusters) tallied between two steps of {@link tallyRecordsInTurns}: a few
 * milliseconds of this thread.
 */
const STEP_RECORDS = 10_000;

/** The result of steps run to their end, without a pause. */
function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The result of steps run to their end, with a turn of the event loop between two. */
async function finishInTurns<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await nextTurn();
  }
}

/**
 * Adds one cluster's comparisons to `out` (per source and field): every pair of members of two
 * different sources that both hold a value, agreeing or not. `members` in canonical order.
 */
export function addConsistency(out: Map<string, Map<string, Tally>>, members: readonly ScoredRecord[], fields: readonly string[]): void {
  const sourceOf = (k: number): string => members[k]!.source;
  if (oneSource(members.length, sourceOf)) return;
  addConsistencyOf(out, members.length, fields, sourceOf, (k, x) => members[k]!.values[fields[x] as keyof CanonicalValues] ?? '');
}

/** Whether `n` members (none or one included) are all of one source: they compare nothing. */
function oneSource(n: number, sourceOf: (k: number) => string): boolean {
  for (let k = 1; k < n; k++) if (sourceOf(k) !== sourceOf(0)) return false;
  return true;
}

/** Per field, its place in a packed record's parts (see PACKED_AT); -1 for a field that is not canonical. */
function packedPlaces(fields: readonly string[]): number[] {
  return fields.map((f) => (Object.hasOwn(PACKED_AT, f) ? PACKED_AT[f as CanonicalField] : -1));
}

/** {@link addConsistency} of `n` members, member k's source and its value of `fields[x]` ('' or null: none) as given. */
function addConsistencyOf(out: Map<string, Map<string, Tally>>, n: number, fields: readonly string[], sourceOf: (k: number) => string, valueOf: (k: number, x: number) => string): void {
  const tally = (source: string, field: string): Tally => {
    let bySource = out.get(source);
    if (!bySource) out.set(source, (bySource = new Map()));
    let t = bySource.get(field);
    if (!t) bySource.set(field, (t = new Tally()));
    return t;
  };
  for (let fx = 0; fx < fields.length; fx++) {
    const f = fields[fx]!;
    for (let x = 0; x < n; x++) {
      const va = valueOf(x, fx);
      if (!va) continue;
      const sa = sourceOf(x);
      // A cluster this large is already suspect; comparing each member with the next 100
      // keeps the cost linear without changing what an ordinary cluster measures.
      for (let y = x + 1; y < Math.min(n, x + 1 + CONSISTENCY_CAP); y++) {
        const sb = sourceOf(y);
        if (sb === sa) continue;
        const vb = valueOf(y, fx);
        if (!vb) continue;
        const agree = va === vb ? 1 : 0;
        tally(sa, f).add(agree);
        tally(sb, f).add(agree);
      }
    }
  }
}

/** Members after each one that a consistency comparison pairs it with. */
const CONSISTENCY_CAP = 100;

/** How many clusters of each size, and the ten largest (first 25 members each, in canonical order). */
export function measureClusters(input: Pick<QualityInput, 'records' | 'clusterOf'>, groups = groupClusters(input.clusterOf)): ClusterTallies {
  const clusterSizes: Record<string, number> = {};
  const shared: number[] = [];
  const size = (c: number): number => clusterSize(groups, c);
  for (let c = 0; c < groups.count; c++) {
    const k = String(size(c));
    clusterSizes[k] = (clusterSizes[k] ?? 0) + 1;
    if (size(c) > 1) shared.push(c);
  }
  // Largest first; among equals, the one whose first record comes first (clusters are in that order).
  const largest = shared.sort((a, b) => size(b) - size(a) || a - b).slice(0, LARGEST_CLUSTERS);
  const list = listOf(input.records);
  return {
    clusterSizes,
    largestClusters: largest.map((c) => ({
      size: size(c),
      members: clusterMembers(groups, c, (i) => ({ source: list.source(i), key: list.key(i) })).slice(0, LARGEST_MEMBERS),
    })),
  };
}

/** Clusters the dedupe report lists, and members shown of each. */
export const LARGEST_CLUSTERS = 10;
export const LARGEST_MEMBERS = 25;

/**
 * The tallies of records in memory: every live staged record (all sources, in canonical order)
 * with the cluster matching put it in.
 */
export function tallyRecords(input: Pick<QualityInput, 'deliveries' | 'records' | 'clusterOf'>, config: Pick<QualityConfig, 'consistency_fields'>): QualityTallies {
  return finish(tallySteps(input, config));
}

/**
 * {@link tallyRecords} with a turn of the event loop every {@link STEP_RECORDS} records: at a
 * million records tallying takes this thread ~2.5 s, in which a full run's match index, started
 * beside quality, could neither begin its transaction nor feed its COPY.
 */
export function tallyRecordsInTurns(input: Pick<QualityInput, 'deliveries' | 'records' | 'clusterOf'>, config: Pick<QualityConfig, 'consistency_fields'>): Promise<QualityTallies> {
  return finishInTurns(tallySteps(input, config));
}

function* tallySteps(input: Pick<QualityInput, 'deliveries' | 'records' | 'clusterOf'>, config: Pick<QualityConfig, 'consistency_fields'>): Generator<void, QualityTallies> {
  const groups = groupClusters(input.clusterOf);
  const consistency = yield* consistencySteps(input, config.consistency_fields, groups);
  const byName = new Map(input.deliveries.map((d) => [d.source, d]));
  const sources = new Map<string, SourceTallies>();
  for (const d of input.deliveries) {
    sources.set(d.source, { records: 0, present: Object.fromEntries(d.fields.map((f) => [f, 0])), updatedDays: new Map(), accuracy: new Tally(), clusters: 0, consistency: consistency.get(d.source) ?? new Map() });
  }
  const tallyValues = (t: SourceTallies, d: SourceDelivery, values: CanonicalValues): void => {
    t.records++;
    for (const f of d.fields) if (values[f as keyof CanonicalValues]) t.present[f]!++;
    tallyDay(t, values.source_updated_at);
    tallyAccuracy(t, postcodeAccuracy(values, d.country));
  };
  let n = 0;
  const table = 'packedAt' in input.records ? (input.records as RecordTable) : null;
  if (table) {
    // A full run's table: each record's values read from its packed parts, without unpacking it
    // into an object (1M records: ~4.5 s of this thread, which the master then waited for).
    const places = new Map(input.deliveries.map((d) => [d.source, packedPlaces(d.fields)]));
    for (let i = 0; i < table.length; i++) {
      if (++n % STEP_RECORDS === 0) yield;
      const source = table.source(i);
      const d = byName.get(source);
      if (!d) continue;
      const t = sources.get(source)!;
      const packed = table.packedAt(i);
      if (packed === undefined) {
        tallyValues(t, d, table.at(i).values);
        continue;
      }
      const parts = packed.split(PACK_SEP);
      t.records++;
      const at = places.get(source)!;
      for (let k = 0; k < at.length; k++) if (at[k]! >= 0 && parts[at[k]!]) t.present[d.fields[k]!]!++;
      tallyDay(t, parts[PACKED_AT.source_updated_at]);
      tallyAccuracy(t, postcodeAgrees(parts[PACKED_AT.postal_code], parts[PACKED_AT.region], parts[PACKED_AT.country] || d.country));
    }
  } else {
    for (const r of input.records) {
      if (++n % STEP_RECORDS === 0) yield;
      const d = byName.get(r.source);
      if (d) tallyValues(sources.get(r.source)!, d, r.values);
    }
  }
  // The customers a source's records belong to: each cluster counted once per source it has records of.
  const counted = new Map<string, number>();
  const list = listOf(input.records);
  for (let c = 0; c < groups.count; c++) {
    for (let k = groups.start[c]!; k < groups.start[c + 1]!; k++) {
      const s = list.source(groups.order[k]!);
      const t = sources.get(s);
      if (!t || counted.get(s) === c) continue;
      counted.set(s, c);
      t.clusters++;
    }
  }
  return { sources, clusters: measureClusters(input, groups) };
}

/** Counts a record's `source_updated_at` day (a value that is no date is not counted). */
function tallyDay(t: SourceTallies, updatedAt: string | null | undefined): void {
  const day = dayOf(updatedAt);
  if (day) t.updatedDays.set(day, (t.updatedDays.get(day) ?? 0) + 1);
}

/** Counts whether a record's postcode agrees with its region (see {@link postcodeAccuracy}; undefined: not checkable). */
function tallyAccuracy(t: SourceTallies, agrees: boolean | undefined): void {
  if (agrees !== undefined) t.accuracy.add(agrees ? 1 : 0);
}

/** The yyyy-mm-dd a `source_updated_at` value starts with; undefined when it is no date. */
export function dayOf(updatedAt: string | null | undefined): string | undefined {
  return updatedAt ? ISO_DATE.exec(updatedAt)?.[1] : undefined;
}

/** Whether a record's postcode agrees with its region (undefined: not checkable). */
export function postcodeAccuracy(values: Pick<CanonicalValues, 'postal_code' | 'region' | 'country'>, sourceCountry: string | undefined): boolean | undefined {
  return postcodeAgrees(values.postal_code, values.region, values.country ?? sourceCountry);
}

/** {@link postcodeAccuracy} of the values themselves (the country already defaulted to the source's). */
function postcodeAgrees(postcode: string | null | undefined, region: string | null | undefined, country: string | null | undefined): boolean | undefined {
  if (!postcode || !region || !country) return undefined;
  return postcodeAgreesWithRegion(postcode, region, country);
}

/**
 * Scores a run on the dimensions of docs/quality.md, per field and source, per source, per field
 * over all sources, and overall:
 * - completeness of a field: records with a value (valid or rejected) / records (not scored
 *   for `optional_fields`);
 * - validity of a field: values that passed their rules / values present; of a source: the
 *   mean over its fields (malformed rows count in the reject rate, not here);
 * - uniqueness of a source: 1 − (records − distinct customers) / records, from the clusters;
 * - consistency of a field: agreeing pairs / compared pairs, over pairs of records of two
 *   different sources in one customer that both have a value (`consistency_fields` only);
 * - timeliness of a source (and of its `source_updated_at` field): mean timeliness of its
 *   records' `source_updated_at` ({@link timelinessOf});
 * - accuracy of `postal_code`: agreement with the region where reference data exists.
 * Every dimension describes the source's live staged records after the run (an incremental run
 * re-reads only changes; the records it did not read still count), so a full and an incremental
 * run of the same data score alike. The reject rate and the volume are about this run's read.
 * A score is the weighted mean of the dimensions measured.
 */
export function scoreQuality(input: QualityInput, config: QualityConfig): QualityScores {
  return scoreTallies({ ...input, tallies: tallyRecords(input, config) }, config);
}

/** {@link scoreQuality} from tallies: what both a full run (records in memory) and an incremental run (counts from the store) score from. */
export function scoreTallies(input: Omit<QualityInput, 'records' | 'clusterOf'> & { tallies: QualityTallies }, config: QualityConfig): QualityScores {
  const weights = config.weights;
  const sources: SourceQuality[] = [];
  for (const d of input.deliveries) {
    const t = input.tallies.sources.get(d.source) ?? { records: 0, present: {}, updatedDays: new Map<string, number>(), accuracy: new Tally(), clusters: 0, consistency: new Map<string, Tally>() };
    const fields: Record<string, FieldQuality> = {};
    const fieldCompleteness = new Tally();
    const fieldValidity: number[] = [];
    const pooledConsistency = new Tally();
    const accuracy = t.accuracy;
    const timeliness = new Tally();
    // Day by day in date order: the same sum whichever way the days were counted.
    for (const day of [...t.updatedDays.keys()].sort()) {
      const tm = timelinessOf(day, input.today, config.timeliness);
      const n = t.updatedDays.get(day)!;
      if (tm !== undefined) timeliness.add(tm * n, n);
    }
    const optional = new Set<string>(config.optional_fields);
    const n = t.records;
    for (const field of d.fields) {
      const dims: DimensionScores = {};
      const rejected = d.rejectedValues[field] ?? 0;
      const valid = t.present[field] ?? 0;
      // A rejected value was there, only wrong: present for completeness, invalid for validity.
      const present = valid + rejected;
      if (n && !optional.has(field)) {
        dims.completeness = { score: round1(Math.min(1, present / n) * 100), measured: n };
        fieldCompleteness.add(Math.min(1, present / n));
      }
      if (present) {
        dims.validity = { score: round1((valid / present) * 100), measured: present };
        fieldValidity.push(valid / present);
      }
      const ct = t.consistency.get(field);
      if (ct?.measured) {
        dims.consistency = ct.measure()!;
        pooledConsistency.add(ct.good, ct.measured);
      }
      if (field === 'postal_code' && accuracy.measured) dims.accuracy = accuracy.measure()!;
      if (field === 'source_updated_at' && timeliness.measured) dims.timeliness = timeliness.measure()!;
      const score = weighted(dims, weights);
      if (score !== undefined) fields[field] = { score, dimensions: dims };
    }

    const dims: DimensionScores = {};
    // The mean over the source's fields, measured over its staged records.
    if (fieldCompleteness.measured) dims.completeness = { score: round1((fieldCompleteness.good / fieldCompleteness.measured) * 100), measured: n };
    // Malformed rows never reach staging: they count in the reject rate of the run that read them.
    if (fieldValidity.length) {
      const meanValidity = fieldValidity.reduce((x, y) => x + y, 0) / fieldValidity.length;
      dims.validity = { score: round1(meanValidity * 100), measured: n };
    }
    const duplicates = n - t.clusters;
    if (n) dims.uniqueness = { score: round1((1 - duplicates / n) * 100), measured: n };
    const pc = pooledConsistency.measure();
    if (pc) dims.consistency = pc;
    const tm = timeliness.measure();
    if (tm) dims.timeliness = tm;
    const am = accuracy.measure();
    if (am) dims.accuracy = am;
    const rejectedRows = d.malformed + d.rowsWithRejects;
    sources.push({
      source: d.source,
      records: n,
      read: d.read,
      fullRead: !d.incremental,
      rejectedRows,
      rejectRate: d.read ? round4(rejectedRows / d.read) : 0,
      duplicates,
      duplicateRate: n ? round4(duplicates / n) : 0,
      score: weighted(dims, weights) ?? 0,
      dimensions: dims,
      fields,
    });
  }

  // Over all sources: each dimension pooled by what it is measured over.
  const pool = (pick: (s: SourceQuality) => DimensionScores | undefined): DimensionScores => {
    const out: DimensionScores = {};
    for (const dim of DIMENSIONS) {
      let sum = 0;
      let n = 0;
      for (const s of sources) {
        const m = pick(s)?.[dim];
        if (!m) continue;
        sum += m.score * m.measured;
        n += m.measured;
      }
      if (n) out[dim] = { score: round1(sum / n), measured: n };
    }
    return out;
  };
  const fieldNames = [...new Set(sources.flatMap((s) => Object.keys(s.fields)))];
  const fields: Record<string, FieldQuality> = {};
  for (const f of fieldNames) {
    const dims = pool((s) => s.fields[f]?.dimensions);
    const score = weighted(dims, weights);
    if (score !== undefined) fields[f] = { score, dimensions: dims };
  }
  let sum = 0;
  let w = 0;
  for (const s of sources) {
    const sw = Math.max(s.records, 1);
    sum += s.score * sw;
    w += sw;
  }
  const read = sources.reduce((n, s) => n + s.read, 0);
  return {
    overall: w ? round1(sum / w) : 0,
    dimensions: pool((s) => s.dimensions),
    fields,
    bySource: Object.fromEntries(sources.map((s) => [s.source, s.score])),
    rejectRate: read ? round4(sources.reduce((n, s) => n + s.rejectedRows, 0) / read) : 0,
    sources,
    dedupe: {
      ...input.tallies.clusters,
      ...(input.probabilityHistogram ? { probabilityHistogram: [...input.probabilityHistogram] } : {}),
      linkThreshold: input.linkThreshold,
      reviewThreshold: input.reviewThreshold,
    },
  };
}

/** One row of the `quality_scores` table. */
export interface QualityRow {
  /** '*' = all sources. */
  source: string;
  /** '*' = the whole source (or run). */
  field: string;
  /** A dimension, or 'score' for the weighted score. */
  dimension: Dimension | 'score';
  score: number;
  /** Values, records or comparisons the score is measured over (null for weighted scores). */
  measured: number | null;
}

/** The scores as rows for the `quality_scores` table (and `crm-etl export quality`). */
export function qualityRows(q: QualityScores): QualityRow[] {
  const rows: QualityRow[] = [];
  const push = (source: string, field: string, score: number, dims: DimensionScores): void => {
    for (const d of DIMENSIONS) {
      const m = dims[d];
      if (m) rows.push({ source, field, dimension: d, score: m.score, measured: m.measured });
    }
    rows.push({ source, field, dimension: 'score', score, measured: null });
  };
  for (const s of q.sources) {
    for (const [f, fq] of Object.entries(s.fields)) push(s.source, f, fq.score, fq.dimensions);
    push(s.source, '*', s.score, s.dimensions);
  }
  for (const [f, fq] of Object.entries(q.fields)) push('*', f, fq.score, fq.dimensions);
  push('*', '*', q.overall, q.dimensions);
  return rows;
}
