import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { CrmEtlError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { pairMetrics } from '../eval/pair-metrics.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { type ExportFormat, type ExportKind, openOut, writeExport } from './export.js';
import { formatSummary, table } from './format.js';
import { checkSources } from './sources-check.js';
import { explainPair, formatExplanation, formatModel, loadModel } from './explain.js';
import { CsvParser } from '../connectors/csv/csv-parser.js';
import { loadRunQuality } from '../quality/index.js';
import { formatQuality, qualityJson } from './quality.js';
import { type ReportFormat, writeReport } from './report.js';
import { type CliDeps, registerJobsCommands, runOnQueue } from './jobs.js';
import { registerResyncCommand } from './resync.js';
import { registerScheduleCommands } from './schedule.js';
import { registerWorkerCommand } from './worker.js';
import { cipherFromEnv } from '../security/field-cipher.js';
import type { CliEnv } from './cli-env.js';
import { registerTokenCommands } from './token.js';
import { registerServeCommand } from './serve.js';
import { registerBackupCommands } from './backup.js';
import { registerEraseCommand, writeSubjectExport } from './erase.js';
import { registerKeysCommands } from './keys.js';
import { registerStewardCommands } from './steward.js';
import { registerAuditCommands } from './audit.js';
import { registerConfigCommands } from './config.js';
import { cliActor, writeAudit } from '../security/audit.js';
import { parseSince } from '../security/audit-trail.js';
import { newRunId, readMode } from '../pipeline/context.js';

const DEFAULT_CONFIG = 'crm-etl.yaml';

function resolveConfigPath(c?: string): string {
  if (c) return c;
  if (existsSync(DEFAULT_CONFIG)) return DEFAULT_CONFIG;
  throw new CrmEtlError('CONFIG_NOT_FOUND', `no configuration: pass -c FILE (or create ${DEFAULT_CONFIG} in the current folder); config/demo.yaml is an example`);
}

/**
 * Opens the configuration's store with the cipher CRM_ETL_KEY configures (docs/security.md), so
 * every command reads personal data in clear in-process and writes it encrypted.
 */
export async function openConfiguredStore(config: Config, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Store> {
  return openStore(config.store, { cipher: cipherFromEnv(env, config.security.sensitive_fields) });
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(config);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

function choice<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`use one of: ${values.join(', ')}`);
    return v as T;
  };
}

/** Reads a truth file (columns source,source_key,entity) into record → entity. */
export function readTruth(file: string): Map<string, string> {
  const truth = new Map<string, string>();
  let header: string[] | undefined;
  const p = new CsvParser({ delimiter: ',' });
  const onRow = (r: { fields: string[]; line: number }): void => {
    const f = r.fields.map((x) => x.trim());
    if (!header) {
      header = f;
      for (const need of ['source', 'source_key', 'entity']) {
        if (!header.includes(need)) throw new CrmEtlError('INPUT_INVALID', `${file}: the truth file needs the columns source,source_key,entity (found ${header.join(',')})`);
      }
      return;
    }
    const get = (c: string): string => f[header!.indexOf(c)] ?? '';
    truth.set(`${get('source')}\u0000${get('source_key')}`, get('entity'));
  };
  p.push(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), onRow, () => {});
  p.end(onRow, () => {});
  return truth;
}

/** Runs the crm-etl command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('crm-etl')
    .description('Builds one trustworthy customer master from scattered customer data')
    .option('-v, --verbose', 'log progress (JSON lines on stderr)')
    .showHelpAfterError();
  const logger = () => createLogger(program.opts<{ verbose?: boolean }>().verbose ? 'info' : 'warn');
  const deps: CliDeps = { config: (file) => loadConfig(resolveConfigPath(file)), withStore, logger };
  const print = (text: string): void => void process.stdout.write(text + '\n');
  const cliEnv: CliEnv = {
    env: process.env,
    loadConfig: (file) => loadConfig(resolveConfigPath(file)),
    withStore: async (file, fn) => {
      const config = await loadConfig(resolveConfigPath(file));
      return withStore(config, (store) => fn(store, config));
    },
    configPath: resolveConfigPath,
    withConfigStore: withStore,
  };

  program
    .command('run')
    .description('run the pipeline: extract, standardize, validate, match, load the master, score quality')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--source <name...>', 'run only these sources')
    .option('--full', 'read every source in full, ignoring the stored cursors (default: only what changed)')
    .option('--since <time>', 'read the records changed since this time (2026-05-01, 2026-05-01T08:00:00Z, or an age: 12h, 7d), and all after the stored cursor if older; sql sources with a cursor column, http sources with since_param')
    .option('--json', 'print the summary as JSON')
    .option('--actor <name>', 'who the audit log names for the run and its changes to the master (default: cli:<OS user>)')
    .option('--detach', 'with a queue: print the run id once queued and return (crm-etl jobs watch RUN follows it)')
    .action(async (o: { config?: string; source?: string[]; full?: boolean; since?: string; json?: boolean; detach?: boolean; actor?: string }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const since = o.since ? parseSince(o.since) : undefined;
      const read = readMode(o.full, since);
      let summary;
      const actor = o.actor ?? cliActor();
      if (config.queue) {
        // A queue configured: the run's stages become jobs that `crm-etl worker` processes share.
        const r = await runOnQueue(deps, config, { ...o, since, actor });
        if ('detached' in r) {
          print(o.json ? JSON.stringify({ runId: r.runId, status: 'queued' }) : `run ${r.runId} queued`);
          return;
        }
        summary = r;
      } else {
        summary = await withStore(config, async (store) => {
          const runId = newRunId();
          await writeAudit(store.knex, { actor, action: 'run.trigger', target: `run:${runId}`, before: null, after: { sources: o.source ?? 'all', ...read } });
          return runPipeline({ config, store, log: logger(), runId, actor, full: Boolean(o.full), ...(since ? { since } : {}), ...(o.source ? { sources: o.source } : {}) });
        });
      }
      process.stdout.write((o.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)) + '\n');
      if (!o.json && !cipherFromEnv(process.env, config.security.sensitive_fields)) {
        process.stdout.write(`\nNote: CRM_ETL_KEY is not set: ${config.security.sensitive_fields.join(', ')} are stored in clear. See docs/security.md.\n`);
      }
      if (summary.status === 'failed') {
        const failed = summary.quality.gates.failed;
        process.stderr.write(
          `crm-etl: run ${summary.runId} failed ${failed.length} quality gate(s); the master was not changed and the staged records are kept:\n` +
            failed.map((f) => `  ${f.gate}: ${f.message}\n`).join('') +
            `Inspect with: crm-etl quality --run ${summary.runId} (or crm-etl report --run ${summary.runId} --out report.html)\n`,
        );
        exitCode = 1;
      }
    });

  program
    .command('quality')
    .description('the quality scores of a run per source, field and dimension, the change since the previous run, anomalies and gates')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--run <id>', 'the run to show (default: the latest run with scores)')
    .option('--json', 'print the scores as JSON')
    .action(async (o: { config?: string; run?: string; json?: boolean }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const rq = await withStore(config, (store) => loadRunQuality(store, o.run));
      const t = config.quality.anomalies;
      process.stdout.write((o.json ? JSON.stringify(qualityJson(rq, t), null, 2) : formatQuality(rq, t)) + '\n');
    });

  program
    .command('report')
    .description('write a self-contained quality and dedupe report (HTML with charts, or JSON)')
    .requiredOption('--out <file>', 'the file to write, e.g. report.html')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--run <id>', 'the run to report on (default: the latest run with scores)')
    .option('--format <format>', 'html | json', choice(['html', 'json'] as const), 'html')
    .option('--unmask', 'show personal values (masked by default)')
    .action(async (o: { out: string; config?: string; run?: string; format: ReportFormat; unmask?: boolean }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const runId = await withStore(config, (store) => writeReport(store, { out: o.out, format: o.format, runId: o.run, unmask: Boolean(o.unmask) }));
      process.stderr.write(`wrote the ${o.format} report of run ${runId} to ${o.out}${o.unmask ? ' (personal values shown)' : ''}\n`);
    });

  program
    .command('export')
    .description('export customers, links, rejects or quality scores; or one person\'s data (subject --customer ID)')
    .argument('<what>', 'customers | links | rejects | quality | subject', choice(['customers', 'links', 'rejects', 'quality', 'subject'] as const))
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--format <format>', 'csv | jsonl', choice(['csv', 'jsonl'] as const), 'csv')
    .option('--out <file>', 'output file (default: standard output)')
    .option('--run <id>', 'rejects or quality of this run (default: the current data)')
    .option('--customer <id>', 'subject: the customer whose data to export (JSON)')
    .action(async (what: ExportKind | 'subject', o: { config?: string; format: ExportFormat; out?: string; run?: string; customer?: string }) => {
      if (what === 'subject') {
        // A subject access request: one person's data as one JSON document (audited).
        if (!o.customer) throw new CrmEtlError('INPUT_INVALID', 'export subject needs --customer ID');
        const out = openOut(o.out);
        await writeSubjectExport(cliEnv, o.config, o.customer, out.stream);
        await out.done();
        if (o.out) process.stderr.write(`wrote the data of customer ${o.customer} to ${o.out}\n`);
        return;
      }
      const config = await loadConfig(resolveConfigPath(o.config));
      await withStore(config, async (store) => {
        const out = openOut(o.out);
        const n = await writeExport(store, what, o.format, out.stream, o.run);
        await out.done();
        if (o.out) process.stderr.write(`wrote ${n} ${what} row(s) to ${o.out}\n`);
      });
    });

  program
    .command('eval')
    .description('pairwise precision, recall and F1 of the current links against a truth file')
    .requiredOption('--truth <file>', 'CSV with columns source,source_key,entity')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--json', 'print the figures as JSON')
    .action(async (o: { truth: string; config?: string; json?: boolean }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const truth = readTruth(o.truth);
      const predicted = new Map<string, string>();
      await withStore(config, async (store) => {
        const rows = (await store.knex('customer_links').select('source', 'source_key', 'customer_id')) as { source: string; source_key: string; customer_id: string }[];
        for (const r of rows) predicted.set(`${r.source}\u0000${r.source_key}`, r.customer_id);
      });
      const m = pairMetrics(predicted, truth);
      if (o.json) process.stdout.write(JSON.stringify(m, null, 2) + '\n');
      else {
        process.stdout.write(
          table(
            ['records', 'clusters', 'entities', 'predicted pairs', 'true pairs', 'precision', 'recall', 'F1'],
            [[m.records, m.clusters, m.entities, m.predictedPairs, m.truePairs, Number(m.precision.toFixed(4)), Number(m.recall.toFixed(4)), Number(m.f1.toFixed(4))]],
          ) + '\n',
        );
      }
    });

  program
    .command('explain')
    .description('explain the match probability of two source records, field by field')
    .argument('<a>', 'SOURCE:KEY')
    .argument('<b>', 'SOURCE:KEY')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--json', 'print the explanation as JSON')
    .action(async (a: string, b: string, o: { config?: string; json?: boolean }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const e = await withStore(config, (store) => explainPair({ store, config }, a, b));
      process.stdout.write((o.json ? JSON.stringify(e, null, 2) : formatExplanation(e)) + '\n');
    });

  program
    .command('model')
    .description('the trained match model')
    .command('show')
    .description('show the weights of the latest (or a given) run')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--run <id>', 'the run whose model to show')
    .option('--json', 'print the model as JSON')
    .action(async (o: { config?: string; run?: string; json?: boolean }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const { runId, model } = await withStore(config, (store) => loadModel(store, o.run));
      process.stdout.write((o.json ? JSON.stringify({ runId, ...model }, null, 2) : formatModel(runId, model)) + '\n');
    });

  const sources = program.command('sources').description('inspect the configured sources');
  sources
    .command('check')
    .description('validate each source: configuration, connectivity, mapped columns; preview the first records as staged')
    .option('-c, --config <file>', `configuration file (default ${DEFAULT_CONFIG})`)
    .option('--source <name...>', 'check only these sources')
    .action(async (o: { config?: string; source?: string[] }) => {
      const config = await loadConfig(resolveConfigPath(o.config));
      const { checks, text } = await checkSources(config, o.source ?? [], new Date().toISOString().slice(0, 10));
      process.stdout.write(text + '\n');
      if (checks.some((c) => !c.ok)) exitCode = 1;
    });

  registerWorkerCommand(program, deps);
  registerScheduleCommands(program, deps, print);
  registerResyncCommand(program, deps, print);
  registerJobsCommands(program, deps, print, formatSummary);
  registerTokenCommands(program, cliEnv);
  registerEraseCommand(program, cliEnv);
  registerKeysCommands(program, cliEnv);
  registerBackupCommands(program, cliEnv);
  registerServeCommand(program, cliEnv, (level) => createLogger(program.opts<{ verbose?: boolean }>().verbose ? 'info' : (level ?? 'warn')));
  registerAuditCommands(program, cliEnv, print);
  registerConfigCommands(program, cliEnv, print);
  registerStewardCommands(program, {
    configOption: `configuration file (default ${DEFAULT_CONFIG})`,
    loadConfigFile: (c) => loadConfig(resolveConfigPath(c)),
    withStore,
  });

  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : (e.exitCode ?? 2);
    }
    if (err instanceof CrmEtlError) {
      process.stderr.write(`crm-etl: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return exitCode;
}
