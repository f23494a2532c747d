import { collectGarbage } from '../../core/collect-garbage.js';
import { availableParallelism } from 'node:os';
import type { BlockingRuleReport } from './blocking.js';
import { type Edge, clusterRecords } from './cluster.js';
import { type EncodedRecords, RecordViews, encodeRecords, encodedColumn } from './encoded.js';
import { BLOCKING_RULE_COUNT, ENGINE_RULES, type KeyCounts, type PairTask, type PatternCounts, type RuleBlocks, type ScoredPairs, TF_FIELDS, addPatternCounts, toPatternCounts } from './engine.js';
import type { MatchRecord } from './features.js';
import { type MatchModel, type TermFrequencies, type TermShares, PairScorer, encodedTermShares, randomPairs, scoringParams, termSharesOf, trainModel, uFromPatterns } from './model.js';
import { type EngineHandle, localEngine, shareClaims, workerEngine } from './pool.js';
import { trainingSample } from './training.js';
import { COMPARISONS } from './comparisons.js';
import { type WordCounts, countWordsOf } from './word-weights.js';
import { lapTimer } from '../../core/lap-timer.js';
import { KEY_HASH_BYTES, type KeyHashing } from './key-hash.js';

export interface MatchOptions {
  /** Probability at or above which two records are linked. Default 0.9. */
  linkThreshold: number;
  /** Probability at or above which a pair below the link threshold goes to review. Default 0.5. */
  reviewThreshold: number;
  /** Blocks with more records than this are skipped and reported. Default 1000. */
  maxBlockSize: number;
  /** Blocks up to this size compare all their pairs. Default 10. */
  fullBlockSize?: number;
  /** Larger blocks compare each record with this many next records in name order. Default 4. */
  blockWindow?: number;
  /** Sources known to hold each customer at most once: their records never link to each other. */
  uniqueSources?: ReadonlySet<string>;
  /** Filled with milliseconds per phase (blocking, comparing, training, scoring, clustering) when given. */
  timings?: Record<string, number>;
  /**
   * Threads for blocking, comparing and scoring: the calling thread and `threads - 1` worker
   * threads. Default: the machine's cores, 1 below 20,000 records.
   */
  threads?: number;
  /**
   * A stored model to score with instead of training one (an incremental run, a steward's
   * rebuild of a few customers). Default: train on `records`.
   */
  model?: MatchModel;
  /** With `model`: the term frequencies and record count of the base it was trained on. Default: of `records`. */
  termFrequencies?: TermFrequencies;
  recordCount?: number;
  /** With `model`: the base's company-name word counts. Default: of `records`. */
  companyWords?: WordCounts;
  /**
   * Every how-many-th candidate pair is compared in full before training: the prior is estimated
   * from their patterns. Scoring then goes through every candidate pair. Without training (a
   * stored model) no sample is taken. Default: see {@link sampleEvery}.
   */
  candidateSample?: number;
  /** Record index pairs a steward put together / kept apart (see clusterRecords). Default none. */
  mustLink?: readonly (readonly [number, number])[];
  cannotLink?: readonly (readonly [number, number])[];
  /**
   * Hash each record's blocking keys for the match index, as the store hashes them (see
   * {@link MatchResult.indexKeys}): the index is then written from the keys blocking computed,
   * not from keys computed again. Default: not hashed.
   */
  indexKeys?: KeyHashing;
}

/** A record's blocking keys as the match index stores them, from blocking (see {@link MatchOptions.indexKeys}). */
export interface IndexKeys {
  /** Per blocking rule (in DEFAULT_BLOCKING_RULES order), each record's key id (0: no key). */
  keyIds: Int32Array[];
  /** Per blocking rule, key id k's hash at `hashes[r][k * KEY_HASH_BYTES…]`. */
  hashes: Uint8Array[];
  /** The blocks skipped as larger than `maxBlockSize`: their hash (16 hex) and size. */
  oversized: Map<string, number>;
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
  /**
   * Their comparison levels as the engine found them, `pairs[i]`'s at `pairLevels[i * F…]` (F:
   * the number of comparisons): what {@link PairScorer.explainStored} takes instead of comparing
   * the two records again.
   */
  pairLevels: Uint8Array;
  clusterOf: Int32Array;
  linkProbability: Float64Array;
  refusedMerges: number;
  /**
   * How many candidate pairs scored in each twentieth of the probability range (bin i holds
   * [i/20, (i+1)/20)): the quality report's histogram of all pairs, not only those kept.
   */
  probabilityHistogram: number[];
  /** With {@link MatchOptions.indexKeys}: every record's hashed blocking keys. */
  indexKeys?: IndexKeys;
  /** The term frequencies the scorer holds, by dictionary entry: computed here (not given as stored ones). */
  termShares?: TermShares;
}

/** Below this many records matching (and making match records, see runMatchStage) stays in the calling thread: workers would cost more than they save. */
export const MIN_RECORDS_FOR_WORKERS = 20_000;

function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(n, 1) * 4), 0, n);
}

/**
 * Records in name order (family name, given name, birth date, then index): the order inside a
 * large block, so that look-alike names sit side by side. Three stable counting sorts (least
 * significant key first) instead of one comparison sort: linear, and 1M records take ~0.1 s.
 */
function nameOrder(enc: EncodedRecords): Int32Array {
  const rankOf = (dict: readonly string[]): Int32Array => {
    const idx = dict.map((_, i) => i).sort((x, y) => (dict[x]! < dict[y]! ? -1 : dict[x]! > dict[y]! ? 1 : 0));
    const rank = new Int32Array(dict.length);
    idx.forEach((id, r) => (rank[id] = r));
    return rank;
  };
  let order = new Int32Array(enc.n);
  for (let i = 0; i < enc.n; i++) order[i] = i;
  let next = new Int32Array(enc.n);
  for (const field of ['dob', 'given', 'family'] as const) {
    const rank = rankOf(enc.dicts[field]);
    const ids = encodedColumn(enc, field);
    const start = new Int32Array(rank.length + 1);
    for (let i = 0; i < enc.n; i++) start[rank[ids[i]!]! + 1]!++;
    for (let k = 1; k <= rank.length; k++) start[k] = start[k]! + start[k - 1]!;
    for (let x = 0; x < enc.n; x++) {
      const i = order[x]!;
      next[start[rank[ids[i]!]!]!++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * Records grouped by key (counting sort over the records in name order, so every block lists its
 * records in name order), see {@link RuleBlocks}.
 */
function blocksOf(keyIds: Int32Array, keys: number, byName: Int32Array): RuleBlocks {
  const start = sharedInt32(keys + 2);
  for (let i = 0; i < keyIds.length; i++) start[keyIds[i]! + 1]!++;
  // Key 0 (no key) is left out of `order`: its records belong to no block.
  start[1] = 0;
  for (let k = 1; k <= keys + 1; k++) start[k] = start[k]! + start[k - 1]!;
  const order = sharedInt32(start[keys + 1]!);
  const fill = Int32Array.from(start);
  for (let x = 0; x < byName.length; x++) {
    const i = byName[x]!;
    const k = keyIds[i]!;
    if (k !== 0) order[fill[k]!++] = i;
  }
  const position = sharedInt32(keyIds.length).fill(-1);
  for (let x = 0; x < order.length; x++) position[order[x]!] = x;
  return { keyIds, start, order, position };
}

/** Pairs a block of `size` records gives (all, or each record with its `window` next). */
function pairsOfBlock(size: number, fullBlockSize: number, window: number): number {
  if (size <= fullBlockSize) return (size * (size - 1)) / 2;
  return window * size - (window * (window + 1)) / 2;
}

/** Candidate pairs the default sample holds at least (see {@link sampleEvery}). */
const SAMPLE_PAIRS = 500_000;

/**
 * Every how-many-th candidate pair the prior is estimated from: `asked`, else all of them up to
 * twice {@link SAMPLE_PAIRS} of the `candidates` blocking counted (before the pairs an earlier
 * rule gave are left out), else a share holding about that many. The prior is one number: its
 * precision depends on how many pairs the sample holds, not on its share (half a million pairs
 * put it within a few hundredths of a bit). At a million records one in 8 (2.6M pairs compared
 * in full) was a sixth of matching's time, and at 100,000 comparing every pair before scoring
 * them made matching a fifth slower than comparing them once.
 */
export function sampleEvery(candidates: number, asked?: number): number {
  if (asked !== undefined) return Math.max(1, Math.floor(asked));
  return Math.max(1, Math.floor(candidates / SAMPLE_PAIRS));
}

/** Splits pair arrays into `parts` slices. */
function split(a: Int32Array, b: Int32Array, parts: number): { a: Int32Array; b: Int32Array }[] {
  const out: { a: Int32Array; b: Int32Array }[] = [];
  const step = Math.ceil(a.length / parts);
  for (let s = 0; s < a.length; s += step) out.push({ a: a.subarray(s, s + step), b: b.subarray(s, s + step) });
  return out;
}

/**
 * Finds duplicates among `records` (within and across sources): blocking → comparisons →
 * Fellegi–Sunter model trained without labels → decisions → clusters that resist chaining.
 * Blocking, comparing and scoring run on `threads` threads, this one and worker threads
 * (default: the machine's cores) once there are enough records to pay for them; the result
 * does not depend on it.
 */
export async function matchRecords(input: readonly MatchRecord[] | EncodedRecords, opts: MatchOptions): Promise<MatchResult> {
  const enc = Array.isArray(input) ? encodeRecords(input as readonly MatchRecord[]) : (input as EncodedRecords);
  const n = enc.n;
  const unique = opts.uniqueSources ?? new Set<string>();
  const uniqueSource = Uint8Array.from(enc.sources, (s) => (unique.has(s) ? 1 : 0));
  const canLink = unique.size ? (i: number, j: number) => !(enc.source[i] === enc.source[j] && uniqueSource[enc.source[i]!] === 1) : undefined;
  // Records for the few pair weights clustering asks for: the input's, or views over the columns.
  const views = new RecordViews(enc);
  const [va, vb] = [views.view(), views.view()];
  const recordA = Array.isArray(input) ? (i: number): MatchRecord => (input as readonly MatchRecord[])[i]! : (i: number): MatchRecord => va.fill(i);
  const recordB = Array.isArray(input) ? (i: number): MatchRecord => (input as readonly MatchRecord[])[i]! : (i: number): MatchRecord => vb.fill(i);
  const lap = lapTimer(opts.timings);

  const fullBlockSize = opts.fullBlockSize ?? 10;
  const window = opts.blockWindow ?? 4;
  const companyWords = (opts.model && opts.companyWords) || encodedCompanyWords(enc);
  const engineOpts = { maxBlockSize: opts.maxBlockSize, fullBlockSize, window, uniqueSource, compare: { companyWords } };
  const threads = Math.max(1, opts.threads ?? (n >= MIN_RECORDS_FOR_WORKERS ? availableParallelism() : 1));
  // This thread takes a share too, beside threads - 1 workers: it holds the records already, and
  // a worker's copy of the dictionaries (~110 MB at a million records) and its heap would be the
  // comparing phase's peak.
  const engines: EngineHandle[] = [localEngine(enc, engineOpts), ...Array.from({ length: threads - 1 }, () => workerEngine(enc, engineOpts))];
  let closed: Promise<unknown> | undefined;
  const closeEngines = (): Promise<unknown> => (closed ??= Promise.all(engines.map((e) => e.close())));
  lap('encoding');
  try {
    const keyIds = ENGINE_RULES.map(() => sharedInt32(n));
    const keying = keysOnEngines(engines, keyIds, opts.indexKeys);
    // While the threads work: the garbage of encoding (the batches sent to its threads).
    if (engines.length > 1) collectGarbage();
    const { counts: keyCounts, hashes: keyHashes } = await keying;
    const byName = nameOrder(enc);
    let keyRows: Int32Array | null = sharedInt32(n * BLOCKING_RULE_COUNT);
    for (let r = 0; r < BLOCKING_RULE_COUNT; r++) {
      const k = keyIds[r]!;
      for (let i = 0; i < n; i++) keyRows[i * BLOCKING_RULE_COUNT + r] = k[i]!;
    }
    // The blocking rules' blocks now; the training rules' once comparing is done and the
    // blocking rules' are given back (some 27 MB less at the comparing phase's peak, at 1M).
    const blocks = ENGINE_RULES.slice(0, BLOCKING_RULE_COUNT).map((_, r) => blocksOf(keyIds[r]!, keyCounts[r]!, byName));

    // Candidate pairs: blocks cut into slices of similar work, each slice to the least loaded engine.
    const report: BlockingRuleReport[] = [];
    const oversized = new Map<string, number>();
    const slices: (PairTask & { cost: number })[] = [];
    let totalCost = 0;
    for (let r = 0; r < BLOCKING_RULE_COUNT; r++) {
      const rep: BlockingRuleReport = { rule: ENGINE_RULES[r]!.name, blocks: 0, comparisons: 0, oversizedBlocks: 0 };
      const { start } = blocks[r]!;
      for (let k = 1; k <= keyCounts[r]!; k++) {
        const size = start[k + 1]! - start[k]!;
        if (size < 2) continue;
        if (size > opts.maxBlockSize) {
          const h = keyHashes[r];
          if (h) oversized.set(keyHashHex(h, k), size);
          rep.oversizedBlocks++;
          rep.largestOversized = Math.max(rep.largestOversized ?? 0, size);
          continue;
        }
        rep.blocks++;
        rep.comparisons += pairsOfBlock(size, fullBlockSize, window);
      }
      report.push(rep);
      totalCost += rep.comparisons;
    }
    const sliceCost = Math.max(10_000, totalCost / (engines.length * 32));
    for (let r = 0; r < BLOCKING_RULE_COUNT; r++) {
      const { start } = blocks[r]!;
      let from = 1;
      let cost = 0;
      for (let k = 1; k <= keyCounts[r]!; k++) {
        const size = start[k + 1]! - start[k]!;
        if (size >= 2 && size <= opts.maxBlockSize) cost += pairsOfBlock(size, fullBlockSize, window);
        if (cost >= sliceCost || k === keyCounts[r]!) {
          if (cost > 0) slices.push({ rule: r, from, to: k + 1, cost });
          from = k + 1;
          cost = 0;
        }
      }
    }
    lap('blocking');
    // Slices in shares, largest first, each about a 1/(2 × engines) share of the cost left
    // (guided self-scheduling): the last shares are small and the engines end together. (A fixed
    // half each left a core idle for a tenth of the phase: this thread, which also collects its
    // larger heap, ran slower than a worker.) Each engine takes the next share as it finishes
    // one (see claimedShares). The candidate pairs are gone through twice, in the same shares: a
    // sample compared before training, all of them scored after it (see MatchEngine.scoreCandidates).
    const pairShares = guidedShares(slices, totalCost, engines.length);
    const onEveryEngine = <T>(task: (e: EngineHandle, claims: Int32Array) => Promise<T>): Promise<T[]> => {
      const claims = shareClaims();
      return Promise.all(engines.map((e) => task(e, claims)));
    };
    const candidates = new Map<number, number>();
    // A stored model needs no sample of the candidates: they are only scored.
    if (!opts.model) {
      const every = sampleEvery(totalCost, opts.candidateSample);
      const comparing = onEveryEngine(async (e, claims) => addPatternCounts(candidates, await e.candidatePairs(pairShares, claims, blocks, keyRows!, every)));
      // Before this thread's share starts (at its first turn): the garbage of blocking (its
      // orders and slices; ~100 MB at a million records) would stay in its heap throughout.
      if (engines.length > 1) collectGarbage();
      await comparing;
    }
    for (let r = BLOCKING_RULE_COUNT; r < ENGINE_RULES.length; r++) blocks[r] = blocksOf(keyIds[r]!, keyCounts[r]!, byName);
    lap('comparing');

    // Training: u from random pairs, m by EM on samples of the strict training rules (unless a stored model is given).
    const train = async (): Promise<MatchModel> => {
      const allowed = canLink ?? (() => true);
      const comparePatterns = async (a: Int32Array, b: Int32Array): Promise<PatternCounts> => {
        const merged = new Map<number, number>();
        const parts = split(a, b, engines.length);
        const results = await Promise.all(parts.map((p, x) => engines[x]!.comparePairs(p.a, p.b)));
        for (const r of results) addPatternCounts(merged, r);
        return toPatternCounts(merged);
      };
      const random = randomPairs(n);
      const u = uFromPatterns(await comparePatterns(random.a, random.b));
      const samples: { fields: readonly string[]; patterns: PatternCounts }[] = [];
      for (let r = BLOCKING_RULE_COUNT; r < ENGINE_RULES.length; r++) {
        const sample = trainingSample(blocks[r]!, keyCounts[r]!, allowed);
        samples.push({ fields: ENGINE_RULES[r]!.fields, patterns: await comparePatterns(sample.a, sample.b) });
      }
      return trainModel(samples, { keys: [...candidates.keys()], counts: [...candidates.values()] }, u, { randomPairs: random.a.length, records: n });
    };
    const model = opts.model ?? (await train());
    // The training rules' blocks and keys, before scoring.
    const none = new Int32Array(0);
    blocks.length = BLOCKING_RULE_COUNT;
    keyIds.length = BLOCKING_RULE_COUNT;
    const stored = opts.model && opts.termFrequencies;
    const shares = stored ? storedTermShares(enc, stored) : encodedTermShares(enc);
    const recordCount = opts.recordCount ?? n;
    lap('training');

    // Scoring: every candidate pair; pairs worth a look come back.
    const minWeight = Math.log2(opts.reviewThreshold / (1 - opts.reviewThreshold)) - 1e-9;
    const params = scoringParams(model, recordCount, shares, minWeight);
    const scored: ScoredPairs[] = [];
    let pairCount = 0;
    await onEveryEngine(async (e, claims) => {
      for (const r of await e.scoreCandidates(pairShares, claims, blocks, keyRows!, params)) {
        scored.push(r);
        pairCount += r.pairs;
      }
    });
    // The blocks and keys are done with (the index keeps its keys and hashes): given back to the
    // system once every thread lets go of them (some 250 MB of shared memory at a million records).
    keyRows = null;
    const indexKeys: IndexKeys | undefined = opts.indexKeys ? { keyIds: keyIds.slice(0, BLOCKING_RULE_COUNT), hashes: keyHashes.slice(0, BLOCKING_RULE_COUNT) as Uint8Array[], oversized } : undefined;
    for (let r = 0; r < BLOCKING_RULE_COUNT; r++) {
      blocks[r] = { keyIds: none, start: none, order: none, position: none };
      keyIds[r] = none;
    }
    // The engines are done: their threads (each with a copy of the dictionaries) are given back.
    await Promise.all(engines.map((e) => e.comparedAll()));
    await closeEngines();
    if (engines.length > 1) collectGarbage();
    const termShares = stored ? undefined : termSharesOf(enc, shares);
    // By dictionary entry: the pairs are explained and clustered through views of these records.
    const scorer = new PairScorer(model, termShares ?? stored!, recordCount, { companyWords });
    const found: { a: number; b: number; w: number; e: number; p: number }[] = [];
    scored.forEach((s, e) => {
      for (let p = 0; p < s.a.length; p++) found.push({ a: s.a[p]!, b: s.b[p]!, w: s.weight[p]!, e, p });
    });
    const probabilityHistogram = new Array<number>(20).fill(0);
    for (const s of scored) s.histogram.forEach((c, i) => (probabilityHistogram[i]! += c));
    found.sort((x, y) => x.a - y.a || x.b - y.b);
    const pairs: ScoredPair[] = [];
    const F = COMPARISONS.length;
    const pairLevels = new Uint8Array(found.length * F);
    const edges: Edge[] = [];
    for (const { a, b, w, e, p } of found) {
      const probability = 1 / (1 + Math.pow(2, -w));
      if (probability < opts.reviewThreshold) continue;
      const decision = probability >= opts.linkThreshold ? 'link' : 'review';
      pairLevels.set(scored[e]!.levels.subarray(p * F, p * F + F), pairs.length * F);
      pairs.push({ a, b, probability, decision });
      if (decision === 'link') edges.push({ a, b, probability, weight: w });
    }
    lap('scoring');
    const clustering = clusterRecords(edges, {
      n,
      // Groups join while their members' cross pairs average at least 1:16 odds (log space): a
      // corrupted member still joins its duplicates, a weakly linked stranger does not.
      minAverageWeight: -4,
      weight: (i, j) => scorer.weight(recordA(i), recordB(j)),
      probability: (i, j) => scorer.probability(recordA(i), recordB(j)),
      ...(canLink ? { canLink } : {}),
      ...(opts.mustLink ? { mustLink: opts.mustLink } : {}),
      ...(opts.cannotLink ? { cannotLink: opts.cannotLink } : {}),
    });
    lap('clustering');
    return {
      model,
      scorer,
      blocking: report,
      candidatePairs: pairCount,
      pairs,
      pairLevels: pairLevels.slice(0, pairs.length * F),
      clusterOf: clustering.clusterOf,
      linkProbability: clustering.linkProbability,
      refusedMerges: clustering.refusedMerges,
      probabilityHistogram,
      ...(indexKeys ? { indexKeys } : {}),
      ...(termShares ? { termShares } : {}),
    };
  } finally {
    await closeEngines();
  }
}

/**
 * The keys of rules 0 … keyIds.length - 1 into `keyIds` (see MatchEngine.computeKeys), each rule
 * interned by one engine, the rules spread over the engines: per rule, its number of keys and,
 * with `hashing`, its keys' hashes.
 */
function keysOnEngines(engines: readonly EngineHandle[], keyIds: readonly Int32Array[], hashing: KeyHashing | undefined): Promise<KeyCounts> {
  const out: KeyCounts = { counts: keyIds.map(() => 0), hashes: keyIds.map(() => null) };
  return Promise.all(
    engines.map(async (e, x) => {
      const rules = keyIds.map((_, r) => r).filter((r) => r % engines.length === x);
      const got = await e.computeKeys(rules, keyIds, hashing);
      rules.forEach((r, y) => {
        out.counts[r] = got.counts[y]!;
        out.hashes[r] = got.hashes[y]!;
      });
    }),
  ).then(() => out);
}

/** Key id `k`'s hash in a rule's `hashes`, as 16 hex digits (as the match index stores it). */
function keyHashHex(hashes: Uint8Array, k: number): string {
  return Buffer.from(hashes.buffer, hashes.byteOffset + k * KEY_HASH_BYTES, KEY_HASH_BYTES).toString('hex');
}

/**
 * Every record's hashed blocking keys, and the blocks larger than `maxBlockSize`, as matching
 * computes them ({@link MatchResult.indexKeys}) but without matching: for writing the match index
 * in a process that did not match (the queue runner's load job; see indexInputs in
 * load-master.ts). Each rule's keys on one engine, the rules spread over this thread and, from
 * {@link MIN_RECORDS_FOR_WORKERS} records, worker threads: the same keys either way.
 */
export async function blockingIndexKeys(enc: EncodedRecords, opts: { maxBlockSize: number; hashing: KeyHashing; companyWords: WordCounts; threads?: number }): Promise<IndexKeys> {
  const n = enc.n;
  const threads = Math.max(1, opts.threads ?? (n >= MIN_RECORDS_FOR_WORKERS ? availableParallelism() : 1));
  // Only keys are asked for: the options that shape pairs and weights are not read.
  const engineOpts = { maxBlockSize: opts.maxBlockSize, fullBlockSize: 0, window: 0, uniqueSource: new Uint8Array(enc.sources.length), compare: { companyWords: opts.companyWords } };
  const engines: EngineHandle[] = [localEngine(enc, engineOpts), ...Array.from({ length: Math.min(threads, BLOCKING_RULE_COUNT) - 1 }, () => workerEngine(enc, engineOpts))];
  try {
    const keyIds = Array.from({ length: BLOCKING_RULE_COUNT }, () => sharedInt32(n));
    const { counts, hashes } = await keysOnEngines(engines, keyIds, opts.hashing);
    // A block is the records sharing a key id; the oversized are those matching skips.
    const oversized = new Map<string, number>();
    for (let r = 0; r < BLOCKING_RULE_COUNT; r++) {
      const sizes = new Int32Array(counts[r]! + 1);
      const ids = keyIds[r]!;
      for (let i = 0; i < n; i++) sizes[ids[i]!]!++;
      for (let k = 1; k <= counts[r]!; k++) if (sizes[k]! > opts.maxBlockSize) oversized.set(keyHashHex(hashes[r]!, k), sizes[k]!);
    }
    return { keyIds, hashes: hashes as Uint8Array[], oversized };
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
}

/**
 * Company-name word counts of the encoded records: {@link countWords} of every record's company
 * key, worked out once per distinct name and weighed by the records holding it, instead of
 * splitting a million names. Dictionary entries are in order of first record, so the counts
 * come in the same order as record by record.
 */
export function encodedCompanyWords(enc: EncodedRecords): WordCounts {
  const dict = enc.dicts.company;
  const ids = encodedColumn(enc, 'company');
  const uses = new Int32Array(dict.length);
  for (let i = 0; i < enc.n; i++) uses[ids[i]!]!++;
  return countWordsOf(dict, (id) => uses[id]!);
}

/** Stored term frequencies (of the base a model was trained on) by dictionary index, for these records' values. */
function storedTermShares(enc: EncodedRecords, stored: TermFrequencies): (Float64Array | null)[] {
  return TF_FIELDS.map((field, f) => {
    const map = stored[f];
    if (!field || !map) return null;
    const dict = enc.dicts[field];
    const out = new Float64Array(new SharedArrayBuffer(Math.max(dict.length, 1) * 8), 0, dict.length);
    // A value the stored frequencies lack was held once at most by the base (share 0), as
    // PairScorer takes it: the match index stores only the values held twice or more.
    for (let id = 1; id < dict.length; id++) out[id] = map.get(dict[id]!) ?? 0;
    return out;
  });
}

/**
 * The slices in shares for `engines` engines: largest first, each share about a 1/(2 × engines)
 * part of the cost not yet in a share (guided self-scheduling), at least one slice.
 */
export function guidedShares(slices: readonly (PairTask & { cost: number })[], totalCost: number, engines: number): PairTask[][] {
  const queue = [...slices].sort((x, y) => y.cost - x.cost);
  const shares: PairTask[][] = [];
  let left = totalCost;
  for (let q = 0; q < queue.length; ) {
    const share: PairTask[] = [];
    const want = left / (2 * engines);
    let cost = 0;
    while (q < queue.length && (share.length === 0 || cost < want)) {
      const sl = queue[q++]!;
      share.push({ rule: sl.rule, from: sl.from, to: sl.to });
      cost += sl.cost;
    }
    left -= cost;
    shares.push(share);
  }
  return shares;
}
