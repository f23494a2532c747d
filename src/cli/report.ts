import { writeFile } from 'node:fs/promises';
import { loadReportData, renderReportHtml } from '../quality/index.js';
import type { Store } from '../store/store.js';

export type ReportFormat = 'html' | 'json';

/**
 * Writes the quality and dedupe report of a run (default: the latest with scores) to `out`:
 * one self-contained HTML page, or the same data as JSON. Personal values are masked unless
 * `unmask`. Resolves to the run the report is about.
 */
export async function writeReport(store: Store, opts: { out: string; format: ReportFormat; runId?: string | undefined; unmask?: boolean }): Promise<string> {
  const data = await loadReportData(store, { ...(opts.runId ? { runId: opts.runId } : {}), unmask: Boolean(opts.unmask) });
  const text = opts.format === 'json' ? JSON.stringify(data, null, 2) + '\n' : renderReportHtml(data);
  await writeFile(opts.out, text, 'utf8');
  return data.run.id;
}
