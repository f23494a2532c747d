import { type BlockingRuleReport, generateCandidates } from './blocking.js';
import { COMPARISONS } from './comparisons.js';
import { trainingSamples } from './training.js';
import { clusterRecords } from './cluster.js';
import type { MatchRecord } from './features.js';
import { type MatchModel, PairScorer, computeTermFrequencies, estimateU, levelsOf, trainModel } from './model.js';

export interface MatchOptions {
  /** Probability at or above which two records are linked. Default 0.9. */
  linkThreshold: number;
  /** Probability at or above which a pair below the link threshold goes to review. Default 0.5. */
  reviewThreshold: number;
  /** Blocks with more records than this are skipped and reported. Default 1000. */
  maxBlockSize: number;
  /** Sources known to hold each customer at most once: their records never link to each other. */
  uniqueSources?: ReadonlySet<string>;
}

export interface ScoredPair {
  a: number;
  b: number;
  probability: number;
  decision: 'link' | 'review';
}

export interface MatchResult {
  model: MatchModel;
  scorer: PairScorer;
  blocking: BlockingRuleReport[];
  candidatePairs: number;
  /** Pairs at or above the review threshold. */
  pairs: ScoredPair[];
  clusterOf: Int32Array;
  linkProbability: Float64Array;
  refusedMerges: number;
}

/**
 * Finds duplicates among `records` (within and across sources): blocking → comparisons →
 * Fellegi–Sunter model trained without labels → decisions → clusters that resist chaining.
 */
export function matchRecords(records: readonly MatchRecord[], opts: MatchOptions): MatchResult {
  const n = records.length;
  const unique = opts.uniqueSources ?? new Set<string>();
  const canLink = unique.size
    ? (i: number, j: number) => !(records[i]!.source === records[j]!.source && unique.has(records[i]!.source))
    : undefined;
  const cand = generateCandidates(records, { maxBlockSize: opts.maxBlockSize, ...(canLink ? { allowed: canLink } : {}) });
  const pairCount = cand.a.length;
  const levels = levelsOf(records, cand.a, cand.b);
  const { u, pairs: randomPairs } = estimateU(records);
  const samples = trainingSamples(records, canLink);
  const model = trainModel(records, samples, levels, pairCount, u, { randomPairs });
  const scorer = new PairScorer(model, computeTermFrequencies(records), n);

  const F = COMPARISONS.length;
  const pairs: ScoredPair[] = [];
  const edges: { a: number; b: number; probability: number }[] = [];
  for (let p = 0; p < pairCount; p++) {
    const a = cand.a[p]!;
    const b = cand.b[p]!;
    const probability = 1 / (1 + Math.pow(2, -scorer.weightOfLevels(levels, p * F, records[a]!, records[b]!)));
    if (probability >= opts.reviewThreshold) {
      const decision = probability >= opts.linkThreshold ? 'link' : 'review';
      pairs.push({ a, b, probability, decision });
      if (decision === 'link') edges.push({ a, b, probability });
    }
  }
  const clustering = clusterRecords(edges, {
    n,
    // Groups join while their members' cross pairs average at least 1:16 odds (log space): a
    // corrupted member still joins its duplicates, a weakly linked stranger does not.
    minAverageWeight: -4,
    weight: (i, j) => scorer.weight(records[i]!, records[j]!),
    probability: (i, j) => scorer.probability(records[i]!, records[j]!),
    ...(canLink ? { canLink } : {}),
  });
  return {
    model,
    scorer,
    blocking: cand.report,
    candidatePairs: pairCount,
    pairs,
    clusterOf: clustering.clusterOf,
    linkProbability: clustering.linkProbability,
    refusedMerges: clustering.refusedMerges,
  };
}
