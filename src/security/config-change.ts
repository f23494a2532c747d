import type { LiveConfig, SettingChange } from '../config/live-config.js';
import type { Store } from '../store/store.js';
import { writeAudit } from './audit.js';

/** What a configuration change did: the file's new version and each setting changed. */
export interface ConfigChangeResult {
  version: string;
  changes: SettingChange[];
}

/**
 * Changes runtime settings (LiveConfig.plan: validated with the configuration schema, limited to
 * RUNTIME_SETTINGS), audited as `config.change` with each changed setting before and after. The
 * audit entry and the file are written together: the entry is committed only when the file was
 * written (atomically), and the new settings take effect only then. A change that changes
 * nothing writes nothing.
 */
export async function changeConfigAudited(
  live: LiveConfig,
  store: Store,
  opts: { actor: string; patch: unknown; ifMatch?: string; now?: Date },
): Promise<ConfigChangeResult> {
  return live.exclusive(async () => {
    const plan = await live.plan(opts.patch, opts.ifMatch);
    if (!plan.changes.length) return { version: plan.fromVersion, changes: [] };
    const at = opts.now ?? new Date();
    await store.transaction(async (trx) => {
      await writeAudit(trx, {
        actor: opts.actor,
        action: 'config.change',
        target: `config:${live.file ?? ''}`,
        before: { version: plan.fromVersion, settings: Object.fromEntries(plan.changes.map((c) => [c.path, c.before])) },
        after: { version: plan.toVersion, settings: Object.fromEntries(plan.changes.map((c) => [c.path, c.after])) },
        at,
      });
      await plan.write();
    });
    plan.commit();
    return { version: plan.toVersion, changes: plan.changes };
  });
}
