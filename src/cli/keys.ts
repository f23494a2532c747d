import type { Command } from 'commander';
import type { RekeyResult } from '../master/match-index.js';
import { cliActor } from '../security/audit.js';
import { rotateKeys } from '../security/rotate-keys.js';
import type { CliEnv } from './cli-env.js';

/** `crm-etl keys rotate`: re-encrypt the sensitive fields and re-key the keyed hashes under CRM_ETL_KEY. */
export function registerKeysCommands(program: Command, env: CliEnv): void {
  program
    .command('keys')
    .description('encryption keys of the sensitive fields')
    .command('rotate')
    .description('re-encrypt every sensitive value with CRM_ETL_KEY (old values decrypt with CRM_ETL_OLD_KEY; values in clear get encrypted) and hash the match index and record hashes again under it')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { config?: string }) => {
      const r = await env.withStore(o.config, async (store) => ({ keyId: store.cipher?.keyId, ...(await rotateKeys(store, cliActor())) }));
      process.stdout.write(`re-encrypted under key ${r.keyId}: ${Object.entries(r.rows).map(([t, n]) => `${n} ${t} row(s)`).join(', ')}. ${indexNote(r.matchIndex)} CRM_ETL_OLD_KEY is no longer needed.\n`);
    });
}

function indexNote(r: RekeyResult): string {
  switch (r.status) {
    case 'rebuilt':
      return `Match index hashed again under it: ${r.blockingKeys} blocking key(s), ${r.termFrequencies} term frequencies.`;
    case 'current':
      return 'The match index already was under it.';
    case 'empty':
      return 'No match index yet.';
    case 'cleared':
      return 'The match index was hashed under a key neither CRM_ETL_KEY nor CRM_ETL_OLD_KEY holds: cleared, the next run matches in full.';
    default: {
      const never: never = r.status;
      return never;
    }
  }
}
