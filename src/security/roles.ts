import { z } from 'zod';
import type { CanonicalField } from '../core/fields.js';
import { maskValue } from '../core/mask.js';

/**
 * API roles, weakest first. Each role may do what the weaker ones may:
 * - `viewer`: reports, runs, quality, customers, with personal data masked;
 * - `ops`: also personal data in clear, the review queue (accept, reject) and source checks;
 * - `admin`: also merge, unmerge, re-sync (trigger runs), failed jobs and the queue board.
 */
export const ROLES = ['viewer', 'ops', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** True when `role` may do what `needed` may. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Canonical fields that identify or locate a person: masked for viewers. Company name, city,
 * region, country and gender are not on their own personal data in a customer report.
 */
export const PERSONAL_FIELDS: readonly CanonicalField[] = [
  'full_name',
  'given_name',
  'family_name',
  'email',
  'phone',
  'birth_date',
  'national_id',
  'tax_id',
  'address_line1',
  'address_line2',
  'postal_code',
];

const PERSONAL = new Set<string>(PERSONAL_FIELDS);

/** A copy of `values` with every personal field masked (see maskValue) when `mask` is true. */
export function maskPersonal<T extends Record<string, unknown>>(values: T, mask: boolean): T {
  if (!mask) return values;
  const out: Record<string, unknown> = { ...values };
  for (const [k, v] of Object.entries(out)) if (PERSONAL.has(k) && typeof v === 'string') out[k] = maskValue(v);
  return out as T;
}
