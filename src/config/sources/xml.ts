import { z } from 'zod';
import { baseSource } from '../source-base.js';

/** Options of a `xml` source (to be completed with the connector). */
export const xmlSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('xml'),
});
export type XmlSourceConfig = z.infer<typeof xmlSourceSchema>;
