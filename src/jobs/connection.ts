import type { ConnectionOptions } from 'bullmq';
import { CrmEtlError } from '../core/errors.js';
import { maskUrl } from '../core/mask-url.js';

/** The one queue every crm-etl job goes through; job names tell the stages apart. */
export const QUEUE_NAME = 'crm-etl';

/**
 * The default key prefix. The braces are a Redis Cluster hash tag: every key of every queue lands
 * in one slot, which BullMQ's multi-key scripts need.
 */
export const DEFAULT_PREFIX = '{crm-etl}';

/** Where the queue lives: Redis connection options, the key prefix, and the URL for messages. */
export interface QueueLocation {
  connection: ConnectionOptions;
  prefix: string;
  /** The URL with its password masked, for messages. */
  maskedUrl: string;
}

/**
 * Parses the `queue:` setting: `redis://[user:password@]host[:port][/db][?prefix=P]`
 * (`rediss://` for TLS). `prefix` (default {@link DEFAULT_PREFIX}) separates installations, or
 * tests, sharing one Redis; keep it in braces on Redis Cluster.
 *
 * @throws CrmEtlError `CONFIG_INVALID` for anything else.
 */
export function parseQueueUrl(url: string): QueueLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CrmEtlError('CONFIG_INVALID', `queue: "${maskUrl(url)}" is not a URL; write redis://host:6379 (or leave it empty for the inline runner)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new CrmEtlError('CONFIG_INVALID', `queue: ${u.protocol}// is not supported; write redis://host:6379 or rediss://… for TLS`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new CrmEtlError('CONFIG_INVALID', `queue: "${u.pathname.slice(1)}" is not a Redis database number`);
  const prefix = u.searchParams.get('prefix') || DEFAULT_PREFIX;
  return {
    connection: {
      host: u.hostname || '127.0.0.1',
      port: u.port ? Number(u.port) : 6379,
      db,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      // Workers block on Redis and must wait through a restart rather than fail their commands.
      maxRetriesPerRequest: null,
      // Reconnect at most every 2 s, so that workers pick up again soon after Redis is back.
      retryStrategy: (times: number) => Math.min(200 * times, 2000),
    },
    prefix,
    maskedUrl: maskUrl(url),
  };
}
