import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { type QueueClient, type RunWatch, assertServerStore, enqueueRun, openQueue, queuedRunRequest, waitForRun } from '../jobs/run-flow.js';
import type { StageRow } from '../jobs/run-stages.js';
import { listFailedJobs, retryJob } from '../jobs/triggers.js';
import type { RunSummary } from '../pipeline/run-pipeline.js';
import { readMode } from '../pipeline/context.js';
import type { Store } from '../store/store.js';
import { CrmEtlError } from '../core/errors.js';
import { cliActor, writeAudit } from '../security/audit.js';
import { table } from './format.js';

/** What the queue commands need from main.ts. */
export interface CliDeps {
  /** Loads the configuration from -c FILE (or the default file). */
  config(file?: string): Promise<Config>;
  /** Opens and migrates the configuration's store for `fn`, then closes it. */
  withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T>;
  logger(): Logger;
}

/** Opens the queue for `fn` and closes it after. */
export async function withQueue<T>(config: Config, fn: (q: QueueClient) => Promise<T>): Promise<T> {
  const q = openQueue(config);
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

const n = (x: number): string => x.toLocaleString('en-US');

/** One line of a run's progress: each stage and partition, records done (of the total when known). */
export function formatProgress(stages: readonly StageRow[], sources: readonly string[]): string {
  const cell = (st: StageRow | undefined): string =>
    !st ? '–' : st.status === 'succeeded' ? `${n(st.done)} ✓` : st.status === 'failed' ? 'failed' : st.total ? `${n(st.done)}/${n(st.total)}` : `${n(st.done)}…`;
  const get = (stage: string, part = ''): StageRow | undefined => stages.find((s) => s.stage === stage && s.part === part);
  return `extract ${sources.map((s) => `${s} ${cell(get('extract', s))}`).join(', ')} | match ${cell(get('match'))} | load ${cell(get('load'))}`;
}

/** Shows progress on stderr: one rewritten line on a terminal, a line per change otherwise. */
function progressPrinter(sources: readonly string[]): { update(w: RunWatch): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let last = '';
  return {
    update(w) {
      if (w.requeued) process.stderr.write(`${tty ? '\n' : ''}crm-etl: ${w.requeued}\n`);
      const line = formatProgress(w.stages, sources);
      if (line === last) return;
      // Off a terminal, a line per finished partition is enough (CI logs, files).
      if (!tty && line.replace(/[\d,]+(\/[\d,]+|…)/g, '') === last.replace(/[\d,]+(\/[\d,]+|…)/g, '')) return;
      last = line;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    end() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}

/** `crm-etl run` with a queue: queue the run's flow, then wait for it showing progress (unless detached). */
export async function runOnQueue(
  deps: CliDeps,
  config: Config,
  o: { source?: string[]; full?: boolean; since?: Date | undefined; detach?: boolean; quiet?: boolean; actor?: string },
): Promise<RunSummary | { runId: string; detached: true }> {
  assertServerStore(config.store);
  const actor = o.actor ?? cliActor();
  return deps.withStore(config, (store) =>
    withQueue(config, async (q) => {
      const run = await enqueueRun(q, { config, store, log: deps.logger(), full: Boolean(o.full), actor, ...(o.since ? { since: o.since } : {}), ...(o.source ? { sources: o.source } : {}) });
      await writeAudit(store.knex, { actor, action: 'run.trigger', target: `run:${run.runId}`, before: null, after: { sources: o.source ?? 'all', ...readMode(o.full, o.since), queued: true } });
      if (o.detach) return { runId: run.runId, detached: true as const };
      process.stderr.write(`run ${run.runId} queued on ${q.maskedUrl}; waiting for workers (crm-etl worker)…\n`);
      const names = config.sources.filter((s) => !run.payload.sources.length || run.payload.sources.includes(s.name)).map((s) => s.name);
      const p = progressPrinter(names);
      try {
        return await waitForRun(q, store, config, run, (w) => (o.quiet ? undefined : p.update(w)));
      } finally {
        p.end();
      }
    }),
  );
}

/** Registers `crm-etl jobs failed|retry|watch`. */
export function registerJobsCommands(program: Command, deps: CliDeps, print: (s: string) => void, formatSummary: (s: RunSummary) => string): void {
  const jobs = program.command('jobs').description('look at and retry queued jobs (with a queue configured)');
  jobs
    .command('failed')
    .description('list the failed jobs with their error, newest first')
    .option('-c, --config <file>', 'configuration file')
    .option('--limit <n>', 'at most this many (default 50)', (v) => Number(v), 50)
    .option('--json', 'print JSON')
    .action(async (o: { config?: string; limit: number; json?: boolean }) => {
      const config = await deps.config(o.config);
      const failed = await withQueue(config, (q) => listFailedJobs(q, o.limit));
      if (o.json) print(JSON.stringify(failed, null, 2));
      else if (!failed.length) print('no failed jobs');
      else print(table(['id', 'job', 'of', 'attempts', 'failed at', 'error'], failed.map((f) => [f.id, f.name, f.ref, f.attempts, f.failedAt?.toISOString() ?? '', f.reason])));
    });
  jobs
    .command('retry')
    .description('run a failed job again; a failed stage queues its run again (finished stages are kept)')
    .argument('<id>', 'the job id, as jobs failed lists it')
    .option('-c, --config <file>', 'configuration file')
    .option('--actor <name>', 'who retries, for the audit log (default: cli:<OS user>)')
    .action(async (id: string, o: { config?: string; actor?: string }) => {
      const config = await deps.config(o.config);
      const r = await deps.withStore(config, (store) =>
        withQueue(config, async (q) => {
          const retried = await retryJob(q, config, id, (request) =>
            store.knex('runs').where({ id: request.runId }).update({ status: 'queued', finished_at: null, summary: JSON.stringify({ request }) }).then(() => undefined),
          );
          await writeAudit(store.knex, { actor: o.actor ?? cliActor(), action: 'job.retry', target: `job:${id}`, before: { state: 'failed' }, after: { state: 'waiting', ...(retried.runId ? { run: retried.runId } : {}) } });
          return retried;
        }),
      );
      print(r.runId ? `run ${r.runId} queued again (job ${r.rootJobId}); crm-etl jobs watch ${r.runId} follows it` : `job ${id} queued again`);
    });
  jobs
    .command('watch')
    .description('follow a queued run until it finishes and print its summary (queues it again if Redis lost its jobs)')
    .argument('<run>', 'the run id')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print the summary as JSON')
    .action(async (runId: string, o: { config?: string; json?: boolean }) => {
      const config = await deps.config(o.config);
      const summary = await deps.withStore(config, async (store) => {
        const payload = await queuedRunRequest(store, runId);
        if (!payload) throw new CrmEtlError('NOT_FOUND', `no queued run ${runId} in the store (crm-etl run --detach prints the id)`);
        return withQueue(config, async (q) => {
          // The newest flow of the run, if Redis still has it; otherwise waitForRun queues it again.
          const roots = (await q.queue.getJobs(['waiting-children', 'waiting', 'active', 'delayed', 'completed', 'failed'], 0, -1)).filter(
            (j) => j?.name === 'finish' && (j.data as { runId?: string }).runId === runId,
          );
          roots.sort((a, b) => b.timestamp - a.timestamp);
          const names = config.sources.filter((s) => !payload.sources.length || payload.sources.includes(s.name)).map((s) => s.name);
          const p = progressPrinter(names);
          try {
            return await waitForRun(q, store, config, { runId, payload, rootJobId: roots[0]?.id ?? `${runId}.lost` }, (w) => p.update(w), { queueCheckMs: 0 });
          } finally {
            p.end();
          }
        });
      });
      print(o.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    });
}
