import { z } from 'zod';

/**
 * A problem found in a value. `reject` means the value was not usable and was moved to the
 * rejects table (the field is empty in the clean record); `warn` means the value was kept,
 * possibly repaired, and the repair is reported.
 */
export const issueSchema = z.object({
  code: z.string(),
  path: z.array(z.string()),
  message: z.string(),
  severity: z.enum(['reject', 'warn']),
});
export type Issue = z.infer<typeof issueSchema>;

/** Result of a pure transform, shaped like zod's safeParse result. */
export type TransformResult<T> =
  | { ok: true; value: T; issues: Issue[] }
  | { ok: false; issues: Issue[] };

export function ok<T>(value: T, issues: Issue[] = []): TransformResult<T> {
  return { ok: true, value, issues };
}

export function fail<T = never>(field: string, code: string, message: string): TransformResult<T> {
  return { ok: false, issues: [{ code, path: [field], message, severity: 'reject' }] };
}

export function warning(field: string, code: string, message: string): Issue {
  return { code, path: [field], message, severity: 'warn' };
}
