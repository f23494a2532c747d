import { z } from 'zod';
import { canonicalFieldSchema } from '../core/fields.js';

/** The dimensions a run is scored on; docs/quality.md defines each. */
export const DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness', 'accuracy'] as const;
export const dimensionSchema = z.enum(DIMENSIONS);
export type Dimension = z.infer<typeof dimensionSchema>;

const weight = (d: number) => z.number().min(0, 'a weight is 0 or more').default(d);

/**
 * Relative weights of the dimensions in field, source and overall scores. They need not add up
 * to 1: a score is the weighted mean of the dimensions that could be measured, so a dimension
 * with nothing to measure (no second source to agree with, no reference data) drops out instead
 * of counting as 0 or 100. Defaults and their reasoning: docs/quality.md.
 */
export const qualityWeightsSchema = z
  .object({
    /** Default 0.20: a missing value cannot be matched or used, but some are legitimately absent. */
    completeness: weight(0.2),
    /** Default 0.25: a value that breaks its rules is wrong for certain. */
    validity: weight(0.25),
    /** Default 0.15: duplicates inside one source. */
    uniqueness: weight(0.15),
    /** Default 0.15: sources disagreeing about one customer; one of them is wrong. */
    consistency: weight(0.15),
    /** Default 0.10: old is not wrong, only less likely to be right. */
    timeliness: weight(0.1),
    /** Default 0.15: measured only where reference data exists, and then a real error. */
    accuracy: weight(0.15),
  })
  .strict()
  .prefault({})
  .refine((w) => Object.values(w).some((x) => x > 0), 'at least one weight must be above 0');

const percent = z.number().min(0).max(100);
const rate = z.number().min(0).max(1);

/** Gates of one source (under `quality.gates.sources.NAME`). Every key is optional. */
export const sourceGateSchema = z
  .object({
    /** The source's score (0–100) must be at least this. */
    min_score: percent.optional(),
    /** At most this share (0–1) of the rows read may be malformed or carry a rejected value. */
    max_reject_rate: rate.optional(),
    /** At most this share (0–1) of the source's records may be duplicates of each other. */
    max_duplicate_rate: rate.optional(),
    /** A full read must deliver at least this many records (an incremental read is not checked). */
    min_records: z.number().int().min(0).optional(),
    /** Per field of this source: the minimum field score (0–100). */
    fields: z.partialRecord(canonicalFieldSchema, percent).default({}),
  })
  .strict();

/**
 * Gates: thresholds that fail a run before it writes to the master. Nothing is gated by default.
 */
export const qualityGatesSchema = z
  .object({
    /** The run's overall score (0–100) must be at least this. */
    min_overall: percent.optional(),
    /** At most this share (0–1) of all rows read may be malformed or carry a rejected value. */
    max_reject_rate: rate.optional(),
    /** Per field: the minimum score of the field across the run's sources (0–100). */
    fields: z.partialRecord(canonicalFieldSchema, percent).default({}),
    /** Per source name: that source's gates. */
    sources: z.record(z.string(), sourceGateSchema).default({}),
  })
  .strict()
  .prefault({});

/** When the change since the previous run is flagged as an anomaly. */
export const anomalySchema = z
  .object({
    /** A score (overall, a source's or a field's) falling by more than this many points. Default 5. */
    score_drop: z.number().min(0).default(5),
    /**
     * A source's reject rate rising by more than this (absolute, 0–1; default 0.02 = 2 points)
     * and to at least `surge_ratio` times its previous value.
     */
    reject_rate_rise: rate.default(0.02),
    /** Like reject_rate_rise, for the duplicate rate within a source. Default 0.02. */
    duplicate_rate_rise: rate.default(0.02),
    /** A rise counts as a surge only when the new rate is at least this multiple of the old. Default 1.5. */
    surge_ratio: z.number().min(1).default(1.5),
    /** A full read delivering less than (1 − this) of the previous full read's records. Default 0.5. */
    volume_drop: rate.default(0.5),
    /** Field scores measured over fewer values than this are not flagged (too noisy). Default 20. */
    min_sample: z.number().int().min(0).default(20),
  })
  .strict()
  .prefault({});

/** The `quality:` section of the configuration. Every key is optional. */
export const qualitySchema = z
  .object({
    weights: qualityWeightsSchema,
    /**
     * Fields whose values should agree across sources for one customer (consistency).
     * Default: birth_date, email, phone, gender, national_id, tax_id: facts a person has one
     * of; names and addresses vary in form and move, and would measure matching, not quality.
     */
    consistency_fields: z.array(canonicalFieldSchema).default(['birth_date', 'email', 'phone', 'gender', 'national_id', 'tax_id']),
    /**
     * Fields legitimately empty for many customers (a person has no company): their completeness
     * is not scored, only their validity and the rest. Default: company_name, address_line2.
     */
    optional_fields: z.array(canonicalFieldSchema).default(['company_name', 'address_line2']),
    /** Age of `source_updated_at` against the run date, in days. */
    timeliness: z
      .object({
        /** Records updated within this many days score 1. Default 365. */
        fresh_days: z.number().int().min(0).default(365),
        /** Records older than this score 0; in between the score falls linearly. Default 1825 (5 years). */
        stale_days: z.number().int().min(1).default(1825),
      })
      .strict()
      .prefault({})
      .refine((t) => t.stale_days > t.fresh_days, { message: 'stale_days must be greater than fresh_days', path: ['stale_days'] }),
    anomalies: anomalySchema,
    gates: qualityGatesSchema,
  })
  .strict()
  .prefault({});

export type QualityConfig = z.infer<typeof qualitySchema>;
export type QualityWeights = z.infer<typeof qualityWeightsSchema>;
export type QualityGates = z.infer<typeof qualityGatesSchema>;
export type SourceGates = z.infer<typeof sourceGateSchema>;
export type AnomalyThresholds = z.infer<typeof anomalySchema>;
