import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` beside `from` (a module's `import.meta.url`): the
 * compiled JavaScript, or, when the caller runs as TypeScript (tests, tsx), the TypeScript source
 * loaded through tsx.
 */
export function startScriptWorker(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const url = new URL(`./${name}.ts`, from).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
