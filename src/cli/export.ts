import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { CrmEtlError } from '../core/errors.js';
import type { Store } from '../store/store.js';

export type ExportKind = 'customers' | 'links' | 'rejects' | 'quality';
export type ExportFormat = 'csv' | 'jsonl';

const PAGE = 10_000;

const CSV_NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return CSV_NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

interface ExportSpec {
  columns: readonly string[];
  /** Pages in a stable order, keyset-paginated (no OFFSET). */
  page(store: Store, after: Record<string, unknown> | null, run?: string): Promise<Record<string, unknown>[]>;
}

const SPECS: Record<ExportKind, ExportSpec> = {
  customers: {
    columns: ['customer_id', ...CANONICAL_FIELDS, 'record_count'],
    page: (s, after) =>
      s.knex('customers')
        .select({ customer_id: 'id' }, ...CANONICAL_FIELDS, 'record_count')
        .where({ status: 'active' })
        .modify((q) => {
          if (after) q.where('id', '>', after.customer_id as string);
        })
        .orderBy('id')
        .limit(PAGE),
  },
  links: {
    columns: ['source', 'source_key', 'customer_id', 'match_probability'],
    page: (s, after) =>
      s.knex('customer_links')
        .select('source', 'source_key', 'customer_id', 'match_probability')
        .modify((q) => {
          if (after) q.where((w) => w.where('source', '>', after.source as string).orWhere((x) => x.where('source', after.source as string).andWhere('source_key', '>', after.source_key as string)));
        })
        .orderBy([{ column: 'source' }, { column: 'source_key' }])
        .limit(PAGE),
  },
  rejects: {
    columns: ['run_id', 'source', 'source_key', 'location', 'line', 'field', 'value', 'code', 'reason'],
    page: (s, after, run) =>
      s.knex('rejects')
        .select('id', 'run_id', 'source', 'source_key', 'location', 'line', 'field', 'value', 'code', 'reason')
        .modify((q) => {
          // By default the rejects of the runs whose staged data is current.
          if (run) q.where({ run_id: run });
          else q.whereIn('run_id', s.knex('source_records').distinct('run_id'));
          if (after) q.where('id', '>', after.id as number);
        })
        .orderBy('id')
        .limit(PAGE),
  },
  quality: {
    columns: ['run_id', 'source', 'field', 'dimension', 'score', 'measured'],
    page: async (s, after, run) => {
      if (after) return [];
      const runId = run ?? ((await s.knex('runs').where({ status: 'succeeded' }).orderBy('id', 'desc').first('id')) as { id: string } | undefined)?.id;
      if (!runId) return [];
      return s.knex('quality_scores').select('run_id', 'source', 'field', 'dimension', 'score', 'measured').where({ run_id: runId }).orderBy(['source', 'field', 'dimension']);
    },
  },
};

/** Streams an export to `out` page by page: memory stays flat whatever the master's size. */
export async function writeExport(store: Store, kind: ExportKind, format: ExportFormat, out: Writable, run?: string): Promise<number> {
  const spec = SPECS[kind];
  if (!spec) throw new CrmEtlError('INPUT_INVALID', `unknown export "${kind}"; use customers, links, rejects or quality`);
  const write = (s: string): Promise<void> =>
    new Promise((resolve, reject) => {
      out.write(s, (e) => (e ? reject(e) : resolve()));
    });
  if (format === 'csv') await write(spec.columns.join(',') + '\n');
  let after: Record<string, unknown> | null = null;
  let n = 0;
  for (;;) {
    const rows = await spec.page(store, after, run);
    if (!rows.length) break;
    let chunk = '';
    for (const r of rows) {
      if (format === 'csv') chunk += spec.columns.map((c) => csvCell(r[c])).join(',') + '\n';
      else chunk += JSON.stringify(Object.fromEntries(spec.columns.map((c) => [c, r[c] ?? null]))) + '\n';
    }
    await write(chunk);
    n += rows.length;
    after = rows[rows.length - 1]!;
    if (rows.length < PAGE) break;
  }
  return n;
}

/** Opens the destination: a file, or standard output for `-`/none. */
export function openOut(file?: string): { stream: Writable; done: () => Promise<void> } {
  if (!file || file === '-') return { stream: process.stdout, done: async () => {} };
  const stream = createWriteStream(file);
  return { stream, done: () => new Promise((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve()))) };
}
