import { type Command, InvalidArgumentError } from 'commander';
import { startWorker } from '../jobs/worker.js';
import { assertServerStore } from '../jobs/run-flow.js';
import { parseQueueUrl } from '../jobs/connection.js';
import type { CliDeps } from './jobs.js';

/** A positive integer option. */
export function positiveInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError('a positive whole number');
  return x;
}

/** Registers `crm-etl worker`: processes queued jobs until SIGTERM or SIGINT, then drains. */
export function registerWorkerCommand(program: Command, deps: CliDeps): void {
  program
    .command('worker')
    .description('process queued jobs (runs, schedules, re-syncs) until stopped; start any number, on any machine')
    .option('-c, --config <file>', 'configuration file (the same store and queue as the runs)')
    .option('--concurrency <n>', 'jobs at once in this process (default 1: stages are CPU-bound; run a worker per core)', positiveInt, 1)
    .option('--lock-duration <ms>', 'a dead worker\'s job is taken over after this long (default 120000)', positiveInt)
    .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers (default 30000)', positiveInt)
    .action(async (o: { config?: string; concurrency: number; lockDuration?: number; stalledInterval?: number }) => {
      const config = await deps.config(o.config);
      const log = deps.logger();
      const loc = parseQueueUrl(config.queue || 'redis://');
      assertServerStore(config.store);
      await deps.withStore(config, async (store) => {
        const w = startWorker({
          config,
          store,
          log,
          concurrency: o.concurrency,
          ...(o.lockDuration ? { lockDuration: o.lockDuration } : {}),
          ...(o.stalledInterval ? { stalledInterval: o.stalledInterval } : {}),
        });
        await w.worker.waitUntilReady();
        process.stderr.write(`worker ${process.pid} ready on ${loc.maskedUrl} (prefix ${loc.prefix}), concurrency ${o.concurrency}\n`);
        // SIGTERM (systemd, Kubernetes, docker stop) and Ctrl-C: take no more jobs, finish the running ones.
        await new Promise<void>((resolve) => {
          const stop = (signal: string): void => {
            process.stderr.write(`worker ${process.pid}: ${signal}, finishing running jobs…\n`);
            w.close().then(resolve, resolve);
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
        process.stderr.write(`worker ${process.pid} stopped\n`);
      });
    });
}
