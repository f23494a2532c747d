import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** Options of a `sql` source (to be completed with the connector). */
export const sqlSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('sql'),
});
export type SqlSourceConfig = z.infer<typeof sqlSourceSchema>;
