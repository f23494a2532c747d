import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { loadCompanyWords, loadStoredModel } from '../../../src/master/match-index.js';
import { runPipeline } from '../../../src/pipeline/run-pipeline.js';
import { FieldCipher } from '../../../src/security/field-cipher.js';
import { rotateKeys } from '../../../src/security/rotate-keys.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { countWords, toMatchRecord } from '../../../src/transforms/match/index.js';
import { TEST_DIALECTS, isolatedStoreUrl, type IsolatedStoreUrl } from '../../support/stores.js';

const log = createLogger('silent');
const SITES = [
  'Garfield Child Care Center,7 N Homan Avenue',
  'YMCA Garfield,7 North Homan Avenue',
  'Sunshine Child Care Center,12 W 59th Street',
  'Little Stars Child Care Centers,40 E 61st Street',
  'Kiddie Korner,645 W 127th Street',
  'Rainbow Kids Center,3 S State Street',
];
const mrsOf = (): ReturnType<typeof toMatchRecord>[] => SITES.map((s, i) => toMatchRecord('sites', String(i + 1), { company_name: s.split(',')[0]! }));

describe.each(TEST_DIALECTS)('company-name word counts in the match index (%s)', (dialect) => {
  let iso: IsolatedStoreUrl;
  let store: Store;
  let dir: string;
  let config: Config;
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  beforeAll(async () => {
    iso = await isolatedStoreUrl(dialect, 'company-words');
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-company-words-'));
    await writeFile(path.join(dir, 'sites.csv'), 'id,name,street\n' + SITES.map((s, i) => `${i + 1},${s}`).join('\n') + '\n');
    config = parseConfig(`store: ${iso.url}\nsources:\n  - {name: sites, kind: csv, path: sites.csv, key: id, country: US, mapping: {company_name: name, address_line1: street}}\n`, {
      file: 'etl.yaml',
      baseDir: dir,
    });
    store = await openStore(config.store, { cipher: new FieldCipher(keyA, config.security.sensitive_fields) });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await iso?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores the full run\'s counts and reads back those of the words asked for', async () => {
    await runPipeline({ config, store, log });
    const { runId } = await loadStoredModel(store);
    const all = countWords(mrsOf().map((r) => r.company));
    const loaded = await loadCompanyWords(store, runId, mrsOf().slice(0, 2));
    expect(loaded?.documents).toBe(6);
    // The words of the two records asked for, with the counts over all six.
    expect(Object.fromEntries(loaded!.counts)).toEqual({ garfield: 2, child: 3, care: 3, center: 4, ymca: 1 });
    expect(all.counts.get('center')).toBe(4);
    // Later pages add their words to the same counts.
    await loadCompanyWords(store, runId, mrsOf().slice(4), loaded);
    expect(loaded!.counts.get('kiddie')).toBe(1);
    expect(loaded!.counts.get('kid')).toBe(1);
  });

  it('keeps them through a key rotation', async () => {
    const { runId } = await loadStoredModel(store);
    const before = await loadCompanyWords(store, runId, mrsOf());
    await store.close();
    store = await openStore(config.store, { cipher: new FieldCipher(keyB, config.security.sensitive_fields, [keyA]) });
    expect((await rotateKeys(store, 'ops')).matchIndex.status).toBe('rebuilt');
    await store.close();
    store = await openStore(config.store, { cipher: new FieldCipher(keyB, config.security.sensitive_fields) });
    expect(await loadCompanyWords(store, runId, mrsOf())).toEqual(before);
  });
});
