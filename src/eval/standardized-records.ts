import type { Config } from '../config/schema.js';
import { createConnector } from '../connectors/registry.js';
import type { CanonicalValues } from '../core/fields.js';
import { mapRecord } from '../pipeline/map-record.js';
import { createStandardizeCache, standardizeRecord } from '../transforms/standardize/index.js';

/** A source record reduced to its standardized canonical values. */
export interface StandardizedRecord {
  source: string;
  key: string;
  values: CanonicalValues;
}

/**
 * Reads every configured source in full and standardizes each record as the pipeline does, in
 * memory and without a store: for benchmarks and tests of matching alone. Sources whose dates
 * need the column scan to tell d/m from m/d should set `date_order`.
 *
 * @param today the date standardization measures against (future birth dates); default today.
 */
export async function readStandardizedRecords(config: Config, today = new Date().toISOString().slice(0, 10)): Promise<StandardizedRecord[]> {
  const out: StandardizedRecord[] = [];
  for (const cfg of config.sources) {
    const connector = createConnector(cfg);
    await connector.check();
    const cache = createStandardizeCache();
    const ctx = { today, ...(cfg.country ? { country: cfg.country } : {}), ...(cfg.date_order ? { dateOrder: cfg.date_order } : {}) };
    for await (const batch of connector.read({})) {
      for (const r of batch.records) out.push({ source: cfg.name, key: r.key, values: standardizeRecord(mapRecord(r.fields, cfg.mapping).values, ctx, cache).values });
    }
  }
  return out;
}
