import { type TransferListItem, Worker } from 'node:worker_threads';

/**
 * Starts the worker script `name` that sits beside the module at `moduleUrl` (its
 * `import.meta.url`): the compiled JavaScript, or, when that module runs as TypeScript (tests,
 * tsx), the TypeScript source loaded through tsx.
 */
export function startWorker(moduleUrl: string, name: string, workerData: unknown, transferList?: readonly TransferListItem[]): Worker {
  const options = { workerData, ...(transferList ? { transferList: [...transferList] } : {}) };
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  const url = new URL(`./${name}.ts`, moduleUrl).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, ...options });
}
