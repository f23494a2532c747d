/** Worker-thread entry of the matching engine (see pool.ts): one engine, calls by message. */
import { parentPort, workerData } from 'node:worker_threads';
import { collectGarbage } from '../../core/collect-garbage.js';
import type { EncodedRecords } from './encoded.js';
import { type EngineOptions, MatchEngine } from './engine.js';

const { enc, opts } = workerData as { enc: EncodedRecords; opts: EngineOptions };
const engine = new MatchEngine(enc, opts);

parentPort!.on('message', (msg: { id: number; op: string; args: unknown[] }) => {
  try {
    let result: unknown;
    const a = msg.args as [never, never, never];
    switch (msg.op) {
      case 'computeKeys':
        result = engine.computeKeys(a[0], a[1], a[2]);
        // Its interning maps and key strings are garbage that the comparing phase, which
        // allocates next to nothing, would keep (two threads: ~300 MB at a million records).
        collectGarbage();
        break;
      case 'candidatePairs':
        result = { patterns: engine.candidatePairs(a[0], a[1], a[2]), pairs: engine.pairCount };
        break;
      case 'comparePairs':
        result = engine.comparePairs(a[0], a[1]);
        break;
      case 'score':
        result = engine.score(a[0]);
        break;
      default:
        throw new Error(`unknown operation ${msg.op}`);
    }
    parentPort!.postMessage({ id: msg.id, result });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ id: msg.id, error: { message: e.message, stack: e.stack } });
  }
});
