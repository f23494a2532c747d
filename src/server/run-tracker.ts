import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { REDACT_PATHS } from '../core/logger.js';
import { newRunId } from '../pipeline/context.js';
import { type RunSummary, runPipeline } from '../pipeline/run-pipeline.js';
import type { Store } from '../store/store.js';

/** Where a run started by this process is. */
export interface RunProgress {
  runId: string;
  startedAt: string;
  stage: 'extract' | 'match' | 'load' | 'done' | 'failed';
  sourcesDone: number;
  sourcesTotal: number;
  error?: string;
}

/**
 * Runs the pipeline inline, in the background of the API process, one run at a time (two runs
 * on one store would race on the master). Progress comes from the stages' own log lines, so the
 * stages need no hook for it.
 */
export class RunTracker {
  private current: { progress: RunProgress; done: Promise<RunSummary | undefined> } | null = null;
  private readonly finished = new Map<string, RunProgress>();

  constructor(
    private readonly env: { config: Config; store: Store; log: Logger; onFinished?: (summary: RunSummary | null, progress: RunProgress, seconds: number) => void },
  ) {}

  /** The run in progress, if any. */
  get running(): RunProgress | null {
    return this.current && this.current.progress.stage !== 'done' && this.current.progress.stage !== 'failed' ? this.current.progress : null;
  }

  /** Progress of a run this process started (running or finished), else undefined. */
  progressOf(runId: string): RunProgress | undefined {
    return this.current?.progress.runId === runId ? this.current.progress : this.finished.get(runId);
  }

  /**
   * Starts a run; returns its id at once. Null when a run is already going.
   *
   * @param opts.sources only these sources (default all); `full` ignores the stored cursors;
   *   `since` reads the records changed since that time (see RunContext.since);
   *   `actor` names who asked in the master's audit log (default: the OS user of this process).
   */
  start(opts: { sources?: readonly string[]; full?: boolean; since?: Date; actor?: string }): string | null {
    if (this.running) return null;
    const runId = newRunId();
    const sourcesTotal = opts.sources?.length || this.env.config.sources.length;
    const progress: RunProgress = { runId, startedAt: new Date().toISOString(), stage: 'extract', sourcesDone: 0, sourcesTotal };
    const t0 = Date.now();
    const done = runPipeline({
      config: this.env.config,
      store: this.env.store,
      log: this.progressLogger(progress),
      runId,
      full: Boolean(opts.full),
      ...(opts.since ? { since: opts.since } : {}),
      ...(opts.sources?.length ? { sources: [...opts.sources] } : {}),
      ...(opts.actor ? { actor: opts.actor } : {}),
    }).then(
      (summary) => {
        progress.stage = 'done';
        this.env.onFinished?.(summary, progress, (Date.now() - t0) / 1000);
        return summary;
      },
      (err: unknown) => {
        progress.stage = 'failed';
        // The message of a pipeline error names a place and a code, never a value.
        progress.error = err instanceof Error ? err.message : String(err);
        this.env.log.error({ run: runId, err: progress.error }, 'run failed');
        this.env.onFinished?.(null, progress, (Date.now() - t0) / 1000);
        return undefined;
      },
    );
    if (this.current) this.finished.set(this.current.progress.runId, this.current.progress);
    this.current = { progress, done };
    return runId;
  }

  /** Resolves when the current run (if any) has finished. */
  async idle(): Promise<void> {
    await this.current?.done;
  }

  /** A logger that moves `progress` on the stages' log lines and passes lines on to the server's log. */
  private progressLogger(progress: RunProgress): Logger {
    const parent = this.env.log;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        try {
          const line = JSON.parse(chunk.toString('utf8')) as { msg?: string; level?: number };
          if (line.msg === 'source extracted') progress.sourcesDone++;
          else if (line.msg === 'matching done') progress.stage = 'load';
          if (progress.sourcesDone >= progress.sourcesTotal && progress.stage === 'extract') progress.stage = 'match';
          // Lines already redacted by this logger; re-logged at their level through the server's log.
          if (typeof line.level === 'number' && line.level >= (parent.levels.values[parent.level] ?? 30)) {
            const lvl = (parent.levels.labels[line.level] ?? 'info') as 'info';
            parent[lvl]({ ...line, level: undefined }, line.msg ?? '');
          }
        } catch {
          // A line that is not JSON carries nothing for progress.
        }
        cb();
      },
    });
    return pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink).child({ run: progress.runId });
  }
}
