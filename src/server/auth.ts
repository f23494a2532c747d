import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { type Role, roleAllows } from '../security/roles.js';
import { type Principal, touchToken, verifyToken } from '../security/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the bearer token says the caller is (set by the auth hook). */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The weakest role a route accepts; routes without one are public (health, OpenAPI, dashboard files). */
    role?: Role;
  }
}

/** `Authorization: Bearer <token>` → the token, else null. */
export function bearerOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/**
 * The access check every route with a `config.role` goes through: 401 without a valid token,
 * 403 when the token's role is weaker than the route's (or than `role`, for a whole prefix).
 * Answers never say whether a token exists.
 */
export function authHook(knex: Knex, role?: Role) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const needed = role ?? req.routeOptions.config.role;
    if (!needed) return;
    const token = bearerOf(req);
    const principal = token ? await verifyToken(knex, token) : null;
    if (!principal) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="crm-etl"')
        .send({ error: 'unauthorized', message: 'a valid API token is required: Authorization: Bearer <token> (crm-etl token create)' });
      return reply;
    }
    req.principal = principal;
    if (!roleAllows(principal.role, needed)) {
      await reply.code(403).send({ error: 'forbidden', message: `this needs the ${needed} role; the token has ${principal.role}` });
      return reply;
    }
    // Best effort: a failed touch must not fail the request.
    await touchToken(knex, principal.tokenId).catch(() => undefined);
  };
}

/** The audit actor of a request: `api:<token name> (<token id>)`. */
export function actorOf(req: FastifyRequest): string {
  const p = req.principal;
  return p ? `api:${p.name} (${p.tokenId})` : 'api:anonymous';
}

/** True when the caller must see personal data masked (viewers). */
export function masked(req: FastifyRequest): boolean {
  return !req.principal || !roleAllows(req.principal.role, 'ops');
}
