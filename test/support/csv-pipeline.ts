import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store, StoreDialect } from '../../src/store/store.js';
import { isolatedStoreUrl } from './stores.js';

/** A migrated store of its own and one CSV source `people` in a folder of its own. */
export interface CsvPipeline {
  config: Config;
  store: Store;
  /** The folder holding `people.csv`. */
  dir: string;
  /** Closes the store, drops its database and removes the folder. */
  close(): Promise<void>;
}

/**
 * Writes `csv` as `people.csv` (key column `id`) and a configuration reading it with `mapping`
 * (canonical field → column) into `dialect`'s isolated store, migrated.
 */
export async function csvPipeline(dialect: StoreDialect, name: string, csv: string, mapping: Record<string, string>): Promise<CsvPipeline> {
  const iso = await isolatedStoreUrl(dialect, name);
  const dir = await mkdtemp(path.join(tmpdir(), `crm-etl-${name}-`));
  await writeFile(path.join(dir, 'people.csv'), csv);
  const fields = Object.entries(mapping).map(([f, c]) => `${f}: ${c}`).join(', ');
  const config = parseConfig(`store: ${iso.url}\nsources:\n  - {name: people, kind: csv, path: people.csv, key: id, mapping: {${fields}}}\n`, { file: 'etl.yaml', baseDir: dir });
  const store = await openStore(config.store);
  await store.migrate();
  return {
    config,
    store,
    dir,
    close: async () => {
      await store.close();
      await iso.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
