import type { AnomalyThresholds } from './quality-config.js';
import type { Anomaly, QualityScores } from './quality-report.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function surged(previous: number, current: number, rise: number, ratio: number): boolean {
  return current - previous > rise && current >= previous * ratio;
}

/**
 * What changed for the worse since the previous run, beyond the thresholds:
 * - score_drop: the overall score, a source's score or a field's score over all sources fell
 *   by more than `score_drop` points (fields only when measured over `min_sample` values);
 * - reject_surge / duplicate_surge: a source's reject or duplicate rate rose by more than the
 *   rise threshold and to at least `surge_ratio` times its old value;
 * - volume_drop: a source read in full delivered less than (1 − `volume_drop`) of the records of
 *   its previous full read (an incremental read delivers only changes and is not compared).
 * Sources absent from either run are not compared.
 */
export function detectAnomalies(current: QualityScores, previous: QualityScores | undefined, t: AnomalyThresholds): Anomaly[] {
  if (!previous) return [];
  const out: Anomaly[] = [];
  const drop = (source: string, field: string, what: string, prev: number, cur: number): void => {
    if (prev - cur > t.score_drop) {
      out.push({ kind: 'score_drop', source, field, previous: prev, current: cur, message: `${what} fell ${(prev - cur).toFixed(1)} points (${prev.toFixed(1)} → ${cur.toFixed(1)})` });
    }
  };
  drop('*', '*', 'the overall score', previous.overall, current.overall);
  const before = new Map(previous.sources.map((s) => [s.source, s]));
  for (const s of current.sources) {
    const p = before.get(s.source);
    if (!p) continue;
    drop(s.source, '*', `source ${s.source}: its score`, p.score, s.score);
    if (s.read && p.read && surged(p.rejectRate, s.rejectRate, t.reject_rate_rise, t.surge_ratio)) {
      out.push({ kind: 'reject_surge', source: s.source, field: '*', previous: p.rejectRate, current: s.rejectRate, message: `source ${s.source}: rejected rows rose from ${pct(p.rejectRate)} to ${pct(s.rejectRate)} of the rows read` });
    }
    if (surged(p.duplicateRate, s.duplicateRate, t.duplicate_rate_rise, t.surge_ratio)) {
      out.push({ kind: 'duplicate_surge', source: s.source, field: '*', previous: p.duplicateRate, current: s.duplicateRate, message: `source ${s.source}: duplicates rose from ${pct(p.duplicateRate)} to ${pct(s.duplicateRate)} of its records` });
    }
    if (s.fullRead && p.fullRead && p.read > 0 && s.read < p.read * (1 - t.volume_drop)) {
      out.push({ kind: 'volume_drop', source: s.source, field: '*', previous: p.read, current: s.read, message: `source ${s.source}: delivered ${s.read} records, ${p.read} last run (${Math.round((1 - s.read / p.read) * 100)}% fewer)` });
    }
  }
  for (const [f, q] of Object.entries(current.fields)) {
    const p = previous.fields[f];
    const n = Math.max(...Object.values(q.dimensions).map((m) => m.measured), 0);
    if (p && n >= t.min_sample) drop('*', f, `field ${f}: its score`, p.score, q.score);
  }
  return out;
}
