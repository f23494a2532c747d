import type { Config, SourceConfig } from '../config/schema.js';
import { createConnector } from '../connectors/registry.js';
import { CrmEtlError } from '../core/errors.js';
import { mapRecord, mappedColumns } from '../pipeline/map-record.js';
import { standardizeRecord } from '../transforms/standardize/index.js';
import { table } from './format.js';

export interface SourceCheck {
  source: string;
  kind: string;
  ok: boolean;
  message: string;
  columns: string[];
  unmapped: string[];
  notes: string[];
  preview: Record<string, string>[];
}

const clip = (s: string, n = 24): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Checks one source: configuration, connectivity, mapped columns present; previews the first
 * records as they will be staged (mapped and standardized). Never throws for a source problem:
 * the problem is the result.
 */
export async function checkSource(cfg: SourceConfig, today: string, previewRows = 5): Promise<SourceCheck> {
  const out: SourceCheck = { source: cfg.name, kind: cfg.kind, ok: false, message: '', columns: [], unmapped: [], notes: [], preview: [] };
  try {
    const connector = createConnector(cfg);
    const { columns, notes } = await connector.check();
    out.columns = columns;
    out.notes = notes ?? [];
    const needed = mappedColumns(cfg.mapping, cfg.key);
    const missing = needed.filter((c) => !columns.includes(c));
    out.unmapped = columns.filter((c) => !needed.includes(c));
    if (missing.length) {
      out.message = `mapped column(s) ${missing.map((m) => `"${m}"`).join(', ')} not found`;
      return out;
    }
    const ctx = { today, ...(cfg.country ? { country: cfg.country } : {}), ...(cfg.date_order ? { dateOrder: cfg.date_order } : {}) };
    for await (const batch of connector.read({ batchSize: previewRows })) {
      for (const r of batch.records) {
        if (out.preview.length >= previewRows) break;
        const { values } = standardizeRecord(mapRecord(r.fields, cfg.mapping).values, ctx);
        const row: Record<string, string> = { key: r.key };
        for (const f of Object.keys(cfg.mapping)) row[f] = values[f as keyof typeof values] ?? '';
        out.preview.push(row);
      }
      if (out.preview.length >= previewRows) break;
    }
    out.ok = true;
    out.message = 'ok';
  } catch (err) {
    out.message = err instanceof CrmEtlError ? err.message : `unexpected error: ${(err as Error).message}`;
  }
  return out;
}

/** Checks every source (or the named ones) and renders the report. */
export async function checkSources(config: Config, names: readonly string[], today: string): Promise<{ checks: SourceCheck[]; text: string }> {
  const selected = config.sources.filter((s) => !names.length || names.includes(s.name));
  const checks: SourceCheck[] = [];
  for (const s of selected) checks.push(await checkSource(s, today));
  const parts: string[] = [table(['source', 'kind', 'status', 'columns'], checks.map((c) => [c.source, c.kind, c.ok ? 'ok' : 'FAILED', String(c.columns.length)]))];
  for (const c of checks) {
    parts.push('', `== ${c.source} (${c.kind}): ${c.message}`);
    for (const n of c.notes) parts.push(`note: ${n}`);
    if (c.unmapped.length) parts.push(`unmapped columns (kept, not matched on): ${c.unmapped.join(', ')}`);
    if (c.preview.length) {
      const cols = Object.keys(c.preview[0]!);
      parts.push(table(cols, c.preview.map((r) => cols.map((k) => clip(r[k] ?? '')))));
    }
  }
  return { checks, text: parts.join('\n') };
}
