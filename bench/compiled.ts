import { existsSync } from 'node:fs';

/**
 * Where a benchmark imports the pipeline from: the compiled `dist/` that `crm-etl` runs (its
 * `npm run` script builds it first), or with `source` the TypeScript sources through tsx, which
 * wraps every closure it makes in a defineProperty (seconds in a hot loop). A path ending in `/`,
 * relative to the bench folder, for `import(`${lib}pipeline/run-pipeline.js`)`.
 */
export function libRoot(source: boolean): string {
  if (source) return '../src/';
  if (!existsSync(new URL('../dist/pipeline/run-pipeline.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` first, or pass --source');
  }
  return '../dist/';
}
