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
import { dependentGroup, sumWeights } from './model.js';
import { TRAINING_RULES } from './training.js';
import { KEY_HASH_BYTES, type KeyHashing, blockingKeyInput, keyHasher } from './key-hash.js';

/** Rules by index: the blocking rules, then the training rules. */
export const ENGINE_RULES: readonly BlockingRule[] = [...DEFAULT_BLOCKING_RULES, ...TRAINING_RULES];
export const BLOCKING_RULE_COUNT = DEFAULT_BLOCKING_RULES.length;

const F = COMPARISONS.length;
const GIVEN_AT = ENCODED_FIELDS.indexOf('given');
/**
 * The comparison left for the scoring pass ({@link MatchEngine.score}): the street address, the
 * costliest (long strings, word lists) and, once names, dates and contacts disagree, rarely able
 * to lift a pair to review. A level not yet computed reads as {@link DEFERRED}.
 */
const DEFERRED_AT = COMPARISONS.findIndex((c) => c.name === 'address');
const DEFERRED = 254;
// A pattern key holds a deferred address as level 6 (see PatternTable).
if (COMPARISONS[DEFERRED_AT]!.levels.length > 6) throw new Error('the deferred comparison has more than six levels');
const FAMILY_AT = ENCODED_FIELDS.indexOf('family');

/**
 * Key of a comparison pattern (one level per comparison): 3 bits a comparison, "missing" as 7
 * and a deferred address as 6 (such a pattern is never counted for EM, so {@link patternLevels}
 * need not read it back). Twelve comparisons take 36 bits, well inside a double's exact integers.
 */
export function patternKey(levels: Uint8Array, offset: number): number {
  let k = 0;
  for (let f = 0; f < F; f++) {
    const l = levels[offset + f]!;
    k = k * 8 + (l === MISSING ? 7 : l === DEFERRED ? 6 : l);
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

function toPatternCounts(m: Map<number, number>): PatternCounts {
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
   * uFloor)) (NaN: a value the stored base of an incremental model did not hold, scored without
   * adjustment); else null.
   */
  tf: (Float64Array | null)[];
  /** Pairs scoring at least this many bits are returned. */
  minWeight: number;
}

/** The field whose dictionary a comparison's term frequencies are indexed by (its `tf`). */
export const TF_FIELDS: readonly (EncodedField | null)[] = COMPARISONS.map((c) => c.tf ?? null);


/**
 * One engine's candidate pairs as another engine's thread can score them: the pair chunks (in
 * shared memory) and a copy of the levels of its comparison patterns (pattern x's at `levels[x * F…]`).
 */
export interface SharedPairs {
  ends: Int32Array[];
  patterns: (Uint16Array | Int32Array)[];
  count: number;
  levels: Uint8Array;
}

/** What a scoring pass returns: the kept pairs, with their weights (bits) and comparison levels (pair p's at `levels[p * F…]`), and the histogram of all pairs. */
export interface ScoredPairs {
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
  levels: Uint8Array;
  histogram: number[];
}

/** Options shared by every engine of one matching run. */
export interface EngineOptions {
  maxBlockSize: number;
  /** Blocks up to this size compare all pairs; larger ones each record with its `window` next. */
  fullBlockSize: number;
  window: number;
  /** Per source index: its records never link to each other. */
  uniqueSource: Uint8Array;
  /**
   * Every how-many-th candidate pair is compared in full while pairs are collected (1: all), for
   * the patterns the prior is estimated from; the others leave the address to the scoring pass,
   * which skips it where it cannot lift the pair above the lowest bin of the histogram.
   */
  sampleEvery: number;
  /** What comparisons weigh values by over the whole run (company-name word counts). */
  compare: CompareContext;
}

/** Match weights (bits) at probabilities 0.05, 0.10, …, 0.95: the edges of the histogram's twenty bins. */
const HISTOGRAM_BINS: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.log2((i + 1) / (19 - i)));

/** Whether the pair (i, j) is in the one-in-`every` sample of candidates (a hash: the same on any thread). */
function sampled(i: number, j: number, every: number): boolean {
  return every <= 1 || (Math.imul(i, 0x9e3779b1) ^ Math.imul(j, 0x85ebca77)) >>> 0 < 0x100000000 / every;
}

/** Pairs per chunk of a {@link PairStore}. */
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;

/**
 * Candidate pairs as (record, record) and their pattern, in chunks of a million: growing adds a
 * chunk instead of copying every pair into an array twice the size (which, at ten million pairs a
 * thread, held both copies at once and left half of the new one unused). A pattern id takes 2
 * bytes while every id fits (a run sees some thousands of patterns), 4 from the first that does
 * not: 10 bytes a pair instead of 12, 42 MB less at a million records.
 */
export class PairStore {
  private ends: Int32Array[] = [];
  private patterns: (Uint16Array | Int32Array)[] = [];
  private wide = false;
  count = 0;

  /** A store over another thread's pairs, read only (see {@link shared}). */
  static of(shared: SharedPairs): PairStore {
    const s = new PairStore();
    s.ends = shared.ends;
    s.patterns = shared.patterns;
    s.count = shared.count;
    return s;
  }

  /** The chunks, in shared memory: another thread reads them without a copy. */
  shared(): Omit<SharedPairs, 'levels'> {
    return { ends: this.ends, patterns: this.patterns, count: this.count };
  }

  push(i: number, j: number, pattern: number): void {
    const x = this.count & (CHUNK - 1);
    if (x === 0) {
      this.ends.push(new Int32Array(new SharedArrayBuffer(2 * CHUNK * 4)));
      this.patterns.push(this.wide ? new Int32Array(new SharedArrayBuffer(CHUNK * 4)) : new Uint16Array(new SharedArrayBuffer(CHUNK * 2)));
    }
    if (pattern > 0xffff && !this.wide) {
      this.wide = true;
      this.patterns = this.patterns.map((c) => {
        const w = new Int32Array(new SharedArrayBuffer(CHUNK * 4));
        w.set(c);
        return w;
      });
    }
    const c = this.ends.length - 1;
    this.ends[c]![2 * x] = i;
    this.ends[c]![2 * x + 1] = j;
    this.patterns[c]![x] = pattern;
    this.count++;
  }

  /** The first record of pair p. */
  i(p: number): number {
    return this.ends[p >>> CHUNK_BITS]![2 * (p & (CHUNK - 1))]!;
  }

  /** The second record of pair p. */
  j(p: number): number {
    return this.ends[p >>> CHUNK_BITS]![2 * (p & (CHUNK - 1)) + 1]!;
  }

  /** The pattern of pair p. */
  pattern(p: number): number {
    return this.patterns[p >>> CHUNK_BITS]![p & (CHUNK - 1)]!;
  }
}

/**
 * The comparison patterns (one level per comparison) a thread's pairs showed, each stored once:
 * a pair keeps a pattern's index (4 bytes) instead of its levels (a byte per comparison). An open
 * hash on the pattern's {@link patternKey}.
 */
class PatternTable {
  /** Levels of pattern `x` at `levels[x * F…]`. */
  levels = new Uint8Array(F * 1024);
  /** {@link patternKey} of pattern `x`. */
  keys = new Float64Array(1024);
  private slots = new Int32Array(4096);
  size = 0;

  /** First slot to probe for a key: keys reach 2^36, so their low 32 bits and the rest, mixed. */
  private static slot(key: number, mask: number): number {
    return Math.imul((key >>> 0) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b1), 0x85ebca6b) & mask;
  }

  /** Index of the pattern `levels[o…o + F)`, added if new. */
  idOf(levels: Uint8Array, o: number): number {
    const key = patternKey(levels, o);
    const mask = this.slots.length - 1;
    let h = PatternTable.slot(key, mask);
    for (;;) {
      const x = this.slots[h]!;
      if (x === 0) break;
      if (this.keys[x - 1] === key) return x - 1;
      h = (h + 1) & mask;
    }
    const id = this.size++;
    if (id === this.keys.length) {
      const keys = new Float64Array(id * 2);
      keys.set(this.keys);
      this.keys = keys;
      const lv = new Uint8Array(id * 2 * F);
      lv.set(this.levels);
      this.levels = lv;
    }
    this.keys[id] = key;
    this.levels.set(levels.subarray(o, o + F), id * F);
    this.slots[h] = id + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let h = PatternTable.slot(this.keys[id]!, mask);
      while (slots[h] !== 0) h = (h + 1) & mask;
      slots[h] = id + 1;
    }
    this.slots = slots;
  }
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
function hashKeys(rule: string, strings: readonly string[], hasher: (s: string) => Buffer): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(strings.length, 1) * KEY_HASH_BYTES));
  for (let id = 1; id < strings.length; id++) {
    const k = strings[id];
    if (k) out.set(hasher(blockingKeyInput(rule, k)).subarray(0, KEY_HASH_BYTES), id * KEY_HASH_BYTES);
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
  private readonly pairs = new PairStore();
  private readonly patterns = new PatternTable();
  /** One pair's levels, as compared or being completed. */
  private readonly scratch = new Uint8Array(F);
  private readonly fieldWeights = new Float64Array(F);
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
  private compareAt(i: number, j: number, out: Uint8Array, o: number, defer = false): void {
    const a = this.va.fill(i);
    const b = this.vb.fill(j);
    const rows = this.enc.rows;
    const ri = i * NF;
    const rj = j * NF;
    // Swapped names change which values meet: compare those few pairs the plain way.
    if (rows[ri + GIVEN_AT] !== rows[rj + GIVEN_AT] && rows[ri + FAMILY_AT] !== rows[rj + FAMILY_AT] && namesSwapped(a, b)) {
      compareRecords(a, b, out, o, this.opts.compare);
      return;
    }
    for (let f = 0; f < F; f++) {
      const at = this.fieldAt[f]!;
      const x = rows[ri + at]!;
      const y = rows[rj + at]!;
      out[o + f] = x === 0 || y === 0 ? MISSING : x === y ? 0 : defer && f === DEFERRED_AT ? DEFERRED : COMPARISONS[f]!.compare(a, b, this.opts.compare);
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

  private push(i: number, j: number): void {
    this.compareAt(i, j, this.scratch, 0, !sampled(i, j, this.opts.sampleEvery));
    this.pairs.push(i, j, this.patterns.idOf(this.scratch, 0));
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
   * Candidate pairs of the tasks' blocks, compared and kept for scoring. A block of up to
   * `fullBlockSize` records gives all its pairs; a larger one (ordered by name) pairs each record
   * with its `window` next: the sorted-neighbourhood method, which keeps the cost of a common
   * key linear while look-alike names still meet. A pair that an earlier rule already produced
   * is skipped: the union of the rules without a set of seen pairs.
   */
  candidatePairs(tasks: readonly PairTask[], blocks: readonly RuleBlocks[], keyRows: Int32Array): PatternCounts {
    const hist = new Map<number, number>();
    const { maxBlockSize, fullBlockSize, window } = this.opts;
    const from = this.pairs.count;
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
            let earlier = false;
            for (let r = 0; r < t.rule && !earlier; r++) earlier = this.produced(blocks, keyRows, r, i, j);
            if (earlier || !this.canLink(i, j)) continue;
            this.push(i, j);
          }
        }
      }
    }
    // The sample's patterns stand for all the pairs: each counts `sampleEvery` times.
    const every = this.opts.sampleEvery;
    const pairs = this.pairs;
    for (let p = from; p < pairs.count; p++) {
      if (!sampled(pairs.i(p), pairs.j(p), every)) continue;
      const key = this.patterns.keys[pairs.pattern(p)]!;
      hist.set(key, (hist.get(key) ?? 0) + every);
    }
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
      let fw = s.weights[f * 8 + l]!;
      if (l === 0) {
        const tf = s.tf[f];
        // Level 0 means both records hold the value; its weight is NaN only where a stored base did not hold it.
        const exact = tf ? tf[rows[ri + this.fieldAt[f]!]!]! : Number.NaN;
        if (exact === exact) fw = exact;
      }
      ws[f] = fw;
    }
    const people = (rows[ri + GIVEN_AT] !== 0 || rows[ri + FAMILY_AT] !== 0) && (rows[rj + GIVEN_AT] !== 0 || rows[rj + FAMILY_AT] !== 0);
    return sumWeights(s.prior, ws, dependentGroup(levels, o, people));
  }

  /**
   * Kept pairs scoring at least `minWeight` bits, with their weights, and how many of all the
   * pairs fall in each twentieth of the probability range (the quality report's histogram).
   * Pairs `from` to `to` (default all): a thread that must answer meanwhile scores in parts.
   * With `other`, those of another engine's pairs (see {@link sharedPairs}).
   */
  score(s: ScoringParams, from = 0, to = Number.MAX_SAFE_INTEGER, other?: SharedPairs): ScoredPairs {
    // Typed arrays that grow: as arrays of numbers, a thread's kept pairs at a million records
    // were ~100 MB of heap more at the scoring phase's peak.
    let a = new Int32Array(1 << 14);
    let b = new Int32Array(1 << 14);
    let weight = new Float64Array(1 << 14);
    let kept = new Uint8Array(F << 14);
    let k = 0;
    const histogram = new Array<number>(HISTOGRAM_BINS.length + 1).fill(0);
    // The most a deferred address can add: its best level's weight, term frequency included.
    let addressBest = 0;
    for (let l = 0; l < COMPARISONS[DEFERRED_AT]!.levels.length; l++) addressBest = Math.max(addressBest, s.weights[DEFERRED_AT * 8 + l]!);
    if (s.tf[DEFERRED_AT]) addressBest = Math.max(addressBest, Math.log2(s.mExact[DEFERRED_AT]! / s.uFloor));
    // A pair below this even with the best address lands in the histogram's first bin and is not kept.
    const skipBelow = Math.min(s.minWeight, HISTOGRAM_BINS[0]!);
    const pairs = other ? PairStore.of(other) : this.pairs;
    const patternLevels = other ? other.levels : this.patterns.levels;
    const scratch = this.scratch;
    for (let p = from; p < Math.min(to, pairs.count); p++) {
      const i = pairs.i(p);
      const j = pairs.j(p);
      let levels = patternLevels;
      let o = pairs.pattern(p) * F;
      if (levels[o + DEFERRED_AT] === DEFERRED) {
        for (let f = 0; f < F; f++) scratch[f] = levels[o + f]!;
        levels = scratch;
        o = 0;
        scratch[DEFERRED_AT] = MISSING;
        if (this.weightOf(i, j, scratch, 0, s) + addressBest < skipBelow) {
          histogram[0]!++;
          continue;
        }
        scratch[DEFERRED_AT] = COMPARISONS[DEFERRED_AT]!.compare(this.va.fill(i), this.vb.fill(j), this.opts.compare);
      }
      const w = this.weightOf(i, j, levels, o, s);
      let bin = 0;
      while (bin < HISTOGRAM_BINS.length && w >= HISTOGRAM_BINS[bin]!) bin++;
      histogram[bin]!++;
      if (w < s.minWeight) continue;
      if (k === a.length) {
        a = grow(a, k + 1);
        b = grow(b, k + 1);
        weight = grow(weight, k + 1);
        kept = grow(kept, (k + 1) * F);
      }
      for (let f = 0; f < F; f++) kept[k * F + f] = levels[o + f]!;
      a[k] = i;
      b[k] = j;
      weight[k++] = w;
    }
    return { a: a.slice(0, k), b: b.slice(0, k), weight: weight.slice(0, k), levels: kept.slice(0, k * F), histogram };
  }

  /** This engine's pairs, for another engine to score some of them (see {@link score}). */
  sharedPairs(): SharedPairs {
    return { ...this.pairs.shared(), levels: this.patterns.levels.slice(0, this.patterns.size * F) };
  }

  get pairCount(): number {
    return this.pairs.count;
  }
}
