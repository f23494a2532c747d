import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatQuality } from '../../../src/cli/quality.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { loadReportData, loadRunQuality, loadTrend } from '../../../src/quality/index.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const log = createLogger('silent');
const FILES = ['erp_customers.csv', 'sales_contacts.csv', 'legacy_clients.csv'];

/** The demo configuration over copies of its files in `dir`, with a `quality:` section. */
async function writeConfig(dir: string, quality: string): Promise<string> {
  const demo = await readFile(path.join(ROOT, 'config/demo.yaml'), 'utf8');
  const file = path.join(dir, 'etl.yaml');
  await writeFile(file, demo.replaceAll('../fixtures/demo/', './').replace(/^quality: \{\}$/m, quality));
  return file;
}

/** Keeps the ERP export's header and first `keep` rows, and breaks their e-mail addresses. */
async function degradeErp(dir: string, keep: number): Promise<void> {
  const file = path.join(dir, 'erp_customers.csv');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const header = lines[0]!.split(',');
  const email = header.indexOf('email');
  const rows = lines.slice(1, keep + 1).map((l) => {
    const f = l.split(',');
    if (f.length === header.length && f[email]) f[email] = f[email]!.replace('@', ' at ');
    return f.join(',');
  });
  await writeFile(file, [lines[0], ...rows].join('\n') + '\n');
}

const snapshot = async (store: Store) => ({
  customers: await store.knex('customers').orderBy('id').select('*'),
  links: await store.knex('customer_links').orderBy(['source', 'source_key']).select('*'),
  cursors: await store.knex('source_cursors').orderBy('source').select('*'),
});

describe.each(TEST_DIALECTS)('quality over runs (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let dir: string;
  let store: Store;
  const env = (): Record<string, string> => ({ DATABASE_URL: iso.url });
  const runIds: string[] = [];

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'quality');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-quality-'));
    for (const f of FILES) await copyFile(path.join(ROOT, 'fixtures/demo', f), path.join(dir, f));
    const config = await loadConfig(await writeConfig(dir, 'quality: {}'), env());
    store = await openStore(config.store);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the scores of every run per source, field and dimension', async () => {
    const config = await loadConfig(await writeConfig(dir, 'quality: {}'), env());
    const s = await runPipeline({ config, store, log, now: new Date('2026-03-01T10:00:00Z') });
    runIds.push(s.runId);
    expect(s.status).toBe('succeeded');
    expect(s.quality.comparedWith).toBeNull();
    expect(s.quality.sources.map((x) => x.source)).toEqual(['erp', 'sales', 'legacy']);
    const rows = (await store.knex('quality_scores').where({ run_id: s.runId }).select('source', 'field', 'dimension', 'score', 'measured')) as { source: string; field: string; dimension: string; score: number; measured: number | null }[];
    const dims = new Set(rows.map((r) => r.dimension));
    for (const d of ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness', 'accuracy', 'score']) expect(dims).toContain(d);
    const overall = rows.find((r) => r.source === '*' && r.field === '*' && r.dimension === 'score')!;
    expect(Number(overall.score)).toBe(s.quality.overall);
    // The demo plants bad e-mails in the ERP export: its e-mail validity is measured and below 100.
    const erpEmail = rows.find((r) => r.source === 'erp' && r.field === 'email' && r.dimension === 'validity')!;
    expect(Number(erpEmail.score)).toBeLessThan(100);
    expect(Number(erpEmail.measured)).toBeGreaterThan(100);
    // About 40 people appear more than once: sources agree on most of their birth dates.
    expect(s.quality.fields.birth_date!.dimensions.consistency!.score).toBeGreaterThan(80);
    expect(s.quality.dedupe.largestClusters[0]!.size).toBeGreaterThan(1);
    expect(s.quality.dedupe.probabilityHistogram!.reduce((a, b) => a + b, 0)).toBe(s.matching.candidatePairs);
  });

  it('shows the change since the previous run and flags a source that delivers far fewer, worse records', async () => {
    await degradeErp(dir, 40);
    const config = await loadConfig(await writeConfig(dir, 'quality: {}'), env());
    const s = await runPipeline({ config, store, log, full: true, now: new Date('2026-03-02T10:00:00Z') });
    runIds.push(s.runId);
    expect(s.status).toBe('succeeded');
    expect(s.quality.comparedWith).toBe(runIds[0]);
    const flagged = s.quality.anomalies.map((a) => `${a.kind}:${a.source}:${a.field}`);
    expect(flagged).toEqual(expect.arrayContaining(['volume_drop:erp:*', 'reject_surge:erp:*', 'score_drop:*:email']));
    const rq = await loadRunQuality(store);
    expect(rq.run.id).toBe(s.runId);
    expect(rq.previous!.run.id).toBe(runIds[0]);
    const text = formatQuality(rq, config.quality.anomalies);
    expect(text).toMatch(new RegExp(`change since run ${runIds[0]}`));
    expect(text).toMatch(/^erp +\d+ +40 +[\d.]+% .* -\d+\.\d$/m);
    expect(text).toMatch(/^email +[\d.]+ .* -\d+\.\d$/m);
    expect(text).toMatch(/! source erp: delivered 40 records, 120 last run/);
    const trend = await loadTrend(store);
    expect(trend.map((t) => t.runId)).toEqual(runIds);
    expect(trend[1]!.sources.erp).toBeLessThan(trend[0]!.sources.erp!);
  });

  it('fails a run on its gates before it touches the master, and keeps its staged records', async () => {
    const before = await snapshot(store);
    const config = await loadConfig(await writeConfig(dir, 'quality:\n  gates:\n    min_overall: 99\n    sources:\n      erp: {fields: {email: 99.5}}\n      sales: {max_reject_rate: 0.5}'), env());
    // The ERP export is restored: its records change, so a run that got through would change the master.
    await copyFile(path.join(ROOT, 'fixtures/demo/erp_customers.csv'), path.join(dir, 'erp_customers.csv'));
    // Full: a file source rewritten into a larger file would otherwise be read as appended to.
    const s = await runPipeline({ config, store, log, full: true, now: new Date('2026-03-03T10:00:00Z') });
    expect(s.status).toBe('failed');
    expect(s.master).toBeNull();
    expect(s.quality.gates.failed.map((f) => f.gate)).toEqual(['quality.gates.min_overall', 'quality.gates.sources.erp.fields.email']);
    expect(s.quality.gates.checked).toBe(3);
    expect(await snapshot(store)).toEqual(before);
    const staged = (await store.knex('source_records').where({ run_id: s.runId, source: 'erp' }).count({ n: '*' }).first()) as { n: number | string };
    expect(Number(staged.n)).toBeGreaterThan(100);
    const run = (await store.knex('runs').where({ id: s.runId }).first('status', 'summary')) as { status: string; summary: string };
    expect(run.status).toBe('failed');
    expect((JSON.parse(run.summary) as { quality: { gates: { failed: { gate: string }[] } } }).quality.gates.failed).toHaveLength(2);
    // Its scores are kept: the next run compares with it.
    expect((await loadRunQuality(store, s.runId)).run.status).toBe('failed');
  });

  it('gathers the report of a run: trend, rejects by reason, clusters, histogram and review pairs, masked', async () => {
    const r = await loadReportData(store, { runId: runIds[0]! });
    expect(r.run.id).toBe(runIds[0]);
    expect(r.trend.map((t) => t.runId)).toEqual([runIds[0]]);
    expect(r.rejectsByReason.find((x) => x.code === 'EMAIL_PLACEHOLDER')?.field).toBe('email');
    expect(r.rejectsByReason.some((x) => x.field === null && x.code === 'UNCLOSED_QUOTE')).toBe(true);
    expect(r.clusterSizes.reduce((n, c) => n + c.size * c.customers, 0)).toBe(r.quality.sources.reduce((n, s) => n + s.records, 0));
    expect(r.histogram.allPairs).toBe(true);
    expect(r.histogram.bins).toHaveLength(20);
    expect(r.reviewPairs.length).toBe(r.reviewPairCount);
    for (const p of r.reviewPairs) expect(p.fields.length).toBeGreaterThan(3);
    const shown = JSON.stringify([r.largestClusters, r.reviewPairs]);
    expect(shown).not.toMatch(/[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,}/i);
    expect(shown).toMatch(/•/);
    const unmasked = JSON.stringify((await loadReportData(store, { runId: runIds[0]!, unmask: true })).largestClusters);
    expect(unmasked).toMatch(/[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,}/i);
  });
});
