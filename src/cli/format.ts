import type { RunSummary } from '../pipeline/run-pipeline.js';
import type { QualityReport } from '../quality/index.js';

/** Renders rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((v, c) => (typeof rows[0]?.[c] === 'number' ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The run summary a person reads after `crm-etl run`: no personal values, only counts and codes. */
export function formatSummary(s: RunSummary): string {
  const out: string[] = [];
  out.push(`Run ${s.runId}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s`, '');
  out.push(
    table(
      ['source', 'read', 'staged', 'malformed rows', 'rejected values', 'quality', 'read mode'],
      s.sources.map((x) => [x.source, x.read, x.staged, x.malformed, x.rejectedValues, s.quality.bySource[x.source] ?? 0, x.incremental ? 'changes only' : 'full']),
    ),
  );
  const top = s.sources
    .flatMap((x) => x.issues.map((t) => ({ source: x.source, ...t })))
    .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source))
    .slice(0, 12);
  if (top.length) {
    out.push('', 'Top issues (examples masked; the details with: crm-etl export rejects):');
    out.push(
      table(
        ['source', 'field', 'issue', 'kind', 'count', 'examples'],
        top.map((t) => [t.source, t.field ?? '(row)', t.code, t.severity === 'reject' ? 'rejected' : 'repaired', t.count, t.examples.join(', ')]),
      ),
    );
  }
  const noted = s.sources.filter((x) => x.notes.length);
  if (noted.length) {
    out.push('', 'Notes:');
    for (const x of noted) for (const n of x.notes) out.push(`  ${x.source}: ${n}`);
  }
  const unmapped = s.sources.filter((x) => x.unmappedColumns.length);
  if (unmapped.length) {
    out.push('', 'Unmapped columns (kept with the records, not matched on):');
    for (const x of unmapped) out.push(`  ${x.source}: ${x.unmappedColumns.join(', ')}`);
  }
  const m = s.matching;
  out.push(
    '',
    (m.mode === 'incremental'
      ? `Matching (incremental): ${m.changedRecords} changed record(s), ${m.rebuiltCustomers} customer(s) rebuilt from ${m.records} records, `
      : `Matching: ${m.records} records, `) +
      `${m.candidatePairs} candidate pairs, ${m.links} links, ${m.reviewPairs} pairs for review` +
      (m.refusedMerges ? `, ${m.refusedMerges} weak chains not merged` : ''),
  );
  const oversized = m.blocking.filter((b) => b.oversizedBlocks);
  for (const b of oversized) out.push(`  blocking rule ${b.rule}: ${b.oversizedBlocks} oversized block(s) skipped (largest ${b.largestOversized})`);
  out.push(
    s.master
      ? `Customers: ${s.master.customers} (${s.master.newCustomers} new), ${m.duplicatesLinked} duplicate records linked to them; ` +
        `${s.master.updatedCustomers} updated, ${s.master.mergedCustomers} merged, ${s.master.retiredCustomers} retired, ${s.master.detachedRecords} record(s) detached`
      : `Customers: the master was not changed (${m.records - m.duplicatesLinked} customers found, not loaded)`,
    `Data quality score: ${s.quality.overall.toFixed(1)} / 100` + (s.quality.comparedWith ? ` (details and change since the last run: crm-etl quality --run ${s.runId})` : ''),
  );
  out.push(...formatQualityFlags(s.quality));
  return out.join('\n');
}

/** The anomalies and failed gates of a run, as lines; none when there is nothing to flag. */
export function formatQualityFlags(q: QualityReport): string[] {
  const out: string[] = [];
  if (q.anomalies.length) {
    out.push('', `Anomalies since run ${q.comparedWith ?? '?'}:`);
    for (const a of q.anomalies) out.push(`  ! ${a.message}`);
  }
  if (!q.gates.passed) {
    out.push('', `Quality gates FAILED (${q.gates.failed.length} of ${q.gates.checked}); the master was not changed, the staged records are kept for inspection:`);
    for (const f of q.gates.failed) out.push(`  x ${f.gate}: ${f.message}`);
  } else if (q.gates.checked) out.push(`Quality gates: ${q.gates.checked} passed`);
  if (q.gates.notApplicable.length) out.push(`Quality gates not applicable to this run: ${q.gates.notApplicable.join(', ')}`);
  return out;
}
