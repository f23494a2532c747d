import { COMPARISONS, type CompareContext, MISSING, compareRecords, namesSwapped } from './comparisons.js';
import type { MatchRecord } from './features.js';
import { type PatternCounts, type ScoringParams, patternLevels } from './engine.js';
import { type EncodedField, type EncodedRecords, RecordView, encodedColumn } from './encoded.js';

/** Trained Fellegi–Sunter parameters: per comparison, m and u per level, and the prior. */
export interface MatchModel {
  /**
   * Probability that two records drawn at random are the same customer: the expected number of
   * matching pairs (EM over the candidates) over all pairs. The prior of every pair's score, as
   * in Splink: a pair must bring enough evidence to beat the odds of a coincidence among all the
   * records, not merely among the candidates.
   */
  lambda: number;
  comparisons: { name: string; levels: readonly string[]; m: number[]; u: number[] }[];
  iterations: number;
  randomPairs: number;
  candidatePairs: number;
}

/** Term frequencies of the values of each comparison's `tf` field. */
export type TermFrequencies = (Map<string, number> | null)[];

/**
 * The same term frequencies by dictionary entry: per comparison with term frequencies, its
 * field's distinct values and each one's share (`shares[f][id]` for `values[f][id]`; entry 0 is
 * no value). What a full match computes them as, and writes to the match index from: a million
 * records' values as maps were some 3M entries and as many boxed numbers on the heap that the
 * load stage (which only reads them once) carried through.
 */
export interface TermShares {
  values: readonly (readonly string[] | null)[];
  shares: readonly (Float64Array | null)[];
}

const F = COMPARISONS.length;

/** Deterministic PRNG (mulberry32): a re-run on the same input trains the same model. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How often a value held by `count` of `total` records turns up among the others: (count − 1) /
 * total. A pair agreeing on it holds one of the copies; counting it would make every value a
 * duplicate pair shares look common in a small source (two of four records: a half), and an
 * obvious duplicate would lose the evidence of its own e-mail address.
 */
function termShare(count: number, total: number): number {
  return (count - 1) / total;
}

/**
 * Term frequencies by value of `records`: per comparison with term frequencies, the share of each
 * value two records or more hold (see {@link termShare}). A value held once has share 0, which is
 * what scoring takes for a value without an entry (PairScorer, storedTermShares), so it has none:
 * the same entries as {@link termFrequenciesByValue} and the match index's rows.
 */
export function computeTermFrequencies(records: readonly MatchRecord[]): TermFrequencies {
  return COMPARISONS.map((c) => {
    const field = c.tf;
    if (!field) return null;
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of records) {
      const v = r[field];
      if (!v) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      total++;
    }
    const shares = new Map<string, number>();
    for (const [k, v] of counts) if (v > 1) shares.set(k, termShare(v, total));
    return shares;
  });
}

/**
 * Term frequencies from columns, by dictionary index (the engine's form): per comparison with
 * term frequencies, each dictionary entry's share; else null. Same definition as
 * {@link computeTermFrequencies}.
 */
export function encodedTermShares(enc: EncodedRecords): (Float64Array | null)[] {
  return COMPARISONS.map((c) => {
    const field = c.tf;
    if (!field) return null;
    const dict = enc.dicts[field];
    const ids = encodedColumn(enc, field);
    const counts = new Float64Array(dict.length);
    let total = 0;
    for (let i = 0; i < enc.n; i++) {
      const id = ids[i]!;
      if (id !== 0) {
        counts[id]!++;
        total++;
      }
    }
    const shares = new Float64Array(new SharedArrayBuffer(Math.max(dict.length, 1) * 8), 0, dict.length);
    for (let id = 1; id < dict.length; id++) if (counts[id]) shares[id] = termShare(counts[id]!, total);
    return shares;
  });
}

/** The encoded records' term frequencies by dictionary entry: their dictionaries beside `shares` (by default {@link encodedTermShares}). */
export function termSharesOf(enc: EncodedRecords, shares: readonly (Float64Array | null)[] = encodedTermShares(enc)): TermShares {
  return { values: COMPARISONS.map((c) => (c.tf ? enc.dicts[c.tf] : null)), shares };
}

/**
 * Comparison `f`'s values two records or more hold, with their shares, in entry order (none for a
 * comparison without term frequencies). Every entry is some record's value; one held once has
 * share 0, which is what scoring takes for a value the by-value forms lack: it is left out.
 */
export function* termShareEntries(tf: TermShares, f: number): Generator<[string, number]> {
  const values = tf.values[f];
  const shares = tf.shares[f];
  if (!values || !shares) return;
  for (let id = 1; id < values.length; id++) if (shares[id] !== 0) yield [values[id]!, shares[id]!];
}

/**
 * The same term frequencies by value ({@link PairScorer}'s form): the values two records or more
 * hold ({@link termShareEntries}). At a million records these maps hold 0.52M values (1.99M with
 * the values held once). A full match's {@link PairScorer} is made from the shares themselves and
 * builds these only for records that are not views of the matched ones.
 */
export function termFrequenciesByValue(tf: TermShares): TermFrequencies {
  return tf.shares.map((byId, f) => (byId ? new Map(termShareEntries(tf, f)) : null));
}

/**
 * Pairs drawn at random (with a fixed seed), from which u-probabilities are estimated: two
 * records drawn at random are almost never the same customer. Small inputs use every pair.
 */
export function randomPairs(n: number, samplePairs = 100_000): { a: Int32Array; b: Int32Array } {
  const total = (n * (n - 1)) / 2;
  const rand = prng(0x5eed);
  // Up to a few hundred thousand pairs, all of them: exact, and cheap next to matching itself.
  if (total <= Math.max(samplePairs, EXHAUSTIVE_PAIRS)) {
    const a = new Int32Array(total);
    const b = new Int32Array(total);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        a[p] = i;
        b[p++] = j;
      }
    }
    return { a, b };
  }
  const a = new Int32Array(samplePairs);
  const b = new Int32Array(samplePairs);
  for (let s = 0; s < samplePairs; s++) {
    const i = Math.floor(rand() * n);
    let j = Math.floor(rand() * (n - 1));
    if (j >= i) j++;
    a[s] = i;
    b[s] = j;
  }
  return { a, b };
}

/** u-probabilities from the comparison patterns of random pairs (see {@link randomPairs}). */
export function uFromPatterns(pc: PatternCounts): number[][] {
  const counts = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
  const rows = patternRows(pc);
  for (let r = 0; r < rows.count; r++) {
    for (let f = 0; f < F; f++) {
      const l = rows.levels[r * F + f]!;
      if (l !== MISSING) counts[f]![l]! += rows.weights[r]!;
    }
  }
  return counts.map((c) => {
    const sum = c.reduce((x, y) => x + y, 0);
    // A prior worth U_PRIOR_PAIRS random pairs, in which any level but "different" is rare,
    // keeps a level never seen at random (an exact national id) finite and lets a source of a
    // handful of records still tell an obvious duplicate; thousands of sampled pairs outweigh it.
    const u0 = U_PRIOR_AGREE;
    return c.map((k, l) => (k + U_PRIOR_PAIRS * (l === c.length - 1 ? 1 - u0 * (c.length - 1) : u0)) / (sum + U_PRIOR_PAIRS));
  });
}

/** Inputs with at most this many pairs estimate u from every pair instead of a sample. */
const EXHAUSTIVE_PAIRS = 500_000;

/** Weight, in random pairs, of the prior on u (see uFromPatterns), and its share for each agreeing level. */
const U_PRIOR_PAIRS = 50;
const U_PRIOR_AGREE = 0.01;

/** Weight, in expected matches, of the prior shape of m (see runEm). */
const M_PRIOR_STRENGTH = 4;

function initialM(levels: number): number[] {
  // Matches mostly agree: geometric fall-off from the best level.
  const raw = Array.from({ length: levels }, (_, l) => Math.pow(0.2, l));
  raw[levels - 1] = Math.max(raw[levels - 1]!, 0.02);
  const s = raw.reduce((x, y) => x + y, 0);
  return raw.map((x) => x / s);
}

interface EmResult {
  lambda: number;
  iterations: number;
  /** Per comparison, the expected number of matches that had a value for it. */
  evidence: Float64Array;
}

/**
 * Expectation–maximisation over pairs' levels with u held fixed (as Splink does). Only the
 * `active` comparisons enter the likelihood; `m` is updated in place unless `estimateM` is false
 * (then only the prior is estimated).
 */
function runEm(
  levels: Uint8Array,
  pairCount: number,
  m: number[][],
  u: number[][],
  opts: { active: readonly boolean[]; estimateM: boolean; maxIterations: number; totalPairs?: number; weights?: Float64Array },
): EmResult {
  // With weights, pair p stands for weights[p] pairs with the same levels (a pattern count).
  const weights = opts.weights;
  let pairTotal = pairCount;
  if (weights) {
    pairTotal = 0;
    for (let p = 0; p < pairCount; p++) pairTotal += weights[p]!;
  }
  // With totalPairs the prior is over all pairs (see MatchModel.lambda), else over these pairs.
  const denominator = opts.totalPairs ?? pairTotal;
  let lambda = Math.min(0.1, (0.1 * pairTotal) / Math.max(denominator, 1));
  let it = 0;
  const post = new Float64Array(pairCount);
  const evidence = new Float64Array(F);
  const logU = u.map((us) => us.map((x) => Math.log(x)));
  const priorM = COMPARISONS.map((c) => initialM(c.levels.length));
  for (; it < opts.maxIterations; it++) {
    const logM = m.map((ms) => ms.map((x) => Math.log(Math.max(x, 1e-9))));
    const prior = Math.log(lambda / (1 - lambda));
    let sumPost = 0;
    for (let p = 0; p < pairCount; p++) {
      let s = prior;
      const o = p * F;
      for (let f = 0; f < F; f++) {
        if (!opts.active[f]) continue;
        const l = levels[o + f]!;
        if (l !== MISSING) s += logM[f]![l]! - logU[f]![l]!;
      }
      const q = 1 / (1 + Math.exp(-s));
      post[p] = q;
      sumPost += weights ? q * weights[p]! : q;
    }
    let delta = 0;
    if (opts.estimateM) {
      const acc = COMPARISONS.map((c) => new Float64Array(c.levels.length));
      for (let p = 0; p < pairCount; p++) {
        const q = weights ? post[p]! * weights[p]! : post[p]!;
        const o = p * F;
        for (let f = 0; f < F; f++) {
          const l = levels[o + f]!;
          if (l !== MISSING && opts.active[f]) acc[f]![l]! += q;
        }
      }
      for (let f = 0; f < F; f++) {
        if (!opts.active[f]) continue;
        const a = acc[f]!;
        const total = a.reduce((x, y) => x + y, 0);
        evidence[f] = total;
        if (total <= 0) continue;
        const prior = priorM[f]!;
        for (let l = 0; l < a.length; l++) {
          // A Dirichlet prior worth M_PRIOR_STRENGTH matches keeps a level that a small sample
          // never showed among its duplicates (a typo in a phone) from weighing minus infinity.
          const nm = Math.min(Math.max((a[l]! + M_PRIOR_STRENGTH * prior[l]!) / (total + M_PRIOR_STRENGTH), 1e-6), 1);
          delta = Math.max(delta, Math.abs(nm - m[f]![l]!));
          m[f]![l] = nm;
        }
      }
    }
    const newLambda = Math.min(Math.max(sumPost / Math.max(denominator, 1), 1e-12), 1 - 1e-6);
    delta = Math.max(delta, Math.abs(newLambda - lambda));
    lambda = newLambda;
    if (delta < 1e-5 * Math.min(1, lambda * 1e3)) {
      it++;
      break;
    }
  }
  return { lambda, iterations: it, evidence };
}

/** Patterns as levels (one row of F bytes each) and their counts, for EM. */
export function patternRows(pc: PatternCounts): { levels: Uint8Array; weights: Float64Array; count: number } {
  const count = pc.keys.length;
  const levels = new Uint8Array(count * F);
  // Sorted keys: the same patterns give the same sums in the same order, whatever thread found them.
  const order = pc.keys.map((_, i) => i).sort((x, y) => pc.keys[x]! - pc.keys[y]!);
  const weights = new Float64Array(count);
  order.forEach((i, row) => {
    patternLevels(pc.keys[i]!, levels, row * F);
    weights[row] = pc.counts[i]!;
  });
  return { levels, weights, count };
}

/**
 * Trains m-probabilities without labels, one blocking rule at a time (as Splink does): pairs of
 * a rule all agree on what the rule blocked on, so those comparisons are left out of that rule's
 * likelihood, and each comparison's m is the average over the rules that did not fix it,
 * weighted by the matches each rule saw. Training on the union of all candidates instead lets
 * EM mistake "shares a first name" for "is the same person". The prior is then estimated over
 * all candidate pairs with m and u fixed.
 */
export function trainModel(
  samples: readonly { fields: readonly string[]; patterns: PatternCounts }[],
  candidates: PatternCounts,
  u: number[][],
  opts: { maxIterations?: number; randomPairs?: number; records: number },
): MatchModel {
  const maxIterations = opts.maxIterations ?? 25;
  const mSum = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
  const wSum = new Float64Array(F);
  let iterations = 0;
  for (const sample of samples) {
    const rows = patternRows(sample.patterns);
    const pairs = rows.weights.reduce((x, y) => x + y, 0);
    if (pairs < 20) continue;
    const active = COMPARISONS.map((c) => !sample.fields.includes(c.name));
    const m = COMPARISONS.map((c) => initialM(c.levels.length));
    const r = runEm(rows.levels, rows.count, m, u, { active, estimateM: true, maxIterations, weights: rows.weights });
    iterations += r.iterations;
    for (let f = 0; f < F; f++) {
      // Each rule's estimate counts alike once it saw a few matches: weighting by how many it
      // saw would let one rule full of look-alikes outvote the others.
      const w = r.evidence[f]! >= 3 ? 1 : 0;
      if (!active[f] || !w) continue;
      for (let l = 0; l < m[f]!.length; l++) mSum[f]![l]! += m[f]![l]! * w;
      wSum[f] = wSum[f]! + w;
    }
  }
  const m = COMPARISONS.map((c, f) => (wSum[f]! > 0 ? mSum[f]!.map((x) => x / wSum[f]!) : initialM(c.levels.length)));
  const all = COMPARISONS.map(() => true);
  const n = opts.records;
  const cand = patternRows(candidates);
  const candidateCount = cand.weights.reduce((x, y) => x + y, 0);
  const { lambda } = runEm(cand.levels, cand.count, m, u, { active: all, estimateM: false, maxIterations: 50, totalPairs: (n * (n - 1)) / 2, weights: cand.weights });
  return {
    lambda,
    comparisons: COMPARISONS.map((c, f) => ({ name: c.name, levels: c.levels, m: m[f]!, u: u[f]! })),
    iterations,
    randomPairs: opts.randomPairs ?? 0,
    candidatePairs: candidateCount,
  };
}

/**
 * Comparisons that describe one fact, whose agreements must not be counted as independent
 * evidence (only the strongest positive weight of the group counts; disagreements all count):
 * - between any two records, city, postcode and region: where the postcode agrees, the city and
 *   region agree with it;
 * - between two people, the address too: counting it apart would credit a household (spouses,
 *   twins, parent and child) with four agreements instead of one. Between organisations a shared
 *   street address is the very evidence of one organisation (their names vary far more), so it
 *   counts on its own;
 * - between two people with the same family name whose given names differ outright, everything a
 *   household shares: the family name, the address, phone and e-mail. Two such records agreeing
 *   on all of them are far more often two members of one household than one person under two
 *   first names;
 * - between two organisations whose names differ outright, everything a building shares: the
 *   address, phone (a hotel's switchboard) and e-mail. Two restaurants of one hotel are two
 *   customers.
 */
const PLACE = COMPARISONS.map((c) => ['city', 'postal_code', 'region'].includes(c.name));
const LOCATION = COMPARISONS.map((c) => ['address', 'city', 'postal_code', 'region'].includes(c.name));
const HOUSEHOLD = COMPARISONS.map((c) => ['family_name', 'address', 'city', 'postal_code', 'region', 'phone', 'email'].includes(c.name));
const GIVEN = COMPARISONS.findIndex((c) => c.name === 'given_name');
const GIVEN_DIFFERENT = COMPARISONS[GIVEN]!.levels.length - 1;
const FAMILY = COMPARISONS.findIndex((c) => c.name === 'family_name');
const SITE = COMPARISONS.map((c) => ['address', 'city', 'postal_code', 'region', 'phone', 'email'].includes(c.name));
const COMPANY = COMPARISONS.findIndex((c) => c.name === 'company_name');
const COMPANY_DIFFERENT = COMPARISONS[COMPANY]!.levels.length - 1;

/** Whether a record names a person (a given or family name), as opposed to an organisation. */
export function isPerson(r: Pick<MatchRecord, 'given' | 'family'>): boolean {
  return Boolean(r.given || r.family);
}

/** A level not computed yet (see {@link possibleGroups}). */
export const NOT_COMPUTED = 254;
const ONLY_LOCATION = [LOCATION];
const ONLY_HOUSEHOLD = [HOUSEHOLD];
const HOUSEHOLD_OR_LOCATION = [HOUSEHOLD, LOCATION];
const ONLY_SITE = [SITE];
const ONLY_PLACE = [PLACE];
const SITE_OR_PLACE = [SITE, PLACE];

/**
 * The dependent groups a pair may fall in (see {@link dependentGroup}) while some of its levels
 * are {@link NOT_COMPUTED}: one once the levels that decide it are known. Two different values
 * are never level 0, so a family name not computed yet is not the same family name.
 */
export function possibleGroups(levels: Uint8Array, bothPeople: boolean): readonly (readonly boolean[])[] {
  if (!bothPeople) {
    const c = levels[COMPANY]!;
    return c === NOT_COMPUTED ? SITE_OR_PLACE : c === COMPANY_DIFFERENT ? ONLY_SITE : ONLY_PLACE;
  }
  if (levels[FAMILY] !== 0) return ONLY_LOCATION;
  const g = levels[GIVEN]!;
  return g === NOT_COMPUTED ? HOUSEHOLD_OR_LOCATION : g === GIVEN_DIFFERENT ? ONLY_HOUSEHOLD : ONLY_LOCATION;
}

/** The group of comparisons that count as one fact for a pair (see {@link PLACE}). */
export function dependentGroup(levels: Uint8Array, offset: number, bothPeople: boolean): readonly boolean[] {
  if (!bothPeople) return levels[offset + COMPANY] === COMPANY_DIFFERENT ? SITE : PLACE;
  return levels[offset + GIVEN] === GIVEN_DIFFERENT && levels[offset + FAMILY] === 0 ? HOUSEHOLD : LOCATION;
}

/**
 * A pair's match weight from its fields' weights (`NaN`: missing): the prior, plus every weight
 * outside the pair's dependent group, plus the group's disagreements and its strongest agreement.
 */
export function sumWeights(prior: number, weights: Float64Array, group: readonly boolean[]): number {
  let s = prior;
  let best = 0;
  for (let f = 0; f < weights.length; f++) {
    const w = weights[f]!;
    if (Number.isNaN(w)) continue;
    if (group[f] && w > 0) {
      if (w > best) best = w;
    } else s += w;
  }
  return s + best;
}

export interface FieldEvidence {
  field: string;
  level: string;
  /** log2 Bayes factor: positive for evidence of a match, negative against, 0 when missing. */
  weight: number;
  termFrequencyAdjusted?: boolean;
  /** The field agreed, but its weight is counted with this one (they describe one fact). */
  countedWith?: string;
}

export interface PairScore {
  probability: number;
  /** Prior plus the fields' weights, in bits. */
  matchWeight: number;
  fields: FieldEvidence[];
}

/** A model's weights: log2(m/u) per comparison and level at `f * 8 + level`, m of each exact level, the prior in bits. */
function modelWeights(model: MatchModel): { weights: Float64Array; mExact: Float64Array; prior: number } {
  const weights = new Float64Array(F * 8);
  const mExact = new Float64Array(F);
  model.comparisons.forEach((c, f) => {
    c.m.forEach((m, l) => (weights[f * 8 + l] = Math.log2(m / c.u[l]!)));
    mExact[f] = c.m[0]!;
  });
  return { weights, mExact, prior: Math.log2(model.lambda / (1 - model.lambda)) };
}

/**
 * What the engine needs to score pairs with `model` exactly as {@link PairScorer} does, without
 * the term frequencies by value a scorer holds (`tf`: by dictionary index, see {@link encodedTermShares}).
 */
export function scoringParams(model: MatchModel, recordCount: number, tf: (Float64Array | null)[], minWeight: number): ScoringParams {
  const w = modelWeights(model);
  const uFloor = 1 / Math.max(recordCount, 2);
  return { ...w, uFloor, tf: exactWeights(tf, w.mExact, uFloor), minWeight };
}

/**
 * Per comparison with term frequencies, the weight of its exact level for each dictionary entry,
 * from the entries' shares: log2(m / max(share, uFloor)). Computed once per dictionary entry instead of once per agreeing pair (some 80M
 * logarithms at a million records); in shared memory, so that a matching thread is not sent a
 * copy with every range of pairs it scores.
 */
function exactWeights(tf: readonly (Float64Array | null)[], mExact: Float64Array, uFloor: number): (Float64Array | null)[] {
  return tf.map((shares, f) => {
    if (!shares) return null;
    const out = new Float64Array(new SharedArrayBuffer(shares.length * 8));
    const m = mExact[f]!;
    for (let id = 0; id < shares.length; id++) {
      out[id] = Math.log2(m / Math.max(shares[id]!, uFloor));
    }
    return out;
  });
}

/**
 * A pair's explanation as stored beside it (`match_pairs.explanation`): `[1, matchWeight,
 * namesSwapped (0 or 1), fields]`, a field per comparison in {@link COMPARISONS} order: `[-1]`
 * missing, `[level, weight]`, `[level, weight, 1]` adjusted by term frequency, `[level, 0, tf,
 * c]` counted with comparison `c`. Numbers only: the named form ({@link expandExplanation})
 * was ~840 bytes a pair (383 MB for the 457k pairs of a million records; this form: 52 MB), and
 * storing it was most of the time the match stage spent after matching.
 */
export type StoredExplanation = [version: 1, matchWeight: number, namesSwapped: 0 | 1, fields: number[][]];

/**
 * The named form of a stored explanation: each field's comparison, level and weight. Explanations
 * stored in the named form (before the compact one) come back as they are; anything else is null.
 */
export function expandExplanation(stored: unknown): { matchWeight: number; fields: FieldEvidence[]; namesSwapped: boolean } | null {
  if (stored && typeof stored === 'object' && !Array.isArray(stored) && Array.isArray((stored as { fields?: unknown }).fields)) {
    return stored as { matchWeight: number; fields: FieldEvidence[]; namesSwapped: boolean };
  }
  if (!Array.isArray(stored) || stored[0] !== 1 || !Array.isArray(stored[3])) return null;
  const fields = (stored[3] as number[][]).map((x, f): FieldEvidence => {
    const c = COMPARISONS[f]!;
    const [level, weight, tf, countedWith] = x;
    if (level === undefined || level < 0) return { field: c.name, level: 'missing', weight: 0 };
    return {
      field: c.name,
      level: c.levels[level] ?? String(level),
      weight: weight ?? 0,
      ...(tf === 1 ? { termFrequencyAdjusted: true } : {}),
      ...(countedWith !== undefined ? { countedWith: COMPARISONS[countedWith]?.name ?? String(countedWith) } : {}),
    };
  });
  return { matchWeight: Number(stored[1]), fields, namesSwapped: stored[2] === 1 };
}

/** A trained model ready to score pairs, with term-frequency adjustment on exact levels. */
export class PairScorer {
  private readonly weights: Float64Array;
  private readonly mExact: Float64Array;
  private readonly uFloor: number;
  private readonly prior: number;
  private readonly levels = new Uint8Array(F);
  private readonly fieldWeights = new Float64Array(F);
  /** By value: as given, or made from {@link shares} when first asked for. */
  private tf: TermFrequencies | null;
  /**
   * By dictionary entry, when made from the matched records' shares (a full match): a record read
   * through a view of those records ({@link RecordView}) finds its value's share by its id.
   */
  private shares: TermShares | null;
  private released = false;

  constructor(
    readonly model: MatchModel,
    /** By value, or the matched records' shares by dictionary entry (see {@link termSharesOf}). */
    tf: TermFrequencies | TermShares,
    recordCount: number,
    /** What comparisons weigh values by over the whole base (company-name word counts); default none. */
    private readonly ctx: CompareContext = {},
  ) {
    const byEntry = 'shares' in tf;
    this.tf = byEntry ? null : tf;
    this.shares = byEntry ? tf : null;
    ({ weights: this.weights, mExact: this.mExact, prior: this.prior } = modelWeights(model));
    this.uFloor = 1 / Math.max(recordCount, 2);
  }

  /** The term frequencies it scores with, by value (for a full match: {@link computeTermFrequencies} of its records). */
  get termFrequencies(): TermFrequencies {
    return this.heldTf();
  }

  /**
   * Gives back its term frequencies (a full match's scorer, once the pairs are explained); it
   * cannot score after.
   */
  releaseTermFrequencies(): void {
    this.tf = null;
    this.shares = null;
    this.released = true;
  }

  private heldTf(): TermFrequencies {
    if (this.released) throw new Error('PairScorer: its term frequencies were released');
    // Maps of the values two records or more hold: some 0.5M at a million records, made only for
    // records that are not views of the matched ones.
    return (this.tf ??= termFrequenciesByValue(this.shares!));
  }

  /**
   * The share of records holding `a`'s value of comparison `f`'s field (0: held once at most), or
   * null where the comparison has no term frequencies. A view of the matched records reads it by
   * its value's dictionary entry: explaining a full match's pairs looked each value up in maps of
   * hundreds of thousands of strings (at 300k records, 410 of the 470 ms of explaining them).
   */
  private shareOf(f: number, field: EncodedField, a: MatchRecord): number | null {
    const s = this.shares;
    if (s) {
      const byEntry = s.shares[f];
      if (!byEntry) return null;
      const id = a instanceof RecordView ? a.entryIn(field, s.values[f]!) : -1;
      if (id >= 0) return byEntry[id]!;
    }
    const freqs = this.heldTf()[f];
    return freqs ? (freqs.get(a[field]) ?? 0) : null;
  }

  /** The company-name word counts it weighs shared words by (for a full match: those of its records). */
  get companyWords(): CompareContext['companyWords'] {
    return this.ctx.companyWords;
  }

  private weightOf(f: number, l: number, a: MatchRecord): { w: number; tf: boolean } {
    if (this.released) throw new Error('PairScorer: its term frequencies were released');
    const field = COMPARISONS[f]!.tf;
    if (l === 0 && field) {
      // Agreeing on a value held by share p of records: u is p, not the field's average. A
      // value the frequencies lack was held once at most (share 0): they hold only the values
      // two records or more hold (termShareEntries, computeTermFrequencies, the match index).
      const p = this.shareOf(f, field, a);
      if (p !== null) return { w: Math.log2(this.mExact[f]! / Math.max(p, this.uFloor)), tf: true };
    }
    return { w: this.weights[f * 8 + l]!, tf: false };
  }

  /** Match weight (bits) of a pair; fast path without the explanation. */
  weight(a: MatchRecord, b: MatchRecord): number {
    compareRecords(a, b, this.levels, 0, this.ctx);
    return this.weightOfLevels(this.levels, 0, a, b);
  }

  /** Match weight (bits) from levels already computed (`levels[offset…offset+F)`), `a` for term frequencies. */
  weightOfLevels(levels: Uint8Array, offset: number, a: MatchRecord, b: MatchRecord): number {
    const ws = this.fieldWeights;
    for (let f = 0; f < F; f++) {
      const l = levels[offset + f]!;
      ws[f] = l === MISSING ? Number.NaN : l === 0 ? this.weightOf(f, 0, a).w : this.weights[f * 8 + l]!;
    }
    return sumWeights(this.prior, ws, dependentGroup(levels, offset, isPerson(a) && isPerson(b)));
  }

  probability(a: MatchRecord, b: MatchRecord): number {
    return 1 / (1 + Math.pow(2, -this.weight(a, b)));
  }

  /** Score with the evidence field by field: how each level adds up to the probability. */
  explain(a: MatchRecord, b: MatchRecord): PairScore & { namesSwapped: boolean } {
    const { stored, probability } = this.explainStored(a, b);
    return { probability, ...expandExplanation(stored)! };
  }

  /**
   * The explanation of a pair in its stored form (see {@link StoredExplanation}), and the pair's
   * probability. `known`: the pair's comparison levels where the matching run has them
   * ({@link MatchResult.pairLevels}, from `offset`), instead of comparing the records again.
   */
  explainStored(a: MatchRecord, b: MatchRecord, known?: Uint8Array, offset = 0): { stored: StoredExplanation; probability: number } {
    if (known) this.levels.set(known.subarray(offset, offset + F));
    else compareRecords(a, b, this.levels, 0, this.ctx);
    const fields: number[][] = [];
    const ws = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      const l = this.levels[f]!;
      if (l === MISSING) {
        ws[f] = Number.NaN;
        fields.push([-1]);
        continue;
      }
      const { w, tf } = this.weightOf(f, l, a);
      ws[f] = w;
      fields.push(tf ? [l, round(w), 1] : [l, round(w)]);
    }
    const group = dependentGroup(this.levels, 0, isPerson(a) && isPerson(b));
    const s = sumWeights(this.prior, ws, group);
    // Within the pair's dependent group only the strongest agreement counts: say which one.
    let best = -1;
    for (let f = 0; f < F; f++) if (group[f] && ws[f]! > 0 && (best < 0 || ws[f]! > ws[best]!)) best = f;
    for (let f = 0; f < F; f++) {
      if (f === best || !group[f] || !(ws[f]! > 0)) continue;
      fields[f] = [fields[f]![0]!, 0, fields[f]![2] ?? 0, best];
    }
    return { stored: [1, round(s), namesSwapped(a, b) ? 1 : 0, fields], probability: 1 / (1 + Math.pow(2, -s)) };
  }

  get priorWeight(): number {
    return this.prior;
  }

  /** What the engine needs to score pairs exactly as {@link weightOfLevels} does. */
  scoringParams(tf: (Float64Array | null)[], minWeight: number): ScoringParams {
    return { weights: this.weights, mExact: this.mExact, prior: this.prior, uFloor: this.uFloor, tf: exactWeights(tf, this.mExact, this.uFloor), minWeight };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
