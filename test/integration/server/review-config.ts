import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';

const DEMO = path.resolve(import.meta.dirname, '../../../config/demo.yaml');

/**
 * The demo configuration with a low review threshold, so that the review queue the API and the
 * dashboard show is never empty whatever the model's current calibration.
 */
export async function demoConfigWithReview(store: string): Promise<Config> {
  const text = (await readFile(DEMO, 'utf8')).replace(/^matching: \{\}$/m, 'matching: {review_threshold: 0.05}');
  return parseConfig(text, { file: DEMO, env: { DATABASE_URL: store }, baseDir: path.dirname(DEMO) });
}
