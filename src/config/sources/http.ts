import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** Options of a `http` source (to be completed with the connector). */
export const httpSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('http'),
});
export type HttpSourceConfig = z.infer<typeof httpSourceSchema>;
