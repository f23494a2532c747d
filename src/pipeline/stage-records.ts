import { CANONICAL_FIELDS, type CanonicalField } from '../core/fields.js';
import { maskValue } from '../core/mask.js';
import type { Lineage, RawRecord } from '../core/record.js';
import type { FieldCipher } from '../security/field-cipher.js';
import { recordHash } from '../security/record-hash.js';
import { type DateOrder, createStandardizeCache, standardizeRecord } from '../transforms/standardize/index.js';
import { type Mapping, mapRecord } from './map-record.js';

export const SOURCE_RECORD_COLUMNS = [
  'source',
  'source_key',
  'run_id',
  'location',
  'line',
  ...CANONICAL_FIELDS,
  'extra',
  'record_hash',
  'deleted',
] as const;

export const REJECT_COLUMNS = ['run_id', 'source', 'source_key', 'location', 'line', 'field', 'value', 'code', 'reason'] as const;

/** Longest value of a canonical field that is staged; longer ones are rejected (VALUE_TOO_LONG). */
export const MAX_VALUE_CHARS = 4096;

/** How often one issue occurred in a source's field; examples are masked. */
export interface IssueTally {
  /** The canonical field, or null for a row that could not be read. */
  field: string | null;
  code: string;
  severity: 'reject' | 'warn';
  count: number;
  examples: string[];
}

/** What staging a source's records needs: plain data, so that a staging thread can be given it. */
export interface StagingSpec {
  source: string;
  runId: string;
  mapping: Mapping;
  /** The run's date (yyyy-mm-dd) and the source's country and date order, for standardization. */
  today: string;
  country?: string;
  dateOrder?: DateOrder;
}

/** A batch of records staged: its rows and rejects, and what was counted on the way. */
export interface StagedBatch {
  /** One `source_records` row per record (SOURCE_RECORD_COLUMNS), in the batch's order. */
  rows: unknown[][];
  /** `rejects` rows (REJECT_COLUMNS) of the values rejected. */
  rejects: unknown[][];
  counts: StagedCounts;
}

/** Per batch: values present and rejected per field, and the issues tallied in order of first occurrence. */
export interface StagedCounts {
  present: Record<string, number>;
  rejected: Record<string, number>;
  rejectedValues: number;
  issues: IssueTally[];
}

/** Where a record is, as stored: the file, table or URL, with the sheet or page when there is one. */
export function locationOf(l: Lineage): string {
  if (l.sheet) return `${l.location}#sheet=${l.sheet}`;
  if (l.page) return `${l.location}#page=${l.page}`;
  return l.location;
}

/** The tally of `field` and `code` in `tallies`, made (at count 0) on first use: tallies keep the order issues first occurred in. */
function tallyOf(tallies: Map<string, IssueTally>, field: string | null, code: string, severity: 'reject' | 'warn'): IssueTally {
  const k = `${field ?? ''}\u0000${code}`;
  let t = tallies.get(k);
  if (!t) tallies.set(k, (t = { field, code, severity, count: 0, examples: [] }));
  return t;
}

/** Adds a batch's tally to a source's: counts summed, at most two distinct examples kept, the first ones seen. */
export function addTally(tallies: Map<string, IssueTally>, b: IssueTally): void {
  const t = tallyOf(tallies, b.field, b.code, b.severity);
  t.count += b.count;
  for (const e of b.examples) if (t.examples.length < 2 && !t.examples.includes(e)) t.examples.push(e);
}

/**
 * Stages records of one source, batch after batch: each record mapped, its overlong values
 * rejected, standardized and validated, hashed, and turned into its `source_records` row; every
 * rejected value a `rejects` row with its place. The same function runs on the main thread and in
 * the staging thread (stage-thread.ts); names, cities and companies repeat across a source, so
 * the standardization is memoized for the stager's life.
 */
export function createStager(spec: StagingSpec, cipher: FieldCipher | null): (records: readonly RawRecord[]) => StagedBatch {
  const stdCache = createStandardizeCache();
  const stdCtx = { today: spec.today, ...(spec.country ? { country: spec.country } : {}), ...(spec.dateOrder ? { dateOrder: spec.dateOrder } : {}) };
  const { source, runId, mapping } = spec;
  return (records) => {
    const counts: StagedCounts = { present: {}, rejected: {}, rejectedValues: 0, issues: [] };
    for (const f of Object.keys(mapping)) {
      counts.present[f] = 0;
      counts.rejected[f] = 0;
    }
    const tallies = new Map<string, IssueTally>();
    const tally = (field: string | null, code: string, severity: 'reject' | 'warn', value: string | null | undefined): void => {
      const t = tallyOf(tallies, field, code, severity);
      t.count++;
      // Examples are masked (values are personal data), and only while fewer than two are kept.
      if (value && t.examples.length < 2) {
        const masked = maskValue(value);
        if (!t.examples.includes(masked)) t.examples.push(masked);
      }
    };
    const rows: unknown[][] = [];
    const rejects: unknown[][] = [];
    for (const raw of records) {
      const m = mapRecord(raw.fields, mapping);
      const location = locationOf(raw.lineage);
      const line = raw.lineage.line ?? null;
      // A value this long is no customer field (a broken export, or an attack): rejected with its
      // place, never passed on to the store (MySQL text columns end at 64 KB) or the matcher.
      for (const key in m.values) {
        const f = key as CanonicalField;
        const v = m.values[f];
        if (!v) continue;
        if (counts.present[f] !== undefined) counts.present[f]++;
        if (v.length <= MAX_VALUE_CHARS) continue;
        m.values[f] = null;
        if (counts.rejected[f] !== undefined) counts.rejected[f]++;
        counts.rejectedValues++;
        tally(f, 'VALUE_TOO_LONG', 'reject', v.slice(0, 40));
        rejects.push([runId, source, raw.key, location, line, f, `${v.slice(0, 200)}…`, 'VALUE_TOO_LONG', `The value has ${v.length} characters; at most ${MAX_VALUE_CHARS} are kept.`]);
      }
      const std = standardizeRecord(m.values, stdCtx, stdCache);
      for (const issue of std.issues) {
        const field = issue.path[0] ?? null;
        tally(field, issue.code, issue.severity, field ? (std.rejected[field] ?? m.values[field as CanonicalField] ?? undefined) : undefined);
        if (issue.severity !== 'reject') continue;
        counts.rejectedValues++;
        if (field && counts.rejected[field] !== undefined) counts.rejected[field]++;
        rejects.push([runId, source, raw.key, location, line, field, field ? (std.rejected[field] ?? null) : null, issue.code, issue.message]);
      }
      const extra = JSON.stringify(m.extra);
      rows.push([
        source,
        raw.key,
        runId,
        location,
        line,
        ...CANONICAL_FIELDS.map((f) => std.values[f] ?? null),
        extra,
        // Keyed when the store has a key (src/security/record-hash.ts).
        recordHash(cipher, std.values, extra),
        raw.deleted === true,
      ]);
    }
    counts.issues = [...tallies.values()];
    return { rows, rejects, counts };
  };
}
