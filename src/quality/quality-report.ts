import { z } from 'zod';
import { dimensionSchema } from './quality-config.js';

/** One dimension's score (0–100) and how many values, records or comparisons it is measured over. */
export const measureSchema = z.object({ score: z.number(), measured: z.number().int() });
export type Measure = z.infer<typeof measureSchema>;

/** Scores by dimension; a dimension with nothing to measure is absent (never 0 or 100). */
export const dimensionScoresSchema = z.partialRecord(dimensionSchema, measureSchema);
export type DimensionScores = z.infer<typeof dimensionScoresSchema>;

export const fieldQualitySchema = z.object({ score: z.number(), dimensions: dimensionScoresSchema });
export type FieldQuality = z.infer<typeof fieldQualitySchema>;

export const sourceQualitySchema = z.object({
  source: z.string(),
  /** Live records the source has in staging after the run (what uniqueness, consistency, timeliness and accuracy describe). */
  records: z.number().int(),
  /** Rows read in this run (what completeness and validity describe). */
  read: z.number().int(),
  /** True when the source was read in full (its volume can be compared with the previous full read). */
  fullRead: z.boolean(),
  /** Rows read that were malformed or had at least one rejected value. */
  rejectedRows: z.number().int(),
  /** rejectedRows / read (0 when nothing was read). */
  rejectRate: z.number(),
  /** Records that are a duplicate of another record of the same source (records − distinct customers). */
  duplicates: z.number().int(),
  /** duplicates / records. */
  duplicateRate: z.number(),
  score: z.number(),
  dimensions: dimensionScoresSchema,
  fields: z.record(z.string(), fieldQualitySchema),
});
export type SourceQuality = z.infer<typeof sourceQualitySchema>;

export const anomalySchema = z.object({
  kind: z.enum(['score_drop', 'reject_surge', 'duplicate_surge', 'volume_drop']),
  /** '*' for the run as a whole. */
  source: z.string(),
  /** '*' for a whole source or the run. */
  field: z.string(),
  previous: z.number(),
  current: z.number(),
  message: z.string(),
});
export type Anomaly = z.infer<typeof anomalySchema>;

export const gateFailureSchema = z.object({
  /** The configuration path of the gate, e.g. `quality.gates.sources.erp.min_score`. */
  gate: z.string(),
  actual: z.number(),
  limit: z.number(),
  message: z.string(),
});
export type GateFailure = z.infer<typeof gateFailureSchema>;

export const gateResultSchema = z.object({
  passed: z.boolean(),
  /** How many gates were checked (0: none configured). */
  checked: z.number().int(),
  failed: z.array(gateFailureSchema),
  /** Gates that could not apply to this run (a field no source maps, a source not in the run). */
  notApplicable: z.array(z.string()),
});
export type GateResult = z.infer<typeof gateResultSchema>;

export const clusterMemberSchema = z.object({ source: z.string(), key: z.string() });

/** What the run's matching did to its records, kept for the dedupe report of that run. */
export const dedupeStatsSchema = z.object({
  /** Cluster size (as a string key) → how many customers have that many records. */
  clusterSizes: z.record(z.string(), z.number().int()),
  /** The largest clusters (at most 10, members capped at 25). */
  largestClusters: z.array(z.object({ size: z.number().int(), members: z.array(clusterMemberSchema) })),
  /** Candidate pairs per twentieth of the probability range; absent for runs before it was kept. */
  probabilityHistogram: z.array(z.number().int()).optional(),
  linkThreshold: z.number(),
  reviewThreshold: z.number(),
});
export type DedupeStats = z.infer<typeof dedupeStatsSchema>;

/** The scores of one run, before anomalies and gates are added. */
export const qualityScoresSchema = z.object({
  /** The run's score: the mean of its sources' scores weighted by their live staged records. */
  overall: z.number(),
  /** Each dimension over all sources, pooled by what it is measured over. */
  dimensions: dimensionScoresSchema,
  /** Each field over all sources. */
  fields: z.record(z.string(), fieldQualitySchema),
  /** Source name → score (kept for the run summary table). */
  bySource: z.record(z.string(), z.number()),
  /** Share of all rows read that were malformed or had a rejected value. */
  rejectRate: z.number(),
  sources: z.array(sourceQualitySchema),
  dedupe: dedupeStatsSchema,
});
export type QualityScores = z.infer<typeof qualityScoresSchema>;

/** A run's quality as kept in its summary: scores, the change since the previous run, gates. */
export const qualityReportSchema = qualityScoresSchema.extend({
  /** The run the anomalies compare with, or null for the first run. */
  comparedWith: z.string().nullable(),
  anomalies: z.array(anomalySchema),
  gates: gateResultSchema,
});
export type QualityReport = z.infer<typeof qualityReportSchema>;
