import type { SourceStats } from '../pipeline/extract.js';

/** Dimensions scored in this version; uniqueness, consistency and timeliness come with the quality work. */
export type Dimension = 'completeness' | 'validity' | 'score';

export interface QualityRow {
  source: string; // '*' = all sources
  field: string; // '*' = all fields
  dimension: Dimension;
  score: number; // 0–100
}

export interface QualityReport {
  overall: number;
  rows: QualityRow[];
  bySource: Record<string, number>;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Scores a run from its per-source counts.
 * - completeness of a field: share of a source's records that had a value for it;
 * - validity of a field: share of present values that passed their rules;
 * - validity of rows ('*'): share of rows that could be read at all (not malformed);
 * a field's score is the mean of the two; a source's score the mean over its mapped fields and
 * its rows; the run's score the mean over sources weighted by rows read.
 */
export function scoreQuality(stats: readonly SourceStats[]): QualityReport {
  const rows: QualityRow[] = [];
  const bySource: Record<string, number> = {};
  let weighted = 0;
  let weight = 0;
  for (const s of stats) {
    const fieldScores: number[] = [];
    for (const [field, c] of Object.entries(s.fieldCounts)) {
      const completeness = s.staged ? c.present / s.staged : 0;
      const validity = c.present ? 1 - c.rejected / c.present : 1;
      const score = ((completeness + validity) / 2) * 100;
      rows.push({ source: s.source, field, dimension: 'completeness', score: round1(completeness * 100) });
      rows.push({ source: s.source, field, dimension: 'validity', score: round1(validity * 100) });
      rows.push({ source: s.source, field, dimension: 'score', score: round1(score) });
      fieldScores.push(score);
    }
    const rowValidity = s.read ? (s.read - s.malformed) / s.read : 1;
    rows.push({ source: s.source, field: '*', dimension: 'validity', score: round1(rowValidity * 100) });
    fieldScores.push(((1 + rowValidity) / 2) * 100);
    const sourceScore = fieldScores.reduce((x, y) => x + y, 0) / fieldScores.length;
    rows.push({ source: s.source, field: '*', dimension: 'score', score: round1(sourceScore) });
    bySource[s.source] = round1(sourceScore);
    weighted += sourceScore * Math.max(s.read, 1);
    weight += Math.max(s.read, 1);
  }
  const overall = round1(weight ? weighted / weight : 0);
  rows.push({ source: '*', field: '*', dimension: 'score', score: overall });
  return { overall, rows, bySource };
}
