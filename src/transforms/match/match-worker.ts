/** Worker-thread entry of the matching engine (see pool.ts): one engine, calls by message. */
import { parentPort, workerData } from 'node:worker_threads';
import { collectGarbage } from '../../core/collect-garbage.js';
import { type ThreadReply, threadError } from '../../core/thread-calls.js';
import type { EncodedRecords } from './encoded.js';
import { type EngineOptions, MatchEngine, type ScoredPairs, addPatternCounts, toPatternCounts } from './engine.js';
import { type EngineHandle, claimedShares } from './pool.js';

const { enc, opts } = workerData as { enc: EncodedRecords; opts: EngineOptions };
const engine = new MatchEngine(enc, opts);

/**
 * Operations after which this thread collects its garbage, once the call's message is let go of:
 * - computeKeys: its interning maps and key strings, which the comparing phase (it allocates
 *   next to nothing) would keep: two threads, ~300 MB at a million records;
 * - collect, sent after its last share of candidate pairs: the blocks and key rows it was sent,
 *   shared memory that is given back only once no thread holds it.
 */
const COLLECT_AFTER = new Set(['computeKeys', 'collect']);

parentPort!.on('message', (msg: { seq: number; op: string; args: unknown[] }) => {
  try {
    let result: unknown;
    const a = msg.args as [never, never, never];
    switch (msg.op) {
      case 'computeKeys':
        result = engine.computeKeys(a[0], a[1], a[2]);
        break;
      // The shares it claims, one after the other, until none is left (see claimedShares).
      case 'candidatePairs': {
        const [shares, claims, blocks, keyRows, every] = msg.args as Parameters<EngineHandle['candidatePairs']>;
        const merged = new Map<number, number>();
        for (const share of claimedShares(shares, claims)) addPatternCounts(merged, engine.candidatePairs(share, blocks, keyRows, every));
        result = toPatternCounts(merged);
        break;
      }
      case 'collect':
        break;
      case 'comparePairs':
        result = engine.comparePairs(a[0], a[1]);
        break;
      case 'scoreCandidates': {
        const [shares, claims, blocks, keyRows, params] = msg.args as Parameters<EngineHandle['scoreCandidates']>;
        const scored: ScoredPairs[] = [];
        for (const share of claimedShares(shares, claims)) scored.push(engine.scoreCandidates(share, blocks, keyRows, params));
        result = scored;
        break;
      }
      default:
        throw new Error(`unknown operation ${msg.op}`);
    }
    parentPort!.postMessage({ seq: msg.seq, result } satisfies ThreadReply<unknown>);
    if (COLLECT_AFTER.has(msg.op)) setImmediate(collectGarbage);
  } catch (err) {
    parentPort!.postMessage({ seq: msg.seq, error: threadError(err) } satisfies ThreadReply<unknown>);
  }
});
