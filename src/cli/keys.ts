import type { Command } from 'commander';
import { cliActor } from '../security/audit.js';
import { rotateKeys } from '../security/rotate-keys.js';
import type { CliEnv } from './cli-env.js';

/** `crm-etl keys rotate`: re-encrypt the sensitive fields under CRM_ETL_KEY. */
export function registerKeysCommands(program: Command, env: CliEnv): void {
  program
    .command('keys')
    .description('encryption keys of the sensitive fields')
    .command('rotate')
    .description('re-encrypt every sensitive value with CRM_ETL_KEY (old values decrypt with CRM_ETL_OLD_KEY; values in clear get encrypted)')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { config?: string }) => {
      const r = await env.withStore(o.config, async (store) => ({ keyId: store.cipher?.keyId, rows: await rotateKeys(store, cliActor()) }));
      process.stdout.write(`re-encrypted under key ${r.keyId}: ${Object.entries(r.rows).map(([t, n]) => `${n} ${t} row(s)`).join(', ')}. CRM_ETL_OLD_KEY is no longer needed.\n`);
    });
}
