import { type Command, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { LiveConfig } from '../config/live-config.js';
import { buildServer } from '../server/app.js';
import { createQueueAccess } from '../server/queue-access.js';
import type { CliEnv } from './cli-env.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0–65535');
  return n;
}

/**
 * `crm-etl serve`: the API, dashboard and metrics in one process, on 127.0.0.1:8080 unless told
 * otherwise (put a TLS-terminating proxy in front before listening elsewhere). Runs until
 * SIGINT/SIGTERM, then lets a run in progress finish.
 */
export function registerServeCommand(program: Command, env: CliEnv, logger: (level?: string) => Logger): void {
  program
    .command('serve')
    .description('HTTP API (/api, OpenAPI at /api/openapi.json), dashboard (/) and metrics (/metrics)')
    .option('-c, --config <file>', 'configuration file')
    .option('--port <n>', 'port (default 8080; 0 picks a free one)', port, 8080)
    .option('--host <host>', 'address to listen on (default 127.0.0.1)', '127.0.0.1')
    .action(async (o: { config?: string; port: number; host: string }) => {
      // Admins may change its runtime settings (PATCH /api/config): written back to this file.
      const live = await LiveConfig.load(env.configPath(o.config), env.env);
      const config = live.current;
      await env.withConfigStore(config, async (store) => {
        const log = logger('info');
        // With a queue, runs go to the workers and Bull Board is mounted at /admin/queues.
        const queue = config.queue ? createQueueAccess(config, store) : null;
        const { app, runs } = await buildServer({ config, live, store, log, queue });
        const address = await app.listen({ port: o.port, host: o.host });
        process.stderr.write(`crm-etl serve: listening on ${address} (dashboard at ${address}/, API at ${address}/api/openapi.json)\n`);
        if (!store.cipher) process.stderr.write(`crm-etl serve: CRM_ETL_KEY is not set: ${config.security.sensitive_fields.join(', ')} are stored in clear (docs/security.md)\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        process.stderr.write('crm-etl serve: stopping (a run in progress finishes first)\n');
        await app.close();
        await runs.idle();
        await queue?.close();
      });
    });
}
