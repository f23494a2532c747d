import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** Options of a `xlsx` source (to be completed with the connector). */
export const xlsxSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('xlsx'),
});
export type XlsxSourceConfig = z.infer<typeof xlsxSourceSchema>;
