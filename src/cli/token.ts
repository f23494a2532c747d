import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { cliActor } from '../security/audit.js';
import { ROLES, type Role } from '../security/roles.js';
import { createToken, listTokens, revokeToken } from '../security/tokens.js';
import type { CliEnv } from './cli-env.js';
import { table } from './format.js';

function role(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`use one of: ${ROLES.join(', ')}`);
  return v as Role;
}

/** `crm-etl token create|list|revoke`: API tokens for `crm-etl serve`. */
export function registerTokenCommands(program: Command, env: CliEnv): void {
  const token = program.command('token').description('API tokens for crm-etl serve (stored hashed; shown once)');
  token
    .command('create')
    .description('create a token and print it once')
    .requiredOption('--role <role>', `${ROLES.join(' | ')}`, role)
    .option('--name <name>', 'who or what uses it (shown in the audit log)', 'api')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { role: Role; name: string; config?: string }) => {
      await env.withStore(o.config, async (store) => {
        const { token: secret, info } = await createToken(store.knex, { role: o.role, name: o.name, actor: cliActor() });
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`token ${info.id} (${info.role}, "${info.name}") created; it is shown only this once: keep it in a secret store\n`);
      });
    });
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print as JSON')
    .action(async (o: { config?: string; json?: boolean }) => {
      const rows = await env.withStore(o.config, (store) => listTokens(store.knex));
      if (o.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else
        process.stdout.write(
          table(
            ['id', 'name', 'role', 'created', 'last used', 'revoked'],
            rows.map((r) => [r.id, r.name, r.role, r.createdAt, r.lastUsedAt ?? '', r.revokedAt ?? '']),
          ) + '\n',
        );
    });
  token
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'the token id (crm-etl token list)')
    .option('-c, --config <file>', 'configuration file')
    .action(async (id: string, o: { config?: string }) => {
      await env.withStore(o.config, (store) => revokeToken(store.knex, id, cliActor()));
      process.stderr.write(`token ${id} revoked\n`);
    });
}
