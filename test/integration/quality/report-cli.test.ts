import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cliInProcess, spawnCli } from '../../support/cli.js';

/** Screenshots land here (ignored by git) so that a person can look at the last report. */
const OUTPUT = path.join(ROOT, 'test-output');
const EMAIL = /[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,}/i;

// The run that fails its gates runs the built command line as a user runs it (npm test builds
// dist/ first): its process, output and exit code 1. The other commands run the same command
// line's main() in this process (support/cli.ts): each spawned process loaded every module and
// opened the embedded store again; their options, output and exit codes are the same.
const cli = cliInProcess;

describe('crm-etl quality and report on the embedded store', () => {
  let dir: string;
  let env: Record<string, string>;
  let browser: Browser | undefined;
  let failedRun: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-report-'));
    env = { DATABASE_URL: `pglite://${dir}/db` };
    const gated = (await readFile(path.join(ROOT, 'config/demo.yaml'), 'utf8'))
      .replaceAll('../fixtures/', `${ROOT}/fixtures/`)
      .replace(/^quality: \{\}$/m, 'quality:\n  gates:\n    min_overall: 99\n    sources:\n      legacy: {max_reject_rate: 0.05}');
    await writeFile(path.join(dir, 'gated.yaml'), gated);
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails a run on its gates with exit code 1, listing them', async () => {
    expect((await cli(['run', '-c', 'config/demo.yaml'], env)).code).toBe(0);
    expect((await cli(['run', '-c', 'config/demo.yaml', '--full'], env)).code).toBe(0);
    const r = await spawnCli(['run', '-c', path.join(dir, 'gated.yaml'), '--full'], env);
    expect(r.code).toBe(1);
    failedRun = /run (\S+) failed 2 quality gate\(s\)/.exec(r.stderr)![1]!;
    expect(r.stderr).toMatch(/quality\.gates\.min_overall: overall score \d+\.\d is below the minimum 99/);
    expect(r.stderr).toMatch(/quality\.gates\.sources\.legacy\.max_reject_rate: source legacy: 7 of 60 rows read were rejected \(11\.7%\), more than the maximum 5\.0%/);
    expect(r.stdout).toMatch(/Quality gates FAILED \(2 of 2\); the master was not changed/);
    expect(r.stdout).toMatch(/Customers: the master was not changed/);
  }, 240_000); // three runs, on 2 cores shared with the other test files

  it('prints the quality of a run with the change since the previous one', async () => {
    const r = await cli(['quality', '-c', 'config/demo.yaml'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Quality of run ${failedRun} \\(failed, `, 'm'));
    expect(r.stdout).toMatch(/^source +records +read +rejected +duplicates +completeness +validity +uniqueness +consistency +timeliness +accuracy +score +change$/m);
    // The same data as the run before: no change.
    // The duplicate share depends on matching, which has its own tests; here: the row and its zero change.
    expect(r.stdout).toMatch(/^erp +117 +120 +9\.2% +\d+\.\d% .* 0\.0$/m);
    expect(r.stdout).toMatch(/x quality\.gates\.min_overall/);
    const j = JSON.parse((await cli(['quality', '-c', 'config/demo.yaml', '--json'], env)).stdout) as { run: { id: string }; previous: { id: string }; change: { overall: number }; sources: unknown[] };
    expect(j.run.id).toBe(failedRun);
    expect(j.previous.id).not.toBe(failedRun);
    expect(j.change.overall).toBe(0);
    expect(j.sources).toHaveLength(3);
  }, 120_000);

  it('writes a self-contained HTML report whose charts render in a browser without errors', async () => {
    const out = path.join(dir, 'report.html');
    const r = await cli(['report', '-c', 'config/demo.yaml', '--out', out], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote the html report of run \S+ to /);
    const html = await readFile(out, 'utf8');
    expect(html).not.toMatch(/(src|href)="https?:|<link |<script/i);
    expect(html).not.toMatch(EMAIL);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (q) => requests.push(q.url()));
    await page.goto(`file://${out}`);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${out}`]);

    // Three runs in the trend, each with a point on the overall line.
    expect(await page.locator('svg[data-chart="trend"] circle.point[data-series="overall"]').count()).toBe(3);
    expect(await page.locator('svg[data-chart="trend"] polyline.series').count()).toBe(4);
    // A coloured cell per source and field it maps, and per field over all sources.
    const q = JSON.parse((await cli(['quality', '-c', 'config/demo.yaml', '--json'], env)).stdout) as { sources: { fields: object }[]; fields: object };
    const cells = q.sources.reduce((n, s) => n + Object.keys(s.fields).length, 0) + Object.keys(q.fields).length;
    expect(await page.locator('svg[data-chart="heatmap"] rect.cell[data-value]').count()).toBe(cells);
    expect(cells).toBeGreaterThan(30);
    const values = async (chart: string): Promise<number[]> => page.locator(`svg[data-chart="${chart}"] rect.bar`).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    const rejects = await values('rejects');
    expect(rejects.length).toBeGreaterThan(3);
    expect(rejects.every((v) => v > 0)).toBe(true);
    const clusters = await values('clusters');
    expect(clusters[0]).toBeGreaterThan(100); // customers with one record
    const histogram = await values('histogram');
    expect(histogram).toHaveLength(20);
    expect(histogram.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    // Bars are drawn, not only counted: the rendered boxes have a size.
    const box = await page.locator('svg[data-chart="histogram"] rect.bar').first().boundingBox();
    expect(box!.height).toBeGreaterThan(10);
    expect(await page.locator('table[data-table="review"] details').count()).toBeGreaterThan(0);
    expect(await page.locator('body').innerText()).not.toMatch(EMAIL);
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'quality-report.png'), fullPage: true });
  }, 120_000);

  it('writes the same report as JSON, with values only when asked', async () => {
    const out = path.join(dir, 'report.json');
    expect((await cli(['report', '-c', 'config/demo.yaml', '--out', out, '--format', 'json'], env)).code).toBe(0);
    const j = JSON.parse(await readFile(out, 'utf8')) as { masked: boolean; trend: unknown[]; histogram: { bins: unknown[] }; largestClusters: unknown[] };
    expect(j.masked).toBe(true);
    expect(j.trend).toHaveLength(3);
    expect(j.histogram.bins).toHaveLength(20);
    expect(JSON.stringify(j.largestClusters)).not.toMatch(EMAIL);
    expect((await cli(['report', '-c', 'config/demo.yaml', '--out', out, '--format', 'json', '--unmask'], env)).code).toBe(0);
    expect(JSON.stringify((JSON.parse(await readFile(out, 'utf8')) as { largestClusters: unknown[] }).largestClusters)).toMatch(EMAIL);
  }, 120_000);
});
