import type { Knex } from 'knex';
import { z } from 'zod';
import { CrmEtlError } from '../core/errors.js';
import { decryptJsonFields } from '../store/encrypted-fields.js';
import type { Store } from '../store/store.js';
import { maskPersonal } from './roles.js';

/**
 * What to read of the audit trail. Every filter is optional; they narrow each other down.
 * `limit` defaults to 100 (at most 10,000).
 */
export const auditQuerySchema = z
  .object({
    /** Entries at or after this instant. */
    since: z.date().optional(),
    /** Entries before this instant. */
    until: z.date().optional(),
    /** Entries whose actor contains this text, case-insensitively (`alice` finds `cli:alice` and `api:alice (tok_…)`). */
    actor: z.string().min(1).max(128).optional(),
    /**
     * Entries about this target: a customer id (the master's changes to it, and the operations
     * aimed at it: merge, erase, subject export), a token id, `pair:12`, `run:…`, `config:…`.
     */
    target: z.string().min(1).max(255).optional(),
    /** One action (`config.change`, `master.update`…), or every action with a prefix when it ends with `*` (`customer.*`). */
    action: z.string().min(1).max(64).optional(),
    limit: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();
export type AuditQuery = z.input<typeof auditQuerySchema>;

/** Which table an entry comes from: operations (`audit_log`) or changes to the customer master (`master_audit`). */
export type AuditTrail = 'audit_log' | 'master_audit';

/**
 * One entry of the whole audit trail: who (`actor`), what (`action`: the operation, or
 * `master.create|update|merge|retire|constraint` for a change to one customer), on what
 * (`target`: for the master, the customer id), when (`at`), why (`reason`, master only; the
 * `runId` of the run or steward operation), and the state `before` and `after`.
 */
export interface AuditTrailEntry {
  trail: AuditTrail;
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  runId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
}

/** The prefix master actions get in the trail, so they read apart from operations (`customer.merge` vs `master.merge`). */
const MASTER_PREFIX = 'master.';

function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function branch(knex: Knex, trail: AuditTrail, q: z.infer<typeof auditQuerySchema>, action: { exact?: string; prefix?: string } | null): Knex.QueryBuilder {
  const b =
    trail === 'audit_log'
      ? knex('audit_log').select(knex.raw("'audit_log' as trail"), 'id', 'at', 'actor', 'action', 'target', knex.raw('null as run_id'), knex.raw('null as reason'), 'before', 'after')
      : knex('master_audit').select(knex.raw("'master_audit' as trail"), 'id', 'at', 'actor', 'action', { target: 'customer_id' }, 'run_id', 'reason', 'before', 'after');
  if (q.since) b.where('at', '>=', q.since);
  if (q.until) b.where('at', '<', q.until);
  // Backslash is LIKE's default escape character on PostgreSQL and MySQL alike.
  if (q.actor) b.whereRaw('lower(actor) like ?', [`%${likeLiteral(q.actor.toLowerCase())}%`]);
  if (q.target) b.where(trail === 'audit_log' ? 'target' : 'customer_id', q.target);
  if (action?.exact !== undefined) b.where('action', action.exact);
  if (action?.prefix) b.where('action', 'like', `${likeLiteral(action.prefix)}%`);
  return b;
}

/** The action filter as each table stores actions, or null when the table cannot match it. */
function actionFilter(trail: AuditTrail, action: string | undefined): { exact?: string; prefix?: string } | null | 'none' {
  if (action === undefined) return null;
  const prefix = action.endsWith('*') ? action.slice(0, -1) : undefined;
  if (trail === 'audit_log') return prefix !== undefined ? { prefix } : { exact: action };
  // Master actions are stored bare ('update') and shown as 'master.update'.
  if (prefix !== undefined) {
    if (MASTER_PREFIX.startsWith(prefix)) return null;
    return prefix.startsWith(MASTER_PREFIX) ? { prefix: prefix.slice(MASTER_PREFIX.length) } : 'none';
  }
  return action.startsWith(MASTER_PREFIX) ? { exact: action.slice(MASTER_PREFIX.length) } : 'none';
}

const parseJson = (v: unknown): unknown => (typeof v === 'string' && v !== '' ? (JSON.parse(v) as unknown) : null);

/**
 * The whole audit trail, newest first: the operations log (`audit_log`: tokens, reviews, merges,
 * runs, erasures, key rotations, configuration changes…) and the master's per-customer changes
 * (`master_audit`) in one time order (ties: master changes before the operation that made them,
 * then by id). Sensitive values in `before`/`after` are stored encrypted and come back decrypted;
 * with `mask`, every personal field in them is masked (`J••• D••`).
 */
export async function listAuditTrail(store: Store, query: AuditQuery = {}, opts: { mask?: boolean } = {}): Promise<AuditTrailEntry[]> {
  const parsed = auditQuerySchema.safeParse(query);
  if (!parsed.success) throw new CrmEtlError('INPUT_INVALID', `audit query: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}`);
  const q = parsed.data;
  const knex = store.knex;
  const branches: Knex.QueryBuilder[] = [];
  for (const trail of ['audit_log', 'master_audit'] as const) {
    const a = actionFilter(trail, q.action);
    if (a !== 'none') branches.push(branch(knex, trail, q, a));
  }
  if (!branches.length) return [];
  const union = branches.length === 1 ? branches[0]! : branches[0]!.unionAll([branches[1]!], true);
  const rows = (await knex
    .select('*')
    .from(union.as('t'))
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'trail', order: 'asc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit)) as Record<string, unknown>[];
  const mask = opts.mask === true;
  const values = (v: unknown): unknown => {
    const clear = decryptJsonFields(store.cipher, parseJson(v));
    return mask && clear && typeof clear === 'object' && !Array.isArray(clear) ? maskPersonal(clear as Record<string, unknown>, true) : clear;
  };
  return rows.map((r) => {
    const trail = r.trail as AuditTrail;
    return {
      trail,
      id: Number(r.id),
      at: new Date(r.at as string | Date).toISOString(),
      actor: String(r.actor),
      action: trail === 'master_audit' ? `${MASTER_PREFIX}${String(r.action)}` : String(r.action),
      target: (r.target as string | null) ?? null,
      runId: (r.run_id as string | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      before: values(r.before),
      after: values(r.after),
    };
  });
}

/**
 * Parses a `--since`/`--until` value: an ISO date or instant (`2026-05-01`, `2026-05-01T08:00Z`),
 * or an age back from `now`: `30m`, `12h`, `7d`.
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const age = /^(\d+)\s*([mhd])$/i.exec(text.trim());
  if (age) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2]!.toLowerCase() as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(age[1]) * unit);
  }
  const d = new Date(text.trim());
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(d.getTime())) {
    throw new CrmEtlError('INPUT_INVALID', `"${text.slice(0, 40)}" is not a time: use an ISO date or instant (2026-05-01, 2026-05-01T08:00:00Z) or an age (30m, 12h, 7d)`);
  }
  return d;
}
