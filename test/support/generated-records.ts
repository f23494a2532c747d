import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTruth } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load-config.js';
import { readStandardizedRecords } from '../../src/eval/standardized-records.js';
import { writeDataset } from '../../src/generator/index.js';
import { type MatchRecord, toMatchRecord } from '../../src/transforms/match/index.js';

/**
 * Match records of a generated three-source data set, read and standardized as the pipeline
 * does, with the generator's truth (record "source\0key" → entity).
 */
export async function generatedMatchRecords(records: number, seed = 1): Promise<{ records: MatchRecord[]; truth: Map<string, string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-gen-'));
  try {
    await writeDataset(dir, { records, seed });
    const config = await loadConfig(path.join(dir, 'config.yaml'));
    const out = (await readStandardizedRecords(config, '2026-11-26')).map((r) => toMatchRecord(r.source, r.key, r.values));
    return { records: out, truth: readTruth(path.join(dir, 'truth.csv')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
