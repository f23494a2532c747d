import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';

/** What every stage receives: the run, its frozen configuration, the store and a logger. */
export interface RunContext {
  runId: string;
  config: Config;
  store: Store;
  log: Logger;
  /** The run's date (ISO yyyy-mm-dd): transforms take "today" from here, never from a clock. */
  today: string;
  /** Limit the run to these sources (all when empty). */
  sources: readonly string[];
  /** Read every source in full, ignoring stored cursors. */
  full: boolean;
  /**
   * Read the records changed at or after this time (`resync --since`), and everything after the
   * stored cursor when that is older; only sources that keep change times (sql cursor, http since_param).
   */
  since?: Date;
  /** Who the audit log names for this run's changes to the master. Default: the OS user. */
  actor?: string;
  /**
   * `auto` (default): match only the changed records against the stored master when it is large
   * enough for that to pay and its model was trained on enough data (see src/master/incremental.ts);
   * `incremental`: whenever a model and blocking keys are stored (tests, benchmarks).
   */
  matchMode?: 'auto' | 'incremental';
  /**
   * Called as a stage makes headway (the queue runner turns it into job progress). Counts only:
   * never values. Absent for the inline runner.
   */
  onProgress?: (p: StageProgress) => void;
}

/** How far a stage is: records done, and the total when it is known up front. */
export interface StageProgress {
  stage: 'extract' | 'match' | 'load';
  source?: string;
  done: number;
  total?: number;
}

/** How a run reads its sources, as the audit log names it in a trigger: in full or not, and since when. */
export function readMode(full: boolean | undefined, since: Date | undefined): { full: boolean; since?: string } {
  return { full: Boolean(full), ...(since ? { since: since.toISOString() } : {}) };
}

/** A sortable, unique run id: UTC time plus a random suffix. */
export function newRunId(now: Date = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${Math.random().toString(36).slice(2, 8)}`;
}
