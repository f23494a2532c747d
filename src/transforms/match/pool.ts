import { setImmediate as nextTurn } from 'node:timers/promises';
import { ThreadCalls } from '../../core/thread-calls.js';
import { startWorker } from '../../core/worker-script.js';
import type { EncodedRecords } from './encoded.js';
import type { KeyHashing } from './key-hash.js';
import { type EngineOptions, type KeyCounts, MatchEngine, type PairTask, type PatternCounts, type RuleBlocks, type ScoredPairs, type ScoringParams, addPatternCounts, toPatternCounts } from './engine.js';

/** One engine, in this thread or in a worker thread: the same calls either way. */
export interface EngineHandle {
  computeKeys(rules: readonly number[], keyIds: readonly Int32Array[], hashing?: KeyHashing): Promise<KeyCounts>;
  /** The patterns of a sample of the candidate pairs of the shares it claims (see MatchEngine.candidatePairs, {@link claimShare}). */
  candidatePairs(shares: readonly (readonly PairTask[])[], claims: Int32Array, blocks: readonly RuleBlocks[], keyRows: Int32Array, every: number): Promise<PatternCounts>;
  comparePairs(a: Int32Array, b: Int32Array): Promise<PatternCounts>;
  /** The candidate pairs of the shares it claims, scored (see MatchEngine.scoreCandidates, {@link claimShare}): one result per task from the calling thread's engine, one per share from a worker. */
  scoreCandidates(shares: readonly (readonly PairTask[])[], claims: Int32Array, blocks: readonly RuleBlocks[], keyRows: Int32Array, s: ScoringParams): Promise<ScoredPairs[]>;
  /** Done with candidate pairs: the blocks and key rows it was sent are let go of (a worker collects them). */
  comparedAll(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The next share of `count` that no engine has taken (-1: none left). The engines sharing one
 * `claims` (shared memory, one counter) take shares as they finish the one before, each on its
 * own thread: handed out by this thread on request, a worker that finished its share waited for
 * this one to finish a task of its own first (at 300k records, ~0.5 s of the worker's 5 s of
 * scoring).
 */
function claimShare(claims: Int32Array, count: number): number {
  const x = Atomics.add(claims, 0, 1);
  return x < count ? x : -1;
}

/** The shares this engine claims (see {@link claimShare}), one at a time, until none is left; handed to each engine on its own thread this way. */
export function* claimedShares<T>(shares: readonly T[], claims: Int32Array): Generator<T> {
  for (let x = claimShare(claims, shares.length); x >= 0; x = claimShare(claims, shares.length)) yield shares[x]!;
}

/** A new counter for {@link claimShare}, in memory the engines' threads share. */
export function shareClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Pairs compared (training) between two turns of the calling thread's event loop. */
const PAIRS_PER_TURN = 1 << 18;

/**
 * The engine in the calling thread: no copies of the records, no thread to start. It works in
 * parts (a rule's keys, a task's blocks, a quarter of a million pairs) with a turn of the event
 * loop between two, so that the thread still answers (a queue job's lock, a database connection)
 * while it does a share of a large run beside the worker threads.
 */
export function localEngine(enc: EncodedRecords, opts: EngineOptions): EngineHandle {
  let engine: MatchEngine | null = new MatchEngine(enc, opts);
  const e = (): MatchEngine => {
    if (!engine) throw new Error('matching engine used after close');
    return engine;
  };
  return {
    computeKeys: async (rules, keyIds, hashing) => {
      const out: KeyCounts = { counts: [], hashes: [] };
      for (const r of rules) {
        await nextTurn();
        const k = e().computeKeys([r], keyIds, hashing);
        out.counts.push(k.counts[0]!);
        out.hashes.push(k.hashes[0]!);
      }
      return out;
    },
    candidatePairs: async (shares, claims, blocks, keyRows, every) => {
      const merged = new Map<number, number>();
      for (const share of claimedShares(shares, claims)) {
        for (const t of share) {
          await nextTurn();
          addPatternCounts(merged, e().candidatePairs([t], blocks, keyRows, every));
        }
      }
      return toPatternCounts(merged);
    },
    comparePairs: async (a, b) => {
      const merged = new Map<number, number>();
      for (let p = 0; p < a.length; p += PAIRS_PER_TURN) {
        await nextTurn();
        addPatternCounts(merged, e().comparePairs(a.subarray(p, p + PAIRS_PER_TURN), b.subarray(p, p + PAIRS_PER_TURN)));
      }
      return toPatternCounts(merged);
    },
    scoreCandidates: async (shares, claims, blocks, keyRows, s) => {
      const out: ScoredPairs[] = [];
      for (const share of claimedShares(shares, claims)) {
        for (const t of share) {
          await nextTurn();
          out.push(e().scoreCandidates([t], blocks, keyRows, s));
        }
      }
      return out;
    },
    // This thread collects once scoring is done (see matchRecords).
    comparedAll: async () => undefined,
    close: async () => {
      engine = null;
    },
  };
}

/** An engine in a worker thread. Records arrive as columns in shared memory, not as copies. */
export function workerEngine(enc: EncodedRecords, opts: EngineOptions): EngineHandle {
  const calls = new ThreadCalls<unknown>(startWorker(import.meta.url, 'match-worker', { enc, opts }), 'matching thread');
  const call = <T>(op: string, ...args: unknown[]): Promise<T> => calls.call({ op, args }) as Promise<T>;
  return {
    computeKeys: (rules, keyIds, hashing) => call('computeKeys', rules, keyIds, hashing),
    candidatePairs: (shares, claims, blocks, keyRows, every) => call('candidatePairs', shares, claims, blocks, keyRows, every),
    comparePairs: (a, b) => call('comparePairs', a, b),
    scoreCandidates: (shares, claims, blocks, keyRows, s) => call('scoreCandidates', shares, claims, blocks, keyRows, s),
    comparedAll: () => call('collect'),
    close: () => calls.close(),
  };
}
