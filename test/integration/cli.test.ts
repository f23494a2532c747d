import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess, spawnCli } from '../support/cli.js';

// The demo run and the bad configuration run the built command line as a user runs it (npm test
// builds dist/ first): its process, output and exit codes. The other commands run the same
// command line's main() in this process (support/cli.ts): each spawned process loaded every
// module and opened the embedded store again; their options, output and exit codes are the same.
const cli = cliInProcess;

describe('crm-etl command line on the embedded store', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-cli-'));
    env = { DATABASE_URL: `pglite://${dir}/db` };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs the demo and prints the summary with the quality score', async () => {
    const r = await spawnCli(['run', '-c', 'config/demo.yaml'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^source +read +staged +malformed rows +rejected values +quality +read mode$/m);
    expect(r.stdout).toMatch(/^erp +email +EMAIL_PLACEHOLDER +rejected +\d+ +t•••@t•••\.c••/m);
    expect(r.stdout).toMatch(/^erp +120 +/m);
    expect(r.stdout).toMatch(/Top issues/);
    expect(r.stdout).toMatch(/Customers: \d+ \(\d+ new\), \d+ duplicate records linked/);
    expect(r.stdout).toMatch(/Data quality score: \d+\.\d \/ 100/);
  });

  it('exports links per the contract, one row per staged record', async () => {
    const out = path.join(dir, 'links.csv');
    const r = await cli(['export', 'links', '-c', 'config/demo.yaml', '--format', 'csv', '--out', out], env);
    expect(r.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('source,source_key,customer_id,match_probability');
    expect(lines.length - 1).toBeGreaterThan(250);
    const probs = lines.slice(1).map((l) => l.split(',')[3]!);
    expect(probs.filter((p) => p === '').length).toBeGreaterThan(150); // a cluster's first record
    expect(probs.filter((p) => p !== '').every((p) => Number(p) >= 0.9 && Number(p) <= 1)).toBe(true);
  });

  it('exports customers and rejects as JSON lines', async () => {
    const c = await cli(['export', 'customers', '-c', 'config/demo.yaml', '--format', 'jsonl'], env);
    const first = JSON.parse(c.stdout.split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['customer_id', 'given_name', 'family_name', 'email', 'phone', 'birth_date']));
    const rj = await cli(['export', 'rejects', '-c', 'config/demo.yaml', '--format', 'jsonl'], env);
    const rejects = rj.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; line: number; code: string; field: string | null });
    expect(rejects.find((x) => x.code === 'UNCLOSED_QUOTE')).toMatchObject({ source: 'erp', line: 120, field: null });
    expect(rejects.some((x) => x.field === 'phone')).toBe(true);
  });

  it('scores the demo against its truth file', async () => {
    const r = await cli(['eval', '--truth', 'fixtures/demo/truth.csv', '-c', 'config/demo.yaml', '--json'], env);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { f1: number; precision: number; recall: number };
    expect(m.f1).toBeGreaterThan(0.8);
  });

  it('explains a link field by field, and shows the trained model', async () => {
    const r = await cli(['explain', 'erp:C10396', 'sales:SC-1047', '-c', 'config/demo.yaml', '--json'], env);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as { probability: number; matchWeight: number; fields: { field: string; level: string; weight: number }[] };
    expect(e.probability).toBeGreaterThan(0.9);
    // Kate / Katherine O'Brien: a nickname, not a typo.
    expect(e.fields.find((f) => f.field === 'given_name')!.level).toMatch(/nickname/);
    const text = await cli(['explain', 'erp:C10396', 'sales:SC-1047', '-c', 'config/demo.yaml'], env);
    expect(text.stdout).toMatch(/^prior +two random records +-\d+\.\d+$/m);
    expect(text.stdout).toMatch(/total -?\d+\.\d+ bits → match probability (0\.9\d+|1\.0000)$/m);
    const missing = await cli(['explain', 'erp:NOPE', 'sales:SC-1047', '-c', 'config/demo.yaml'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no staged record erp:NOPE/);
    const model = await cli(['model', 'show', '-c', 'config/demo.yaml'], env);
    expect(model.stdout).toMatch(/^Prior: two records drawn at random are the same customer with probability/m);
    expect(model.stdout).toMatch(/^birth_date +exact +0\.\d+/m);
    expect(model.stdout).toMatch(/^email_mailbox +\d+ +\d+ +0 +0$/m);
  });

  it('checks the sources and previews staged values', async () => {
    const r = await cli(['sources', 'check', '-c', 'config/demo.yaml'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sales +csv +ok +11$/m);
    expect(r.stdout).toMatch(/unmapped columns \(kept, not matched on\): Owner/);
    // the preview shows standardized values: E.164 phones, ISO dates
    expect(r.stdout).toMatch(/\+61\d{9}/);
  });

  it('refuses --since on file sources and a time it cannot read, before anything is read', async () => {
    const files = await cli(['run', '-c', 'config/demo.yaml', '--source', 'legacy', '--since', '7d'], env);
    expect(files.code).toBe(2);
    expect(files.stderr).toMatch(/source "legacy" \(csv\) keeps no change time per record.*--full/);
    const bad = await cli(['run', '-c', 'config/demo.yaml', '--since', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"yesterday" is not a time: use an ISO date or instant/);
  });

  it('fails with a clear message and exit code 2 on a bad configuration', async () => {
    const r = await spawnCli(['run', '-c', 'does-not-exist.yaml'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/configuration file does-not-exist\.yaml cannot be read \(ENOENT\)/);
  });
});
