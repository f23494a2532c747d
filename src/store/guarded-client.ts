import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import PgliteClient from 'knex-pglite';
import { toConnectError, toStoreError, type StoreErrorContext } from './store-errors.js';
import type { StoreDialect } from './store.js';

const require = createRequire(import.meta.url);

// knex's own dialect classes, so that we can subclass them (knex accepts a class as `client`).
const BASE_CLIENTS: Record<StoreDialect, typeof Knex.Client> = {
  pglite: PgliteClient,
  postgres: require('knex/lib/dialects/postgres/index.js') as typeof Knex.Client,
  mysql: require('knex/lib/dialects/mysql2/index.js') as typeof Knex.Client,
};

/**
 * A knex client class for `dialect` whose query and connection errors are `CrmEtlError`s
 * (see {@link toStoreError}). Overriding the class rather than an instance matters: knex builds
 * each transaction's client from the class prototype, so transactions and migrations get the
 * same wrapping.
 */
export function guardedClientClass(
  dialect: StoreDialect,
  context: StoreErrorContext,
): typeof Knex.Client {
  const Base = BASE_CLIENTS[dialect];
  return class GuardedClient extends Base {
    override query(connection: unknown, queryParam: unknown): Promise<unknown> {
      const queryObject: { sql?: unknown } =
        typeof queryParam === 'object' && queryParam !== null ? queryParam : {};
      return Promise.resolve(super.query(connection, queryParam)).catch((error: unknown) => {
        // With compileSqlOnError off, knex prefixes the driver message with the raw statement.
        const sql = typeof queryObject.sql === 'string' ? queryObject.sql : String(queryParam);
        const message = error instanceof Error ? error.message : String(error);
        const prefix = `${sql} - `;
        const driverMessage = message.startsWith(prefix) ? message.slice(prefix.length) : message;
        throw toStoreError(error, sql, context, driverMessage);
      });
    }

    override async acquireConnection(): Promise<unknown> {
      try {
        return await super.acquireConnection();
      } catch (error) {
        throw toConnectError(error, context);
      }
    }
  };
}
