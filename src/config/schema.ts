import { z } from 'zod';
import { qualitySchema } from '../quality/quality-config.js';
import { canonicalFieldSchema } from '../core/fields.js';
import { baseSource } from './source-base.js';
import { fixedWidthSourceSchema } from './sources/fixed-width.js';
import { httpSourceSchema } from './sources/http.js';
import { sqlSourceSchema } from './sources/sql.js';
import { xlsxSourceSchema } from './sources/xlsx.js';
import { xmlSourceSchema } from './sources/xml.js';

export const csvSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('csv'),
  path: z.string().min(1),
  /**
   * The file's text encoding, any name iconv-lite knows (utf-8, utf-16le, gb18030, gbk, big5,
   * shift_jis, euc-kr, windows-1252, …). When absent it is detected: byte-order mark, then
   * valid UTF-8, then the most plausible legacy encoding; an uncertain guess is reported by
   * `check()`. When given it always wins. Empty or `auto` (e.g. from `${CSV_ENCODING:-}`): detected.
   */
  encoding: z
    .string()
    .optional()
    .transform((e) => (e && e.trim().toLowerCase() !== 'auto' ? e.trim() : undefined))
    .describe('detected when absent; utf-8, utf-16le, gb18030, gbk, big5, shift_jis, windows-1252, …'),
  /** One character (`tab`, or backslash-t written as two characters, also mean tab); sniffed among `,` `;` tab `|` when absent. */
  delimiter: z
    .string()
    .transform((d) => (d === '\\t' || d.toLowerCase() === 'tab' ? '\t' : d))
    .pipe(z.string().length(1, 'a delimiter is one character, e.g. ";", "|" or tab'))
    .optional()
    .describe('sniffed from the file when absent'),
  quote: z.string().length(1).default('"'),
});

/** Every source kind, discriminated by `kind`. Register the connector in src/connectors/registry.ts. */
export const sourceSchema = z.discriminatedUnion('kind', [
  csvSourceSchema,
  sqlSourceSchema,
  httpSourceSchema,
  xlsxSourceSchema,
  fixedWidthSourceSchema,
  xmlSourceSchema,
]);

export const matchingSchema = z
  .object({
    /** Probability at or above which two records are linked automatically. */
    link_threshold: z.number().min(0).max(1).default(0.9),
    /** Probability at or above which (and below link_threshold) a pair goes to review. */
    review_threshold: z.number().min(0).max(1).default(0.5),
    /** Largest block kept; bigger blocks of common values are capped and reported. */
    max_block_size: z.number().int().positive().default(1000),
    /** Blocks up to this many records compare every pair; larger blocks use a window (below). */
    full_block_size: z.number().int().min(2).default(10),
    /** In a larger block, each record is compared with this many next records in name order. */
    block_window: z.number().int().positive().default(4),
  })
  .prefault({});

/** The `quality:` section (weights, consistency fields, timeliness, anomalies, gates): src/quality/quality-config.ts. */
export { qualitySchema };

/** Fields encrypted at rest by default: the ones that identify a person on their own. */
export const DEFAULT_SENSITIVE_FIELDS = ['national_id', 'birth_date', 'phone', 'email'] as const;

/**
 * Protection of personal data and of the API (docs/security.md).
 * - `sensitive_fields`: canonical fields encrypted at rest in source_records and customers
 *   (AES-256-GCM, key from the environment variable CRM_ETL_KEY); default national_id,
 *   birth_date, phone, email.
 * - `body_limit`: the largest request body `crm-etl serve` accepts, in bytes (default 1 MiB).
 */
export const securitySchema = z
  .object({
    sensitive_fields: z.array(canonicalFieldSchema).default([...DEFAULT_SENSITIVE_FIELDS]),
    body_limit: z.number().int().positive().default(1024 * 1024),
  })
  .prefault({});

/** Survivorship rules: how a golden value is chosen among a customer's records (docs/master.md). */
export const survivorshipRuleSchema = z.enum(['source_priority', 'most_recent', 'most_complete', 'most_frequent', 'longest']);

export const survivorshipSchema = z
  .object({
    /** Rule for every field not listed under `fields`. Default `most_frequent`. */
    default: survivorshipRuleSchema.default('most_frequent'),
    /** Trust order of sources (most trusted first) for `source_priority` and for ties. Default: configuration order. */
    source_priority: z.array(z.string()).optional(),
    /**
     * Per canonical field: a rule, or `{rule, sources}` with a trust order for that field only.
     * Default: `source_updated_at: most_recent`, every other field the default rule.
     */
    fields: z
      .partialRecord(
        canonicalFieldSchema,
        z.union([survivorshipRuleSchema, z.object({ rule: survivorshipRuleSchema, sources: z.array(z.string()).optional() })]),
      )
      .default({}),
  })
  .prefault({});


export const configSchema = z
  .object({
    store: z.string().min(1).default('pglite://./.crm-etl/db'),
    queue: z.string().default(''),
    sources: z.array(sourceSchema).min(1, 'at least one source is needed'),
    matching: matchingSchema,
    quality: qualitySchema,
    security: securitySchema,
    survivorship: survivorshipSchema,
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.sources.forEach((s, i) => {
      if (seen.has(s.name)) {
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `duplicate source name "${s.name}"` });
      }
      seen.add(s.name);
    });
    // A gate on a misspelt source would never fire: name it.
    for (const name of Object.keys(cfg.quality.gates.sources)) {
      if (!seen.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['quality', 'gates', 'sources', name], message: `no source is named "${name}"; the sources are: ${[...seen].join(', ')}` });
      }
    }
    const known = (names: readonly string[] | undefined, path: (string | number)[]) =>
      names?.forEach((n, i) => {
        if (!seen.has(n)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown source "${n}"; the configuration has: ${[...seen].join(', ')}` });
      });
    // A review band upside down would send nothing to review and link below the review threshold.
    if (cfg.matching.review_threshold > cfg.matching.link_threshold) {
      ctx.addIssue({ code: 'custom', path: ['matching', 'review_threshold'], message: `must not be above link_threshold (${cfg.matching.link_threshold}): pairs in [review_threshold, link_threshold) go to review` });
    }
    known(cfg.survivorship.source_priority, ['survivorship', 'source_priority']);
    for (const [f, r] of Object.entries(cfg.survivorship.fields)) if (typeof r === 'object') known(r.sources, ['survivorship', 'fields', f, 'sources']);
  });

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type CsvSourceConfig = z.infer<typeof csvSourceSchema>;
export type MatchingConfig = z.infer<typeof matchingSchema>;
export type SecurityConfig = z.infer<typeof securitySchema>;
export type SurvivorshipConfig = z.infer<typeof survivorshipSchema>;
export type SurvivorshipRule = z.infer<typeof survivorshipRuleSchema>;
