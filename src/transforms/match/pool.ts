import { startWorker } from '../../core/worker-script.js';
import type { EncodedRecords } from './encoded.js';
import type { KeyHashing } from './key-hash.js';
import { type EngineOptions, type KeyCounts, MatchEngine, type PairTask, type PatternCounts, type RuleBlocks, type ScoredPairs, type ScoringParams } from './engine.js';

/** One engine, in this thread or in a worker thread: the same calls either way. */
export interface EngineHandle {
  computeKeys(rules: readonly number[], keyIds: readonly Int32Array[], hashing?: KeyHashing): Promise<KeyCounts>;
  candidatePairs(tasks: readonly PairTask[], blocks: readonly RuleBlocks[], keyRows: Int32Array): Promise<{ patterns: PatternCounts; pairs: number }>;
  comparePairs(a: Int32Array, b: Int32Array): Promise<PatternCounts>;
  score(s: ScoringParams): Promise<ScoredPairs>;
  close(): Promise<void>;
}

/** The engine in the calling thread: no copies, no start-up cost; for small inputs and tests. */
export function localEngine(enc: EncodedRecords, opts: EngineOptions): EngineHandle {
  const e = new MatchEngine(enc, opts);
  return {
    computeKeys: async (rules, keyIds, hashing) => e.computeKeys(rules, keyIds, hashing),
    candidatePairs: async (tasks, blocks, keyRows) => {
      const patterns = e.candidatePairs(tasks, blocks, keyRows);
      return { patterns, pairs: e.pairCount };
    },
    comparePairs: async (a, b) => e.comparePairs(a, b),
    score: async (s) => e.score(s),
    close: async () => undefined,
  };
}

/** An engine in a worker thread. Records arrive as columns in shared memory, not as copies. */
export function workerEngine(enc: EncodedRecords, opts: EngineOptions): EngineHandle {
  const worker = startWorker(import.meta.url, 'match-worker', { enc, opts });
  let next = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let failed: unknown;
  const failAll = (err: unknown): void => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (msg: { id: number; result?: unknown; error?: { message: string; stack?: string } }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) {
      const err = new Error(`matching worker: ${msg.error.message}`);
      if (msg.error.stack) err.stack = msg.error.stack;
      p.reject(err);
    } else p.resolve(msg.result);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    if (pending.size) failAll(new Error(`matching worker exited with code ${code}`));
  });
  const call = <T>(op: string, ...args: unknown[]): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, args });
    });
  };
  return {
    computeKeys: (rules, keyIds, hashing) => call('computeKeys', rules, keyIds, hashing),
    candidatePairs: (tasks, blocks, keyRows) => call('candidatePairs', tasks, blocks, keyRows),
    comparePairs: (a, b) => call('comparePairs', a, b),
    score: (s) => call('score', s),
    close: async () => {
      await worker.terminate();
    },
  };
}
