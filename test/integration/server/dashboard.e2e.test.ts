import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { readAudit } from '../../../src/security/audit.js';
import { createToken } from '../../../src/security/tokens.js';
import { buildServer } from '../../../src/server/app.js';
import type { RunTracker } from '../../../src/server/run-tracker.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { demoConfigWithReview } from './review-config.js';
import { isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The browser test needs one store only: the API is the same on every dialect (api.test.ts).
describe('dashboard in headless Chromium', () => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let config: Config;
  let app: FastifyInstance;
  let runs: RunTracker;
  let browser: Browser;
  let base: string;
  let admin: string;

  beforeAll(async () => {
    iso = await isolatedStoreUrl('pglite', 'dashboard');
    config = await demoConfigWithReview(iso.url);
    store = await openStore(config.store);
    await store.migrate();
    await runPipeline({ config, store, log: createLogger('silent') });
    admin = (await createToken(store.knex, { role: 'admin', name: 'browser', actor: 'test' })).token;
    ({ app, runs } = await buildServer({ config, store, log: createLogger('silent') }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await runs?.idle();
    await store?.close();
    await iso?.cleanup();
  });

  it('logs in, accepts a review pair, triggers a re-sync and shows its result', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    // Nothing but this server: no CDN, no fonts, no analytics.
    page.on('request', (r) => !r.url().startsWith(base) && problems.push(`request to ${r.url()}`));
    await page.goto(base);

    await page.fill('#token', 'crmetl_wrong');
    await page.click('#login-button');
    await expect.poll(() => page.textContent('#login-error')).toContain('not valid');
    // The browser reports the refused request (401) on the console: that one was meant.
    expect(problems).toEqual([expect.stringContaining('401')]);
    problems.length = 0;

    await page.fill('#token', admin);
    await page.click('#login-button');
    await page.waitForSelector('#who:has-text("browser (admin)")');
    expect(await page.evaluate('sessionStorage.getItem("crm-etl-token")')).toBe(admin);
    await page.waitForSelector('#runs-table tbody tr');
    expect(await page.locator('#runs-table tbody tr').count()).toBe(1);

    await page.click('nav button[data-view="quality"]');
    await page.waitForSelector('#trend-chart svg circle');
    await page.click('nav button[data-view="pairs"]');
    await page.waitForSelector('.pair details');

    await page.click('nav button[data-view="review"]');
    const first = page.locator('.review-pair').first();
    await first.waitFor();
    const pairId = Number(await first.getAttribute('data-pair'));
    const before = await page.locator('.review-pair').count();
    await first.locator('button.accept').click();
    await page.waitForSelector(`#review-status:has-text("Pair ${pairId} accepted")`);
    expect(await page.locator('.review-pair').count()).toBe(before - 1);
    expect(await page.locator(`.review-pair[data-pair="${pairId}"]`).count()).toBe(0);

    await page.click('nav button[data-view="runs"]');
    await page.click('#resync');
    await page.waitForSelector('#run-status:has-text("succeeded")', { timeout: 60_000 });
    expect(await page.textContent('#run-status')).toMatch(/Run \S+ succeeded: \d{3} records, \d+ customers, quality \d/);
    await expect.poll(() => page.locator('#runs-table tbody tr').count()).toBe(2);
    expect(await page.locator('#runs-table tbody tr').first().textContent()).toContain('succeeded');

    // The decision and the run are in the store and the audit log under the token's name.
    const decisions = (await store.knex('review_decisions').where({ pair_id: pairId })) as { decision: string; actor: string }[];
    expect(decisions).toEqual([expect.objectContaining({ decision: 'accept', actor: expect.stringContaining('browser') })]);
    expect((await readAudit(store.knex)).map((a) => a.action).slice(0, 2)).toEqual(['run.trigger', 'review.accept']);
    expect(problems).toEqual([]);
    await page.close();
  });
});
