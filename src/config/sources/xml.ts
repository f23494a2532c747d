import { z } from 'zod';
import { baseSource } from '../source-base.js';

/**
 * A column inside a record element: element names joined with `.`, `@name` for an attribute
 * (last segment only), `name[n]` for the n-th occurrence (1-based, as in XPath).
 */
export const XML_COLUMN_PATH = /^(?:[^.@#[\]\s]+(?:\[[1-9][0-9]*\])?\.)*(?:@[^.@#[\]\s]+|[^.@#[\]\s]+(?:\[[1-9][0-9]*\])?)$/;

/** Options of a `xml` source: one record per repeated element, found by its path. */
export const xmlSourceSchema = z.strictObject({
  ...baseSource,
  kind: z.literal('xml'),
  path: z.string().min(1),
  /**
   * Element names from the root to the repeated element holding one record, joined with `/`:
   * `export/customers/customer`. Elements of that name elsewhere (nested deeper, under another
   * parent) are not records. Names are compared as written, namespace prefix included.
   */
  record_path: z
    .string()
    .min(1)
    .transform((p) => p.replace(/^\/+|\/+$/g, ''))
    .pipe(z.string().regex(/^[^/\s<>]+(?:\/[^/\s<>]+)*$/, 'record_path is element names joined with "/", e.g. export/customers/customer')),
  /** Text encoding; default: the byte-order mark, else the XML declaration's, else UTF-8. */
  encoding: z.string().min(1).optional(),
  /**
   * Columns to read, as paths inside the record element (`@id`, `name.first`, `address.city`,
   * `phone[1]`). Default: every element and attribute found in the records, repeated values
   * joined with "; " (check() reports the paths found in the first 1,000 records).
   */
  columns: z.array(z.string().regex(XML_COLUMN_PATH, 'a column is a path such as name.first, @id, address.@type or phone[1]')).min(1).optional(),
});
export type XmlSourceConfig = z.infer<typeof xmlSourceSchema>;
