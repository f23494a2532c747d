/**
 * The work of matching that scales with the data, written once for the calling thread and for
 * worker threads: blocking keys, candidate pairs, their comparison levels, and their scores.
 * Everything here reads records from columns ({@link EncodedRecords}) and writes results to
 * typed arrays, so that a worker never needs the records as objects.
 */
import { grow } from '../../core/grow.js';
import { type BlockingRule, DEFAULT_BLOCKING_RULES, type KeyPart } from './blocking.js';
import { COMPARISONS, type CompareContext, MISSING, compareRecords, namesSwapped } from './comparisons.js';
import { ENCODED_FIELDS, type EncodedRecords, type EncodedField, NF, type RecordView, RecordViews } from './encoded.js';
import { NOT_COMPUTED, dependentGroup, possibleGroups, sumWeights } from './model.js';
import { TRAINING_RULES } from './training.js';
import { KEY_HASH_BYTES, type KeyHasher, type KeyHashing, blockingKeyInput, keyHasher } from './key-hash.js';

/** Rules by index: the blocking rules, then the training rules. */
export const ENGINE_RULES: readonly BlockingRule[] = [...DEFAULT_BLOCKING_RULES, ...TRAINING_RULES];
export const BLOCKING_RULE_COUNT = DEFAULT_BLOCKING_RULES.length;

const F = COMPARISONS.length;
const GIVEN_AT = ENCODED_FIELDS.indexOf('given');
/** The street address: the costliest comparison (long strings, word lists), computed last when a pair is scored. */
const ADDRESS_AT = COMPARISONS.findIndex((c) => c.name === 'address');
const FAMILY_AT = ENCODED_FIELDS.indexOf('family');

/**
 * Key of a comparison pattern (one level per comparison): 3 bits a comparison, "missing" as 7.
 * Twelve comparisons take 36 bits, well inside a double's exact integers.
 */
export function patternKey(levels: Uint8Array, offset: number): number {
  let k = 0;
  for (let f = 0; f < F; f++) {
    const l = levels[offset + f]!;
    k = k * 8 + (l === MISSING ? 7 : l);
  }
  return k;
}

/** Levels of a pattern key, written to `out[offset…]`. */
export function patternLevels(key: number, out: Uint8Array, offset: number): void {
  for (let f = F - 1; f >= 0; f--) {
    const l = key % 8;
    out[offset + f] = l === 7 ? MISSING : l;
    key = (key - l) / 8;
  }
}

/** Comparison patterns and how many pairs showed each: what EM needs of a set of pairs. */
export interface PatternCounts {
  keys: number[];
  counts: number[];
}

export function addPatternCounts(into: Map<number, number>, pc: PatternCounts): void {
  for (let i = 0; i < pc.keys.length; i++) into.set(pc.keys[i]!, (into.get(pc.keys[i]!) ?? 0) + pc.counts[i]!);
}

/** Pattern counts kept in a map, as PatternCounts. */
export function toPatternCounts(m: Map<number, number>): PatternCounts {
  return { keys: [...m.keys()], counts: [...m.values()] };
}

/**
 * Blocks of one rule: record indices ordered by key (`order`), block `k` spanning
 * `order[start[k]…start[k+1])`; key 0 (no key) holds no block.
 */
export interface RuleBlocks {
  keyIds: Int32Array;
  start: Int32Array;
  order: Int32Array;
  /** Position of each record in `order` (-1: in no block). */
  position: Int32Array;
}

/** A slice of one rule's blocks for one worker: blocks `from` to `to` (exclusive). */
export interface PairTask {
  rule: number;
  from: number;
  to: number;
}

/** What a scoring pass needs of the trained model: weights per comparison and level, in bits. */
export interface ScoringParams {
  /** log2(m/u) per comparison and level, at `f * 8 + level`. */
  weights: Float64Array;
  /** m of the exact level per comparison (term-frequency adjustment). */
  mExact: Float64Array;
  prior: number;
  uFloor: number;
  /**
   * Per comparison with term frequencies, each dictionary entry's weight of the exact level,
   * adjusted by the entry's share of the records that have a value: log2(mExact / max(share,
   * uFloor)) (a value stored frequencies lack has share 0: see storedTermShares in
   * match-records.ts); else null.
   */
  tf: (Float64Array | null)[];
  /** Pairs scoring at least this many bits are returned. */
  minWeight: number;
}

/** The field whose dictionary a comparison's term frequencies are indexed by (its `tf`). */
export const TF_FIELDS: readonly (EncodedField | null)[] = COMPARISONS.map((c) => c.tf ?? null);


/** What a scoring pass returns: the kept pairs, with their weights (bits) and comparison levels (pair p's at `levels[p * F…]`), and the histogram of all pairs. */
export interface ScoredPairs {
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
  levels: Uint8Array;
  histogram: number[];
  /** Candidate pairs scored, kept or not. */
  pairs: number;
  /** Comparisons of different values computed (swapped names aside): what the lazy scoring could not skip. */
  comparisons: number;
}

/** Options shared by every engine of one matching run. */
export interface EngineOptions {
  maxBlockSize: number;
  /** Blocks up to this size compare all pairs; larger ones each record with its `window` next. */
  fullBlockSize: number;
  window: number;
  /** Per source index: its records never link to each other. */
  uniqueSource: Uint8Array;
  /** What comparisons weigh values by over the whole run (company-name word counts). */
  compare: CompareContext;
}

/** Match weights (bits) at probabilities 0.05, 0.10, …, 0.95: the edges of the histogram's twenty bins. */
const HISTOGRAM_BINS: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.log2((i + 1) / (19 - i)));

/** Whether the pair (i, j) is in the one-in-`every` sample of candidates (a hash: the same on any thread). */
function sampled(i: number, j: number, every: number): boolean {
  return every <= 1 || (Math.imul(i, 0x9e3779b1) ^ Math.imul(j, 0x85ebca77)) >>> 0 < 0x100000000 / every;
}

/** A pair of part ids as one number (part ids are below 2^26). */
const PAIR_KEY_BASE = 67_108_864;

/** Per part id, its text: a dictionary's values (an identity part not shared) or the interned parts. */
function partTexts(dict: readonly string[], part: KeyPart, intern: ReadonlyMap<string, number>, shared: boolean | undefined): readonly string[] {
  if (part.identity && !shared) return dict;
  const out: string[] = new Array<string>(intern.size + 1).fill('');
  for (const [k, id] of intern) out[id] = k;
  return out;
}

/** Each key's index hash (8 bytes at `id * 8`; id 0 and keys no record holds stay zero), in shared memory. */
function hashKeys(rule: string, strings: readonly string[], hasher: KeyHasher): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(strings.length, 1) * KEY_HASH_BYTES));
  for (let id = 1; id < strings.length; id++) {
    const k = strings[id];
    if (k) hasher(blockingKeyInput(rule, k), out, id * KEY_HASH_BYTES);
  }
  return out;
}

/** What {@link MatchEngine.computeKeys} returns: per rule asked, its number of keys and, when hashing, its keys' hashes. */
export interface KeyCounts {
  counts: number[];
  hashes: (Uint8Array | null)[];
}

/** One thread's share of a matching run; see the module comment. */
export class MatchEngine {
  private readonly views: RecordViews;
  private readonly va: RecordView;
  private readonly vb: RecordView;
  /** One pair's levels, as compared or being completed. */
  private readonly scratch = new Uint8Array(F);
  private readonly fieldWeights = new Float64Array(F);
  /** Comparisons of different values computed by the current scoring pass (swapped names aside). */
  private computed = 0;
  /** Per comparison, the place in a record's row of the field it compares. */
  private readonly fieldAt: Int32Array;

  constructor(
    private readonly enc: EncodedRecords,
    private readonly opts: EngineOptions,
  ) {
    this.views = new RecordViews(enc);
    this.va = this.views.view();
    this.vb = this.views.view();
    this.fieldAt = Int32Array.from(TF_FIELDS, (f) => ENCODED_FIELDS.indexOf(f!));
  }

  /**
   * Comparison levels of records i and j into `out[o…]`, as {@link compareRecords} gives them.
   * Every comparison is a function of its field's two values that returns MISSING when one is
   * empty and 0 when they are equal, so the ids alone settle those without reading a value.
   * (Remembering levels per pair of values, in a Map or in a direct-mapped typed-array table, was
   * measured no faster than comparing again.)
   */
  private compareAt(i: number, j: number, out: Uint8Array, o: number): void {
    const a = this.va.fill(i);
    const b = this.vb.fill(j);
    const rows = this.enc.rows;
    const ri = i * NF;
    const rj = j * NF;
    if (this.swapped(ri, rj, a, b)) {
      compareRecords(a, b, out, o, this.opts.compare);
      return;
    }
    for (let f = 0; f < F; f++) {
      const at = this.fieldAt[f]!;
      const x = rows[ri + at]!;
      const y = rows[rj + at]!;
      out[o + f] = x === 0 || y === 0 ? MISSING : x === y ? 0 : COMPARISONS[f]!.compare(a, b, this.opts.compare);
    }
  }

  /**
   * Keys of the given rules for every record, interned to numbers (0: no key), written into
   * `keyIds[rule]`. Returns each rule's number of distinct keys (`counts`). A rule's parts are computed
   * once per distinct value of their field and combined as numbers: string keys built and
   * interned per record and rule cost ~1 µs each, a third of blocking at a million records.
   * With `hashing`, each blocking rule's distinct keys are also hashed for the match index as the
   * store hashes them ({@link keyHasher}; the rule's `hashes`, 8 bytes a key id, shared): the
   * index is then written from the ids, without computing the keys again.
   */
  computeKeys(rules: readonly number[], keyIds: readonly Int32Array[], hashing?: KeyHashing): KeyCounts {
    const hasher = hashing ? keyHasher(hashing) : null;
    const counts: number[] = [];
    const hashes: (Uint8Array | null)[] = [];
    for (const r of rules) {
      const strings: string[] | null = hasher && r < BLOCKING_RULE_COUNT ? [''] : null;
      counts.push(this.keysOf(ENGINE_RULES[r]!, keyIds[r]!, strings));
      hashes.push(strings ? hashKeys(ENGINE_RULES[r]!.name, strings, hasher!) : null);
    }
    return { counts, hashes };
  }

  /**
   * Per entry of `field`'s dictionary, the interned id of `part` of its value (0: none). A part
   * that is the value itself keeps the dictionary's ids (unless `shared`: symmetric parts share one
   * space).
   */
  private partIds(field: EncodedField, part: KeyPart, intern: Map<string, number>, shared = false): Int32Array {
    const dict = this.enc.dicts[field];
    if (part.identity && !shared) {
      const out = new Int32Array(dict.length);
      for (let id = 1; id < dict.length; id++) if (part(dict[id]!, '')) out[id] = id;
      return out;
    }
    const ph = field === 'given' ? this.enc.givenPh : field === 'family' ? this.enc.familyPh : null;
    const out = new Int32Array(dict.length);
    for (let id = 1; id < dict.length; id++) {
      const k = part(dict[id]!, ph ? ph[id]! : '');
      if (!k) continue;
      let x = intern.get(k);
      if (x === undefined) intern.set(k, (x = intern.size + 1));
      out[id] = x;
    }
    return out;
  }

  /**
   * Record i's key id under `rule` into `out[i]`; returns the number of keys. With `strings`,
   * each key as {@link ruleKey} gives it, at `strings[id]`.
   */
  private keysOf(rule: BlockingRule, out: Int32Array, strings: string[] | null): number {
    const n = this.enc.n;
    const by = rule.by;
    if ('part' in by) {
      const intern = new Map<string, number>();
      const part = this.partIds(by.on, by.part, intern);
      const rows = this.enc.rows;
      const at = ENCODED_FIELDS.indexOf(by.on);
      for (let i = 0; i < n; i++) out[i] = part[rows[i * NF + at]!]!;
      if (strings) {
        if (by.part.identity) {
          // Ids are the dictionary's: a value the part refuses keeps '' (no record holds that key).
          const dict = this.enc.dicts[by.on];
          for (let id = 1; id < dict.length; id++) strings[id] = part[id] ? dict[id]! : '';
        } else for (const [k, id] of intern) strings[id] = k;
      }
      return by.part.identity ? this.enc.dicts[by.on].length - 1 : intern.size;
    }
    const keys = new Map<number, number>();
    if ('parts' in by) {
      const internA = new Map<string, number>();
      // Symmetric parts share one space, so that (x, y) and (y, x) are one key.
      const internB = by.symmetric ? internA : new Map<string, number>();
      const pa = this.partIds(by.on[0], by.parts[0], internA, by.symmetric);
      const pb = this.partIds(by.on[1], by.parts[1], internB, by.symmetric);
      const rows = this.enc.rows;
      const atA = ENCODED_FIELDS.indexOf(by.on[0]);
      const atB = ENCODED_FIELDS.indexOf(by.on[1]);
      for (let i = 0; i < n; i++) {
        let a = pa[rows[i * NF + atA]!]!;
        let b = pb[rows[i * NF + atB]!]!;
        if (a === 0 || b === 0) {
          out[i] = 0;
          continue;
        }
        if (by.symmetric && b < a) [a, b] = [b, a];
        // Part ids are below 2^26 (distinct values of one field): the pair fits a double exactly.
        const k = a * PAIR_KEY_BASE + b;
        let id = keys.get(k);
        if (id === undefined) keys.set(k, (id = keys.size + 1));
        out[i] = id;
      }
      if (strings) {
        const textA = partTexts(this.enc.dicts[by.on[0]], by.parts[0], internA, by.symmetric);
        const textB = by.symmetric ? textA : partTexts(this.enc.dicts[by.on[1]], by.parts[1], internB, false);
        for (const [k, id] of keys) {
          const x = textA[Math.floor(k / PAIR_KEY_BASE)]!;
          const y = textB[k % PAIR_KEY_BASE]!;
          strings[id] = by.symmetric && y < x ? `${y}|${x}` : `${x}|${y}`;
        }
      }
      return keys.size;
    }
    const interned = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = by.record(this.va.fill(i));
      if (!k) {
        out[i] = 0;
        continue;
      }
      let id = interned.get(k);
      if (id === undefined) interned.set(k, (id = interned.size + 1));
      out[i] = id;
    }
    if (strings) for (const [k, id] of interned) strings[id] = k;
    return interned.size;
  }

  private canLink(i: number, j: number): boolean {
    const s = this.enc.source[i]!;
    return !(s === this.enc.source[j]! && this.opts.uniqueSource[s] === 1);
  }

  /**
   * Whether rule `r` produced the pair (i, j): same key, in a block it compared, close enough.
   * `keyRows` holds every record's blocking keys in one row (`keyRows[i * BLOCKING_RULE_COUNT + r]`):
   * asking this of every earlier rule for every pair reads one row per record, not one array per rule.
   */
  private produced(blocks: readonly RuleBlocks[], keyRows: Int32Array, r: number, i: number, j: number): boolean {
    const key = keyRows[i * BLOCKING_RULE_COUNT + r]!;
    if (key === 0 || key !== keyRows[j * BLOCKING_RULE_COUNT + r]!) return false;
    const b = blocks[r]!;
    const size = b.start[key + 1]! - b.start[key]!;
    if (size > this.opts.maxBlockSize) return false;
    if (size <= this.opts.fullBlockSize) return true;
    const d = b.position[i]! - b.position[j]!;
    return d <= this.opts.window && d >= -this.opts.window;
  }

  /**
   * Calls `visit(i, j)` for every candidate pair of the tasks' blocks (i < j). A block of up to
   * `fullBlockSize` records gives all its pairs; a larger one (ordered by name) pairs each record
   * with its `window` next: the sorted-neighbourhood method, which keeps the cost of a common
   * key linear while look-alike names still meet. A pair that an earlier rule already produced
   * is skipped: the union of the rules without a set of seen pairs. With `every` above 1, only
   * the pairs of the one-in-`every` sample (see {@link sampled}) are visited, and the others
   * passed over before any record is read. Returns the number of pairs visited.
   */
  private eachCandidate(tasks: readonly PairTask[], blocks: readonly RuleBlocks[], keyRows: Int32Array, every: number, visit: (i: number, j: number) => void): number {
    const { maxBlockSize, fullBlockSize, window } = this.opts;
    let count = 0;
    for (const t of tasks) {
      const { start, order } = blocks[t.rule]!;
      for (let k = t.from; k < t.to; k++) {
        const lo = start[k]!;
        const hi = start[k + 1]!;
        if (hi - lo < 2 || hi - lo > maxBlockSize) continue;
        const reach = hi - lo <= fullBlockSize ? hi : 0;
        for (let x = lo; x < hi; x++) {
          const ox = order[x]!;
          const end = reach || Math.min(hi, x + 1 + window);
          for (let y = x + 1; y < end; y++) {
            const oy = order[y]!;
            const i = ox < oy ? ox : oy;
            const j = ox < oy ? oy : ox;
            if (every > 1 && !sampled(i, j, every)) continue;
            let earlier = false;
            for (let r = 0; r < t.rule && !earlier; r++) earlier = this.produced(blocks, keyRows, r, i, j);
            if (earlier || !this.canLink(i, j)) continue;
            count++;
            visit(i, j);
          }
        }
      }
    }
    return count;
  }

  /**
   * Before training: one in `every` of the candidate pairs of the tasks' blocks (a hash of the
   * pair: the same on any thread) compared in full. The sample's patterns stand for all the
   * pairs (each counts `every` times): the prior is estimated from them. Nothing is kept;
   * {@link scoreCandidates} goes through all the pairs once the model is known.
   */
  candidatePairs(tasks: readonly PairTask[], blocks: readonly RuleBlocks[], keyRows: Int32Array, every: number): PatternCounts {
    const hist = new Map<number, number>();
    const levels = this.scratch;
    this.eachCandidate(tasks, blocks, keyRows, every, (i, j) => {
      this.compareAt(i, j, levels, 0);
      const key = patternKey(levels, 0);
      hist.set(key, (hist.get(key) ?? 0) + every);
    });
    return toPatternCounts(hist);
  }

  /** Comparison patterns of the given pairs (training samples, random pairs); nothing is kept. */
  comparePairs(a: Int32Array, b: Int32Array): PatternCounts {
    const hist = new Map<number, number>();
    const levels = new Uint8Array(F);
    for (let p = 0; p < a.length; p++) {
      this.compareAt(a[p]!, b[p]!, levels, 0);
      const key = patternKey(levels, 0);
      hist.set(key, (hist.get(key) ?? 0) + 1);
    }
    return toPatternCounts(hist);
  }

  /**
   * Whether the pair's given and family names are swapped (see namesSwapped), asked only when both
   * differ by id: swapped names change which values meet, so such a pair (one of a few) is compared
   * the plain way.
   */
  private swapped(ri: number, rj: number, a: RecordView, b: RecordView): boolean {
    const rows = this.enc.rows;
    return rows[ri + GIVEN_AT] !== rows[rj + GIVEN_AT] && rows[ri + FAMILY_AT] !== rows[rj + FAMILY_AT] && namesSwapped(a, b);
  }

  /** Whether the records whose rows start at `ri` and `rj` both name a person (see isPerson). */
  private bothPeople(ri: number, rj: number): boolean {
    const rows = this.enc.rows;
    return (rows[ri + GIVEN_AT] !== 0 || rows[ri + FAMILY_AT] !== 0) && (rows[rj + GIVEN_AT] !== 0 || rows[rj + FAMILY_AT] !== 0);
  }

  /** Match weight (bits) of records i and j with the levels `levels[o…o + F)`: the same sum as PairScorer.weightOfLevels. */
  private weightOf(i: number, j: number, levels: Uint8Array, o: number, s: ScoringParams): number {
    const rows = this.enc.rows;
    const ri = i * NF;
    const rj = j * NF;
    const ws = this.fieldWeights;
    for (let f = 0; f < F; f++) {
      const l = levels[o + f]!;
      if (l === MISSING) {
        ws[f] = Number.NaN;
        continue;
      }
      ws[f] = l === 0 ? exactWeight(s, f, rows[ri + this.fieldAt[f]!]!) : s.weights[f * 8 + l]!;
    }
    const people = this.bothPeople(ri, rj);
    return sumWeights(s.prior, ws, dependentGroup(levels, o, people));
  }

  /**
   * The candidate pairs of the tasks' blocks (the same as {@link candidatePairs} goes through),
   * scored: those scoring at least `minWeight` bits are kept, with their weights and levels, and
   * every pair is counted in its twentieth of the probability range (the quality report's
   * histogram of all pairs). A pair's comparisons are computed as far as they can matter: the
   * ids settle equal and missing values, and the others are computed in order of how much they
   * can move the weight, until the pair is complete or its best possible weight (each comparison
   * not yet computed at its best level) falls below both `minWeight` and the histogram's first
   * edge. Such a pair is in the first bin and not kept, as it would be if compared in full, so
   * the result is the same; most candidate pairs end after two or three comparisons instead of
   * twelve.
   */
  scoreCandidates(tasks: readonly PairTask[], blocks: readonly RuleBlocks[], keyRows: Int32Array, s: ScoringParams): ScoredPairs {
    // Typed arrays that grow: as arrays of numbers, a thread's kept pairs at a million records
    // were ~100 MB of heap more at the scoring phase's peak.
    let a = new Int32Array(1 << 14);
    let b = new Int32Array(1 << 14);
    let weight = new Float64Array(1 << 14);
    let kept = new Uint8Array(F << 14);
    let k = 0;
    const histogram = new Array<number>(HISTOGRAM_BINS.length + 1).fill(0);
    const plan = lazyPlan(s, Math.min(s.minWeight, HISTOGRAM_BINS[0]!));
    this.computed = 0;
    const levels = this.scratch;
    const pairs = this.eachCandidate(tasks, blocks, keyRows, 1, (i, j) => {
      const w = this.lazyWeight(i, j, s, plan);
      if (w === SKIPPED) {
        histogram[0]!++;
        return;
      }
      let bin = 0;
      while (bin < HISTOGRAM_BINS.length && w >= HISTOGRAM_BINS[bin]!) bin++;
      histogram[bin]!++;
      if (w < s.minWeight) return;
      if (k === a.length) {
        a = grow(a, k + 1);
        b = grow(b, k + 1);
        weight = grow(weight, k + 1);
        kept = grow(kept, (k + 1) * F);
      }
      kept.set(levels, k * F);
      a[k] = i;
      b[k] = j;
      weight[k++] = w;
    });
    return { a: a.slice(0, k), b: b.slice(0, k), weight: weight.slice(0, k), levels: kept.slice(0, k * F), histogram, pairs, comparisons: this.computed };
  }

  /**
   * The weight of records i and j with their levels in `scratch`, computed lazily (see
   * {@link scoreCandidates}); {@link SKIPPED} once the pair cannot reach `plan.floor`.
   */
  private lazyWeight(i: number, j: number, s: ScoringParams, plan: LazyPlan): number {
    const rows = this.enc.rows;
    const ri = i * NF;
    const rj = j * NF;
    const levels = this.scratch;
    const a = this.va.fill(i);
    const b = this.vb.fill(j);
    if (this.swapped(ri, rj, a, b)) {
      compareRecords(a, b, levels, 0, this.opts.compare);
      return this.weightOf(i, j, levels, 0, s);
    }
    const ws = this.fieldWeights;
    let unknown = 0;
    for (let f = 0; f < F; f++) {
      const at = this.fieldAt[f]!;
      const x = rows[ri + at]!;
      const y = rows[rj + at]!;
      if (x === 0 || y === 0) {
        levels[f] = MISSING;
        ws[f] = Number.NaN;
      } else if (x === y) {
        levels[f] = 0;
        ws[f] = exactWeight(s, f, x);
      } else {
        // Different values are never level 0 (every comparison gives 0 for equal values only).
        levels[f] = NOT_COMPUTED;
        ws[f] = plan.best[f]!;
        unknown++;
      }
    }
    const people = this.bothPeople(ri, rj);
    for (let x = 0; unknown > 0; x++) {
      const f = plan.order[x]!;
      if (levels[f] !== NOT_COMPUTED) continue;
      if (bestWeight(s.prior, ws, levels, people) < plan.floor) return SKIPPED;
      const l = COMPARISONS[f]!.compare(a, b, this.opts.compare);
      levels[f] = l;
      ws[f] = s.weights[f * 8 + l]!;
      unknown--;
      this.computed++;
    }
    return sumWeights(s.prior, ws, dependentGroup(levels, 0, people));
  }
}

/** What {@link MatchEngine.lazyWeight} returns for a pair it stopped comparing. */
const SKIPPED = Number.NEGATIVE_INFINITY;

/** How a scoring pass computes a pair's comparisons (see {@link MatchEngine.scoreCandidates}). */
interface LazyPlan {
  /** Per comparison, its best weight among the levels of two different values (1 and up). */
  best: Float64Array;
  /** The comparisons in the order they are computed: the widest span of weights first, the street address last. */
  order: Int32Array;
  /** A pair whose best possible weight is below this is not compared further. */
  floor: number;
}

function lazyPlan(s: ScoringParams, floor: number): LazyPlan {
  const best = new Float64Array(F);
  const span = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    const n = COMPARISONS[f]!.levels.length;
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    for (let l = 1; l < n; l++) {
      const w = s.weights[f * 8 + l]!;
      if (w > hi) hi = w;
      if (w < lo) lo = w;
    }
    best[f] = hi;
    span[f] = f === ADDRESS_AT ? Number.NEGATIVE_INFINITY : hi - lo;
  }
  const order = Int32Array.from({ length: F }, (_, f) => f).sort((x, y) => span[y]! - span[x]! || x - y);
  return { best, order, floor };
}

/**
 * The highest weight a pair can reach from its fields' weights so far (`ws`, a comparison not yet
 * computed at its best level): {@link sumWeights} under the pair's dependent group, or under
 * either group it may still fall in while the levels that decide it are not computed. The sum
 * only grows with any field's weight, so no completion of the pair scores more.
 */
function bestWeight(prior: number, ws: Float64Array, levels: Uint8Array, people: boolean): number {
  const groups = possibleGroups(levels, people);
  if (groups.length === 1) return sumWeights(prior, ws, groups[0]!);
  // Both sums in one pass, as sumWeights makes each: this runs before most comparisons of most
  // candidate pairs. With two calls of sumWeights here, scoring at 1M took 37.9-40.1 s against
  // 33.2-35.0 s before and 35.7 s with this pass (bench/match.ts, alternating runs).
  const g0 = groups[0]!;
  const g1 = groups[1]!;
  let s0 = prior;
  let s1 = prior;
  let b0 = 0;
  let b1 = 0;
  for (let f = 0; f < ws.length; f++) {
    const w = ws[f]!;
    if (w !== w) continue;
    if (w > 0 && g0[f]) b0 = w > b0 ? w : b0;
    else s0 += w;
    if (w > 0 && g1[f]) b1 = w > b1 ? w : b1;
    else s1 += w;
  }
  return Math.max(s0 + b0, s1 + b1);
}

/**
 * The weight of comparison `f`'s exact level for the value with dictionary id `value` (both
 * records hold it): its term-frequency weight, or the level's weight where the comparison has no
 * term frequencies.
 */
function exactWeight(s: ScoringParams, f: number, value: number): number {
  const tf = s.tf[f];
  return tf ? tf[value]! : s.weights[f * 8]!;
}
