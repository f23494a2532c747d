import { type Command, InvalidArgumentError } from 'commander';
import { type AuditTrailEntry, listAuditTrail, parseSince } from '../security/audit-trail.js';
import type { CliEnv } from './cli-env.js';
import { table } from './format.js';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 10_000) throw new InvalidArgumentError('a whole number from 1 to 10000');
  return n;
};

/** A value for one line: strings as they are, the rest as compact JSON, long ones cut. */
function brief(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/**
 * What an entry changed, on one line: `key: before → after` for each key that differs (a list
 * of records as its count). Settings of a configuration change are listed one by one.
 */
export function describeChange(before: unknown, after: unknown): string {
  const obj = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
  let b = obj(before);
  let a = obj(after);
  if ('settings' in a || 'settings' in b) {
    b = obj(b.settings);
    a = obj(a.settings);
  }
  const shown = (x: unknown): string => (x === undefined ? '–' : Array.isArray(x) && x.every((r) => typeof r === 'string') && x.length > 3 ? `${x.length} records` : brief(x));
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]) && k !== 'load');
  if (!keys.length) return before === null && after === null ? '' : brief(after ?? before);
  return keys.map((k) => `${k}: ${shown(b[k])} → ${shown(a[k])}`).join('; ');
}

/** `crm-etl audit list`: the whole audit trail (operations and master changes) in one time order. */
export function registerAuditCommands(program: Command, env: CliEnv, print: (s: string) => void): void {
  const audit = program.command('audit').description('the audit trail: who changed what, when, before and after');
  audit
    .command('list')
    .description('operations (tokens, reviews, merges, runs, erasures, key rotations, configuration) and changes to customers, newest first')
    .option('-c, --config <file>', 'configuration file')
    .option('--since <time>', 'from this time on: 2026-05-01, 2026-05-01T08:00:00Z, or an age: 30m, 12h, 7d')
    .option('--until <time>', 'before this time (same forms)')
    .option('--actor <text>', 'entries whose actor contains this text (cli:alice, api:ops-bot …)')
    .option('--customer <id>', "one customer's history: the master's changes to it and the operations on it")
    .option('--target <target>', 'entries on this target: pair:12, run:…, tok_…, config:…, schedule:…')
    .option('--action <action>', 'one action (config.change, customer.merge, master.update …) or a prefix ending in * (review.*)')
    .option('--limit <n>', 'at most this many (default 100)', positiveInt, 100)
    .option('--unmask', 'show personal values in clear (masked by default)')
    .option('--json', 'print JSON (one array)')
    .action(async (o: { config?: string; since?: string; until?: string; actor?: string; customer?: string; target?: string; action?: string; limit: number; unmask?: boolean; json?: boolean }) => {
      const target = o.customer ?? o.target;
      const entries = await env.withStore(o.config, (store) =>
        listAuditTrail(
          store,
          {
            ...(o.since ? { since: parseSince(o.since) } : {}),
            ...(o.until ? { until: parseSince(o.until) } : {}),
            ...(o.actor ? { actor: o.actor } : {}),
            ...(target ? { target } : {}),
            ...(o.action ? { action: o.action } : {}),
            limit: o.limit,
          },
          { mask: !o.unmask },
        ),
      );
      if (o.json) return print(JSON.stringify(entries, null, 2));
      if (!entries.length) return print('no audit entries match');
      print(table(['when', 'who', 'what', 'on', 'change', 'why'], entries.map((e: AuditTrailEntry) => [e.at, e.actor, e.action, e.target ?? '', describeChange(e.before, e.after), e.reason ?? ''])));
    });
}
