import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess, spawnCli } from '../../support/cli.js';

/**
 * The command line as a steward runs it. The first run runs the built command line (npm test
 * builds dist/ first) in a process of its own; the steward's commands run the same command line's
 * main() in this process (support/cli.ts), with the same options, output and exit codes, without
 * loading every module and opening the embedded store in a new process for each.
 */
const cli = (args: string[], env: Record<string, string>) => cliInProcess([...args, '-c', 'config/demo.yaml'], env);

describe('steward commands on the embedded store', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-steward-'));
    env = { DATABASE_URL: `pglite://${dir}/db` };
    expect((await spawnCli(['run', '-c', 'config/demo.yaml'], env)).code).toBe(0);
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
