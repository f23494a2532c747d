import type { SourceConfig } from '../config/schema.js';
import { checkReadFromTime, createConnector } from '../connectors/registry.js';
import type { Cursor, SourceBatch, SourceConnector } from '../connectors/connector.js';
import { CrmEtlError } from '../core/errors.js';
import type { CanonicalField } from '../core/fields.js';
import type { MalformedRow, RawRecord } from '../core/record.js';
import { erasedKeyHash, erasedKeys } from '../security/erase.js';
import { detectDateOrder } from '../transforms/standardize/index.js';
import type { RunContext } from './context.js';
import { mappedColumns } from './map-record.js';
import { type IssueTally, REJECT_COLUMNS, SOURCE_RECORD_COLUMNS, type StagingSpec, addTally, createStager, locationOf } from './stage-records.js';
import { yieldChunks } from '../store/bulk-insert.js';
import { CsvEncodingThread } from '../store/csv-thread.js';
import { StagingThread, type ThreadStagedBatch } from './stage-thread.js';
import type { StagedCounts } from './stage-records.js';

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

function malformedRow(ctx: RunContext, m: MalformedRow): unknown[] {
  return [ctx.runId, m.source, null, locationOf(m.lineage), m.lineage.line ?? null, null, m.raw ?? null, m.code, m.message];
}

/** How {@link extractSource} loads (tests: the encoding thread from the first batch, or never). */
export interface ExtractOptions {
  /**
   * Batches written from this thread before the CSV encoding thread takes over, on PostgreSQL
   * and PGlite (MySQL loads rows): default 1 with a key, else never (Infinity).
   */
  threadFrom?: number;
  /**
   * Batches staged on this thread before a staging thread shares the work (PostgreSQL and PGlite;
   * MySQL loads rows): default {@link STAGING_FROM_BATCH}; Infinity: never.
   */
  stagingFrom?: number;
  /**
   * The staging thread to share, started when a source first needs it (the inline runner's sources
   * share one, so that it warms up once; the caller closes it); without this, a source that
   * reaches `stagingFrom` batches starts its own and closes it.
   */
  stagingThread?: () => StagingThread;
}

/**
 * Batches a source has before a staging thread takes some: a small source (a spreadsheet, a test's
 * file) is staged here without starting a thread; a large one splits from its third batch on.
 */
export const STAGING_FROM_BATCH = 2;

/** Batches loaded from this thread before the encoding thread starts: a source of one batch needs none. */
const THREAD_FROM_BATCH = 1;
/** Batches sent to the encoding thread and not yet written, beyond the one being written. */
const IN_FLIGHT = 2;

/** A batch staged and not yet written: its rows, or their CSV being encoded, and its rejects. */
interface PendingBatch {
  rows: unknown[][];
  csv: Promise<Buffer[]> | null;
  rowCount: number;
  rejects: unknown[][];
  /** The keys of its records when they replace staged versions (an incremental read), else null. */
  replaceKeys: string[] | null;
  /** Staged by the staging thread: the batch as it will be (counted when written, in batch order). */
  staged?: Promise<ThreadStagedBatch>;
  /** What staging counted (null until the staging thread's answer): added to the stats when the batch is written, so that issues keep the order they occurred in. */
  counts: StagedCounts | null;
  /** The codes of its malformed rows (tallied after its values' issues). */
  malformedCodes: string[];
}

/**
 * Extract, map, standardize, validate and stage one source: every record lands in
 * `source_records`, every bad value and malformed row in `rejects` with its place.
 * A full read replaces the source's staged records.
 */
export async function extractSource(ctx: RunContext, prepared: PreparedSource, opts: ExtractOptions = {}): Promise<SourceStats> {
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

  const cipher = ctx.store.cipher;
  const spec: StagingSpec = { source: cfg.name, runId: ctx.runId, mapping: cfg.mapping, today: ctx.today, ...(cfg.country ? { country: cfg.country } : {}), ...(dateOrder ? { dateOrder } : {}) };
  const stage = createStager(spec, cipher);
  // With a key, batches after the first are encrypted and encoded for COPY in a thread of their
  // own (see CsvEncodingThread) while this one reads and stages the next.
  const threadFrom = ctx.store.dialect === 'mysql' ? Infinity : (opts.threadFrom ?? (cipher ? THREAD_FROM_BATCH : Infinity));
  // From the third batch of a large source, a staging thread stages some batches (see StagingThread).
  const stagingFrom = ctx.store.dialect === 'mysql' ? Infinity : (opts.stagingFrom ?? STAGING_FROM_BATCH);
  let staging: StagingThread | null = null;
  let encoder: CsvEncodingThread | null = null;
  let batches = 0;
  const pending: PendingBatch[] = [];

  // A batch is written while the next ones are read and staged: the store ingests one while this
  // process works on the others. Writes stay in batch order (one in flight at a time).
  let writing = null as Promise<void> | null;
  const write = async (p: PendingBatch): Promise<void> => {
    if (p.rowCount && p.replaceKeys) {
      // Records read again replace their staged version.
      for (let i = 0; i < p.replaceKeys.length; i += 1000) {
        await knex('source_records').where({ source: cfg.name }).whereIn('source_key', p.replaceKeys.slice(i, i + 1000)).delete();
      }
    }
    if (p.csv) await ctx.store.insertCsv('source_records', SOURCE_RECORD_COLUMNS, yieldChunks(await p.csv), undefined, cipher?.keyId);
    else if (p.rows.length) await ctx.store.insertRows('source_records', SOURCE_RECORD_COLUMNS, p.rows);
    if (p.rejects.length) await ctx.store.insertRows('rejects', REJECT_COLUMNS, p.rejects);
  };
  // What a batch's staging counted, in `stats`: its values' issues, then its malformed rows'.
  // Added as batches are written, in their order, wherever they were staged.
  const count = (counts: StagedCounts, malformedCodes: readonly string[]): void => {
    for (const t of counts.issues) addTally(tallies, t);
    for (const f in counts.present) {
      const c = stats.fieldCounts[f];
      if (!c) continue;
      c.present += counts.present[f]!;
      c.rejected += counts.rejected[f] ?? 0;
    }
    stats.rejectedValues += counts.rejectedValues;
    for (const code of malformedCodes) addTally(tallies, { field: null, code, severity: 'reject', count: 1, examples: [] });
  };
  const settle = async (p: PendingBatch): Promise<void> => {
    if (p.staged) {
      const s = await p.staged;
      p.csv = Promise.resolve(s.csv);
      p.rejects = [...s.rejects, ...p.rejects];
      p.counts = s.counts;
    }
    count(p.counts!, p.malformedCodes);
    if (writing) await writing;
    writing = write(p);
    // Awaited before the next batch's write or at the end; settled here too, so that a failure
    // while the next batch is staged is not an unhandled rejection.
    writing.catch(() => undefined);
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
      // Erased people (crm-etl erase) are not staged again while the source still has them.
      const live = erased.size ? batch.records.filter((r) => !erased.has(erasedKeyHash(cfg.name, r.key))) : batch.records;
      const malformed = batch.malformed.map((m) => malformedRow(ctx, m));
      stats.deleted += live.reduce((n, r) => n + (r.deleted ? 1 : 0), 0);
      stats.read += live.length + batch.malformed.length;
      stats.staged += live.length;
      stats.malformed += batch.malformed.length;
      const replaceKeys = incremental ? live.map((r) => r.key) : null;
      const malformedCodes = batch.malformed.map((m) => m.code);
      if (batches >= stagingFrom && live.length && !staging) staging = opts.stagingThread?.() ?? new StagingThread(cipher);
      batches++;
      if (staging?.free && live.length) {
        const staged = staging.stage(spec, live);
        staged.catch(() => undefined);
        pending.push({ rows: [], csv: null, rowCount: live.length, rejects: malformed, replaceKeys, staged, counts: null, malformedCodes });
      } else {
        const { rows, rejects, counts } = stage(live);
        rejects.push(...malformed);
        if (!encoder && batches > threadFrom && rows.length) encoder = new CsvEncodingThread('source_records', SOURCE_RECORD_COLUMNS, cipher);
        const csv = encoder && rows.length ? encoder.encode(rows) : null;
        csv?.catch(() => undefined);
        pending.push({ rows: csv ? [] : rows, csv, rowCount: rows.length, rejects, replaceKeys, counts, malformedCodes });
      }
      // Batches staged or encoded ahead of the write: two with the encoding thread, one more than
      // the staging thread holds with it (this thread goes on reading while it works), else none.
      while (pending.length > (staging ? staging.depth + 1 : encoder ? IN_FLIGHT : 0)) await settle(pending.shift()!);
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
    while (pending.length) await settle(pending.shift()!);
    if (writing) await writing;
  } finally {
    // A read that failed still lets its last write end before the run records the failure.
    await writing?.catch(() => undefined);
    await encoder?.close();
    if (staging && !opts.stagingThread) await staging.close();
  }
  stats.issues = [...tallies.values()];
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
