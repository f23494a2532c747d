import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { CrmEtlError } from '../core/errors.js';
import { writeAudit } from './audit.js';
import type { Role } from './roles.js';

/** Every token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'crmetl_';

/** A stored token, without its secret. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** The identity a valid token grants. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Creates a token: 32 random bytes (base64url) behind {@link TOKEN_PREFIX}. Only its SHA-256 is
 * stored; the token itself is returned once and cannot be shown again. Audited.
 */
export async function createToken(db: Knex, opts: { role: Role; name: string; actor: string; now?: Date }): Promise<{ token: string; info: TokenInfo }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = `tok_${randomBytes(6).toString('hex')}`;
  const at = opts.now ?? new Date();
  const name = opts.name.slice(0, 128);
  await db.transaction(async (trx) => {
    await trx('api_tokens').insert({ id, name, role: opts.role, token_hash: hashToken(token).toString('hex'), created_by: opts.actor.slice(0, 128), created_at: at });
    await writeAudit(trx, { actor: opts.actor, action: 'token.create', target: id, before: null, after: { id, name, role: opts.role }, at });
  });
  return { token, info: { id, name, role: opts.role, createdBy: opts.actor, createdAt: at.toISOString(), revokedAt: null, lastUsedAt: null } };
}

/** Every token, newest first (secrets are never stored, so none is shown). */
export async function listTokens(db: Knex): Promise<TokenInfo[]> {
  const rows = (await db('api_tokens').orderBy('created_at', 'desc')) as Record<string, unknown>[];
  const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string | Date).toISOString());
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    role: r.role as Role,
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at)!,
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
  }));
}

/** Revokes a token by id; it is refused from then on. Audited. NOT_FOUND for an unknown id. */
export async function revokeToken(db: Knex, id: string, actor: string, now: Date = new Date()): Promise<void> {
  await db.transaction(async (trx) => {
    const row = (await trx('api_tokens').where({ id }).first()) as { revoked_at: unknown; name: string; role: string } | undefined;
    if (!row) throw new CrmEtlError('NOT_FOUND', `no token ${id}; crm-etl token list shows the ids`);
    if (row.revoked_at != null) return;
    await trx('api_tokens').where({ id }).update({ revoked_at: now });
    await writeAudit(trx, { actor, action: 'token.revoke', target: id, before: { revoked: false }, after: { revoked: true }, at: now });
  });
}

/**
 * The principal a presented token grants, or null (unknown, revoked or malformed). The lookup is
 * by hash; the hashes are then compared in constant time, so neither step reveals how much of a
 * guess was right.
 */
export async function verifyToken(db: Knex, presented: string): Promise<Principal | null> {
  if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return null;
  const digest = hashToken(presented);
  const row = (await db('api_tokens').where({ token_hash: digest.toString('hex') }).first()) as
    | { id: string; name: string; role: Role; token_hash: string; revoked_at: unknown }
    | undefined;
  if (!row || row.revoked_at != null) return null;
  const stored = Buffer.from(row.token_hash, 'hex');
  if (stored.length !== digest.length || !timingSafeEqual(stored, digest)) return null;
  return { tokenId: row.id, name: row.name, role: row.role };
}

/** Records that a token was used (at most once a minute per token, to spare the store). */
export async function touchToken(db: Knex, id: string, now: Date = new Date()): Promise<void> {
  await db('api_tokens')
    .where({ id })
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', new Date(now.getTime() - 60_000)))
    .update({ last_used_at: now });
}
