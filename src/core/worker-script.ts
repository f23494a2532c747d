import { type ResourceLimits, type TransferListItem, Worker } from 'node:worker_threads';

/**
 * The young generation (MB) of the threads that turn records over, batch by batch (staging,
 * CSV encoding, match features and encoding): nearly all they allocate dies within a batch, and
 * with V8's default (16 MB semi-spaces) they scavenged often. Profiled at 300k records, their
 * collector's time with 96: the staging thread 897 -> 669 ms, the features thread 458 -> 315 ms,
 * the encoding thread 408 -> 366 ms (some 1.4 CPU-s at a million records, under the run-to-run
 * noise of the stages' wall times; BENCHMARKS.md, session 21). Their heaps are not the run's
 * peak. Not for the matching threads (3 % of their time in the collector) nor the main thread
 * (the load stage's peak).
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
