import { type TransferListItem, Worker } from 'node:worker_threads';

/**
 * A worker thread's young generation: V8's default (three 16 MB semi-spaces' worth), whatever the
 * process was started with. The CLI gives the main thread 24 MB semi-spaces (bin/crm-etl.js); the
 * same in every thread raised a million-record run's peak by 50-120 MB (1,524 MB with a key) for
 * no time measured.
 */
const WORKER_YOUNG_GENERATION_MB = 48;

/**
 * Starts the worker script `name` that sits beside the module at `moduleUrl` (its
 * `import.meta.url`): the compiled JavaScript, or, when that module runs as TypeScript (tests,
 * tsx), the TypeScript source loaded through tsx.
 */
export function startWorker(moduleUrl: string, name: string, workerData: unknown, transferList?: readonly TransferListItem[]): Worker {
  const options = { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }, ...(transferList ? { transferList: [...transferList] } : {}) };
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  const url = new URL(`./${name}.ts`, moduleUrl).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, ...options });
}
