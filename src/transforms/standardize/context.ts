import { z } from 'zod';

/**
 * What a standardizer may know beyond the value: the source's default country, the date order of
 * the column (see {@link detectDateOrder}) and "today" (passed in: standardizers never read the clock).
 */
export const standardizeContextSchema = z.object({
  /** ISO 3166-1 alpha-2 default region for phones, postcodes and date order. Default: none. */
  country: z.string().regex(/^[A-Za-z]{2}$/).optional(),
  /** Order of numeric dates such as 02/01/1990. Default: decided per value, see standardizeDate. */
  dateOrder: z.enum(['dmy', 'mdy', 'ymd']).optional(),
  /** Today as an ISO date (yyyy-mm-dd), for future/too-old checks and the two-digit-year pivot. */
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

/** See {@link standardizeContextSchema}. */
export type StandardizeContext = z.infer<typeof standardizeContextSchema>;

/** A numeric date order. */
export type DateOrder = NonNullable<StandardizeContext['dateOrder']>;
