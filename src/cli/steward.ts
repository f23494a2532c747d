import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Config } from '../config/schema.js';
import { CANONICAL_FIELDS } from '../core/fields.js';
import { readAudit } from '../master/audit.js';
import { customerRecords, listReview, resolveCustomer, type StewardResult } from '../master/steward.js';
import { cliActor } from '../security/audit.js';
import { decideReviewAudited, mergeCustomersAudited, unmergeRecordAudited } from '../security/audited-steward.js';
import type { Store } from '../store/store.js';
import { parseRecordRef } from './explain.js';
import { table } from './format.js';

/** What main.ts lends the steward commands: how to find the configuration and open the store. */
export interface StewardCliHelpers {
  configOption: string;
  loadConfigFile(path?: string): Promise<Config>;
  withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T>;
}

type Common = { config?: string; actor?: string; json?: boolean };

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive whole number');
  return n;
};

function printResult(what: string, r: StewardResult, json?: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  const l = r.load;
  process.stdout.write(
    `${what}\n` +
      `  customers: ${l.newCustomers} new, ${l.updatedCustomers} updated, ${l.mergedCustomers} merged, ${l.retiredCustomers} retired; ${l.changedLinks} record link(s) moved\n`,
  );
}

/**
 * The steward's commands: merge, unmerge, the review queue and customer show. Each decision is
 * stored as a constraint that every later run respects, and audited (the operation in
 * `audit_log`, each customer changed in `master_audit`) under `--actor` (default: `cli:<OS user>`).
 */
export function registerStewardCommands(program: Command, h: StewardCliHelpers): void {
  const withEnv = async <T>(o: Common, fn: (env: { store: Store; config: Config; actor: string }) => Promise<T>): Promise<T> => {
    const config = await h.loadConfigFile(o.config);
    return h.withStore(config, (store) => fn({ store, config, actor: o.actor ?? cliActor() }));
  };

  program
    .command('merge')
    .description('merge two customers into one (the older id survives; the other resolves to it); later runs keep them together')
    .argument('<customer>', 'customer id')
    .argument('<other>', 'customer id')
    .option('-c, --config <file>', h.configOption)
    .option('--actor <name>', 'who decides, for the audit log (default: cli:<OS user>)')
    .option('--json', 'print the outcome as JSON')
    .action(async (a: string, b: string, o: Common) => {
      const r = await withEnv(o, (env) => mergeCustomersAudited(env, a, b));
      printResult(`Merged ${a} and ${b} into ${r.customerId}.`, r, o.json);
    });

  program
    .command('unmerge')
    .description('take a source record out of its customer; later runs keep it apart from that customer\'s other records')
    .argument('<record>', 'SOURCE:KEY')
    .option('-c, --config <file>', h.configOption)
    .option('--actor <name>', 'who decides, for the audit log (default: cli:<OS user>)')
    .option('--json', 'print the outcome as JSON')
    .action(async (ref: string, o: Common) => {
      const rec = parseRecordRef(ref);
      const r = await withEnv(o, (env) => unmergeRecordAudited(env, rec));
      printResult(`Took ${ref} out of ${r.customerId}; it is now in ${r.detachedTo ?? '(no customer)'}.`, r, o.json);
    });

  const review = program.command('review').description('the review queue: pairs the model could not decide on');
  review
    .command('list')
    .description('open pairs between the review and link thresholds, most likely first')
    .option('-c, --config <file>', h.configOption)
    .option('--limit <n>', 'show at most n pairs', positiveInt, 50)
    .option('--json', 'print the pairs as JSON')
    .action(async (o: Common & { limit: number }) => {
      const pairs = await withEnv(o, (env) => listReview(env.store, { limit: o.limit }));
      if (o.json) process.stdout.write(JSON.stringify(pairs, null, 2) + '\n');
      else if (!pairs.length) process.stdout.write('No pairs to review.\n');
      else {
        process.stdout.write(
          table(
            ['id', 'record', 'customer', 'record', 'customer', 'probability'],
            pairs.map((p) => [p.id, `${p.a.source}:${p.a.key}`, p.a.customerId ?? '', `${p.b.source}:${p.b.key}`, p.b.customerId ?? '', Number(p.probability.toFixed(4))]),
          ) + '\n\ncrm-etl explain SOURCE:KEY SOURCE:KEY shows why; crm-etl review accept|reject ID decides.\n',
        );
      }
    });
  for (const [verb, accept] of [['accept', true], ['reject', false]] as const) {
    review
      .command(verb)
      .description(accept ? 'the two records are one customer (stored as a must-link)' : 'the two records are different customers (stored as a cannot-link)')
      .argument('<id>', 'pair id from review list', positiveInt)
      .option('-c, --config <file>', h.configOption)
      .option('--actor <name>', 'who decides, for the audit log (default: cli:<OS user>)')
      .option('--json', 'print the outcome as JSON')
      .action(async (id: number, o: Common) => {
        const r = await withEnv(o, (env) => decideReviewAudited(env, id, accept ? 'accept' : 'reject'));
        printResult(`Review pair ${id} ${accept ? 'accepted' : 'rejected'}.`, r, o.json);
      });
  }

  program
    .command('customer')
    .description('the customer master')
    .command('show')
    .description('a golden record with the provenance of each value, its source records and its history; a merged id shows the customer it resolves to')
    .argument('<id>', 'customer id')
    .option('-c, --config <file>', h.configOption)
    .option('--json', 'print the customer as JSON')
    .action(async (id: string, o: Common) => {
      const shown = await withEnv(o, async ({ store, config }) => {
        const c = await resolveCustomer(store, id);
        return { ...c, records: await customerRecords(store, config, c.id), history: await readAudit(store, c.chain) };
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
        return;
      }
      const out: string[] = [];
      if (shown.chain.length > 1) out.push(`${id} was merged: it resolves to ${shown.id} (${shown.chain.join(' → ')})`);
      out.push(`Customer ${shown.id}: ${shown.status}, ${shown.recordCount} record(s), created by run ${shown.createdRun}, last changed by ${shown.updatedRun}`, '');
      out.push(
        table(
          ['field', 'value', 'from', 'rule'],
          CANONICAL_FIELDS.filter((f) => shown.values[f] !== null).map((f) => {
            const p = shown.provenance[f];
            return [f, shown.values[f]!, p ? `${p.source}:${p.key}` : '', p?.rule ?? ''];
          }),
        ),
        '',
        table(['source', 'key', 'match probability'], shown.records.map((r) => [r.source, r.key, r.probability === null ? '' : String(r.probability)])),
        '',
        'History:',
        table(
          ['when', 'who', 'customer', 'what', 'why'],
          shown.history.map((e) => [e.at.toISOString(), e.actor, e.customerId, e.action, e.reason]),
        ),
      );
      process.stdout.write(out.join('\n') + '\n');
    });
}
