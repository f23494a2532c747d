import { type ResourceLimits, type TransferListItem, Worker } from 'node:worker_threads';

/**
 * The young generation (MB) of the threads that turn records over, batch by batch (staging,
 * CSV encoding, match features and encoding): nearly all they allocate dies within a batch, and
 * V8's default (three 16 MB semi-spaces) had them scavenge so often that the collector was 12–14 %
 * of their time. At a million records, with 96: extraction 34.7 -> 29.4 CPU-s (22.9 -> 18.5 s),
 * features 18.6 -> 16.1 CPU-s; the run's peak, later and on the main thread, did not move
 * beyond its noise (BENCHMARKS.md, issue #10). Not for the matching threads (3 % of their time)
 * nor the main thread (the load stage's peak).
 */
export const BATCH_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 96 };

/**
 * Starts the worker script `name` that sits beside the module at `moduleUrl` (its
 * `import.meta.url`): the compiled JavaScript, or, when that module runs as TypeScript (tests,
 * tsx), the TypeScript source loaded through tsx. `resourceLimits`: the thread's heap (see
 * {@link BATCH_THREAD_LIMITS}).
 */
export function startWorker(moduleUrl: string, name: string, workerData: unknown, transferList?: readonly TransferListItem[], resourceLimits?: ResourceLimits): Worker {
  const options = { workerData, ...(transferList ? { transferList: [...transferList] } : {}), ...(resourceLimits ? { resourceLimits } : {}) };
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  const url = new URL(`./${name}.ts`, moduleUrl).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, ...options });
}
