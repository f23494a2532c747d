import type { Command } from 'commander';
import { addSchedule, listSchedules, removeSchedule } from '../jobs/schedules.js';
import { type CliDeps, withQueue } from './jobs.js';
import { table } from './format.js';
import { cliActor, writeAudit } from '../security/audit.js';

/** What the audit log keeps of a schedule. */
function scheduleState(s: { cron?: string | null; tz?: string | null; sources: readonly string[]; full: boolean }): Record<string, unknown> {
  return { cron: s.cron ?? null, tz: s.tz ?? 'UTC', sources: s.sources.length ? [...s.sources] : 'all', full: s.full };
}

/** Registers `crm-etl schedule add|list|remove` (BullMQ job schedulers). */
export function registerScheduleCommands(program: Command, deps: CliDeps, print: (s: string) => void): void {
  const schedule = program.command('schedule').description('scheduled runs (with a queue configured; workers run them)');
  schedule
    .command('add')
    .description('add or replace a schedule: a run at each time the cron pattern gives')
    .argument('<name>', 'the schedule name (a-z, 0-9, _ and -)')
    .requiredOption('--cron <pattern>', 'when, as five cron fields, e.g. "0 2 * * *" for 02:00 every day')
    .option('--tz <zone>', 'the time zone of the pattern, e.g. Asia/Shanghai (default UTC)')
    .option('--source <name...>', 'run only these sources (default: all)')
    .option('--full', 'read the sources in full (default: only what changed)')
    .option('-c, --config <file>', 'configuration file')
    .option('--actor <name>', 'who schedules, for the audit log (default: cli:<OS user>)')
    .action(async (name: string, o: { cron: string; tz?: string; source?: string[]; full?: boolean; config?: string; actor?: string }) => {
      const config = await deps.config(o.config);
      const spec = { name, cron: o.cron, ...(o.tz ? { tz: o.tz } : {}), sources: o.source ?? [], full: Boolean(o.full) };
      const r = await deps.withStore(config, (store) =>
        withQueue(config, async (q) => {
          const old = (await listSchedules(q)).find((s) => s.name === name);
          const added = await addSchedule(q, config, spec);
          await writeAudit(store.knex, { actor: o.actor ?? cliActor(), action: 'schedule.add', target: `schedule:${name}`, before: old ? scheduleState(old) : null, after: scheduleState(spec) });
          return added;
        }),
      );
      print(`schedule ${name}: "${o.cron}" ${o.tz ?? 'UTC'}; next run ${r.next ? r.next.toISOString() : 'not planned'}`);
    });
  schedule
    .command('list')
    .description('the schedules with their next run and the outcome of their last one')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action(async (o: { config?: string; json?: boolean }) => {
      const config = await deps.config(o.config);
      const list = await withQueue(config, (q) => listSchedules(q));
      if (o.json) print(JSON.stringify(list, null, 2));
      else if (!list.length) print('no schedules (crm-etl schedule add NAME --cron "0 2 * * *")');
      else
        print(
          table(
            ['name', 'cron', 'tz', 'sources', 'next run', 'last run', 'last result'],
            list.map((s) => [
              s.name,
              s.cron ?? '',
              s.tz ?? 'UTC',
              (s.sources.length ? s.sources.join(' ') : 'all') + (s.full ? ' (full)' : ''),
              s.next?.toISOString() ?? '',
              s.last?.at.toISOString() ?? 'never',
              s.last ? `${s.last.status}: ${s.last.result}` : '',
            ]),
          ),
        );
    });
  schedule
    .command('remove')
    .description('remove a schedule (its past runs stay)')
    .argument('<name>')
    .option('-c, --config <file>', 'configuration file')
    .option('--actor <name>', 'who removes it, for the audit log (default: cli:<OS user>)')
    .action(async (name: string, o: { config?: string; actor?: string }) => {
      const config = await deps.config(o.config);
      await deps.withStore(config, (store) =>
        withQueue(config, async (q) => {
          const old = (await listSchedules(q)).find((s) => s.name === name);
          await removeSchedule(q, name);
          await writeAudit(store.knex, { actor: o.actor ?? cliActor(), action: 'schedule.remove', target: `schedule:${name}`, before: old ? scheduleState(old) : null, after: null });
        }),
      );
      print(`schedule ${name} removed`);
    });
}
