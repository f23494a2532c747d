import { z } from 'zod';
import { CANONICAL_FIELDS, type CanonicalField } from '../core/fields.js';

export const columnsSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const mappingSchema = z
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

/** Options every source kind has; each kind adds its own (see src/connectors/<kind>/). */
export const baseSource = {
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

