import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTruth } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createConnector } from '../../src/connectors/registry.js';
import { writeDataset } from '../../src/generator/index.js';
import { mapRecord } from '../../src/pipeline/map-record.js';
import { type MatchRecord, toMatchRecord } from '../../src/transforms/match/index.js';
import { createStandardizeCache, standardizeRecord } from '../../src/transforms/standardize/index.js';

/**
 * Match records of a generated three-source data set, read and standardized as the pipeline
 * does, with the generator's truth (record "source\0key" → entity).
 */
export async function generatedMatchRecords(records: number, seed = 1): Promise<{ records: MatchRecord[]; truth: Map<string, string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-gen-'));
  try {
    await writeDataset(dir, { records, seed });
    const config = await loadConfig(path.join(dir, 'config.yaml'));
    const out: MatchRecord[] = [];
    for (const cfg of config.sources) {
      const connector = createConnector(cfg);
      await connector.check();
      const cache = createStandardizeCache();
      const ctx = { today: '2026-11-26', ...(cfg.country ? { country: cfg.country } : {}), ...(cfg.date_order ? { dateOrder: cfg.date_order } : {}) };
      for await (const batch of connector.read({})) {
        for (const r of batch.records) out.push(toMatchRecord(cfg.name, r.key, standardizeRecord(mapRecord(r.fields, cfg.mapping).values, ctx, cache).values));
      }
    }
    return { records: out, truth: readTruth(path.join(dir, 'truth.csv')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
