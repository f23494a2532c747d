import type { Command } from 'commander';
import { CrmEtlError } from '../core/errors.js';
import { readMode } from '../pipeline/context.js';
import { parseSince } from '../security/audit-trail.js';
import { cliActor, writeAudit } from '../security/audit.js';
import { resyncCustomer, resyncSource } from '../jobs/triggers.js';
import { type CliDeps, withQueue } from './jobs.js';

/** Registers `crm-etl resync --source NAME [--full | --since TIME]` and `crm-etl resync --customer ID`. */
export function registerResyncCommand(program: Command, deps: CliDeps, print: (s: string) => void): void {
  program
    .command('resync')
    .description('queue a re-sync: one source (then the master is rebuilt), or one customer\'s golden record; an identical pending request is not queued twice')
    .option('--source <name>', 're-read this source (only what changed, or everything with --full) and rebuild the master')
    .option('--full', 'with --source: read the source in full')
    .option('--since <time>', 'with --source: read the records changed since this time (2026-05-01, 2026-05-01T08:00:00Z, or an age: 30m, 12h, 7d); a sql source with a cursor column or an http source with since_param')
    .option('--customer <id>', 're-read the sources of this customer\'s records and rebuild its golden record')
    .option('-c, --config <file>', 'configuration file')
    .option('--actor <name>', 'who asks, for the audit log (default: cli:<OS user>)')
    .action(async (o: { source?: string; full?: boolean; since?: string; customer?: string; config?: string; actor?: string }) => {
      if (Boolean(o.source) === Boolean(o.customer)) throw new CrmEtlError('INPUT_INVALID', 'resync needs --source NAME or --customer ID (one of them)');
      if (o.customer && (o.full || o.since)) throw new CrmEtlError('INPUT_INVALID', '--full and --since go with --source; --customer re-reads that customer\'s records');
      const since = o.since ? parseSince(o.since) : undefined;
      const config = await deps.config(o.config);
      const actor = o.actor ?? cliActor();
      const t = await deps.withStore(config, (store) =>
        withQueue(config, async (q) => {
          const queued = o.source ? await resyncSource(q, config, o.source, { full: Boolean(o.full), ...(since ? { since } : {}) }, actor) : await resyncCustomer(q, o.customer!, actor);
          const target = o.source ? `source:${o.source}` : o.customer!;
          await writeAudit(store.knex, { actor, action: 'resync.trigger', target, before: null, after: { job: queued.jobId, duplicate: queued.duplicate, ...(o.source ? readMode(o.full, since) : {}) } });
          return queued;
        }),
      );
      const what = o.source ? `source ${o.source}${o.full ? ' (full)' : since ? ` (changed since ${since.toISOString()})` : ''}` : `customer ${o.customer}`;
      print(t.duplicate ? `re-sync of ${what} is already pending as job ${t.jobId}: not queued again` : `re-sync of ${what} queued as job ${t.jobId}`);
    });
}
