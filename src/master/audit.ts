import { userInfo } from 'node:os';
import type { Knex } from 'knex';
import { decryptJsonFields } from '../store/encrypted-fields.js';
import type { RowBatch, Store } from '../store/store.js';

export const AUDIT_COLUMNS = ['at', 'actor', 'run_id', 'customer_id', 'action', 'reason', 'before', 'after'] as const;

/**
 * What happened to a customer: `create`, `update` (values or members changed), `merge` (its
 * records joined an older customer; the id now resolves there), `retire` (no records left),
 * `constraint` (a steward decision recorded on it).
 */
export type AuditAction = 'create' | 'update' | 'merge' | 'retire' | 'constraint';

/** One change to the master; `before`/`after` hold only what changed. */
export interface AuditEntry {
  customerId: string;
  action: AuditAction;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Who changes the master: `--actor` when given, else the operating-system user. */
export function defaultActor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    // No passwd entry (some containers): still audit, as someone.
    return 'unknown';
  }
}

/** Who, when and why: shared by every entry of one operation. */
export interface AuditContext {
  actor: string;
  at: Date;
  /** The pipeline run, or the steward operation's own id. */
  runId: string;
  /** Why: the run and its rule, or the steward's decision. */
  reason: string;
}

/**
 * Appends entries to `master_audit` (bulk, inside `trx`). With a cipher, the store encrypts the
 * sensitive fields inside `before` and `after` (src/store/encrypted-fields.ts).
 */
export async function writeAudit(store: Store, ctx: AuditContext, entries: readonly AuditEntry[], trx?: Knex.Transaction): Promise<void> {
  if (!entries.length) return;
  await store.insertRows('master_audit', AUDIT_COLUMNS, entries.map((e) => auditRow(ctx, e)), trx);
}

/** Audit entries collected as rows for a later {@link Store.insertBatch} (see {@link Store.rowBatch}). */
export function auditBatch(store: Store, ctx: AuditContext): { batch: RowBatch; add(e: AuditEntry): void } {
  const batch = store.rowBatch('master_audit', AUDIT_COLUMNS);
  return { batch, add: (e) => batch.add(auditRow(ctx, e)) };
}

function auditRow(ctx: AuditContext, e: AuditEntry): unknown[] {
  return [ctx.at, ctx.actor, ctx.runId, e.customerId, e.action, ctx.reason, e.before ? JSON.stringify(e.before) : null, e.after ? JSON.stringify(e.after) : null];
}

/** A row of the audit log as read back. */
export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  runId: string | null;
  customerId: string;
  action: AuditAction;
  reason: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The audit log of some customers, oldest first, sensitive values decrypted. */
export async function readAudit(store: Store, customerIds: readonly string[]): Promise<AuditRow[]> {
  if (!customerIds.length) return [];
  const rows = (await store.knex('master_audit').whereIn('customer_id', customerIds).orderBy('id')) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at as string | Date),
    actor: String(r.actor),
    runId: (r.run_id as string | null) ?? null,
    customerId: String(r.customer_id),
    action: r.action as AuditAction,
    reason: String(r.reason),
    before: r.before ? (decryptJsonFields(store.cipher, JSON.parse(String(r.before))) as Record<string, unknown>) : null,
    after: r.after ? (decryptJsonFields(store.cipher, JSON.parse(String(r.after))) as Record<string, unknown>) : null,
  }));
}
