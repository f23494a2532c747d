import { type ResourceLimits, type TransferListItem, Worker } from 'node:worker_threads';

/**
 * The young generation (MB) of the extraction's threads, which turn records over batch by batch
 * (staging, CSV encoding): nearly all they allocate dies within a batch, and with V8's default
 * (16 MB semi-spaces) they scavenged often. The staging thread's collector at 300k records:
 * 897 -> 669 ms (BENCHMARKS.md, session 21); extraction is far from the run's memory peak. Not for
 * the match features and encoding threads (458 -> 315 and 408 -> 366 ms): the queue runner's load
 * job encodes the records again at its memory's peak, which rose 1,425 -> 1,475 MB with it at a
 * million records (the bar is 1.5 GB). Nor for the matching threads (3 % of their time in the
 * collector) or the main thread (the load stage's peak).
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
