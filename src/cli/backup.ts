import type { Command } from 'commander';
import { cliActor, writeAudit } from '../security/audit.js';
import { backupPglite, restorePglite } from '../store/pglite-backup.js';
import type { CliEnv } from './cli-env.js';

/** `crm-etl backup --out FILE` and `crm-etl restore FILE` for the embedded store. */
export function registerBackupCommands(program: Command, env: CliEnv): void {
  program
    .command('backup')
    .description('back up the embedded store (pglite://DIR) to a file; PostgreSQL/MySQL: see README (pg_dump, mysqldump)')
    .requiredOption('--out <file>', 'the backup file to write (gzipped tarball)')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { out: string; config?: string }) => {
      const config = await env.loadConfig(o.config);
      const bytes = await backupPglite(config.store, o.out);
      process.stderr.write(`wrote ${o.out} (${(bytes / 1024 / 1024).toFixed(1)} MB); sensitive fields stay encrypted in it when CRM_ETL_KEY is set, other values do not: keep it as safe as the store\n`);
    });
  program
    .command('restore')
    .description('restore the embedded store from a backup (the current folder is kept aside, never deleted)')
    .argument('<file>', 'a file from crm-etl backup')
    .option('-c, --config <file>', 'configuration file')
    .action(async (file: string, o: { config?: string }) => {
      const config = await env.loadConfig(o.config);
      const aside = await restorePglite(config.store, file);
      await env.withStore(o.config, (store) => writeAudit(store.knex, { actor: cliActor(), action: 'store.restore', target: null, before: aside ? { keptAt: aside } : null, after: { from: file } }));
      process.stderr.write(`restored ${config.store} from ${file}${aside ? `; the previous store is kept at ${aside}` : ''}\n`);
    });
}
