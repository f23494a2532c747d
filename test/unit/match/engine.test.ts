import { beforeAll, describe, expect, it } from 'vitest';
import { COMPARISONS, compareRecords } from '../../../src/transforms/match/comparisons.js';
import { encodeRecords } from '../../../src/transforms/match/encoded.js';
import { BLOCKING_RULE_COUNT, ENGINE_RULES, MatchEngine, patternKey, patternLevels } from '../../../src/transforms/match/engine.js';
import { ruleKey } from '../../../src/transforms/match/blocking.js';
import { hash16 } from '../../../src/master/match-index.js';
import { KEY_HASH_BYTES, blockingKeyInput } from '../../../src/transforms/match/key-hash.js';
import { type MatchRecord, matchRecords } from '../../../src/transforms/match/index.js';
import { sampleEvery } from '../../../src/transforms/match/match-records.js';
import { encodedTermShares, expandExplanation, randomPairs } from '../../../src/transforms/match/model.js';
import { countWords } from '../../../src/transforms/match/word-weights.js';
import { localEngine, shareClaims, workerEngine } from '../../../src/transforms/match/pool.js';
import { guidedShares } from '../../../src/transforms/match/match-records.js';
import { generatedMatchRecords } from '../../support/generated-records.js';

const F = COMPARISONS.length;
const FAMILY = COMPARISONS.findIndex((c) => c.name === 'family_name');
let records: MatchRecord[];

beforeAll(async () => {
  ({ records } = await generatedMatchRecords(3000, 5));
}, 60_000);

describe('matching engine on columns', () => {
  it('compares encoded records exactly as the record comparisons do', () => {
    const enc = encodeRecords(records);
    const compare = { companyWords: countWords(records.map((r) => r.company)) };
    const engine = new MatchEngine(enc, { maxBlockSize: 1000, fullBlockSize: 10, window: 4, uniqueSource: new Uint8Array(enc.sources.length), compare });
    const { a, b } = randomPairs(records.length, 20_000);
    // Random pairs rarely agree: add each record with its neighbours, where the generator puts duplicates.
    const pa = Int32Array.from([...a, ...records.map((_, i) => i).slice(0, -1)]);
    const pb = Int32Array.from([...b, ...records.map((_, i) => i + 1).slice(0, -1)]);
    const expected = new Map<number, number>();
    const levels = new Uint8Array(F);
    for (let p = 0; p < pa.length; p++) {
      compareRecords(records[pa[p]!]!, records[pb[p]!]!, levels, 0, compare);
      const k = patternKey(levels, 0);
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    const got = engine.comparePairs(pa, pb);
    expect(new Map(got.keys.map((k, i) => [k, got.counts[i]!]))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(50);
  });

  it('computes every rule key from columns as ruleKey does from the record', () => {
    const enc = encodeRecords(records);
    const engine = new MatchEngine(enc, { maxBlockSize: 1000, fullBlockSize: 10, window: 4, uniqueSource: new Uint8Array(enc.sources.length), compare: {} });
    const keyIds = ENGINE_RULES.map(() => new Int32Array(records.length));
    const { counts, hashes } = engine.computeKeys(ENGINE_RULES.map((_, r) => r), keyIds, {});
    let used = 0;
    ENGINE_RULES.forEach((rule, r) => {
      // Same key string <=> same key id; no key <=> 0; ids run 1..count.
      const idOf = new Map<string, number>();
      let keyed = 0;
      records.forEach((rec, i) => {
        const k = ruleKey(rule, rec);
        const id = keyIds[r]![i]!;
        if (!k) return expect(id, `${rule.name} #${i}`).toBe(0);
        keyed++;
        expect(id, rule.name).toBeGreaterThan(0);
        expect(id, rule.name).toBeLessThanOrEqual(counts[r]!);
        if (!idOf.has(k)) idOf.set(k, id);
        expect(id, `${rule.name} ${k}`).toBe(idOf.get(k));
        // Blocking rules' keys come hashed for the match index, as the store hashes the key.
        const h = hashes[r];
        if (r < BLOCKING_RULE_COUNT) expect(Buffer.from(h!.subarray(id * KEY_HASH_BYTES, (id + 1) * KEY_HASH_BYTES)).toString('hex'), `${rule.name} ${k}`).toBe(hash16(blockingKeyInput(rule.name, k)));
        else expect(h, rule.name).toBeNull();
      });
      expect(new Set(idOf.values()).size, rule.name).toBe(idOf.size);
      if (keyed > 100) used++;
    });
    // The generated records hold no national or tax ids; every other rule has keys to check.
    expect(used).toBeGreaterThanOrEqual(ENGINE_RULES.length - 4);
  });

  it('round-trips comparison patterns', () => {
    const levels = Uint8Array.from([0, 1, 255, 2, 3, 0, 255, 1, 0, 255, 2, 3]);
    const out = new Uint8Array(F);
    patternLevels(patternKey(levels, 0), out, 0);
    expect([...out]).toEqual([...levels]);
  });

  it('scores candidate pairs as the pair scorer does, term frequencies included, comparing only what can matter', async () => {
    const res = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads: 1 });
    const enc = encodeRecords(records);
    const opts = { maxBlockSize: 1000, fullBlockSize: 10, window: 4, uniqueSource: new Uint8Array(enc.sources.length), compare: {} };
    const engine = new MatchEngine(enc, opts);
    const { a, b } = randomPairs(records.length, 5000);
    // Random pairs, neighbours, and the pairs matching found (most of them duplicates).
    const pa = [...a, ...records.map((_, i) => i).slice(0, -1), ...res.pairs.map((p) => p.a)];
    const pb = [...b, ...records.map((_, i) => i + 1).slice(0, -1), ...res.pairs.map((p) => p.b)];
    // Each pair as a block of two of the first rule (blocks of two are always compared in full) (which checks no earlier rule).
    const order = Int32Array.from(pa.flatMap((x, p) => [x, pb[p]!]));
    const start = Int32Array.from({ length: pa.length + 2 }, (_, k) => Math.max(0, 2 * (k - 1)));
    const blocks = [{ keyIds: new Int32Array(records.length), start, order, position: new Int32Array(records.length) }];
    const keyRows = new Int32Array(records.length * BLOCKING_RULE_COUNT);
    const tasks = [{ rule: 0, from: 1, to: pa.length + 1 }];
    // Before training: every pair counted, each compared (a sample of one in one) as compareRecords does.
    const before = engine.candidatePairs(tasks, blocks, keyRows, 1);
    expect(before.counts.reduce((x, y) => x + y, 0)).toBe(pa.length);
    // Keeping every pair (no floor), each is compared in full and weighs what the scorer says.
    const all = engine.scoreCandidates(tasks, blocks, keyRows, res.scorer.scoringParams(encodedTermShares(enc), -Infinity));
    expect(all.pairs).toBe(pa.length);
    expect(all.a.length).toBe(pa.length);
    const levels = new Uint8Array(F);
    for (let p = 0; p < all.a.length; p++) {
      const [x, y] = [records[all.a[p]!]!, records[all.b[p]!]!];
      expect(all.weight[p]).toBeCloseTo(res.scorer.weight(x, y), 9);
      compareRecords(x, y, levels, 0, {});
      expect([...all.levels.subarray(p * F, (p + 1) * F)]).toEqual([...levels]);
    }
    // Keeping those at 0 bits and up: the pairs whose comparing stopped early are exactly those
    // that could not reach the first bin's edge; the kept pairs and histogram are the same.
    const params = res.scorer.scoringParams(encodedTermShares(enc), 0);
    const some = engine.scoreCandidates(tasks, blocks, keyRows, params);
    const keep = [...all.weight.keys()].filter((p) => all.weight[p]! >= 0);
    expect([...some.a]).toEqual(keep.map((p) => all.a[p]!));
    expect([...some.b]).toEqual(keep.map((p) => all.b[p]!));
    expect([...some.weight]).toEqual(keep.map((p) => all.weight[p]!));
    expect([...some.levels]).toEqual(keep.flatMap((p) => [...all.levels.subarray(p * F, (p + 1) * F)]));
    expect(some.histogram).toEqual(all.histogram);
    // Many comparisons of different values were not needed (about half here).
    expect(some.comparisons).toBeLessThan(all.comparisons * 0.75);
    expect(some.histogram[0]).toBeGreaterThan(1000);
    expect(keep.length).toBeGreaterThan(300);
    // An engine in a worker thread scores the same pairs alike.
    const worker = workerEngine(enc, opts);
    try {
      const [theirs] = await worker.scoreCandidates([tasks], shareClaims(), blocks, keyRows, params);
      expect(theirs!.a).toEqual(some.a);
      expect(theirs!.weight).toEqual(some.weight);
      expect(theirs!.levels).toEqual(some.levels);
      expect(theirs!.histogram).toEqual(some.histogram);
      // The blocks in shares that this thread's engine and the worker's take as they go: every
      // share scored once, by one of them, the pairs together those of all the blocks.
      const slices = Array.from({ length: 9 }, (_, k) => {
        const from = 1 + Math.floor((k * pa.length) / 9);
        const to = 1 + Math.floor(((k + 1) * pa.length) / 9);
        return { rule: 0, from, to, cost: to - from };
      });
      const shares = guidedShares(slices, pa.length, 2);
      expect(shares.length).toBeGreaterThan(3);
      const claims = shareClaims();
      const both = (await Promise.all([localEngine(enc, opts).scoreCandidates(shares, claims, blocks, keyRows, params), worker.scoreCandidates(shares, claims, blocks, keyRows, params)])).flat();
      expect(both.reduce((n, r) => n + r.pairs, 0)).toBe(pa.length);
      const kept = both.flatMap((r) => [...r.a].map((x, p) => `${x}-${r.b[p]}:${r.weight[p]}`)).sort();
      expect(kept).toEqual([...some.a].map((x, p) => `${x}-${some.b[p]}:${some.weight[p]}`).sort());
      const histogram = both.reduce((h, r) => h.map((c, i) => c + r.histogram[i]!), new Array<number>(some.histogram.length).fill(0));
      expect(histogram).toEqual(some.histogram);
    } finally {
      await worker.close();
    }
  });

  it('lets the event loop turn while the calling thread matches its share', async () => {
    // A queue job's lock is renewed, and a database connection answered, by this thread's event
    // loop: its share of the work is done in parts with a turn between two.
    let turns = 0;
    let done = false;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const res = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads: 1 });
    done = true;
    expect(res.pairs.length).toBeGreaterThan(300);
    // At least a turn per rule's keys and per task of blocks, besides training and scoring.
    expect(turns).toBeGreaterThan(ENGINE_RULES.length + 4);
  });

  it('gives the same links and clusters on worker threads as in one thread', async () => {
    const opts = { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, uniqueSources: new Set(['legacy']) };
    const one = await matchRecords(records, { ...opts, threads: 1 });
    const two = await matchRecords(records, { ...opts, threads: 2 });
    expect(two.candidatePairs).toBe(one.candidatePairs);
    expect(two.pairs).toEqual(one.pairs);
    expect([...two.clusterOf]).toEqual([...one.clusterOf]);
    expect(two.model.lambda).toBeCloseTo(one.model.lambda, 12);
    expect(one.pairs.filter((p) => p.decision === 'link').length).toBeGreaterThan(300);
  }, 60_000);

  it('estimates the prior from a sample of the candidate pairs', async () => {
    const all = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads: 1, candidateSample: 1 });
    const few = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads: 1, candidateSample: 8 });
    expect(few.candidatePairs).toBe(all.candidatePairs);
    // Trained on the sample, the prior moves little.
    expect(few.model.lambda).not.toBe(all.model.lambda);
    expect(Math.abs(Math.log2(few.model.lambda / all.model.lambda))).toBeLessThan(0.5);
    // The sample: every pair on small runs, about half a million pairs on large ones.
    expect(sampleEvery(200_000)).toBe(1);
    expect(sampleEvery(1_500_000)).toBe(3);
    expect(sampleEvery(30_000_000)).toBe(60);
    expect(sampleEvery(30_000_000, 4)).toBe(4);
    // With a stored model the candidates are only scored: the sample plays no part.
    const opts = { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, model: all.model, threads: 1 };
    const one = await matchRecords(records, { ...opts, candidateSample: 1 });
    const eight = await matchRecords(records, { ...opts, candidateSample: 8 });
    expect(eight.candidatePairs).toBe(all.candidatePairs);
    expect(eight.pairs).toEqual(one.pairs);
    expect(one.pairs).toEqual(all.pairs);
    expect(one.probabilityHistogram).toEqual(all.probabilityHistogram);
  }, 60_000);

  it("scores with a stored base's term frequencies as the pair scorer does, values the base never held included", async () => {
    // A rebuild scores with the full run's model and term frequencies; a value they lack (the
    // match index stores only values held twice or more) is taken as held once, share 0, by both
    // the engine and the scorer that explains the pair.
    const base = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads: 1 });
    const stored = base.scorer.termFrequencies.map((m) => (m ? new Map([...m].filter((_, x) => x % 2 === 0)) : null));
    const res = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.01, maxBlockSize: 1000, threads: 1, model: base.model, termFrequencies: stored, recordCount: records.length });
    let unknownExact = 0;
    for (const p of res.pairs) {
      const a = records[p.a]!;
      const b = records[p.b]!;
      expect(p.probability, `${p.a} ${p.b}`).toBeCloseTo(res.scorer.probability(a, b), 9);
      if (a.family && a.family === b.family && !stored[FAMILY]!.has(a.family)) {
        unknownExact++;
        // Weighed as the rarest value: u at its floor, one over the records.
        const family = res.scorer.explain(a, b).fields.find((x) => x.field === 'family_name')!;
        expect(family.termFrequencyAdjusted).toBe(true);
        // (Unless counted with another field of its group: then its weight is that field's.)
        if (!family.countedWith) expect(family.weight).toBeCloseTo(Math.log2(base.model.comparisons[FAMILY]!.m[0]! * records.length), 2);
      }
    }
    expect(unknownExact).toBeGreaterThan(50);
  }, 60_000);

  it('stores each explanation as numbers that expand to what explain says', async () => {
    const res = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads: 1 });
    const seen = { missing: 0, tf: 0, countedWith: 0 };
    const pairs = [...res.pairs.map((p) => [p.a, p.b] as const), ...records.slice(0, 500).map((_, i) => [i, i + 1] as const)];
    for (const [i, j] of pairs) {
      const { probability, ...named } = res.scorer.explain(records[i]!, records[j]!);
      const { stored, probability: p } = res.scorer.explainStored(records[i]!, records[j]!);
      expect(p).toBe(probability);
      const back = expandExplanation(JSON.parse(JSON.stringify(stored)));
      expect(back).toEqual(named);
      for (const f of named.fields) {
        if (f.level === 'missing') seen.missing++;
        if (f.termFrequencyAdjusted) seen.tf++;
        if (f.countedWith) seen.countedWith++;
      }
    }
    expect(seen.missing).toBeGreaterThan(100);
    expect(seen.tf).toBeGreaterThan(100);
    expect(seen.countedWith).toBeGreaterThan(10);
    // Explanations stored in the named form by earlier versions read as they are.
    const legacy = { matchWeight: 3.5, fields: [{ field: 'email', level: 'exact', weight: 9.1 }], namesSwapped: false };
    expect(expandExplanation(legacy)).toEqual(legacy);
    expect(expandExplanation('not an explanation')).toBeNull();
  }, 60_000);

  it('keeps the levels of each pair worth a look, so that explaining it needs no second comparison', async () => {
    for (const threads of [1, 2]) {
      const res = await matchRecords(records, { linkThreshold: 0.9, reviewThreshold: 0.5, maxBlockSize: 1000, threads });
      expect(res.pairLevels.length).toBe(res.pairs.length * F);
      res.pairs.forEach((p, i) => {
        const [a, b] = [records[p.a]!, records[p.b]!];
        expect(res.scorer.explainStored(a, b, res.pairLevels, i * F), `${threads} threads, pair ${i}`).toEqual(res.scorer.explainStored(a, b));
      });
      expect(res.pairs.length).toBeGreaterThan(300);
    }
  }, 60_000);
});
