import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/crm-etl.js');

/** The built command line, as a steward runs it (npm test builds dist/ first). */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args, '-c', 'config/demo.yaml'], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('steward commands on the embedded store', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-steward-'));
    env = { DATABASE_URL: `pglite://${dir}/db` };
    expect((await cli(['run'], env)).code).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('merges two customers, shows the retired id resolving to the survivor, and audits the actor', async () => {
    const list = await cli(['export', 'customers', '--format', 'jsonl'], env);
    expect(list.code).toBe(0);
    const [a, b] = list.stdout.trim().split('\n').slice(0, 2).map((l) => (JSON.parse(l) as { customer_id: string }).customer_id) as [string, string];
    const merged = await cli(['merge', a, b, '--actor', 'sam', '--json'], env);
    expect(merged.code).toBe(0);
    const survivor = (JSON.parse(merged.stdout) as { customerId: string }).customerId;
    const retired = survivor === a ? b : a;
    const shown = await cli(['customer', 'show', retired], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${retired} was merged: it resolves to ${survivor}`);
    expect(shown.stdout).toMatch(new RegExp(`sam\\s+${retired}\\s+merge\\s+steward merge of`));
  });

  it('says what is wrong, with exit code 2, for an unknown customer or record', async () => {
    const unknown = await cli(['customer', 'show', 'C000'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no customer C000/);
    const bad = await cli(['unmerge', 'erp:NOPE'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/record erp:NOPE is not in the master/);
  });
});
