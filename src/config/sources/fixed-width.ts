import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** Options of a `fixed-width` source (to be completed with the connector). */
export const fixedWidthSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('fixed-width'),
});
export type FixedWidthSourceConfig = z.infer<typeof fixedWidthSourceSchema>;
