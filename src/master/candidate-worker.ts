/** Worker-thread entry of candidate scoring (see candidate-scoring.ts): one share, one answer. */
import { parentPort, workerData } from 'node:worker_threads';
import { type CipherSpec, FieldCipher } from '../security/field-cipher.js';
import { openStore } from '../store/open-store.js';
import { type CandidateScores, type CandidateScoring, type CandidateShare, scoreCandidates } from './candidate-scoring.js';

const { url, cipher, scoring, share } = workerData as { url: string; cipher: CipherSpec | null; scoring: CandidateScoring; share: CandidateShare };

try {
  const store = await openStore(url, cipher ? { cipher: FieldCipher.fromSpec(cipher) } : {});
  let result: CandidateScores;
  try {
    result = await scoreCandidates(store, scoring, share);
  } finally {
    // Closed before answering: the caller ends this thread once it has the answer.
    await store.close();
  }
  parentPort!.postMessage({ result });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  parentPort!.postMessage({ error: { message: e.message, stack: e.stack } });
}
