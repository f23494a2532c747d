import { describe, expect, it } from 'vitest';
import { clusterRecords } from '../../../src/transforms/match/cluster.js';

/** Weights (bits) of every pair of a small population; missing pairs are strongly different. */
function weights(table: Record<string, number>) {
  return (i: number, j: number) => table[`${Math.min(i, j)}-${Math.max(i, j)}`] ?? -25;
}
const prob = (w: (i: number, j: number) => number) => (i: number, j: number) => 1 / (1 + 2 ** -w(i, j));

describe('clusterRecords', () => {
  it('does not let a chain of links glue unrelated records into one customer', () => {
    // 0-1-2-3-4: each neighbour looks like a match, but the ends have nothing in common.
    const w = weights({ '0-1': 12, '1-2': 11, '2-3': 10, '3-4': 9, '0-2': -20, '1-3': -20, '2-4': -20, '0-3': -25, '1-4': -25, '0-4': -25 });
    const edges = [0, 1, 2, 3].map((i) => ({ a: i, b: i + 1, probability: prob(w)(i, i + 1) }));
    const c = clusterRecords(edges, { n: 5, minAverageWeight: -4, weight: w, probability: prob(w) });
    const sizes = new Map<number, number>();
    for (const x of c.clusterOf) sizes.set(x, (sizes.get(x) ?? 0) + 1);
    expect(Math.max(...sizes.values())).toBeLessThanOrEqual(2);
    expect(c.refusedMerges).toBeGreaterThan(0);
  });

  it('keeps a group of true duplicates together though one pair inside it is weak', () => {
    // Three records of one person: 0 and 2 disagree on a corrupted field, both match 1 strongly.
    const w = weights({ '0-1': 20, '1-2': 18, '0-2': -3 });
    const edges = [
      { a: 0, b: 1, probability: prob(w)(0, 1) },
      { a: 1, b: 2, probability: prob(w)(1, 2) },
    ];
    const c = clusterRecords(edges, { n: 3, minAverageWeight: -4, weight: w, probability: prob(w) });
    expect(new Set(c.clusterOf).size).toBe(1);
    // The first record of the cluster carries no link probability; the others their strongest link.
    expect(Number.isNaN(c.linkProbability[0]!)).toBe(true);
    expect(c.linkProbability[1]).toBeCloseTo(prob(w)(0, 1), 12);
  });

  it('never puts two records that cannot link into one cluster', () => {
    const w = weights({ '0-1': 20, '1-2': 20, '0-2': 20 });
    const edges = [
      { a: 0, b: 1, probability: prob(w)(0, 1) },
      { a: 1, b: 2, probability: prob(w)(1, 2) },
    ];
    const c = clusterRecords(edges, { n: 3, minAverageWeight: -4, weight: w, probability: prob(w), canLink: (i, j) => !(i === 0 && j === 2) && !(i === 2 && j === 0) });
    expect(c.clusterOf[0]).not.toBe(c.clusterOf[2]);
  });
});

describe('clusterRecords with steward constraints', () => {
  const w = (table: Record<string, number>) => (i: number, j: number) => table[`${Math.min(i, j)}-${Math.max(i, j)}`] ?? -25;
  const p = (f: (i: number, j: number) => number) => (i: number, j: number) => 1 / (1 + 2 ** -f(i, j));

  it('joins must-linked records that share no edge, and keeps cannot-linked ones apart', () => {
    const f = w({ '0-1': 20, '2-3': 20 });
    const edges = [
      { a: 0, b: 1, probability: p(f)(0, 1) },
      { a: 2, b: 3, probability: p(f)(2, 3) },
    ];
    const c = clusterRecords(edges, { n: 5, minAverageWeight: -4, weight: f, probability: p(f), mustLink: [[1, 4]], cannotLink: [[3, 2]] });
    expect(c.clusterOf[4]).toBe(c.clusterOf[0]);
    expect(c.clusterOf[1]).toBe(c.clusterOf[0]);
    expect(c.clusterOf[2]).not.toBe(c.clusterOf[3]);
    expect(c.linkProbability[4]).toBe(1);
  });

  it('lets a cannot-link win over a must-link through a third record', () => {
    const f = w({});
    const c = clusterRecords([], { n: 3, minAverageWeight: -4, weight: f, probability: p(f), mustLink: [[0, 1], [1, 2]], cannotLink: [[0, 2]] });
    expect(c.clusterOf[0]).toBe(c.clusterOf[1]);
    expect(c.clusterOf[2]).not.toBe(c.clusterOf[0]);
  });

  it('joins two single records on the weight their edge carries, without scoring the pair again', () => {
    const asked: string[] = [];
    const w = (i: number, j: number): number => {
      asked.push(`${i}-${j}`);
      return 10;
    };
    const canLink = (): boolean => true;
    // The edge's weight decides: below the average needed, the two stay apart.
    const apart = clusterRecords([{ a: 0, b: 1, probability: 0.99, weight: -10 }], { n: 2, minAverageWeight: -4, weight: w, probability: prob(w), canLink });
    expect(apart.clusterOf[0]).not.toBe(apart.clusterOf[1]);
    expect(asked).toEqual([]);
    // Without it, the pair is scored.
    const joined = clusterRecords([{ a: 0, b: 1, probability: 0.99 }], { n: 2, minAverageWeight: -4, weight: w, probability: prob(w), canLink });
    expect(joined.clusterOf[1]).toBe(joined.clusterOf[0]);
    expect(asked).toEqual(['0-1']);
    // A group's cross pairs that are edges take the edge's weight; the others are scored.
    asked.length = 0;
    clusterRecords(
      [
        { a: 0, b: 1, probability: 0.99, weight: 10 },
        { a: 1, b: 2, probability: 0.98, weight: 9 },
      ],
      { n: 3, minAverageWeight: -4, weight: w, probability: prob(w), canLink },
    );
    expect(asked.sort()).toEqual(['0-2']);
  });

  it("takes an edge's weight for a cross pair only in the edge's order (weights are not quite symmetric)", () => {
    const asked: string[] = [];
    const w = (i: number, j: number): number => {
      asked.push(`${i}-${j}`);
      return 10;
    };
    // 1 and 3 join first; then 2 joins them, its cross pairs (2, 1) and (2, 3).
    const c = clusterRecords(
      [
        { a: 1, b: 3, probability: 0.99, weight: 10 },
        { a: 2, b: 3, probability: 0.98, weight: 9 },
        { a: 1, b: 2, probability: 0.6, weight: 8 },
      ],
      { n: 4, minAverageWeight: -4, weight: w, probability: prob(w), canLink: () => true },
    );
    expect(c.clusterOf[2]).toBe(c.clusterOf[1]);
    // (2, 3) is the edge in its order; (2, 1) is the edge (1, 2) the other way round: scored.
    expect(asked).toEqual(['2-1']);
  });
});
