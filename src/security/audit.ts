import { userInfo } from 'node:os';
import type { Knex } from 'knex';

/**
 * What a write did: `token.create`, `token.revoke`, `review.accept`, `review.reject`,
 * `run.trigger` (a run started or queued), `resync.trigger` (`crm-etl resync`), `customer.merge`,
 * `customer.unmerge`, `customer.erase`, `subject.export`, `keys.rotate`, `store.restore`,
 * `job.retry`, `schedule.add`, `schedule.remove`, `config.change`, `queue.board` (a Bull Board
 * action: retry, clean, remove… on the path it names). The master's own changes to
 * each customer are in `master_audit` (src/master/audit.ts); listAuditTrail reads both.
 */
export type AuditAction =
  | 'token.create'
  | 'token.revoke'
  | 'review.accept'
  | 'review.reject'
  | 'run.trigger'
  | 'customer.merge'
  | 'customer.unmerge'
  | 'customer.erase'
  | 'subject.export'
  | 'keys.rotate'
  | 'store.restore'
  | 'job.retry'
  | 'resync.trigger'
  | 'schedule.add'
  | 'schedule.remove'
  | 'config.change'
  | 'queue.board';

/** One audited write: who, what, on what, and the state before and after (no personal values). */
export interface AuditEvent {
  actor: string;
  action: AuditAction;
  /** What was written: a token id, a pair id, a customer id, a run id… */
  target: string | null;
  before?: unknown;
  after?: unknown;
  /** Default: now. */
  at?: Date;
}

/** Who acts on the command line: the operating-system user (a container may have none). */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username || 'unknown'}`;
  } catch {
    return 'cli:unknown';
  }
}

/** Appends one entry to `audit_log` (inside `db` when it is a transaction). */
export async function writeAudit(db: Knex | Knex.Transaction, e: AuditEvent): Promise<void> {
  await db('audit_log').insert({
    at: e.at ?? new Date(),
    actor: e.actor.slice(0, 128),
    action: e.action,
    target: e.target === null ? null : e.target.slice(0, 255),
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
  });
}

/** An audit entry as read back. */
export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

/**
 * The newest `limit` entries of `audit_log` alone (default 100), optionally of one target, newest
 * first. The whole trail, with the master's changes: listAuditTrail (src/security/audit-trail.ts).
 */
export async function readAudit(db: Knex, opts: { target?: string; limit?: number } = {}): Promise<AuditRow[]> {
  const q = db('audit_log').orderBy('id', 'desc').limit(opts.limit ?? 100);
  if (opts.target !== undefined) q.where({ target: opts.target });
  const rows = (await q) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at as string | Date).toISOString(),
    actor: String(r.actor),
    action: String(r.action),
    target: (r.target as string | null) ?? null,
    before: r.before ? (JSON.parse(String(r.before)) as unknown) : null,
    after: r.after ? (JSON.parse(String(r.after)) as unknown) : null,
  }));
}
