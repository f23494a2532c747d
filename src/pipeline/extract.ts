import type { SourceConfig } from '../config/schema.js';
import { checkReadFromTime, createConnector } from '../connectors/registry.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connectors/connector.js';
import { CrmEtlError } from '../core/errors.js';
import { CANONICAL_FIELDS, type CanonicalField } from '../core/fields.js';
import type { CleanRecord, Lineage, MalformedRow, RawRecord } from '../core/record.js';
import { maskValue } from '../core/mask.js';
import { erasedKeyHash, erasedKeys } from '../security/erase.js';
import { recordHash } from '../security/record-hash.js';
import { createStandardizeCache, detectDateOrder, standardizeRecord } from '../transforms/standardize/index.js';
import type { RunContext } from './context.js';
import { mapRecord, mappedColumns } from './map-record.js';

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

const DATE_FIELDS: readonly CanonicalField[] = ['birth_date', 'source_updated_at'];

/** Per-source counts the summary and the quality stage report. */
export interface SourceStats {
  source: string;
  read: number;
  staged: number;
  malformed: number;
  rejectedValues: number;
  /** Issues by field and code, with counts and masked examples (values are personal data). */
  issues: IssueTally[];
  /** Per field: how many records had a value (before validation) and how many were rejected. */
  fieldCounts: Record<string, { present: number; rejected: number }>;
  /** Columns the source has that no field maps: kept with the records, reported. */
  unmappedColumns: string[];
  /** What the connector noticed about the source (an uncertain encoding…), shown in the summary. */
  notes: string[];
  dateOrder: string | null;
  /** True when the read resumed from the source's stored cursor (only changes were read). */
  incremental: boolean;
  /** Records the source marks deleted (soft delete): staged as deleted, not matched. */
  deleted: number;
}

/** How often one issue occurred in a source's field; examples are masked. */
export interface IssueTally {
  /** The canonical field, or null for a row that could not be read. */
  field: string | null;
  code: string;
  severity: 'reject' | 'warn';
  count: number;
  examples: string[];
}

export interface PreparedSource {
  cfg: SourceConfig;
  connector: SourceConnector;
  unmappedColumns: string[];
  /** What the connector noticed while checking the source (e.g. an uncertain encoding). */
  notes: string[];
}

/**
 * Checks every selected source before anything is written: the connector opens, the key and
 * every mapped column exist (a column that disappeared stops the run with the source's name).
 */
export async function prepareSources(ctx: RunContext): Promise<PreparedSource[]> {
  const selected = ctx.config.sources.filter((s) => !ctx.sources.length || ctx.sources.includes(s.name));
  for (const name of ctx.sources) {
    if (!ctx.config.sources.some((s) => s.name === name)) {
      throw new CrmEtlError('CONFIG_INVALID', `unknown source "${name}"; the configuration has: ${ctx.config.sources.map((s) => s.name).join(', ')}`);
    }
  }
  checkReadFromTime(selected, ctx);
  const out: PreparedSource[] = [];
  for (const cfg of selected) {
    const connector = createConnector(cfg);
    const { columns, notes } = await connector.check();
    // Notes are about the source, never its values (e.g. an encoding detected with low confidence).
    for (const note of notes ?? []) ctx.log.warn({ source: cfg.name }, note);
    const needed = mappedColumns(cfg.mapping, cfg.key);
    const missing = needed.filter((c) => !columns.includes(c));
    if (missing.length) {
      throw new CrmEtlError(
        'SOURCE_SCHEMA',
        `source "${cfg.name}": mapped column(s) ${missing.map((m) => `"${m}"`).join(', ')} not found in ${describeSource(cfg)}; ` +
          `the source has: ${columns.join(', ')}. Fix the mapping or the export.`,
      );
    }
    out.push({ cfg, connector, unmappedColumns: columns.filter((c) => !needed.includes(c)), notes: notes ?? [] });
  }
  return out;
}

/** Where a source lives, for messages: its file, table or URL. */
export function describeSource(cfg: SourceConfig): string {
  const c = cfg as { name: string; path?: unknown; url?: unknown; table?: unknown };
  if (typeof c.path === 'string') return c.path;
  if (typeof c.url === 'string') {
    const url = c.url.replace(/\?.*$/, '').replace(/\/\/[^@/]*@/, '//');
    return typeof c.table === 'string' ? `table ${c.table} at ${url}` : url;
  }
  return `${cfg.kind} source "${c.name}"`;
}

/** Longest value of a canonical field that is staged; longer ones are rejected (VALUE_TOO_LONG). */
export const MAX_VALUE_CHARS = 4096;

/** Records a date-order scan looks at, at most, before it settles for the default. */
const DATE_ORDER_SCAN_LIMIT = 200_000;
const AMBIGUOUS_DATE = /^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}/;

/**
 * Ambiguous d/m/y versus m/d/y, decided from the source's own date values: the source is read
 * (without staging) until a value settles it (a first part above 12 means day first, a second
 * part above 12 month first); in practice the first batch does. Null when nothing settles it.
 */
async function detectSourceDateOrder(connector: SourceConnector, cfg: SourceConfig): Promise<'dmy' | 'mdy' | null> {
  const columns = DATE_FIELDS.flatMap((f) => {
    const c = cfg.mapping[f];
    return c === undefined ? [] : typeof c === 'string' ? [c] : [...c];
  });
  if (!columns.length) return null;
  let seen = 0;
  for await (const batch of connector.read({ batchSize: 5000 })) {
    const sample: string[] = [];
    for (const r of batch.records) for (const c of columns) if (r.fields[c]) sample.push(r.fields[c]!);
    // Only day/month/year numbers can be ambiguous; a column of ISO or yyyymmdd dates is not.
    if (!sample.some((v) => AMBIGUOUS_DATE.test(v))) return null;
    const order = detectDateOrder(sample);
    if (order) return order;
    seen += batch.records.length;
    if (seen >= DATE_ORDER_SCAN_LIMIT) break;
  }
  return null;
}

/** Where a record is, as stored: the file, table or URL, with the sheet or page when there is one. */
export function locationOf(l: Lineage): string {
  if (l.sheet) return `${l.location}#sheet=${l.sheet}`;
  if (l.page) return `${l.location}#page=${l.page}`;
  return l.location;
}

function malformedRow(ctx: RunContext, m: MalformedRow): unknown[] {
  return [ctx.runId, m.source, null, locationOf(m.lineage), m.lineage.line ?? null, null, m.raw ?? null, m.code, m.message];
}

/**
 * Extract, map, standardize, validate and stage one source: every record lands in
 * `source_records`, every bad value and malformed row in `rejects` with its place.
 * A full read replaces the source's staged records.
 */
export async function extractSource(ctx: RunContext, prepared: PreparedSource): Promise<SourceStats> {
  const { cfg, connector } = prepared;
  const stats: SourceStats = {
    source: cfg.name,
    read: 0,
    staged: 0,
    malformed: 0,
    rejectedValues: 0,
    issues: [],
    fieldCounts: {},
    unmappedColumns: prepared.unmappedColumns,
    notes: prepared.notes,
    dateOrder: cfg.date_order ?? null,
    incremental: false,
    deleted: 0,
  };
  for (const f of Object.keys(cfg.mapping)) stats.fieldCounts[f] = { present: 0, rejected: 0 };
  const tallies = new Map<string, IssueTally>();
  const tally = (field: string | null, code: string, severity: 'reject' | 'warn', value: string | null | undefined): void => {
    const k = `${field ?? ''}\u0000${code}`;
    let t = tallies.get(k);
    if (!t) {
      tallies.set(k, (t = { field, code, severity, count: 0, examples: [] }));
      stats.issues.push(t);
    }
    t.count++;
    if (value && t.examples.length < 2) {
      const masked = maskValue(value);
      if (!t.examples.includes(masked)) t.examples.push(masked);
    }
  };
  // Names, cities, postcodes and companies repeat across a source: memoized per source run.
  const stdCache = createStandardizeCache();
  const dateOrder = cfg.date_order ?? (await detectSourceDateOrder(connector, cfg));
  stats.dateOrder = dateOrder ?? null;
  let failureChecked = false;

  const knex = ctx.store.knex;
  // Incremental unless --full: resume from the source's stored cursor and upsert what changed.
  const stored = ctx.full ? undefined : ((await knex('source_cursors').where({ source: cfg.name }).first('cursor')) as { cursor: string } | undefined);
  const cursor = stored ? (JSON.parse(stored.cursor) as Cursor) : undefined;
  // A read from a time (--since) is never a snapshot of the whole source, with or without a cursor.
  let incremental = Boolean(cursor) || ctx.since !== undefined;
  const erased = await erasedKeys(knex, cfg.name);
  if (!incremental) await knex('source_records').where({ source: cfg.name }).delete();
  let lastCursor: Cursor | undefined;
  let first = true;
  // A batch is written while the next one is read and standardized: the store ingests one
  // while this process works on the other. Writes stay in batch order (one in flight at a time).
  let writing: Promise<void> | null = null;
  const write = async (rows: unknown[][], rejects: unknown[][], replacing: boolean): Promise<void> => {
    if (rows.length && replacing) {
      // Records read again replace their staged version.
      const keys = rows.map((r) => r[1] as string);
      for (let i = 0; i < keys.length; i += 1000) {
        await knex('source_records').where({ source: cfg.name }).whereIn('source_key', keys.slice(i, i + 1000)).delete();
      }
    }
    if (rows.length) await ctx.store.insertRows('source_records', SOURCE_RECORD_COLUMNS, rows);
    if (rejects.length) await ctx.store.insertRows('rejects', REJECT_COLUMNS, rejects);
  };
  // One batch read: its records mapped, checked and standardized into staged rows and rejects,
  // counted in `stats` (rows and rejects are written by the caller).
  const stageBatch = (batch: SourceBatch): { rows: unknown[][]; rejects: unknown[][] } => {
    // Erased people (crm-etl erase) are not staged again while the source still has them.
    const live = erased.size ? batch.records.filter((r) => !erased.has(erasedKeyHash(cfg.name, r.key))) : batch.records;
    const mapped = live.map((r: RawRecord) => ({ raw: r, ...mapRecord(r.fields, cfg.mapping) }));
    stats.deleted += live.reduce((n, r) => n + (r.deleted ? 1 : 0), 0);
    const stdCtx = { today: ctx.today, ...(cfg.country ? { country: cfg.country } : {}), ...(dateOrder ? { dateOrder } : {}) };
    const rows: unknown[][] = [];
    const rejects: unknown[][] = [];
    for (const m of mapped) {
      // A value this long is no customer field (a broken export, or an attack): rejected with its
      // place, never passed on to the store (MySQL text columns end at 64 KB) or the matcher.
      for (const key in m.values) {
        const f = key as CanonicalField;
        const v = m.values[f];
        if (!v) continue;
        if (v.length <= MAX_VALUE_CHARS) {
          if (stats.fieldCounts[f]) stats.fieldCounts[f].present++;
          continue;
        }
        m.values[f] = null;
        if (stats.fieldCounts[f]) {
          stats.fieldCounts[f].present++;
          stats.fieldCounts[f].rejected++;
        }
        stats.rejectedValues++;
        tally(f, 'VALUE_TOO_LONG', 'reject', v.slice(0, 40));
        rejects.push([ctx.runId, cfg.name, m.raw.key, locationOf(m.raw.lineage), m.raw.lineage.line ?? null, f, `${v.slice(0, 200)}…`, 'VALUE_TOO_LONG', `The value has ${v.length} characters; at most ${MAX_VALUE_CHARS} are kept.`]);
      }
      const std = standardizeRecord(m.values, stdCtx, stdCache);
      const rec: CleanRecord = { source: cfg.name, key: m.raw.key, lineage: m.raw.lineage, values: std.values, extra: m.extra, issues: std.issues, rejected: std.rejected };
      for (const issue of rec.issues) {
        const f = issue.path[0];
        tally(f ?? null, issue.code, issue.severity, f ? (rec.rejected[f] ?? m.values[f as CanonicalField] ?? undefined) : undefined);
        if (issue.severity !== 'reject') continue;
        const field = issue.path[0] ?? null;
        stats.rejectedValues++;
        if (field && stats.fieldCounts[field]) stats.fieldCounts[field].rejected++;
        rejects.push([ctx.runId, cfg.name, rec.key, locationOf(rec.lineage), rec.lineage.line ?? null, field, field ? (rec.rejected[field] ?? null) : null, issue.code, issue.message]);
      }
      const extra = JSON.stringify(rec.extra);
      rows.push([
        cfg.name,
        rec.key,
        ctx.runId,
        locationOf(rec.lineage),
        rec.lineage.line ?? null,
        ...CANONICAL_FIELDS.map((f) => rec.values[f] ?? null),
        extra,
        // Keyed when the store has a key (src/security/record-hash.ts).
        recordHash(ctx.store.cipher, rec.values, extra),
        m.raw.deleted === true,
      ]);
    }
    for (const m of batch.malformed) {
      tally(null, m.code, 'reject', undefined);
      rejects.push(malformedRow(ctx, m));
    }
    stats.read += live.length + batch.malformed.length;
    stats.staged += rows.length;
    stats.malformed += batch.malformed.length;
    return { rows, rejects };
  };
  try {
    for await (const batch of connector.read({ ...(cursor ? { cursor } : {}), ...(ctx.since ? { since: ctx.since } : {}) })) {
      if (first && incremental && batch.resumed === false) {
        // The source could not resume (e.g. a file rewritten in place): this read is a full snapshot.
        incremental = false;
        await knex('source_records').where({ source: cfg.name }).delete();
      }
      first = false;
      if (batch.notes?.length) stats.notes = [...stats.notes, ...batch.notes];
      // Columns first seen past what check() sampled (JSON records need not share theirs).
      for (const c of batch.columns ?? []) {
        if (!stats.unmappedColumns.includes(c) && !mappedColumns(cfg.mapping, cfg.key).includes(c)) stats.unmappedColumns = [...stats.unmappedColumns, c];
      }
      lastCursor = batch.cursor;
      const { rows, rejects } = stageBatch(batch);
      if (writing) await writing;
      writing = write(rows, rejects, incremental);
      // Awaited before the next batch's write or at the end; settled here too, so that a failure
      // while the next batch is standardized is not an unhandled rejection.
      writing.catch(() => undefined);
      ctx.onProgress?.({ stage: 'extract', source: cfg.name, done: stats.read });
      if (stats.read >= 100 || batch.cursor['done']) failureChecked = true;
      if (failureChecked && stats.read > 0 && stats.malformed / stats.read > cfg.max_failure_rate) {
        throw new CrmEtlError(
          'SOURCE_FAILURE_RATE',
          `source "${cfg.name}": ${stats.malformed} of ${stats.read} rows are malformed (more than ${cfg.max_failure_rate * 100}%); ` +
            `check the file's delimiter and encoding, or raise max_failure_rate. The malformed rows are in the rejects table.`,
        );
      }
    }
    if (writing) await writing;
  } finally {
    // A read that failed still lets its last write end before the run records the failure.
    await writing?.catch(() => undefined);
  }
  // MySQL plans joins from table statistics it refreshes only some time after a bulk load: with
  // a source just staged into an empty table, the quality stage's join of rejects with staged
  // records was planned as if the records were none and examined every pair (6,789 rejects: 46M
  // rows, 27 s). Sampled again after each source, which takes milliseconds.
  if (ctx.store.dialect === 'mysql') await knex.raw('analyze table source_records, rejects');
  stats.incremental = incremental;
  if (lastCursor) {
    await knex('source_cursors').where({ source: cfg.name }).delete();
    await knex('source_cursors').insert({ source: cfg.name, cursor: JSON.stringify(lastCursor), run_id: ctx.runId });
  }
  ctx.log.info({ source: cfg.name, read: stats.read, staged: stats.staged, malformed: stats.malformed, incremental: stats.incremental }, 'source extracted');
  return stats;
}
