import { z } from 'zod';
import { CANONICAL_FIELDS, type CanonicalField } from '../core/fields.js';

const columnsSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const mappingSchema = z
  .record(z.string(), columnsSchema)
  .superRefine((mapping, ctx) => {
    for (const field of Object.keys(mapping)) {
      if (!(CANONICAL_FIELDS as readonly string[]).includes(field)) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `unknown canonical field "${field}"; the canonical fields are: ${CANONICAL_FIELDS.join(', ')}`,
        });
      }
    }
  })
  .transform((m) => m as Partial<Record<CanonicalField, string | string[]>>);

const baseSource = {
  name: z.string().regex(/^[a-z0-9_-]+$/, 'a source name is lower-case letters, digits, "_" and "-"'),
  key: columnsSchema.describe('column or [columns] identifying a record'),
  country: z.string().length(2).toUpperCase().optional().describe('default region for phones and addresses'),
  mapping: mappingSchema,
  /** Date order for ambiguous dates such as 03/04/1990: detected from the column when absent. */
  date_order: z.enum(['dmy', 'mdy', 'ymd']).optional(),
  /** The source is known to hold no duplicates (each real customer at most once). */
  unique: z.boolean().default(false),
  /** Stop the source when more than this share of rows is malformed (after 100 rows). */
  max_failure_rate: z.number().min(0).max(1).default(0.1),
};

export const csvSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('csv'),
  path: z.string().min(1),
  encoding: z.string().optional().describe('utf-8 (default), gbk, big5, shift_jis, windows-1252, …'),
  delimiter: z.string().optional().describe('sniffed from the file when absent'),
  quote: z.string().length(1).default('"'),
});

export const sourceSchema = z.discriminatedUnion('kind', [csvSourceSchema]);

export const matchingSchema = z
  .object({
    /** Probability at or above which two records are linked automatically. */
    link_threshold: z.number().min(0).max(1).default(0.9),
    /** Probability at or above which (and below link_threshold) a pair goes to review. */
    review_threshold: z.number().min(0).max(1).default(0.5),
    /** Largest block kept; bigger blocks of common values are capped and reported. */
    max_block_size: z.number().int().positive().default(1000),
  })
  .prefault({});

export const qualitySchema = z.object({}).passthrough().prefault({});

export const configSchema = z
  .object({
    store: z.string().min(1).default('pglite://./.crm-etl/db'),
    queue: z.string().default(''),
    sources: z.array(sourceSchema).min(1, 'at least one source is needed'),
    matching: matchingSchema,
    quality: qualitySchema,
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.sources.forEach((s, i) => {
      if (seen.has(s.name)) {
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `duplicate source name "${s.name}"` });
      }
      seen.add(s.name);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type CsvSourceConfig = z.infer<typeof csvSourceSchema>;
export type MatchingConfig = z.infer<typeof matchingSchema>;
