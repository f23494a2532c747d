import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import { ROOT, cliInProcess, spawnCli } from '../../support/cli.js';
import { isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

interface Entry {
  trail: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * The command line as an operator runs it, on PostgreSQL (each command opens the store afresh, and
 * the embedded store takes seconds to start). The first run and the key rotation run the built
 * command line (npm test builds dist/ first) in a process of its own; the other commands run the
 * same command line's main() in this process (support/cli.ts), with the same options, output and
 * exit codes, without loading every module again for each.
 */
describe('audit trail, configuration and encrypted rejects from the command line', () => {
  let iso: IsolatedStoreUrl;
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  const me = `cli:${userInfo().username}`;
  const cli = (...args: string[]) => cliInProcess([...args, '-c', file], env);
  const spawned = (...args: string[]) => spawnCli([...args, '-c', file], env);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-audit-cli-'));
    file = path.join(dir, 'crm-etl.yaml');
    const demo = await readFile(path.join(ROOT, 'config/demo.yaml'), 'utf8');
    await writeFile(file, demo.replaceAll('../fixtures/', `${path.join(ROOT, 'fixtures')}/`));
    iso = await isolatedStoreUrl('postgres', 'audit-cli');
    env = { DATABASE_URL: iso.url, CRM_ETL_KEY: randomBytes(32).toString('base64') };
    const r = await spawned('run');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await iso?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('audits a run, a merge and a configuration change, and lists them with the master changes in one time order', async () => {
    const store = await openStore(env.DATABASE_URL!);
    const [a, b] = ((await store.knex('customers').where({ status: 'active' }).orderBy('id').limit(2).select('id')) as { id: string }[]).map((c) => c.id) as [string, string];
    await store.close();
    const merged = await cli('merge', a, b, '--json');
    expect(merged.code, merged.stderr).toBe(0);
    const survivor = (JSON.parse(merged.stdout) as { customerId: string }).customerId;

    const bad = await cli('config', 'set', 'matching.max_block_size=3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/matching\.max_block_size: cannot be changed at runtime/);
    const set = await cli('config', 'set', 'matching.review_threshold=0.6', '--actor', 'carol');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('matching.review_threshold: 0.5 → 0.6');
    expect(await readFile(file, 'utf8')).toMatch(/review_threshold: 0\.6/);

    const all = await cli('audit', 'list', '--json', '--limit', '1000');
    expect(all.code, all.stderr).toBe(0);
    const entries = JSON.parse(all.stdout) as Entry[];
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(entries[0]).toMatchObject({ action: 'config.change', actor: 'carol', before: { settings: { 'matching.review_threshold': 0.5 } }, after: { settings: { 'matching.review_threshold': 0.6 } } });
    expect(entries.find((e) => e.action === 'customer.merge')).toMatchObject({ actor: me, target: survivor, before: { customers: [a, b] } });
    expect(entries.find((e) => e.action === 'master.merge')).toMatchObject({ actor: me, after: { merged_into: survivor } });
    expect(entries.find((e) => e.action === 'run.trigger')).toMatchObject({ actor: me, target: expect.stringMatching(/^run:/), after: { sources: 'all', full: false } });
    expect(entries.filter((e) => e.action === 'master.create').every((e) => e.actor === me)).toBe(true);

    // One customer's history, personal values masked unless asked for.
    const history = await cli('audit', 'list', '--customer', survivor);
    expect(history.stdout).toMatch(/customer\.merge/);
    expect(history.stdout).toMatch(/master\.create/);
    expect(history.stdout).not.toMatch(/[\w.+-]+@[\w-]+\.\w/);
    const clear = JSON.parse((await cli('audit', 'list', '--customer', survivor, '--action', 'master.create', '--unmask', '--json')).stdout) as Entry[];
    expect(clear.some((e) => /@/.test(String(e.after?.email ?? '')))).toBe(true);
  });

  it('exports rejected values in clear while the store holds them encrypted', async () => {
    const r = await cli('export', 'rejects', '--format', 'jsonl');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('test@test.com');
    const store = await openStore(env.DATABASE_URL!);
    try {
      const raw = (await store.knex('rejects').where({ field: 'email' }).select(store.knex.raw("concat('#', value) as raw"))) as { raw: string | null }[];
      expect(raw.length).toBeGreaterThan(3);
      for (const v of raw) if (v.raw && v.raw !== '#') expect(v.raw).toMatch(/^#enc1:/);
      // Without the key the store refuses to hand the values out.
      await expect(store.knex('rejects').where({ field: 'email' }).select('value')).rejects.toMatchObject({ code: 'KEY_INVALID' });
    } finally {
      await store.close();
    }
  });

  it('rotates the key: re-encrypts, hashes the match index again under the new key, and audits it', async () => {
    const oldKey = env.CRM_ETL_KEY!;
    env = { ...env, CRM_ETL_KEY: randomBytes(32).toString('base64'), CRM_ETL_OLD_KEY: oldKey };
    const r = await spawned('keys', 'rotate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^re-encrypted under key [0-9a-f]{8}: \d+ source_records row\(s\).*Match index hashed again under it: [1-9]\d* blocking key\(s\), [1-9]\d* term frequencies\. CRM_ETL_OLD_KEY is no longer needed\.$/m);
    // The new key alone reads the store.
    env = { DATABASE_URL: env.DATABASE_URL!, CRM_ETL_KEY: env.CRM_ETL_KEY! };
    const entries = JSON.parse((await cli('audit', 'list', '--action', 'keys.rotate', '--json')).stdout) as Entry[];
    expect(entries[0]).toMatchObject({ actor: me, after: { matchIndex: { status: 'rebuilt' } } });
  });
});
