import { once } from 'node:events';
import { startScriptWorker } from '../core/worker-script.js';
import type { Store } from '../store/store.js';
import { type MatchModel, type MatchRecord, PairScorer, type TermFrequencies, toMatchRecord } from '../transforms/match/index.js';
import { refOf } from './ids.js';
import { type RecordRef, recordPages } from './store-io.js';

/** How the changed records of an incremental run are scored against stored candidates. */
export interface CandidateScoring {
  model: MatchModel;
  tf: TermFrequencies;
  recordCount: number;
  /** The changed records, as matched. */
  changed: MatchRecord[];
  /** Sources known to be duplicate-free: two of their records are never compared. */
  unique: string[];
  linkThreshold: number;
}

/** Stored candidates, each with the changed records (indexes into `changed`) it is compared with. */
export interface CandidateShare {
  refs: RecordRef[];
  partners: number[][];
}

export interface CandidateScores {
  /** Pairs compared. */
  pairs: number;
  /** The candidates some changed record links to. */
  linkedTo: RecordRef[];
}

/**
 * Reads the candidates page by page (the next page asked for while this one is scored) and
 * scores each against its changed partners.
 */
export async function scoreCandidates(store: Store, s: CandidateScoring, share: CandidateShare): Promise<CandidateScores> {
  const scorer = new PairScorer(s.model, s.tf, s.recordCount);
  const unique = new Set(s.unique);
  const at = new Map<string, number>();
  share.refs.forEach((r, j) => at.set(refOf(r.source, r.key), j));
  const out: CandidateScores = { pairs: 0, linkedTo: [] };
  for await (const page of recordPages(store, share.refs)) {
    for (const r of page) {
      const j = at.get(refOf(r.source, r.key));
      if (j === undefined) continue;
      const b = toMatchRecord(r.source, r.key, r.values);
      for (const i of share.partners[j]!) {
        const a = s.changed[i]!;
        if (a.source === b.source && unique.has(a.source)) continue;
        out.pairs++;
        if (scorer.probability(a, b) >= s.linkThreshold) out.linkedTo.push({ source: b.source, key: b.key });
      }
    }
  }
  return out;
}

/** Below this many candidates one thread does it all: a worker thread costs its start-up. */
export const WORKER_MIN_CANDIDATES = 20_000;

/**
 * {@link scoreCandidates} on two threads for a server store with enough candidates: the second
 * half is read through a connection of its own and scored in a worker thread while this thread
 * does the first half. Reading and comparing are both CPU work of this process (row parsing,
 * name keys, string similarity): at 1M records a 1% re-sync spends most of its matching here.
 */
export async function scoreCandidatesOnTwoThreads(store: Store, s: CandidateScoring, share: CandidateShare, minForWorker = WORKER_MIN_CANDIDATES): Promise<CandidateScores> {
  if (store.dialect === 'pglite' || share.refs.length < minForWorker) return scoreCandidates(store, s, share);
  const half = Math.ceil(share.refs.length / 2);
  const mine: CandidateShare = { refs: share.refs.slice(0, half), partners: share.partners.slice(0, half) };
  const theirs: CandidateShare = { refs: share.refs.slice(half), partners: share.partners.slice(half) };
  const worker = startScriptWorker(import.meta.url, 'candidate-worker', { url: store.url, cipher: store.cipher?.spec() ?? null, scoring: s, share: theirs });
  const answer = once(worker, 'message') as Promise<[{ result?: CandidateScores; error?: { message: string; stack?: string } }]>;
  // An error event (a worker that could not start) rejects `once` as well.
  answer.catch(() => undefined);
  try {
    const local = await scoreCandidates(store, s, mine);
    const [msg] = await answer;
    if (msg.error) {
      const err = new Error(`candidate scoring worker: ${msg.error.message}`);
      if (msg.error.stack) err.stack = msg.error.stack;
      throw err;
    }
    return { pairs: local.pairs + msg.result!.pairs, linkedTo: [...local.linkedTo, ...msg.result!.linkedTo] };
  } finally {
    await worker.terminate();
  }
}
