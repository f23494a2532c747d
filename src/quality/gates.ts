import type { QualityGates } from './quality-config.js';
import type { GateFailure, GateResult, QualityScores } from './quality-report.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Checks a run's scores against the configured gates. A gate that cannot apply to this run (a
 * field no source of the run maps, a source the run did not read, `min_records` on an
 * incremental read) is listed as not applicable rather than passed or failed.
 */
export function evaluateGates(q: QualityScores, gates: QualityGates): GateResult {
  const failed: GateFailure[] = [];
  const notApplicable: string[] = [];
  let checked = 0;
  const check = (gate: string, failedIf: boolean, actual: number, limit: number, message: string): void => {
    checked++;
    if (failedIf) failed.push({ gate, actual, limit, message });
  };
  if (gates.min_overall !== undefined) {
    check('quality.gates.min_overall', q.overall < gates.min_overall, q.overall, gates.min_overall, `overall score ${q.overall.toFixed(1)} is below the minimum ${gates.min_overall}`);
  }
  if (gates.max_reject_rate !== undefined) {
    check('quality.gates.max_reject_rate', q.rejectRate > gates.max_reject_rate, q.rejectRate, gates.max_reject_rate, `${pct(q.rejectRate)} of the rows read were rejected, more than the maximum ${pct(gates.max_reject_rate)}`);
  }
  for (const [field, min] of Object.entries(gates.fields)) {
    const gate = `quality.gates.fields.${field}`;
    const f = q.fields[field];
    if (!f || min === undefined) notApplicable.push(gate);
    else check(gate, f.score < min, f.score, min, `field ${field} scores ${f.score.toFixed(1)} over all sources, below the minimum ${min}`);
  }
  for (const [name, g] of Object.entries(gates.sources)) {
    const base = `quality.gates.sources.${name}`;
    const s = q.sources.find((x) => x.source === name);
    if (!s) {
      notApplicable.push(base);
      continue;
    }
    if (g.min_score !== undefined) check(`${base}.min_score`, s.score < g.min_score, s.score, g.min_score, `source ${name} scores ${s.score.toFixed(1)}, below the minimum ${g.min_score}`);
    if (g.max_reject_rate !== undefined) {
      check(`${base}.max_reject_rate`, s.rejectRate > g.max_reject_rate, s.rejectRate, g.max_reject_rate, `source ${name}: ${s.rejectedRows} of ${s.read} rows read were rejected (${pct(s.rejectRate)}), more than the maximum ${pct(g.max_reject_rate)}`);
    }
    if (g.max_duplicate_rate !== undefined) {
      check(`${base}.max_duplicate_rate`, s.duplicateRate > g.max_duplicate_rate, s.duplicateRate, g.max_duplicate_rate, `source ${name}: ${s.duplicates} of ${s.records} records are duplicates within the source (${pct(s.duplicateRate)}), more than the maximum ${pct(g.max_duplicate_rate)}`);
    }
    if (g.min_records !== undefined) {
      if (!s.fullRead) notApplicable.push(`${base}.min_records`);
      else check(`${base}.min_records`, s.read < g.min_records, s.read, g.min_records, `source ${name} delivered ${s.read} records, fewer than the minimum ${g.min_records}`);
    }
    for (const [field, min] of Object.entries(g.fields)) {
      const gate = `${base}.fields.${field}`;
      const f = s.fields[field];
      if (!f || min === undefined) notApplicable.push(gate);
      else check(gate, f.score < min, f.score, min, `source ${name}: field ${field} scores ${f.score.toFixed(1)}, below the minimum ${min}`);
    }
  }
  return { passed: failed.length === 0, checked, failed, notApplicable };
}
