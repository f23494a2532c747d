import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { LiveConfig, RUNTIME_SETTINGS, checkPatchPaths, maskConfigSecrets } from '../config/live-config.js';
import { CrmEtlError } from '../core/errors.js';
import { cliActor } from '../security/audit.js';
import { changeConfigAudited } from '../security/config-change.js';
import type { CliEnv } from './cli-env.js';

/**
 * `PATH=VALUE` pairs as one merge patch: `matching.review_threshold=0.6`,
 * `survivorship.source_priority=[erp, sales]`, `quality.gates.min_overall=null` (removes it).
 * A value is read as YAML (numbers, lists, `{…}` maps, `null`).
 */
export function patchOfAssignments(assignments: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new CrmEtlError('INPUT_INVALID', `"${a}": write PATH=VALUE, e.g. matching.review_threshold=0.6`);
    const keys = a.slice(0, eq).trim().split('.');
    let value: unknown;
    try {
      value = parseYaml(a.slice(eq + 1)) ?? null;
    } catch (err) {
      throw new CrmEtlError('INPUT_INVALID', `${a.slice(0, eq)}: the value is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
    let at = patch;
    keys.forEach((k, i) => {
      if (!k) throw new CrmEtlError('INPUT_INVALID', `"${a.slice(0, eq)}": an empty name in the path`);
      if (i === keys.length - 1) at[k] = value;
      else {
        const next = at[k];
        at = (next && typeof next === 'object' && !Array.isArray(next) ? next : (at[k] = {})) as Record<string, unknown>;
      }
    });
  }
  return patch;
}

/** `crm-etl config show|set`: the effective configuration, and changes to its runtime settings (audited). */
export function registerConfigCommands(program: Command, env: CliEnv, print: (s: string) => void): void {
  const config = program.command('config').description('the configuration in effect; change its runtime settings (audited)');
  config
    .command('show')
    .description('the configuration as loaded (defaults filled in; passwords, tokens and header values masked)')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { config?: string }) => {
      const live = await LiveConfig.load(env.configPath(o.config), env.env);
      print(JSON.stringify({ file: live.file, version: await live.version(), changeable: RUNTIME_SETTINGS, config: maskConfigSecrets(live.current) }, null, 2));
    });
  config
    .command('set')
    .description(`change settings in the file, validated and audited: ${RUNTIME_SETTINGS.join(', ')} (a running crm-etl serve applies changes made through its API at once; restart it after this)`)
    .argument('<assignments...>', 'PATH=VALUE …, e.g. matching.review_threshold=0.6 quality.gates.min_overall=70 (null removes a setting)')
    .option('-c, --config <file>', 'configuration file')
    .option('--actor <name>', 'who changes it, for the audit log (default: cli:<OS user>)')
    .action(async (assignments: string[], o: { config?: string; actor?: string }) => {
      const patch = patchOfAssignments(assignments);
      // Before opening the store: a setting that cannot change fails at once.
      checkPatchPaths(patch);
      const live = await LiveConfig.load(env.configPath(o.config), env.env);
      const r = await env.withConfigStore(live.current, (store) => changeConfigAudited(live, store, { actor: o.actor ?? cliActor(), patch }));
      if (!r.changes.length) return print('nothing changed');
      print(r.changes.map((c) => `${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join('\n'));
    });
}
