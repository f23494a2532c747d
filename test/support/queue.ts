import { randomBytes } from 'node:crypto';

/** The Redis tests use: `REDIS_URL_TEST`, default redis://127.0.0.1:6379. */
export const REDIS_URL = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';

/** A queue URL with a prefix no other test uses (hash-tagged, as on Redis Cluster). */
export function isolatedQueueUrl(base = REDIS_URL): string {
  const u = new URL(base);
  u.searchParams.set('prefix', `{crm-etl-test-${randomBytes(5).toString('hex')}}`);
  return u.toString();
}
