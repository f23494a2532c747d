import { z } from 'zod';

/** The canonical customer fields of the contract (ARCHITECTURE.md). Sources map any subset. */
export const CANONICAL_FIELDS = [
  'full_name',
  'given_name',
  'family_name',
  'company_name',
  'email',
  'phone',
  'birth_date',
  'gender',
  'national_id',
  'tax_id',
  'address_line1',
  'address_line2',
  'city',
  'region',
  'postal_code',
  'country',
  'source_updated_at',
] as const;

export const canonicalFieldSchema = z.enum(CANONICAL_FIELDS);
export type CanonicalField = z.infer<typeof canonicalFieldSchema>;

/** Canonical values of one record; a missing field is absent or null. */
export type CanonicalValues = Partial<Record<CanonicalField, string | null>>;

export function isCanonicalField(name: string): name is CanonicalField {
  return (CANONICAL_FIELDS as readonly string[]).includes(name);
}
