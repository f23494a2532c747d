import type { Command } from 'commander';
import { cliActor } from '../security/audit.js';
import { eraseCustomer, exportSubject } from '../security/erase.js';
import type { CliEnv } from './cli-env.js';

/** `crm-etl erase --customer ID`: the right to erasure. */
export function registerEraseCommand(program: Command, env: CliEnv): void {
  program
    .command('erase')
    .description('erase a person from the master and staging (keeps an audit tombstone without personal data)')
    .requiredOption('--customer <id>', 'the customer id')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { customer: string; config?: string }) => {
      const r = await env.withStore(o.config, (store) => eraseCustomer(store, o.customer, cliActor()));
      process.stdout.write(`erased customer ${r.customerId}: ${r.records} source record(s), ${r.rejects} reject(s), ${r.pairs} scored pair(s); the tombstone is in the audit log. Erase the person at the source too.\n`);
    });
}

/** `crm-etl export subject --customer ID`: a subject access request, as JSON. */
export async function writeSubjectExport(env: CliEnv, file: string | undefined, customerId: string, out: NodeJS.WritableStream): Promise<void> {
  const data = await env.withStore(file, (store) => exportSubject(store, customerId, cliActor()));
  out.write(JSON.stringify(data, null, 2) + '\n');
}
